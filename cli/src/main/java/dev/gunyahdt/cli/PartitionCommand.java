package dev.gunyahdt.cli;

import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.pipeline.Build;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gunyah-dt partition BOARD_DIR | BOARD.dts VMS.yaml [-o DIR] [-i DIR]…}: compile the
 * board, allocate the plan, check every rule, print the resource table and write the bootable
 * config ({@link Build}). {@link BuildCommand} runs the same with the board linted against the built-in
 * bindings, and every emitted DTB linted (dtc's checks + the built-in bindings) and every secondary
 * judged by the RM's rules before anything is written.
 */
final class PartitionCommand {

    private PartitionCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR").desc("where to write the config (default out/<board>/)").build());
        o.addOption(Option.builder("i").longOpt("include").hasArg().argName("DIR").desc("include search directory for the board's #include (repeatable)").build());
        o.addOption(Option.builder("W").longOpt("warning").hasArg().argName("[no-]check")
                .desc("dtc's -W on the board: enable/disable a check as a warning (repeatable)").build());
        o.addOption(Option.builder("E").longOpt("error").hasArg().argName("[no-]check")
                .desc("dtc's -E on the board: enable/disable a check as an error (repeatable)").build());
        o.addOption(Option.builder().longOpt("kernel-checks")
                .desc("check the board as Linux 6.1 builds its dtbs: -Wno-" + String.join(" -Wno-", CommandLines.KERNEL_RELAXED_CHECKS)
                        + " (scripts/Makefile.lib), before any -W/-E; build then reports the board's binding findings "
                        + "without stopping, as the kernel's dtbs build does not run the schemas").build());
        o.addOption(Option.builder().longOpt("format").hasArg().argName("text|json|sarif|junit")
                .desc("text (default): the report as below; json, sarif or junit: every finding (the board's dtc "
                        + "checks and bindings, the plan's rules, the emitted trees' lint, the RM's refusals) in that "
                        + "format on stdout, the report on stderr").build());
        o.addOption(Option.builder("h").longOpt("help").desc("print this help").build());
        return o;
    }

    static int run(List<String> args, Io io) throws Exception {
        return run("partition", args, io, false);
    }

    /**
     * {@code partition} and {@code build} ({@code lint}: also lint the board and every tree it would write,
     * and run vm-check on every secondary) as {@link Build} runs them, printed by {@link BuildReport}; with
     * {@code --format} other than text, the findings go to stdout in that format and the report to stderr.
     */
    static int run(String verb, List<String> args, Io io, boolean lint) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(verb, io, lint);
            return 0;
        }
        FindingFormats.Format format = FindingFormats.Format.parse(cmd.getOptionValue("format", "text"));
        if (format == FindingFormats.Format.DTVALIDATE) {
            throw new UsageException("unknown --format 'dtvalidate' (text, json, sarif or junit)");
        }
        Build.Board board = board(cmd.getArgList());
        boolean kernel = cmd.hasOption("kernel-checks");
        // the board's checks: the kernel's relaxations first, so a -W/-E given after them wins
        List<CompileOptions.CheckFlag> checkFlags = new ArrayList<>();
        if (kernel) {
            checkFlags.addAll(CommandLines.kernelCheckFlags());
        }
        checkFlags.addAll(CommandLines.validatedCheckFlags(cmd));
        Path out = cmd.hasOption("o") ? Path.of(cmd.getOptionValue("o")) : board.defaultOut();
        Build.Options options = new Build.Options(out, CommandLines.includeDirs(cmd), checkFlags, kernel, lint);
        Build.Result r = Build.run(board, options);
        String flags = checkFlags.isEmpty() ? "" : flagsText(kernel, checkFlags);
        if (format == FindingFormats.Format.TEXT) {
            return BuildReport.print(verb, r, options, flags, io);
        }
        int status = BuildReport.print(verb, r, options, flags, new Io(io.in(), io.err(), io.err()));
        List<String> inputs = new ArrayList<>(List.of(board.plan().toString()));
        if (r.boardDts() != null) {
            inputs.add(r.boardDts().toString());
        }
        io.out().print(FindingFormats.render(format, FindingFormats.byFile(inputs, r.findings()), "gunyah-dt " + verb,
                "error"));
        io.out().flush();
        return status;
    }

    /** {@code BOARD_DIR}, or {@code BOARD.dts VMS.yaml}. */
    private static Build.Board board(List<String> files) throws UsageException {
        if (files.isEmpty() || files.size() > 2) {
            throw new UsageException(files.isEmpty() ? "no board given" : "BOARD_DIR, or BOARD.dts VMS.yaml");
        }
        return files.size() == 1 ? Build.Board.dir(Path.of(files.get(0)))
                : Build.Board.files(Path.of(files.get(0)), Path.of(files.get(1)));
    }

    /** How the board's checks were changed, for the findings header. */
    private static String flagsText(boolean kernel, List<CompileOptions.CheckFlag> flags) {
        List<String> shown = new ArrayList<>();
        if (kernel) {
            shown.add("--kernel-checks");
        }
        for (CompileOptions.CheckFlag f : flags.subList(kernel ? CommandLines.KERNEL_RELAXED_CHECKS.size() : 0, flags.size())) {
            shown.add((f.error() ? "-E" : "-W") + f.flag());
        }
        return String.join(" ", shown);
    }

    static void help(String verb, Io io, boolean build) {
        PrintWriter w = new PrintWriter(io.out(), true);
        String usage = "gunyah-dt " + (build ? "build" : "partition")
                + " BOARD_DIR | BOARD.dts VMS.yaml [-o DIR] [-i DIR]… [-W|-E [no-]CHECK]… [--kernel-checks] [--format text|json|sarif|junit]";
        String what = build
                ? "\nThe one command for bring-up: compiles BOARD_DIR/vms.yaml's board, runs dtc's checks on it (its "
                  + "warnings are printed, its errors stop the build, as in dtc) and the built-in bindings (a finding stops the build), partitions it, lints every DTB it is about to write "
                  + "(system.dtb and each vm/<name>.dtb) as 'gunyah-dt lint' would — dtc's checks and the built-in "
                  + "bindings — and only when all are clean writes the bootable config.\n\n"
                : "\nCompiles the board, allocates the VM plan, checks every rule and writes the bootable config. "
                  + "dtc-check findings in the board follow dtc's severities: warnings are printed, errors stop it.\n\n";
        String after = "\nBOARD_DIR holds vms.yaml (its 'board:' key names the .dts). When a folder named 'include' "
                + "sits beside BOARD_DIR (boards/include for boards/qemu-virt), it is on the include path "
                + "automatically, after any -i. The board's findings are printed "
                + "under their own header, apart from findings in the trees gunyah-dt writes (those are always checked with "
                + "dtc's defaults). --kernel-checks relaxes the board's checks as Linux 6.1 does for its dtbs.\n\nPrints the resource table (VM, VMID, memory, CPUs, SPIs, VIRQs) "
                + "and writes DIR/system.dtb + .dts, DIR/vm/<name>.dtb + .dts and DIR/plan.json, each file "
                + "atomically, plus report.html and memory-map.svg.\n\nExit status: 0 written; "
                + "1 the board does not compile, the plan breaks a rule (each printed as 'rule: file:line:col: "
                + "message'), or (build) an emitted tree has a lint finding (printed as lint prints it) — "
                + "nothing is written; 2 usage or I/O problem (a missing board or plan).";
        new HelpFormatter().printHelp(w, 100, usage, what, options(), 1, 3, after);
    }
}
