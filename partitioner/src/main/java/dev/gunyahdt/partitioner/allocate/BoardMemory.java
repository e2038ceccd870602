package dev.gunyahdt.partitioner.allocate;

import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.partitioner.inventory.BoardInventory;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.partitioner.plan.VmPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * The plan's {@code board-memory}: the board's RAM where its {@code .dts} leaves it to the bootloader.
 * Applied to the board tree before anything reads it, so the inventory, the rules and the emitted
 * {@code system.dtb} all see the same memory.
 */
public final class BoardMemory {

    private BoardMemory() {
    }

    /**
     * The board with its root {@code device_type = "memory"} nodes replaced by one {@code memory@<base>}
     * per {@code board-memory} range (the first keeps the first old node's labels); the board as it is
     * when the plan has none. A memory range of size 0 in the board with no {@code board-memory} is a
     * {@link PlanException} (rule {@code board-memory}) whose message has the key to add.
     */
    public static DeviceTree apply(VmPlan plan, DeviceTree board) {
        if (plan.boardMemory().isEmpty()) {
            List<Range> memory = BoardInventory.of(board).memory();
            if (memory.isEmpty()) {
                throw new PlanException("board-memory", plan.boardPos(),
                        "the board declares no memory (its bootloader adds the memory node); say where its RAM is and "
                        + "how much there is in the plan, e.g.\n  board-memory:\n    - {base: 0x40000000, size: 2GiB}");
            }
            List<Range> zero = memory.stream().filter(r -> r.size() == 0).toList();
            if (!zero.isEmpty()) {
                Range z = zero.get(0);
                throw new PlanException("board-memory", plan.boardPos(),
                        "the board's memory at 0x" + Long.toHexString(z.base()) + " has size 0 (its bootloader fills it in);"
                        + " say how much RAM the board has in the plan, e.g.\n  board-memory:\n    - {base: 0x"
                        + Long.toHexString(z.base()) + ", size: 8GiB}");
            }
            return board;
        }
        Node root = board.root();
        int acells = cells(root, "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        int scells = cells(root, "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        List<Node> children = new ArrayList<>();
        List<String> labels = null;
        int at = -1;
        for (Node n : root.children()) {
            boolean memory = n.property("device_type").filter(p -> p.value().isStringList())
                    .map(p -> p.value().asString().equals("memory")).orElse(false);
            if (memory) {
                if (labels == null) {
                    labels = n.labels();
                    at = children.size();
                }
                continue;
            }
            children.add(n);
        }
        List<Node> banks = new ArrayList<>();
        for (VmPlan.BoardMemory m : plan.boardMemory()) {
            PropertyValue.Builder reg = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
            number(reg, acells, m.base(), m);
            number(reg, scells, m.size(), m);
            Node bank = Node.of("memory@" + Long.toHexString(m.base()), List.of(
                    Property.of("device_type", PropertyValue.ofString("memory")), Property.of("reg", reg.build())), List.of());
            banks.add(banks.isEmpty() && labels != null ? bank.withLabels(labels) : bank);
        }
        children.addAll(at < 0 ? children.size() : at, banks);
        return board.withRoot(root.withChildren(children));
    }

    /** The root's cell count: the default when it is absent or not one cell (the inventory reports a bad one). */
    private static int cells(Node root, String name, int dflt) {
        long v = Addressing.countOrNone(root, name, dflt);
        return v < 0 ? dflt : (int) v;
    }

    private static void number(PropertyValue.Builder b, int cells, long v, VmPlan.BoardMemory m) {
        if (cells == 1 && v >>> 32 != 0) {
            throw new PlanException("board-memory", m.pos(), "0x" + Long.toHexString(v)
                    + " does not fit the board's one-cell #address-cells/#size-cells");
        }
        if (cells == 2) {
            b.uint(v >>> 32, 4);
        }
        b.uint(v & 0xffffffffL, 4);
    }
}
