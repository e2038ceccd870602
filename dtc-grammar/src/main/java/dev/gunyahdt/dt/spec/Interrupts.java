package dev.gunyahdt.dt.spec;

import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Where a node's interrupts go, and how many cells a specifier takes there (spec v0.4 §2.4). */
public final class Interrupts {

    private Interrupts() {
    }

    /**
     * The interrupt parent of {@code node}: its {@code interrupt-parent}, or else its tree parent,
     * followed from there until a node with {@code #interrupt-cells} (Linux's
     * {@code of_irq_find_parent}); null when the walk leaves the tree. An error when an
     * {@code interrupt-parent} names no node or the links form a loop.
     */
    public static NodeCursor parent(NodeCursor node, Map<Long, NodeCursor> phandles) {
        NodeCursor p = node;
        Set<String> seen = new HashSet<>();
        do {
            Optional<Property> ip = p.node().property("interrupt-parent");
            p = ip.isPresent() ? target(p, ip.get(), 0, phandles) : p.parent();
            if (p != null && !seen.add(p.path())) {
                throw new DtException(node.node().span(), node.path() + ": interrupt-parent links form a loop");
            }
        } while (p != null && !p.node().hasProperty("#interrupt-cells"));
        return p;
    }

    /** {@code ctrl}'s {@code #interrupt-cells}; an error (at {@code user}'s {@code prop}) when it has none. */
    public static int specifierCells(NodeCursor ctrl, NodeCursor user, Property prop) {
        return Addressing.required(ctrl, "#interrupt-cells", user, prop);
    }

    /** The node the phandle at byte {@code offset} of {@code p} names; an error when there is none. */
    public static NodeCursor target(NodeCursor c, Property p, int offset, Map<Long, NodeCursor> phandles) {
        if (offset + 4 > p.value().length()) {
            throw Errors.at(c, p, "expected a phandle at byte " + offset + ", the value has " + p.value().length()
                    + " bytes");
        }
        long ph = p.value().cellAt(offset);
        NodeCursor t = phandles.get(ph);
        if (t == null) {
            throw Errors.at(c, p, String.format("phandle 0x%x refers to no node", ph));
        }
        return t;
    }
}
