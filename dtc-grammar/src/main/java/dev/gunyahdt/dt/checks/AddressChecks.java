package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Cell sizes, reg/ranges shapes and unit addresses. */
final class AddressChecks {

    private AddressChecks() {}

    /** Never fails: records each node's #address-cells/#size-cells (-1 when absent) for later checks. */
    static void addrSizeCells(CheckRun run, NodeInfo n) {
        Property a = n.prop("#address-cells");
        Property s = n.prop("#size-cells");
        n.addrCells = a == null ? -1 : Values.cellInt(a);
        n.sizeCells = s == null ? -1 : Values.cellInt(s);
    }

    static void regFormat(CheckRun run, NodeInfo n) {
        Property reg = n.prop("reg");
        if (reg == null) {
            return;
        }
        if (n.parent == null) {
            run.fail(n, null, "Root node has a \"reg\" property");
            return;
        }
        int len = reg.value().length();
        if (len == 0) {
            run.fail(n, reg, "property is empty");
            return;
        }
        int ac = n.parent.addrCellsOrDefault();
        int sc = n.parent.sizeCellsOrDefault();
        int entry = 4 * (ac + sc); // 32-bit, wrapping as dtc's int does
        if (entry == 0 || len % entry != 0) {
            run.fail(
                    n,
                    reg,
                    "property has invalid length (" + len + " bytes) (#address-cells == " + ac + ", #size-cells == "
                            + sc + ")");
        }
    }

    static void rangesFormat(CheckRun run, NodeInfo n) {
        ranges(run, n, "ranges");
    }

    static void dmaRangesFormat(CheckRun run, NodeInfo n) {
        ranges(run, n, "dma-ranges");
    }

    private static void ranges(CheckRun run, NodeInfo n, String name) {
        Property p = n.prop(name);
        if (p == null) {
            return;
        }
        if (n.parent == null) {
            run.fail(n, p, "Root node has a \"" + name + "\" property");
            return;
        }
        int pac = n.parent.addrCellsOrDefault();
        int psc = n.parent.sizeCellsOrDefault();
        int cac = n.addrCellsOrDefault();
        int csc = n.sizeCellsOrDefault();
        int entry = 4 * (pac + cac + csc); // 32-bit, wrapping as dtc's int does
        int len = p.value().length();
        if (len == 0) {
            if (pac != cac) {
                run.fail(
                        n,
                        p,
                        "empty \"" + name + "\" property but its #address-cells (" + cac + ") differs from "
                                + n.parent.path + " (" + pac + ")");
            }
            if (psc != csc) {
                run.fail(
                        n,
                        p,
                        "empty \"" + name + "\" property but its #size-cells (" + csc + ") differs from "
                                + n.parent.path + " (" + psc + ")");
            }
        } else if (entry == 0 || len % entry != 0) {
            run.fail(
                    n,
                    p,
                    "\"" + name + "\" property has invalid length (" + len + " bytes) (parent #address-cells == " + pac
                            + ", child #address-cells == " + cac + ", #size-cells == " + csc + ")");
        }
    }

    static void unitAddressVsReg(CheckRun run, NodeInfo n) {
        if (n.node().child("__overlay__").isPresent()) {
            return; // overlay fragments are exempt
        }
        Property p = n.prop("reg");
        if (p == null) {
            p = n.prop("ranges");
            if (p != null && p.value().isEmpty()) {
                p = null;
            }
        }
        String unit = n.node().unitAddress();
        if (p != null && unit.isEmpty()) {
            run.fail(n, null, "node has a reg or ranges property, but no unit name");
        } else if (p == null && !unit.isEmpty()) {
            run.fail(n, null, "node has a unit name, but no reg or ranges property");
        }
    }

    static void unitAddressFormat(CheckRun run, NodeInfo n) {
        if (n.parent != null && n.parent.bus != null) {
            return; // bus-specific checks judge these
        }
        String unit = n.node().unitAddress();
        if (unit.isEmpty()) {
            return;
        }
        if (unit.startsWith("0x")) {
            run.fail(n, null, "unit name should not have leading \"0x\"");
            unit = unit.substring(2);
        }
        if (unit.length() >= 2 && unit.charAt(0) == '0' && Character.digit(unit.charAt(1), 16) >= 0) {
            run.fail(n, null, "unit name should not have leading 0s");
        }
    }

    static void avoidDefaultAddrSize(CheckRun run, NodeInfo n) {
        if (n.parent == null || (!n.has("reg") && !n.has("ranges"))) {
            return;
        }
        if (n.parent.addrCells == -1) {
            run.fail(n, null, "Relying on default #address-cells value");
        }
        if (n.parent.sizeCells == -1) {
            run.fail(n, null, "Relying on default #size-cells value");
        }
    }

    static void avoidUnnecessaryAddrSize(CheckRun run, NodeInfo n) {
        if (n.parent == null || n.addrCells < 0 || n.sizeCells < 0) {
            return;
        }
        if (n.has("ranges") || !n.hasChildList()) {
            return;
        }
        for (NodeInfo c : n.children) {
            if (c.has("reg")) {
                return;
            }
        }
        run.fail(n, null, "unnecessary #address-cells/#size-cells without \"ranges\" or child \"reg\" property");
    }

    static void uniqueUnitAddress(CheckRun run, NodeInfo n) {
        unique(run, n, false);
    }

    static void uniqueUnitAddressIfEnabled(CheckRun run, NodeInfo n) {
        unique(run, n, true);
    }

    /** For each child, every earlier sibling with the same unit address is reported. */
    private static void unique(CheckRun run, NodeInfo n, boolean enabledOnly) {
        if (n.addrCells < 0 || n.sizeCells < 0) {
            return; // only a node that declares its children's cell sizes is a bus to judge
        }
        Map<String, List<NodeInfo>> earlier = new HashMap<>();
        for (NodeInfo a : n.children) {
            String addr = a.node().unitAddress();
            if (addr.isEmpty() || (enabledOnly && disabled(a))) {
                continue;
            }
            List<NodeInfo> same = earlier.computeIfAbsent(addr, k -> new ArrayList<>());
            for (NodeInfo b : same) {
                run.fail(b, null, "duplicate unit-address (also used in node " + a.path + ")");
            }
            same.add(a);
        }
    }

    private static boolean disabled(NodeInfo n) {
        Property s = n.prop("status");
        return s != null && Values.cString(s.value()).equals("disabled");
    }
}
