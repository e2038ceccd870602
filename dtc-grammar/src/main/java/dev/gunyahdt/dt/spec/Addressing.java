package dev.gunyahdt.dt.spec;

import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;

import java.util.Optional;

/**
 * {@code #address-cells} and {@code #size-cells}: a node's own say how its children's {@code reg}
 * is written; absent, the specification's defaults 2 and 1 apply (v0.4 §2.3.5).
 */
public final class Addressing {

    /** The specification's default {@code #address-cells}. */
    public static final int DEFAULT_ADDRESS_CELLS = 2;
    /** The specification's default {@code #size-cells}. */
    public static final int DEFAULT_SIZE_CELLS = 1;
    /** More cells than this say nothing a 32-cell-limited reader (Linux's OF_MAX_ADDR_CELLS is 4) can use. */
    private static final int MAX_CELLS = 32;

    private Addressing() {
    }

    /** The {@code #address-cells} children of {@code bus} use. */
    public static int addressCells(NodeCursor bus) {
        return count(bus, "#address-cells", DEFAULT_ADDRESS_CELLS);
    }

    /** The {@code #size-cells} children of {@code bus} use. */
    public static int sizeCells(NodeCursor bus) {
        return count(bus, "#size-cells", DEFAULT_SIZE_CELLS);
    }

    /**
     * The {@code #address-cells} found on {@code node} or else its nearest ancestor, 2 when none has
     * one: how Linux sizes the unit address an {@code interrupt-map} matches ({@code of_irq_parse_raw}).
     */
    public static int inheritedAddressCells(NodeCursor node) {
        for (NodeCursor c = node; c != null; c = c.parent()) {
            if (c.node().hasProperty("#address-cells")) {
                return count(c, "#address-cells", DEFAULT_ADDRESS_CELLS);
            }
        }
        return DEFAULT_ADDRESS_CELLS;
    }

    /**
     * A one-cell count property such as {@code #address-cells} or {@code #interrupt-cells}, or
     * {@code dflt} when absent; an error when it is not one cell of at most 32.
     */
    public static int count(NodeCursor c, String name, int dflt) {
        Optional<Property> p = c.node().property(name);
        if (p.isEmpty()) {
            return dflt;
        }
        long v = p.get().value().asCell();
        if (v < 0 || v > MAX_CELLS) {
            throw Errors.at(c, p.get(), "expected one cell no greater than " + MAX_CELLS + ", found "
                    + (v < 0 ? p.get().value().length() + " bytes" : Long.toString(v)));
        }
        return (int) v;
    }

    /**
     * A provider's count property ({@code #interrupt-cells}, {@code #gpio-cells}, …) that a user's
     * {@code prop} needs: an error at {@code prop} when the provider has none.
     */
    public static int required(NodeCursor provider, String name, NodeCursor user, Property prop) {
        if (!provider.node().hasProperty(name)) {
            throw Errors.at(user, prop, provider.path() + " has no " + name);
        }
        return count(provider, name, -1);
    }

    /** {@link #count} for a reader that must not fail: -1 where {@code count} would throw. */
    public static long countOrNone(Node n, String name, long dflt) {
        Optional<Property> p = n.property(name);
        if (p.isEmpty()) {
            return dflt;
        }
        long v = p.get().value().asCell();
        return v > MAX_CELLS ? -1 : v;
    }
}
