package dev.gunyahdt.cli;

import dev.gunyahdt.dt.diag.DtException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The gunyah-dt command: one verb per stage of the pipeline (DESIGN.md §3). Exit status 0 on
 * success, 1 when the input has errors (or findings), 2 for usage and I/O problems.
 */
public final class Main {

    /** A verb: its name, one line of help, and whether it is built yet. */
    private record Verb(String name, String args, String summary, Command command) {}

    /** What a verb runs; returns the exit status. */
    @FunctionalInterface
    interface Command {
        int run(List<String> args, Io io) throws Exception;
    }

    private static final List<Verb> VERBS = List.of(
            new Verb(
                    "dtc",
                    "[dtc flags] FILE",
                    "drop-in dtc 1.6.1: compile/decompile DTS and DTB, overlays, checks",
                    DtcCommand::run),
            new Verb(
                    "lint",
                    "[--bindings DIR]… [--dtschema DIR|auto] [--format text|json|sarif|junit] [-m] FILE…",
                    "DTS/DTB against bindings + dtc checks",
                    LintCommand::run),
            new Verb(
                    "check-bindings",
                    "DIR|FILE…",
                    "binding documents against the meta-schema; compile and validate their examples",
                    CheckBindingsCommand::run),
            new Verb(
                    "partition",
                    "BOARD_DIR | BOARD.dts VMS.yaml [-o DIR] [-i DIR]",
                    "split a board between VMs and write the bootable config",
                    PartitionCommand::run),
            new Verb(
                    "build",
                    "BOARD_DIR [-o DIR]",
                    "compile + dtc checks + bindings lint of the board + partition + lint of every emitted DTB + emit",
                    BuildCommand::run),
            new Verb(
                    "boot",
                    "BOARD_DIR | CONFIG_DIR [-o DIR] [--seed N] [--capids scrambled|plain] [--overlay-style rm|dtschema]",
                    "boot the Java Gunyah model and its RM; print the boot log, write each guest's overlay and merged DTB",
                    BootCommand::run),
            new Verb(
                    "inspect",
                    "FILE [--path P] [--format dts|tree|json]",
                    "show a DTB/DTBO readably",
                    InspectCommand::run),
            new Verb(
                    "overlay",
                    "apply BASE.dtb OVERLAY.dtbo… -o OUT",
                    "apply overlays as fdtoverlay does",
                    OverlayCommand::run),
            new Verb("diff", "A B", "compare two trees, ignoring phandle renumbering", DiffCommand::run),
            new Verb(
                    "vm-check",
                    "[--trusted] VM.dtb|VM.dts …",
                    "judge VM devicetrees as the real Gunyah RM's VM_INIT does",
                    VmCheckCommand::run),
            new Verb(
                    "dt-validate",
                    "[-m] [-u DIR] [-p CACHE] [-l LIMIT] FILE…",
                    "drop-in for dt-schema's dt-validate (make dtbs_check): lint's binding findings in its format",
                    DropIns::dtValidate),
            new Verb(
                    "dt-mk-schema",
                    "[-j] [-o OUT] [-u] SCHEMA…",
                    "drop-in for dt-mk-schema: writes gunyah-dt's processed-binding cache (for dt-validate -p)",
                    DropIns::dtMkSchema),
            new Verb(
                    "dt-doc-validate",
                    "[-u ROOT] FILE…",
                    "drop-in for dt-doc-validate: check-bindings without examples",
                    DropIns::dtDocValidate),
            new Verb(
                    "dt-extract-example",
                    "FILE",
                    "drop-in for dt-extract-example: a binding's examples as one DTS",
                    DropIns::dtExtractExample));

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--resident")) { // started by the launcher (Resident), not a verb
            System.exit(Resident.main(Arrays.asList(args).subList(1, args.length), System.err));
        }
        System.exit(run(args, Io.system()));
    }

    /** Runs the command line; never throws. */
    public static int run(String[] args, Io io) {
        List<String> rest = Arrays.asList(args);
        boolean debug = rest.contains("--debug");
        if (debug) {
            rest = rest.stream().filter(a -> !a.equals("--debug")).toList();
        }
        if (rest.isEmpty()
                || rest.get(0).equals("--help")
                || rest.get(0).equals("-h")
                || rest.get(0).equals("help")) {
            usage(io.out());
            return rest.isEmpty() ? 2 : 0;
        }
        if (rest.get(0).equals("--version")) {
            io.out().println("gunyah-dt " + version() + " (dtc 1.6.1 compatible)");
            return 0;
        }
        String name = rest.get(0);
        for (Verb v : VERBS) {
            if (v.name.equals(name)) {
                if (v.command == null) {
                    io.err().println("gunyah-dt " + name + ": not built yet (see README.md: what works today)");
                    return 2;
                }
                try {
                    return v.command.run(rest.subList(1, rest.size()), io);
                } catch (UsageException e) {
                    io.err().println("gunyah-dt " + name + ": " + e.getMessage());
                    io.err().println("Try 'gunyah-dt " + name + " --help'.");
                    return 2;
                } catch (DtException e) {
                    io.err().println(e.render());
                    return 1;
                } catch (java.io.IOException e) {
                    // an output that cannot be written (OutputFile names the path and the reason)
                    io.err().println("gunyah-dt " + name + ": " + e.getMessage());
                    return 2;
                } catch (Exception | StackOverflowError | OutOfMemoryError | LinkageError e) {
                    io.err()
                            .println("gunyah-dt " + name + ": internal error: " + e
                                    + (debug ? "" : " (run with --debug for the stack trace, and please report it)"));
                    if (debug) {
                        e.printStackTrace(io.err());
                    }
                    return 2;
                }
            }
        }
        io.err().println("gunyah-dt: unknown verb '" + name + "'");
        usage(io.err());
        return 2;
    }

    private static void usage(PrintStream out) {
        out.println("Usage: gunyah-dt VERB [ARGS]   (gunyah-dt VERB --help for each verb)");
        out.println();
        out.println("A devicetree toolchain for boards under the Gunyah hypervisor.");
        out.println();
        out.println("Verbs:");
        for (Verb v : VERBS) {
            String line = String.format("  %-15s %s", v.name, v.summary);
            out.println(line + (v.command == null ? "  [not built yet]" : ""));
            out.println(String.format("  %-15s   %s %s", "", v.name, v.args));
        }
        out.println();
        out.println("Exit status: 0 success, 1 errors or findings in the input, 2 usage or I/O problem.");
        out.println("--debug (any verb) shows stack traces of internal errors.");
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
