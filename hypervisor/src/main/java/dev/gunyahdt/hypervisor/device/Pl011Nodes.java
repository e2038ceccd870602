package dev.gunyahdt.hypervisor.device;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Ranges;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

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
                c.children().forEach(d -> uart(c, d).ifPresent(out::add));
            } else {
                uart(root, c).ifPresent(out::add);
            }
        }
        return out;
    }

    /** {@code c} on {@code bus} if it is a PL011 with a GIC SPI, its base translated to a CPU address (else empty). */
    private static Optional<Found> uart(NodeCursor bus, NodeCursor c) {
        Optional<Property> reg = c.node().property("reg");
        long[] irq = c.node().property("interrupts").map(p -> p.value().cells()).orElse(new long[0]);
        int ac = Addressing.addressCells(bus);
        if (!compatible(c, "arm,pl011")
                || reg.isEmpty()
                || reg.get().value().length() < 4 * ac
                || irq.length < 3
                || irq[0] != 0) {
            return Optional.empty();
        }
        try {
            Ranges.Translation t =
                    Ranges.toCpu(bus, Arrays.copyOf(reg.get().value().cells(), ac), c, reg.get());
            return t.translated()
                    ? Optional.of(new Found(c.path(), t.address().longValue(), (int) irq[1] + 32))
                    : Optional.empty();
        } catch (DtException e) {
            return Optional.empty(); // a malformed ranges on the way: not a UART anyone can reach
        }
    }

    private static boolean compatible(NodeCursor c, String wanted) {
        return c.node()
                .property("compatible")
                .filter(p -> p.value().isStringList())
                .map(p -> p.value().asStrings().contains(wanted))
                .orElse(false);
    }
}
