package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Property;

/** Property types, /chosen, /aliases and OF-graph checks. */
final class MiscChecks {

    private MiscChecks() {}

    static void isCell(CheckRun run, NodeInfo n, String prop) {
        Property p = n.prop(prop);
        if (p != null && p.value().length() != 4) {
            run.fail(n, p, "property is not a single cell");
        }
    }

    static void isString(CheckRun run, NodeInfo n, String prop) {
        Property p = n.prop(prop);
        if (p != null && !Values.isOneString(p.value())) {
            run.fail(n, p, "property is not a string");
        }
    }

    static void isStringList(CheckRun run, NodeInfo n, Property p) {
        if (!Values.isStringList(p.value())) {
            run.fail(n, p, "property is not a string list");
        }
    }

    static void compatibleIsStringList(CheckRun run, NodeInfo n) {
        Property p = n.prop("compatible");
        if (p != null) {
            isStringList(run, n, p);
        }
    }

    static void namesIsStringList(CheckRun run, NodeInfo n) {
        for (Property p : n.node().properties()) {
            if (p.name().endsWith("-names")) {
                isStringList(run, n, p);
            }
        }
    }

    static void obsoleteChosenInterruptController(CheckRun run, NodeInfo n) {
        if (n.parent != null) {
            return;
        }
        NodeInfo chosen = CheckRun.byPath(n, "/chosen");
        Property p = chosen == null ? null : chosen.prop("interrupt-controller");
        if (p != null) {
            // dtc reports it against the root node
            run.fail(n, p, "/chosen has obsolete \"interrupt-controller\" property");
        }
    }

    static void chosenNodeIsRoot(CheckRun run, NodeInfo n) {
        if (n.name().equals("chosen") && (n.parent == null || n.parent.parent != null)) {
            run.fail(n, null, "chosen node must be at root node");
        }
    }

    static void chosenNodeBootargs(CheckRun run, NodeInfo n) {
        if (n.name().equals("chosen")) {
            isString(run, n, "bootargs");
        }
    }

    static void chosenNodeStdoutPath(CheckRun run, NodeInfo n) {
        if (!n.name().equals("chosen")) {
            return;
        }
        String name = "stdout-path";
        if (!n.has(name)) {
            name = "linux,stdout-path";
            Property p = n.prop(name);
            if (p == null) {
                return;
            }
            run.fail(n, p, "Use 'stdout-path' instead");
        }
        isString(run, n, name);
    }

    private static final boolean[] ALIAS_CHARS = Values.charSet(StructureChecks.LOWER + StructureChecks.DIGITS + "-");

    static void aliasPaths(CheckRun run, NodeInfo n) {
        if (!n.name().equals("aliases")) {
            return;
        }
        for (Property p : n.node().properties()) {
            if (p.name().equals("phandle") || p.name().equals("linux,phandle")) {
                continue;
            }
            if (p.value().isEmpty() || CheckRun.byPath(run.root, p.value().asString()) == null) {
                run.fail(n, p, "aliases property is not a valid node (" + Values.cString(p.value()) + ")");
                continue;
            }
            if (Values.firstNotIn(p.name(), ALIAS_CHARS) >= 0) {
                run.fail(n, null, "aliases property name must include only lowercase and '-'");
            }
        }
    }

    // ---- OF graph ----------------------------------------------------------------------------

    static void graphNodes(CheckRun run, NodeInfo n) {
        for (NodeInfo c : n.children) {
            if (!c.baseName().equals("endpoint") && !c.has("remote-endpoint")) {
                continue;
            }
            n.bus = NodeInfo.Bus.GRAPH_PORT;
            // the parent of a port is either "ports" or the device itself
            if (n.parent != null && n.parent.bus == null && (n.parent.name().equals("ports") || n.has("reg"))) {
                n.parent.bus = NodeInfo.Bus.GRAPH_PORTS;
            }
            break;
        }
    }

    static void graphChildAddress(CheckRun run, NodeInfo n) {
        if (n.bus != NodeInfo.Bus.GRAPH_PORTS && n.bus != NodeInfo.Bus.GRAPH_PORT) {
            return;
        }
        int count = 0;
        for (NodeInfo c : n.children) {
            Property reg = c.prop("reg");
            if (reg != null && Values.cell(reg.value(), 0) != 0) {
                return; // a non-zero address needs the cells
            }
            count++;
        }
        if (count == 1 && n.addrCells != -1) {
            run.fail(
                    n,
                    null,
                    "graph node has single child node '" + n.children.get(0).name()
                            + "', #address-cells/#size-cells are not necessary");
        }
    }

    static void graphPort(CheckRun run, NodeInfo n) {
        if (n.bus != NodeInfo.Bus.GRAPH_PORT) {
            return;
        }
        if (!n.baseName().equals("port")) {
            run.fail(n, null, "graph port node name should be 'port'");
        }
        graphReg(run, n);
    }

    static void graphEndpoint(CheckRun run, NodeInfo n) {
        if (n.parent == null || n.parent.bus != NodeInfo.Bus.GRAPH_PORT) {
            return;
        }
        if (!n.baseName().equals("endpoint")) {
            run.fail(n, null, "graph endpoint node name should be 'endpoint'");
        }
        graphReg(run, n);
        NodeInfo remote = remoteEndpoint(run, n);
        if (remote != null && remoteEndpoint(run, remote) != n) {
            run.fail(n, null, "graph connection to node '" + remote.path + "' is not bidirectional");
        }
    }

    private static void graphReg(CheckRun run, NodeInfo n) {
        Property reg = n.prop("reg");
        if (reg == null) {
            return;
        }
        if (reg.value().length() != 4) {
            run.fail(n, null, "graph node malformed 'reg' property");
            return;
        }
        String expected = Long.toHexString(reg.value().cellAt(0));
        if (!n.node().unitAddress().equals(expected)) {
            run.fail(n, null, "graph node unit address error, expected \"" + expected + "\"");
        }
        if (n.parent == null) {
            return; // the root as a graph port: dtc itself crashes here
        }
        // dtc judges the parent's cells but names the node's own property (if it has one)
        if (n.parent.addrCells != 1) {
            run.fail(
                    n,
                    n.prop("#address-cells"),
                    "graph node '#address-cells' is " + n.parent.addrCells + ", must be 1");
        }
        if (n.parent.sizeCells != 0) {
            run.fail(n, n.prop("#size-cells"), "graph node '#size-cells' is " + n.parent.sizeCells + ", must be 0");
        }
    }

    private static NodeInfo remoteEndpoint(CheckRun run, NodeInfo n) {
        Property p = n.prop("remote-endpoint");
        if (p == null) {
            return null;
        }
        long ph = Values.cell(p.value(), 0);
        if (ph == 0 || ph == 0xffffffffL) {
            return null; // an overlay's external reference
        }
        NodeInfo target = run.byPhandle(ph);
        if (target == null) {
            run.fail(n, p, "graph phandle is not valid");
        }
        return target;
    }
}
