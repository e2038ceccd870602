package dev.gunyahdt.pipeline;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.config.RmCheckFailure;
import dev.gunyahdt.hypervisor.rm.config.VmCheck;
import dev.gunyahdt.partitioner.Partitioner;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Placement;
import dev.gunyahdt.partitioner.emit.ConfigEmitter;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import dev.gunyahdt.partitioner.plan.Pos;
import dev.gunyahdt.partitioner.plan.VmPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A board turned into its bootable config as one call: the plan loaded, the board compiled under
 * dtc's checks, (build) the board linted against the built-in bindings, the plan allocated under
 * every rule, the config rendered, (build) every tree it would write linted and every secondary
 * judged as the real Gunyah RM judges it — and only when all of that passes, written. The
 * {@code partition}, {@code build} and {@code boot} verbs print the {@link Result}.
 */
public final class Build {

    /** Where a board is: a folder with {@code vms.yaml} (whose {@code board:} names the source), or both files. */
    public record Board(Path dir, Path dts, Path plan) {

        /** A board folder; {@code dts} is then taken from the plan. */
        public static Board dir(Path dir) {
            return new Board(dir, null, dir.resolve("vms.yaml"));
        }

        public static Board files(Path dts, Path plan) {
            return new Board(dts.toAbsolutePath().getParent(), dts, plan);
        }

        /** {@code out/<board folder name>}, where a config goes unless told otherwise. */
        public Path defaultOut() {
            return Path.of("out", dir.toAbsolutePath().normalize().getFileName().toString());
        }
    }

    /**
     * @param out          the folder the config is written to
     * @param includeDirs  include search folders for the board (a folder {@code include} beside the board
     *                     folder is searched after them)
     * @param checkFlags   dtc's {@code -W}/{@code -E} for the board, in order
     * @param kernelChecks the board is checked as Linux builds its dtbs: its binding findings do not stop
     *                     a build (the kernel's dtbs build does not run the schemas)
     * @param lint         {@code build}: lint the board and every tree to be written, and run the RM's
     *                     checks on every secondary; {@code partition} does neither
     */
    public record Options(Path out, List<Path> includeDirs, List<CompileOptions.CheckFlag> checkFlags,
                          boolean kernelChecks, boolean lint) {
        public Options {
            includeDirs = List.copyOf(includeDirs);
            checkFlags = List.copyOf(checkFlags);
        }
    }

    /** How a run ended: built, or the stage that refused. */
    public enum Outcome {
        BUILT,
        /** The board folder, its plan or its source is missing (a usage or I/O problem, not a finding). */
        NO_INPUT,
        /** The plan does not load, or breaks a rule: {@link Result#planProblems()}. */
        PLAN_REFUSED,
        /** dtc's checks found errors in the board. */
        BOARD_CHECKS_FAILED,
        /** Binding findings in the board, or problems with the built-in bindings themselves. */
        BOARD_BINDINGS_FAILED,
        /** A valid allocation gunyah-dt cannot express (a gap in gunyah-dt, not in the plan). */
        NOT_EMITTABLE,
        /** Lint findings in the trees gunyah-dt would write. */
        EMITTED_LINT_FAILED,
        /** The Gunyah RM would refuse a secondary's config. */
        RM_REFUSED
    }

    /** A secondary's config the real RM would refuse: {@code file} is where it would have been written. */
    public record Refusal(String vm, Path file, int vmid, RmCheckFailure failure, Finding finding) {
    }

    /**
     * What a run found and made, stage by stage; the lists of stages not reached are empty, their
     * values null. {@code problem} says why for {@link Outcome#NO_INPUT} and {@link Outcome#NOT_EMITTABLE}.
     */
    public record Result(Outcome outcome, String problem, Path boardDts, Path out, VmPlan plan,
                         List<Compilation.Message> boardMessages, List<Finding> boardChecks,
                         List<dev.gunyahdt.bindings.Finding> bindingProblems, List<Finding> boardFindings,
                         List<Finding> planProblems, Allocation allocation, List<String> placementWarnings,
                         ConfigEmitter.Rendered rendered, List<Finding> emittedFindings, List<Refusal> refusals,
                         List<Path> written) {

        public boolean built() {
            return outcome == Outcome.BUILT;
        }

        /**
         * Every finding about the inputs, in the order the stages ran: dtc's checks on the board, its
         * binding findings, the plan's problems, the emitted trees' lint findings, the RM's refusals.
         */
        public List<Finding> findings() {
            return Stream.of(boardChecks, boardFindings, planProblems, emittedFindings,
                    refusals.stream().map(Refusal::finding).toList()).flatMap(List::stream).toList();
        }
    }

    private final Board board;
    private final Options options;
    private Path boardDts;
    private VmPlan plan;
    private List<Compilation.Message> boardMessages = List.of();
    private List<Finding> boardChecks = List.of();
    private List<dev.gunyahdt.bindings.Finding> bindingProblems = List.of();
    private List<Finding> boardFindings = List.of();
    private List<Finding> planProblems = List.of();
    private Allocation allocation;
    private List<String> placementWarnings = List.of();
    private ConfigEmitter.Rendered rendered;
    private List<Finding> emittedFindings = List.of();
    private List<Refusal> refusals = List.of();
    private List<Path> written = List.of();

    private Build(Board board, Options options) {
        this.board = board;
        this.options = options;
    }

    /** Builds {@code board} as {@code options} say; nothing is written unless the result is built. */
    public static Result run(Board board, Options options) throws IOException {
        return new Build(board, options).run();
    }

    private Result run() throws IOException {
        String missing = findInputs();
        if (missing != null) {
            return end(Outcome.NO_INPUT, missing);
        }
        if (plan == null) {
            return end(Outcome.PLAN_REFUSED, null);
        }
        Compilation c = compileBoard();
        if (c.failed()) {
            return end(Outcome.BOARD_CHECKS_FAILED, null);
        }
        EmittedLint lint = options.lint() ? new EmittedLint() : null;
        if (lint != null && !lintBoard(lint, c.tree())) {
            return end(Outcome.BOARD_BINDINGS_FAILED, null);
        }
        try {
            allocation = Partitioner.partition(plan, c.tree());
        } catch (PlanException e) {
            planProblems = e.problems();
            return end(Outcome.PLAN_REFUSED, null);
        }
        placementWarnings = Placement.warnings(allocation);
        try {
            rendered = ConfigEmitter.render(allocation);
        } catch (ConfigEmitter.EmitException e) {
            return end(Outcome.NOT_EMITTABLE, e.getMessage());
        }
        if (lint != null) {
            emittedFindings = lint.config(rendered, options.out());
            if (!emittedFindings.isEmpty()) {
                return end(Outcome.EMITTED_LINT_FAILED, null);
            }
            refusals = rmCheck();
            if (!refusals.isEmpty()) {
                return end(Outcome.RM_REFUSED, null);
            }
        }
        written = ConfigEmitter.write(rendered, options.out());
        return end(Outcome.BUILT, null);
    }

    /** The plan loaded (or its problems kept) and the board source found; what is missing, else null. */
    private String findInputs() {
        if (board.dts() == null && !Files.isDirectory(board.dir())) {
            return board.dir() + ": no such board directory";
        }
        Path vms = board.plan();
        if (!Files.isRegularFile(vms)) {
            return vms + (Files.exists(vms) ? ": not a regular file" : ": no such plan file");
        }
        try {
            plan = PlanLoader.load(vms);
        } catch (PlanException e) {
            planProblems = e.problems();
            return null;
        }
        boardDts = board.dts() != null ? board.dts() : vms.resolveSibling(plan.board()).normalize();
        if (!Files.isRegularFile(boardDts)) {
            return boardDts + (Files.exists(boardDts) ? ": not a regular file" : ": no such board file");
        }
        return null;
    }

    /** The board compiled under its checks; {@code boards/include} beside the board folder is searched too. */
    private Compilation compileBoard() {
        List<Path> includes = new ArrayList<>(options.includeDirs());
        Path parent = board.dir().toAbsolutePath().normalize().getParent();
        if (parent != null && Files.isDirectory(parent.resolve("include"))) {
            includes.add(parent.resolve("include"));
        }
        CompileOptions opts = CompileOptions.defaults()
                .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB).withIncludeDirs(includes)
                .withCheckFlags(options.checkFlags());
        Compilation c = new Compiler(opts).compile(boardDts, null, "-");
        boardMessages = c.messages();
        boardChecks = c.diagnostics().stream().map(d -> Finding.of(d, boardDts.toString())).toList();
        return c;
    }

    /** Whether the board may go on: no problem in the built-in bindings, and no binding finding unless relaxed. */
    private boolean lintBoard(EmittedLint lint, DeviceTree tree) {
        bindingProblems = lint.bindingProblems();
        boardFindings = lint.board(tree, boardDts.toString());
        return bindingProblems.isEmpty() && (boardFindings.isEmpty() || options.kernelChecks());
    }

    /** Every secondary about to be written, as the real RM's VM_CONFIG_IMAGE + VM_INIT would take it, in plan order. */
    private List<Refusal> rmCheck() {
        VmCheck check = new VmCheck(false);
        List<Refusal> out = new ArrayList<>();
        for (Allocation.VmAllocation va : allocation.vms()) {
            if (va.vm().primary()) {
                continue; // the RM never parses HLOS's devicetree
            }
            String name = "vm/" + va.vm().name() + ".dtb";
            VmCheck.Verdict v = check.check(name, DtbReader.read(rendered.files().get(name), name));
            if (!v.accepted()) {
                RmCheckFailure f = v.refusal();
                // the blob has no source positions: the finding sits at the VM's entry in the plan
                Finding rm = f.finding(name);
                Pos vm = va.vm().pos();
                Finding at = new Finding(vm.file(), vm.line(), vm.column(), rm.node(), rm.property(), rm.severity(),
                        rm.rule(), null, null, null, "the Gunyah RM would refuse " + name + " (vmid 0x"
                        + Integer.toHexString(v.vmid()) + "): " + rm.message());
                out.add(new Refusal(va.vm().name(), options.out().resolve(name), v.vmid(), f, at));
            }
        }
        return out;
    }

    private Result end(Outcome outcome, String problem) {
        return new Result(outcome, problem, boardDts, options.out(), plan, boardMessages, boardChecks, bindingProblems,
                boardFindings, planProblems, allocation, placementWarnings, rendered, emittedFindings, refusals, written);
    }
}
