package dev.gunyahdt.dt;

import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hands out phandles the way dtc does: a node that already has a valid phandle keeps it; any
 * other node gets the lowest number, counting up from where the last allocation stopped, that
 * no node of the tree uses. The counter only moves forward for the life of the allocator, so
 * use one allocator per compilation.
 *
 * <p>Allocation does not touch the tree; {@link #applyTo} adds the {@code phandle} (and/or
 * {@code linux,phandle}) properties at the end of each newly numbered node in one pass.
 * Nodes are keyed by identity, so allocate against one tree and apply to that same tree.
 */
public final class PhandleAllocator {

    private final PhandleFormat format;
    private final Set<Long> used = new HashSet<>();
    private final Map<Node, Long> assigned = new IdentityHashMap<>();
    private long next;
    private final Node deletedRoot;

    public PhandleAllocator(DeviceTree tree, PhandleFormat format) {
        this(tree, format, 1);
    }

    /**
     * An allocator for {@code tree} whose counter starts at {@code startAt}: a later stage of
     * the same compilation continues where the earlier one stopped (see {@link #nextCandidate}),
     * as dtc's single counter does.
     */
    public PhandleAllocator(DeviceTree tree, PhandleFormat format, long startAt) {
        this.format = format;
        this.next = startAt;
        // get_node_by_phandle never finds a deleted root: its phandle stays free for others
        this.deletedRoot = tree.rootDeleted() ? tree.root() : null;
        if (deletedRoot != null) {
            deletedRoot.children().forEach(this::collectUsed);
        } else {
            collectUsed(tree.root());
        }
    }

    // a plain recursion: the cursors of DeviceTree.walk would build every node's path
    private void collectUsed(Node n) {
        long ph = n.phandle();
        if (isValid(ph)) {
            used.add(ph);
        }
        for (Node c : n.children()) {
            collectUsed(c);
        }
    }

    public static boolean isValid(long phandle) {
        return phandle != 0 && phandle != 0xffffffffL;
    }

    /** The node's phandle, allocating one when it has none. */
    public long phandleOf(Node node) {
        long ph = node.phandle();
        if (isValid(ph)) {
            return ph;
        }
        Long pending = assigned.get(node);
        if (pending != null) {
            return pending;
        }
        while (used.contains(next) && next != deletedRootPhandle()) {
            next++;
        }
        long mine = next;
        if (node != deletedRoot) {
            used.add(mine);
        }
        assigned.put(node, mine);
        return mine;
    }

    /**
     * The deleted root's phandle, or 0: get_node_by_phandle stops at a deleted root holding the
     * number it looks for, so dtc treats that number as free, however many nodes it gives it to.
     */
    private long deletedRootPhandle() {
        if (deletedRoot == null) {
            return 0;
        }
        long own = deletedRoot.phandle();
        return isValid(own) ? own : assigned.getOrDefault(deletedRoot, 0L);
    }

    /** The phandle this allocator gave {@code node}, or 0. */
    public long allocated(Node node) {
        Long v = assigned.get(node);
        return v == null ? 0 : v;
    }

    /** Where the counter stands: pass it to the allocator of the next stage. */
    public long nextCandidate() {
        return next;
    }

    public PhandleFormat format() {
        return format;
    }

    public boolean isEmpty() {
        return assigned.isEmpty();
    }

    /**
     * {@code tree} with a phandle property appended to each node numbered here (a node that
     * already has such a property keeps its own: that is a self-reference the caller patches).
     */
    public DeviceTree applyTo(DeviceTree tree) {
        if (assigned.isEmpty()) {
            return tree;
        }
        return tree.withRoot(tree.root().rewrite((orig, rebuilt) -> withPhandleProperties(orig, rebuilt)));
    }

    /**
     * {@code rebuilt} (the current form of {@code original}) with the phandle properties
     * allocated to {@code original} appended; unchanged when none was allocated.
     */
    public Node withPhandleProperties(Node original, Node rebuilt) {
        Long ph = assigned.get(original);
        if (ph == null) {
            return rebuilt;
        }
        Node n = rebuilt;
        Node out = n;
        PropertyValue cell = PropertyValue.ofCells(ph);
        if (format.writesLegacy() && !n.hasProperty("linux,phandle")) {
            out = appendProperty(out, "linux,phandle", cell);
        }
        if (format.writesEpapr() && !n.hasProperty("phandle")) {
            out = appendProperty(out, "phandle", cell);
        }
        return out;
    }

    private static Node appendProperty(Node n, String name, PropertyValue v) {
        List<Property> props = new java.util.ArrayList<>(n.properties());
        props.add(Property.of(name, v));
        return n.withProperties(props);
    }
}
