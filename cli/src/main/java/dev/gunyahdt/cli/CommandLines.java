package dev.gunyahdt.cli;

import dev.gunyahdt.dt.compile.CompileOptions;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Parsing a verb's arguments (a malformed command line is a usage error, exit 2) and the options several verbs share. */
final class CommandLines {

    private CommandLines() {
    }

    static CommandLine parse(Options options, List<String> args) throws UsageException {
        try {
            return new DefaultParser().parse(options, args.toArray(String[]::new));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Every {@code -W}/{@code -E} flag in command-line order, the order dtc applies them in. */
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
