package dev.gunyahdt.tests.scale;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import dev.gunyahdt.partitioner.plan.VmPlan;
import java.nio.file.Path;

/** A generated board compiled and its plan loaded: what the partitioner starts from. */
public record ScaleInputs(ScaleBoard.Spec spec, Path dir, DeviceTree board, VmPlan plan) {

    /** Generates {@code spec} into {@code dir}, compiles the board and loads the plan. */
    public static ScaleInputs generate(ScaleBoard.Spec spec, Path dir) {
        Path vms = ScaleBoard.write(spec, dir);
        return new ScaleInputs(spec, dir, compile(dir.resolve("board.dts")), PlanLoader.load(vms));
    }

    /** The board as {@code gunyah-dt partition} compiles it (no include directories needed). */
    public static DeviceTree compile(Path dts) {
        Compilation c = new Compiler(CompileOptions.defaults()).compile(dts, null, "-");
        if (c.failed()) {
            throw new IllegalStateException(dts + " does not compile: " + c.messages());
        }
        return c.tree();
    }
}
