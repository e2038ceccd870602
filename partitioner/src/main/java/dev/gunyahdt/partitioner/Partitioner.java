package dev.gunyahdt.partitioner;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocator;
import dev.gunyahdt.partitioner.allocate.BoardMemory;
import dev.gunyahdt.partitioner.allocate.BoardView;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.plan.VmPlan;
import dev.gunyahdt.partitioner.rules.Rules;

import java.util.List;

/**
 * Plan + board → an allocation every rule accepts, or a {@link PlanException} listing each violation.
 * The plan's {@code board-memory} is applied to the board first ({@link BoardMemory}).
 */
public final class Partitioner {

    private Partitioner() {
    }

    public static Allocation partition(VmPlan plan, DeviceTree board) {
        return partition(plan, BoardView.of(BoardMemory.apply(plan, board)));
    }

    public static Allocation partition(VmPlan plan, BoardView board) {
        Allocation a = Allocator.allocate(plan, board);
        List<Finding> problems = Rules.check(a);
        if (!problems.isEmpty()) {
            throw new PlanException(problems);
        }
        return a;
    }
}
