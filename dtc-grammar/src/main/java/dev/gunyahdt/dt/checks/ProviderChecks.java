package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;

/**
 * Phandle-plus-arguments lists ({@code clocks}, {@code *-gpios}, …) walked with each provider's
 * {@code #…-cells}, and the interrupt checks.
 */
final class ProviderChecks {

    private ProviderChecks() {}

    /** A property holding (phandle, args…) tuples and the provider property sizing the args. */
    record Provider(String checkStem, String property, String cellsProperty, boolean optional) {}

    static void providerProperty(CheckRun run, NodeInfo n, Provider provider) {
        Property p = n.prop(provider.property());
        if (p != null) {
            phandleArgs(run, n, p, provider.cellsProperty(), provider.optional());
        }
    }

    static void phandleArgs(CheckRun run, NodeInfo n, Property p, String cellsName, boolean optional) {
        PropertyValue v = p.value();
        int len = v.length();
        if (len % 4 != 0) {
            run.fail(n, p, "property size (" + len + ") is invalid, expected multiple of 4");
            return;
        }
        int cellSize = 0;
        for (long cell = 0; cell < len / 4; cell += cellSize + 1L) {
            int c = (int) cell;
            long ph = v.cellAt(4 * c);
            if (ph == 0 || ph == 0xffffffffL) {
                if (run.tree.plugin()) {
                    break; // an overlay's external references cannot be followed
                }
                cellSize = 0;
                continue;
            }
            if (!v.markers().isEmpty() && !Values.hasRefPhandleAt(v, 4 * c)) {
                run.fail(n, p, "cell " + c + " is not a phandle reference");
            }
            NodeInfo provider = run.byPhandle(ph);
            if (provider == null) {
                run.fail(n, p, "Could not get phandle node for (cell " + c + ")");
                break;
            }
            Property cells = provider.prop(cellsName);
            if (cells != null) {
                cellSize = Values.cellInt(cells);
            } else if (optional) {
                cellSize = 0;
            } else {
                run.fail(
                        n,
                        null,
                        "Missing property '" + cellsName + "' in node " + provider.path
                                + " or bad phandle (referred from " + p.name() + "[" + c + "])");
                break;
            }
            if (cellSize < 0) {
                break; // dtc would loop forever on a negative count; stop instead
            }
            if (len < (cell + cellSize + 1) * 4) {
                run.fail(n, p, "property size (" + len + ") too small for cell size " + cellSize);
            }
        }
    }

    static boolean isGpioProperty(String name) {
        if (name.contains(",nr-gpios")) {
            return false;
        }
        // the text after the last '-' (or the whole name) is "gpios" or "gpio", compared in place
        int from = name.lastIndexOf('-') + 1;
        int len = name.length() - from;
        return (len == 5 || len == 4) && name.startsWith(len == 5 ? "gpios" : "gpio", from);
    }

    static void gpiosProperty(CheckRun run, NodeInfo n) {
        if (n.has("gpio-hog")) {
            return; // hogs have a "gpios" of their own shape
        }
        for (Property p : n.node().properties()) {
            if (isGpioProperty(p.name())) {
                phandleArgs(run, n, p, "#gpio-cells", false);
            }
        }
    }

    static void deprecatedGpioProperty(CheckRun run, NodeInfo n) {
        for (Property p : n.node().properties()) {
            if (!isGpioProperty(p.name())) {
                continue;
            }
            int at = p.name().indexOf("gpio");
            if (p.name().substring(at).equals("gpio")) {
                run.fail(n, p, "'[*-]gpio' is deprecated, use '[*-]gpios' instead");
            }
        }
    }

    static boolean isInterruptProvider(NodeInfo n) {
        return n.has("interrupt-controller") || n.has("interrupt-map");
    }

    /**
     * dtc's {@code check_interrupts_property}: its own interrupt-parent walk (it stops at any interrupt provider,
     * {@code interrupt-map} included, and names dtc's messages), kept here rather than {@code dt.spec.Interrupts}.
     */
    static void interruptsProperty(CheckRun run, NodeInfo n) {
        Property irq = n.prop("interrupts");
        if (irq == null) {
            return;
        }
        int len = irq.value().length();
        if (len % 4 != 0) {
            run.fail(n, irq, "size (" + len + ") is invalid, expected multiple of 4");
        }
        NodeInfo irqNode = null;
        Property ip = null;
        for (NodeInfo parent = n; parent != null && ip == null; parent = parent.parent) {
            if (parent != n && isInterruptProvider(parent)) {
                irqNode = parent;
                break;
            }
            ip = parent.prop("interrupt-parent");
            if (ip != null) {
                long ph = Values.cell(ip.value(), 0);
                if (ph == 0 || ph == 0xffffffffL) {
                    if (run.tree.plugin()) {
                        return;
                    }
                    run.fail(parent, ip, "Invalid phandle");
                    break;
                }
                irqNode = run.byPhandle(ph);
                if (irqNode == null) {
                    run.fail(parent, ip, "Bad phandle");
                    return;
                }
                if (!isInterruptProvider(irqNode)) {
                    run.fail(irqNode, null, "Missing interrupt-controller or interrupt-map property");
                }
                break;
            }
        }
        if (irqNode == null) {
            run.fail(n, null, "Missing interrupt-parent");
            return;
        }
        Property cellsProp = irqNode.prop("#interrupt-cells");
        if (cellsProp == null) {
            return; // interrupt_provider reports that
        }
        long cells = Values.cell(cellsProp.value(), 0);
        long entry = cells * 4;
        if (entry == 0 || len % entry != 0) {
            // dtc names the provider's #interrupt-cells property here, against this node
            run.fail(n, cellsProp, "size is (" + len + "), expected multiple of " + (int) entry);
        }
    }

    static void interruptProvider(CheckRun run, NodeInfo n) {
        if (!isInterruptProvider(n)) {
            return;
        }
        if (!n.has("#interrupt-cells")) {
            run.fail(n, null, "Missing #interrupt-cells in interrupt provider");
        }
        if (!n.has("#address-cells")) {
            run.fail(n, null, "Missing #address-cells in interrupt provider");
        }
    }
}
