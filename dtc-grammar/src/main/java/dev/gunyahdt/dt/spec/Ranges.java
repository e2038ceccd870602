package dev.gunyahdt.dt.spec;

import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;

import java.math.BigInteger;
import java.util.Optional;

/**
 * Address translation through {@code ranges} (spec v0.4 §2.3.8): an address on a bus is walked up
 * to the root, each bus mapping its children's addresses into its parent's. An empty
 * {@code ranges} maps one to one; no {@code ranges} means the children's addresses are not CPU
 * addresses. On a PCI bus ({@code device_type = "pci"}, three address cells) the space code of the
 * high cell must agree and only the two low cells are an address (Linux's {@code of_bus_pci_map}).
 */
public final class Ranges {

    private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64);

    private Ranges() {
    }

    /** A CPU address, or why there is none. */
    public record Translation(BigInteger address, String untranslatable) {

        public boolean translated() {
            return untranslatable == null;
        }
    }

    /**
     * The CPU address of {@code address} (cells on {@code bus}); {@code device} and {@code reg} place
     * errors: a malformed {@code ranges}, or an address that overflows a parent's cells or 64 bits.
     */
    public static Translation toCpu(NodeCursor bus, long[] address, NodeCursor device, Property reg) {
        NodeCursor cur = bus;
        long[] addr = address;
        while (!cur.isRoot()) {
            Optional<Property> ranges = cur.node().property("ranges");
            if (ranges.isEmpty()) {
                return new Translation(null, cur.path() + " has no ranges: its children's addresses are not CPU addresses");
            }
            NodeCursor up = cur.parent();
            int cac = addr.length;
            int pac = Addressing.addressCells(up);
            int csc = Addressing.sizeCells(cur);
            if (ranges.get().value().isEmpty()) {
                long[] next = Cells.split(Cells.number(addr, 0, addr.length), pac);
                if (next == null) {
                    throw Errors.at(device, reg, "address " + hex(address) + " does not fit the " + pac
                            + " address cell(s) of " + up.path());
                }
                addr = next;
                cur = up;
                continue;
            }
            int width = cac + pac + csc;
            Property rp = ranges.get();
            if (rp.value().length() % (4 * width) != 0) {
                throw Errors.at(cur, rp, "length " + rp.value().length() + " is not a multiple of " + 4 * width
                        + " bytes (child #address-cells " + cac + " + parent #address-cells " + pac + " + #size-cells "
                        + csc + ")");
            }
            long[] r = rp.value().cells();
            boolean pci = isPci(cur.node()) && cac == 3;
            BigInteger a = Cells.number(addr, pci ? 1 : 0, pci ? 2 : cac);
            long[] next = null;
            for (int i = 0; i < r.length && next == null; i += width) {
                if (pci && ((r[i] >>> 24) & 3) != ((addr[0] >>> 24) & 3)) {
                    continue;
                }
                BigInteger offset = a.subtract(Cells.number(r, pci ? i + 1 : i, pci ? 2 : cac));
                if (offset.signum() >= 0 && offset.compareTo(Cells.number(r, i + cac + pac, csc)) < 0) {
                    next = Cells.split(Cells.number(r, i + cac, pac).add(offset), pac);
                    if (next == null) {
                        throw Errors.at(cur, rp, "translating " + hex(address) + " of " + device.path()
                                + " overflows the " + pac + " address cell(s) of " + up.path());
                    }
                }
            }
            if (next == null) {
                return new Translation(null, "address " + hex(address) + " is outside every ranges entry of " + cur.path());
            }
            addr = next;
            cur = up;
        }
        BigInteger v = Cells.number(addr, 0, addr.length);
        if (v.compareTo(U64) >= 0) {
            throw Errors.at(device, reg, "physical address of " + hex(address) + " overflows 64 bits");
        }
        return new Translation(v, null);
    }

    private static boolean isPci(Node n) {
        String t = n.property("device_type").map(p -> p.value().asString()).orElse(null);
        return "pci".equals(t) || "pciex".equals(t);
    }

    /** Cells as {@code <0x1 0x2>}, the way messages quote them. */
    public static String hex(long[] cells) {
        StringBuilder sb = new StringBuilder("<");
        for (int i = 0; i < cells.length; i++) {
            sb.append(i == 0 ? "" : " ").append("0x").append(Long.toHexString(cells[i]));
        }
        return sb.append('>').toString();
    }
}
