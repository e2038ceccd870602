package dev.gunyahdt.cli;


import dev.gunyahdt.bindings.Finding;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.config.VmCheck;
import dev.gunyahdt.partitioner.Partitioner;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.emit.ConfigEmitter;
import dev.gunyahdt.partitioner.emit.ResourceTable;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import dev.gunyahdt.partitioner.plan.Problem;
import dev.gunyahdt.partitioner.plan.VmPlan;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gunyah-dt partition BOARD_DIR | BOARD.dts VMS.yaml [-o DIR] [-i DIR]…}: compile the
 * board, allocate the plan, check every rule, print the resource table and write the bootable
 * config. {@link BuildCommand} runs the same with the board's dtc-check findings as errors, and
 * lints every emitted DTB (dtc's checks + the built-in bindings) before writing anything.
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
        o.addOption(Option.builder("h").longOpt("help").desc("print this help").build());
        return o;
    }

    static int run(List<String> args, Io io) throws Exception {
        return run("partition", args, io, false);
    }

    /**
     * The shared pipeline; {@code strict} (build) also lints the board against the built-in bindings,
     * lints every tree it would write and runs vm-check on every secondary. The board's dtc-check
     * findings follow dtc's severities in both verbs.
     */
    static int run(String verb, List<String> args, Io io, boolean strict) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(verb, io, strict);
            return 0;
        }
        List<String> files = cmd.getArgList();
        if (files.isEmpty() || files.size() > 2) {
            throw new UsageException(files.isEmpty() ? "no board given" : "BOARD_DIR, or BOARD.dts VMS.yaml");
        }
        // the board's checks: the kernel's relaxations first, so a -W/-E given after them wins
        List<CompileOptions.CheckFlag> checkFlags = new ArrayList<>();
        boolean kernel = cmd.hasOption("kernel-checks");
        if (kernel) {
            checkFlags.addAll(CommandLines.kernelCheckFlags());
        }
        checkFlags.addAll(CommandLines.validatedCheckFlags(cmd));
        // 1. where the plan and the board are
        Path vmsYaml;
        Path boardDts = null;
        Path boardDir;
        if (files.size() == 1) {
            boardDir = Path.of(files.get(0));
            if (!Files.isDirectory(boardDir)) {
                return ioError(verb, io, boardDir + ": no such board directory");
            }
            vmsYaml = boardDir.resolve("vms.yaml");
        } else {
            boardDts = Path.of(files.get(0));
            vmsYaml = Path.of(files.get(1));
            boardDir = boardDts.toAbsolutePath().getParent();
        }
        if (!Files.isRegularFile(vmsYaml)) {
            return ioError(verb, io, vmsYaml + (Files.exists(vmsYaml) ? ": not a regular file" : ": no such plan file"));
        }
        VmPlan plan;
        try {
            plan = PlanLoader.load(vmsYaml);
        } catch (PlanException e) {
            return planErrors(io, e);
        }
        if (boardDts == null) {
            boardDts = vmsYaml.resolveSibling(plan.board()).normalize();
        }
        if (!Files.isRegularFile(boardDts)) {
            return ioError(verb, io, boardDts + (Files.exists(boardDts) ? ": not a regular file" : ": no such board file"));
        }
        // 2. compile the board; boards/include beside the board folder is searched automatically
        List<Path> includes = new ArrayList<>(CommandLines.includeDirs(cmd));
        Path parent = boardDir.toAbsolutePath().normalize().getParent();
        if (parent != null && Files.isDirectory(parent.resolve("include"))) {
            includes.add(parent.resolve("include"));
        }
        CompileOptions opts = CompileOptions.defaults()
                .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB).withIncludeDirs(includes)
                .withCheckFlags(checkFlags);
        Compilation c = new Compiler(opts).compile(boardDts, null, "-");
        // Findings in the board are the board's, apart from any in what gunyah-dt writes, and follow
        // dtc's severities: a warning is printed and the run goes on; an error stops it, as it stops dtc.
        if (!c.messages().isEmpty()) {
            io.err().println("gunyah-dt " + verb + ": findings in the board " + boardDts + " (dtc's checks"
                    + (checkFlags.isEmpty() ? "" : ", with " + flagsText(cmd.hasOption("kernel-checks"), checkFlags)) + "):");
        }
        for (Compilation.Message m : c.messages()) {
            io.err().println(m.text());
        }
        if (c.failed()) {
            io.err().println("gunyah-dt " + verb + ": the board has dtc-check error(s); fix the board, or relax the check with "
                    + "-Wno-<check> / --kernel-checks; nothing written");
            return 1;
        }
        DeviceTree tree = c.tree();
        // build lints the board against the bindings first, then each tree it would write
        EmittedLint lint = strict ? new EmittedLint() : null;
        if (strict) {
            for (Finding f : lint.bindingProblems()) {
                io.err().println("gunyah-dt " + verb + ": built-in binding problem: " + f.render());
            }
            List<LintFinding> boardFindings = lint.board(tree, boardDts.toString());
            for (LintFinding f : boardFindings) {
                io.err().println(f.text());
            }
            if (!boardFindings.isEmpty() && kernel) {
                // the kernel's dtbs build runs dtc only; dt-validate is a separate target (dtbs_check)
                io.err().println("gunyah-dt " + verb + ": " + boardFindings.size() + " binding finding(s) in the board "
                        + boardDts + ", not blocking under --kernel-checks (the kernel's dtbs build does not run the schemas)");
            }
            if (!lint.bindingProblems().isEmpty() || !boardFindings.isEmpty() && !kernel) {
                io.err().println("gunyah-dt " + verb + ": " + boardDts + ": " + boardFindings.size()
                        + " binding finding(s) in the board (errors against the built-in bindings); fix the board "
                        + "(or use 'partition', which does not lint)");
                return 1;
            }
        }
        // 3. allocate and check every rule
        Allocation allocation;
        try {
            allocation = Partitioner.partition(plan, tree);
        } catch (PlanException e) {
            return planErrors(io, e);
        }
        io.out().print(ResourceTable.render(allocation));
        dev.gunyahdt.partitioner.allocate.Placement.warnings(allocation).forEach(io.err()::println);
        // 4. emit
        Path out = cmd.hasOption("o") ? Path.of(cmd.getOptionValue("o"))
                : Path.of("out", boardDir.toAbsolutePath().normalize().getFileName().toString());
        ConfigEmitter.Rendered rendered;
        try {
            rendered = ConfigEmitter.render(allocation);
        } catch (ConfigEmitter.EmitException e) {
            // A valid plan the emitter cannot express (a value too wide for the board's cells,
            // an emitted tree dtc's checks refuse): say so, write nothing.
            io.err().println("gunyah-dt: this configuration cannot be emitted (a gap in gunyah-dt, "
                    + "not in the plan): " + e.getMessage());
            io.err().println("nothing written");
            return 1;
        }
        int droppedCount = rendered.dropped().values().stream().mapToInt(List::size).sum();
        if (droppedCount > 0) {
            io.out().println(droppedCount + " reference(s) to nodes outside the emitted trees dropped (the rules are in "
                    + "partitioner/README.md; each is listed in report.html):");
            rendered.dropped().forEach((name, l) -> l.forEach(d -> io.out().println("  " + name + ": " + d)));
        }
                // 5. build: lint every DTB as 'gunyah-dt lint' would, before anything is written
        if (strict) {
            List<LintFinding> findings = lint.config(rendered, out);
            for (LintFinding f : findings) {
                io.err().println(f.text());
            }
            if (!findings.isEmpty()) {
                io.err().println("gunyah-dt " + verb + ": " + findings.size()
                        + " lint finding(s) in the trees gunyah-dt would write (not the board's own findings: these are in "
                        + "the emitted trees, under dtc's default checks, from board nodes copied into them or a gap in "
                        + "gunyah-dt's emitter); nothing written");
                return 1;
            }
            // 6. build: every secondary as the real RM's VM_CONFIG_IMAGE + VM_INIT would take it, in plan order
            List<String> refusals = realRmCheck(allocation, rendered, out);
            refusals.forEach(io.err()::println);
            if (!refusals.isEmpty()) {
                io.err().println("gunyah-dt " + verb + ": the Gunyah RM would refuse " + refusals.size()
                        + " VM config(s) (vm-check); nothing written");
                return 1;
            }
        }
        List<Path> written = ConfigEmitter.write(rendered, out);
        io.out().println("wrote " + written.size() + " files to " + out + "/ (system.dtb, "
                + allocation.vms().size() + " VM trees, plan.json, report.html, memory-map.svg; every tree clean under "
                + (strict ? "dtc's checks and the built-in bindings)" : "dtc's checks)"));
        return 0;
    }

    /** {@code gunyah-dt vm-check} over the secondaries about to be written: one line per refusal. */
    private static List<String> realRmCheck(Allocation allocation, ConfigEmitter.Rendered rendered, Path out) {
        VmCheck check = new VmCheck(false);
        List<String> refusals = new ArrayList<>();
        for (Allocation.VmAllocation va : allocation.vms()) {
            if (va.vm().primary()) {
                continue; // the RM never parses HLOS's devicetree
            }
            String name = "vm/" + va.vm().name() + ".dtb";
            VmCheck.Verdict v = check.check(name, DtbReader.read(rendered.files().get(name), name));
            if (!v.accepted()) {
                refusals.add(out.resolve(name) + ": refused by the Gunyah RM (vmid 0x" + Integer.toHexString(v.vmid())
                        + "): " + v.refusal().describe());
            }
        }
        return refusals;
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

    private static int planErrors(Io io, PlanException e) {
        for (Problem p : e.problems()) {
            io.err().println(p);
        }
        io.err().println(e.problems().size() + " problem(s) in the plan; nothing written");
        return 1;
    }

    private static int ioError(String verb, Io io, String message) {
        io.err().println("gunyah-dt " + verb + ": " + message);
        return 2;
    }

    static void help(String verb, Io io, boolean build) {
        PrintWriter w = new PrintWriter(io.out(), true);
        String usage = "gunyah-dt " + (build ? "build" : "partition")
                + " BOARD_DIR | BOARD.dts VMS.yaml [-o DIR] [-i DIR]… [-W|-E [no-]CHECK]… [--kernel-checks]";
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
