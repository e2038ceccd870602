package dev.gunyahdt.cli;

import dev.gunyahdt.dt.compile.CompileOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** Parsing a verb's arguments (a malformed command line is a usage error, exit 2) and the options several verbs share. */
final class CommandLines {

    private CommandLines() {}

    /** One row of a verb's option table: short name (or null), long name, value name (null: a flag), help. */
    static Option option(String shortName, String longName, String argName, String desc) {
        Option.Builder b = Option.builder(shortName).longOpt(longName).desc(desc);
        return argName == null ? b.build() : b.hasArg().argName(argName).build();
    }

    static CommandLine parse(Options options, List<String> args) throws UsageException {
        try {
            return new DefaultParser()
                    .parse(options, detachValues(options, args).toArray(String[]::new));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * The arguments with each attached short-option value split off ({@code -DNAME=VAL} →
     * {@code -D NAME=VAL}), as getopt reads them: Commons CLI refuses an attached value with an
     * '=' in it. A token that is itself an option's value is left alone.
     */
    static List<String> detachValues(Options options, List<String> args) {
        List<String> out = new ArrayList<>(args.size() + 4);
        boolean valueNext = false;
        for (String a : args) {
            if (a.equals("--")) {
                int rest = args.indexOf(a);
                out.addAll(args.subList(rest, args.size()));
                return out;
            }
            Option opt = !valueNext && a.length() > 1 && a.charAt(0) == '-' && a.charAt(1) != '-'
                    ? options.getOption(a.substring(1, 2))
                    : null;
            if (opt != null && opt.hasArg() && a.length() > 2) {
                out.add(a.substring(0, 2));
                out.add(a.substring(2));
                valueNext = false;
                continue;
            }
            out.add(a);
            valueNext = !valueNext
                    && ((opt != null && opt.hasArg())
                            || (a.startsWith("--")
                                    && !a.contains("=")
                                    && options.hasLongOption(a.substring(2))
                                    && options.getOption(a.substring(2)).hasArg()));
        }
        return out;
    }

    /** Every {@code -W}/{@code -E} flag in command-line order, the order dtc applies them in. */
    /**
     * The checks Linux 6.1 turns off when it builds dtbs (scripts/Makefile.lib's DTC_FLAGS without
     * KBUILD_EXTRA_WARN): {@code -Wno-interrupt_provider} and the six "noisy" ones, in its order.
     */
    static final List<String> KERNEL_RELAXED_CHECKS = List.of(
            "interrupt_provider",
            "unit_address_vs_reg",
            "avoid_unnecessary_addr_size",
            "alias_paths",
            "graph_child_address",
            "simple_bus_reg",
            "unique_unit_address");

    /** {@link #KERNEL_RELAXED_CHECKS} as the {@code -Wno-…} flags the kernel passes. */
    static List<CompileOptions.CheckFlag> kernelCheckFlags() {
        return KERNEL_RELAXED_CHECKS.stream()
                .map(c -> new CompileOptions.CheckFlag("no-" + c, false))
                .toList();
    }

    /** {@link #checkFlags}, each name checked against dtc's table: a typo is a usage error before any file is read. */
    static List<CompileOptions.CheckFlag> validatedCheckFlags(CommandLine cmd) throws UsageException {
        List<CompileOptions.CheckFlag> flags = checkFlags(cmd);
        try {
            dev.gunyahdt.dt.checks.CheckConfig c = dev.gunyahdt.dt.checks.CheckConfig.defaults();
            for (CompileOptions.CheckFlag f : flags) {
                c.apply(f.flag(), f.error());
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return flags;
    }

    static List<CompileOptions.CheckFlag> checkFlags(CommandLine cmd) {
        List<CompileOptions.CheckFlag> flags = new ArrayList<>();
        for (Option opt : cmd.getOptions()) {
            if ("W".equals(opt.getOpt()) || "E".equals(opt.getOpt())) {
                flags.add(new CompileOptions.CheckFlag(opt.getValue(), "E".equals(opt.getOpt())));
            }
        }
        return flags;
    }

    /** Every {@code -i DIR}, in order. */
    static List<Path> includeDirs(CommandLine cmd) {
        List<Path> dirs = new ArrayList<>();
        for (Option opt : cmd.getOptions()) {
            if ("i".equals(opt.getOpt())) {
                dirs.add(Path.of(opt.getValue()));
            }
        }
        return dirs;
    }
}
