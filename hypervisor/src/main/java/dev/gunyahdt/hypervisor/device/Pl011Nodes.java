package dev.gunyahdt.hypervisor.device;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import java.util.ArrayList;
import java.util.List;

/**
 * The PL011 UARTs of a devicetree ({@code compatible = "arm,pl011"}) at the root or on a {@code simple-bus}
 * child of it, with their physical base (the bus's {@code ranges} applied) and the INTID of their GIC SPI
 * specifier ({@code <0 n flags>}, INTID n + 32). What both the board's bus and a guest's driver look for.
 */
public final class Pl011Nodes {
    /** One UART: its node path, physical base and INTID. */
    public record Found(String path, long base, int intid) {}

    private Pl011Nodes() {}

    public static List<Found> find(DeviceTree tree) {
        List<Found> out = new ArrayList<>();
        NodeCursor root = NodeCursor.root(tree.root());
        for (NodeCursor c : root.children()) {
            if (compatible(c, "simple-bus")) {
                long[] ranges =
                        c.node().property("ranges").map(p -> p.value().cells()).orElse(null);
                int cac = Addressing.addressCells(c);
                int pac = Addressing.addressCells(root);
                int csc = Addressing.sizeCells(c);
                for (NodeCursor d : c.children()) {
                    uart(d, cac).ifPresent(u -> translate(u, ranges, cac, pac, csc, out));
                }
            } else {
                uart(c, Addressing.addressCells(root)).ifPresent(out::add);
            }
        }
        return out;
    }

    /** A bus child's base through the bus's ranges (empty ranges: identity); outside every range: dropped. */
    private static void translate(Found u, long[] ranges, int cac, int pac, int csc, List<Found> out) {
        if (ranges == null) {
            return;
        }
        if (ranges.length == 0) {
            out.add(u);
            return;
        }
        int row = cac + pac + csc;
        for (int i = 0; i + row <= ranges.length; i += row) {
            long child = Cells.join(ranges, i, cac);
            long parent = Cells.join(ranges, i + cac, pac);
            long size = Cells.join(ranges, i + cac + pac, csc);
            if (u.base() >= child && u.base() - child < size) {
                out.add(new Found(u.path(), parent + (u.base() - child), u.intid()));
                return;
            }
        }
    }

    private static java.util.Optional<Found> uart(NodeCursor c, int ac) {
        long[] reg = c.node().property("reg").map(p -> p.value().cells()).orElse(new long[0]);
        long[] irq = c.node().property("interrupts").map(p -> p.value().cells()).orElse(new long[0]);
        if (!compatible(c, "arm,pl011") || reg.length < ac || irq.length < 3 || irq[0] != 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Found(c.path(), Cells.join(reg, 0, ac), (int) irq[1] + 32));
    }

    private static boolean compatible(NodeCursor c, String wanted) {
        return c.node()
                .property("compatible")
                .filter(p -> p.value().isStringList())
                .map(p -> p.value().asStrings().contains(wanted))
                .orElse(false);
    }
}
