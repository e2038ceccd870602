package dev.gunyahdt.partitioner;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import dev.gunyahdt.partitioner.plan.VmPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Compiles a plan's board (with boards/include on the include path) and partitions it. */
public final class TestBoards {

    public static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private TestBoards() {}

    public static DeviceTree compile(Path dts) {
        CompileOptions d = CompileOptions.defaults();
        CompileOptions o = new CompileOptions(
                CompileOptions.Format.DTS,
                CompileOptions.Format.DTB,
                d.dtb(),
                -1,
                false,
                List.of(REPO.resolve("boards/include")),
                false,
                d.phandles(),
                List.of(),
                false,
                false,
                false,
                true,
                Map.of());
        Compilation c = new Compiler(o).compile(dts, null, "-");
        if (c.failed()) {
            throw new AssertionError(dts + " does not compile: " + c.messages());
        }
        return c.tree();
    }

    /** The plan at {@code vmsYaml} (reported under the path relative to the repository or resources). */
    public static VmPlan plan(Path vmsYaml) {
        return PlanLoader.load(vmsYaml);
    }

    public static Allocation partition(Path vmsYaml) {
        VmPlan plan = plan(vmsYaml);
        return Partitioner.partition(
                plan, compile(vmsYaml.resolveSibling(plan.board()).normalize()));
    }
}
