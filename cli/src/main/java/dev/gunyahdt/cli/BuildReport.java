package dev.gunyahdt.cli;

import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.emit.ResourceTable;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.pipeline.Build;
import dev.gunyahdt.pipeline.Build.Outcome;

import java.util.List;

/**
 * How {@code partition}, {@code build} and {@code boot} print a {@link Build.Result}: each stage's
 * findings as it ran, on stderr; the resource table, dropped references and what was written on stdout.
 */
final class BuildReport {

    private final String verb;
    private final Build.Result r;
    private final Build.Options options;
    private final Io io;

    private BuildReport(String verb, Build.Result r, Build.Options options, Io io) {
        this.verb = verb;
        this.r = r;
        this.options = options;
        this.io = io;
    }

    /**
     * Prints {@code r}; {@code flags} is how the board's checks were changed ("" when they were not).
     * Returns the exit status: 0 written, 1 a finding stopped the run, 2 an input is missing.
     */
    static int print(String verb, Build.Result r, Build.Options options, String flags, Io io) {
        return new BuildReport(verb, r, options, io).print(flags);
    }

    private int print(String flags) {
        if (r.outcome() == Outcome.NO_INPUT) {
            io.err().println("gunyah-dt " + verb + ": " + r.problem());
            return 2;
        }
        if (r.plan() == null) {
            return planProblems();
        }
        if (!boardChecks(flags) || options.lint() && !boardBindings()) {
            return 1;
        }
        if (r.outcome() == Outcome.PLAN_REFUSED) {
            return planProblems();
        }
        io.out().print(ResourceTable.render(r.allocation()));
        r.placementWarnings().forEach(io.err()::println);
        if (r.outcome() == Outcome.NOT_EMITTABLE) {
            // A valid plan the emitter cannot express (a value too wide for the board's cells,
            // an emitted tree dtc's checks refuse): say so, write nothing.
            io.err().println("gunyah-dt: this configuration cannot be emitted (a gap in gunyah-dt, "
                    + "not in the plan): " + r.problem());
            io.err().println("nothing written");
            return 1;
        }
        dropped();
        if (options.lint() && (!emittedLint() || !rmCheck())) {
            return 1;
        }
        io.out().println("wrote " + r.written().size() + " files to " + r.out() + "/ (system.dtb, "
                + r.allocation().vms().size() + " VM trees, plan.json, report.html, memory-map.svg; every tree clean under "
                + (options.lint() ? "dtc's checks and the built-in bindings)" : "dtc's checks)"));
        return 0;
    }

    private int planProblems() {
        for (Finding p : r.planProblems()) {
            io.err().println(PlanException.describe(p));
        }
        io.err().println(r.planProblems().size() + " problem(s) in the plan; nothing written");
        return 1;
    }

    /**
     * Findings in the board are the board's, apart from any in what gunyah-dt writes, and follow dtc's
     * severities: a warning is printed and the run goes on; an error stops it, as it stops dtc.
     */
    private boolean boardChecks(String flags) {
        if (!r.boardMessages().isEmpty()) {
            io.err().println("gunyah-dt " + verb + ": findings in the board " + r.boardDts() + " (dtc's checks"
                    + (flags.isEmpty() ? "" : ", with " + flags) + "):");
        }
        for (Compilation.Message m : r.boardMessages()) {
            io.err().println(m.text());
        }
        if (r.outcome() == Outcome.BOARD_CHECKS_FAILED) {
            io.err().println("gunyah-dt " + verb + ": the board has dtc-check error(s); fix the board, or relax the check with "
                    + "-Wno-<check> / --kernel-checks; nothing written");
            return false;
        }
        return true;
    }

    /** build: the board against the built-in bindings. */
    private boolean boardBindings() {
        for (dev.gunyahdt.bindings.Finding f : r.bindingProblems()) {
            io.err().println("gunyah-dt " + verb + ": built-in binding problem: " + f.render());
        }
        List<Finding> found = r.boardFindings();
        found.forEach(f -> io.err().println(f.text()));
        if (!found.isEmpty() && options.kernelChecks()) {
            // the kernel's dtbs build runs dtc only; dt-validate is a separate target (dtbs_check)
            io.err().println("gunyah-dt " + verb + ": " + found.size() + " binding finding(s) in the board "
                    + r.boardDts() + ", not blocking under --kernel-checks (the kernel's dtbs build does not run the schemas)");
        }
        if (r.outcome() == Outcome.BOARD_BINDINGS_FAILED) {
            io.err().println("gunyah-dt " + verb + ": " + r.boardDts() + ": " + found.size()
                    + " binding finding(s) in the board (errors against the built-in bindings); fix the board "
                    + "(or use 'partition', which does not lint)");
            return false;
        }
        return true;
    }

    private void dropped() {
        int count = r.rendered().dropped().values().stream().mapToInt(List::size).sum();
        if (count > 0) {
            io.out().println(count + " reference(s) to nodes outside the emitted trees dropped (the rules are in "
                    + "partitioner/README.md; each is listed in report.html):");
            r.rendered().dropped().forEach((name, l) -> l.forEach(d -> io.out().println("  " + name + ": " + d)));
        }
    }

    /** build: every DTB linted as 'gunyah-dt lint' would, before anything is written. */
    private boolean emittedLint() {
        r.emittedFindings().forEach(f -> io.err().println(f.text()));
        if (r.outcome() == Outcome.EMITTED_LINT_FAILED) {
            io.err().println("gunyah-dt " + verb + ": " + r.emittedFindings().size()
                    + " lint finding(s) in the trees gunyah-dt would write (not the board's own findings: these are in "
                    + "the emitted trees, under dtc's default checks, from board nodes copied into them or a gap in "
                    + "gunyah-dt's emitter); nothing written");
            return false;
        }
        return true;
    }

    /** build: every secondary as the real RM's VM_CONFIG_IMAGE + VM_INIT would take it, in plan order. */
    private boolean rmCheck() {
        for (Build.Refusal x : r.refusals()) {
            io.err().println(x.file() + ": refused by the Gunyah RM (vmid 0x" + Integer.toHexString(x.vmid()) + "): "
                    + x.failure().describe());
        }
        if (r.outcome() == Outcome.RM_REFUSED) {
            io.err().println("gunyah-dt " + verb + ": the Gunyah RM would refuse " + r.refusals().size()
                    + " VM config(s) (vm-check); nothing written");
            return false;
        }
        return true;
    }
}
