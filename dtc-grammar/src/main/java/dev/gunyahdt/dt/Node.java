package dev.gunyahdt.dt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A devicetree node: its full name ({@code name@unit}), labels, properties and children in
 * source order. Immutable; the {@code with…} methods return changed copies. A node does not
 * know its parent or path: walk the tree with {@link NodeCursor} for that.
 *
 * <p>{@code spans} lists every place the node was defined (merged definitions add entries, as
 * dtc's "also defined at" lines show); empty for blob input.
 */
public final class Node {

    private final String name;
    private final List<String> labels;
    private final List<Property> properties;
    private final List<Node> children;
    private final List<SourceSpan> spans;
    private final boolean omitIfNoRef;
    private final boolean deletedChildren;
    private final boolean deletedLabels;
    private final List<Property> deletedProperties;
    /** phandle(), once asked; -1 before (a benign race: every thread computes the same value). */
    private volatile long phandle = -1;

    public Node(
            String name,
            List<String> labels,
            List<Property> properties,
            List<Node> children,
            List<SourceSpan> spans,
            boolean omitIfNoRef) {
        this(name, labels, properties, children, spans, omitIfNoRef, false);
    }

    /**
     * @param deletedChildren true when source deleted one or more children of this node
     *                        ({@code /delete-node/}, {@code /omit-if-no-ref/}): dtc keeps those in
     *                        its child list, and a few checks ("has it any children?") see them
     */
    public Node(
            String name,
            List<String> labels,
            List<Property> properties,
            List<Node> children,
            List<SourceSpan> spans,
            boolean omitIfNoRef,
            boolean deletedChildren) {
        this(name, labels, properties, children, spans, omitIfNoRef, deletedChildren, false, List.of());
    }

    /**
     * @param deletedLabels true when source deleted labels of this node ({@code /delete-node/}
     *                      before a redefinition): dtc keeps them in its label list, and -@/-A
     *                      treat a node with any label list, even all deleted, as labelled
     * @param deletedProperties properties source deleted that dtc keeps in the node's list ahead
     *                      of any live one of the same name: its "name" check still reads them
     */
    public Node(
            String name,
            List<String> labels,
            List<Property> properties,
            List<Node> children,
            List<SourceSpan> spans,
            boolean omitIfNoRef,
            boolean deletedChildren,
            boolean deletedLabels,
            List<Property> deletedProperties) {
        this.name = name;
        this.labels = List.copyOf(labels);
        this.properties = List.copyOf(properties);
        this.children = List.copyOf(children);
        this.spans = List.copyOf(spans);
        this.omitIfNoRef = omitIfNoRef;
        this.deletedChildren = deletedChildren;
        this.deletedLabels = deletedLabels;
        this.deletedProperties = List.copyOf(deletedProperties);
    }

    public static Node of(String name, List<Property> properties, List<Node> children) {
        return new Node(name, List.of(), properties, children, List.of(), false);
    }

    /** The full name, {@code ""} for the root. */
    public String name() {
        return name;
    }

    /** The name without its unit address. */
    public String baseName() {
        int at = name.indexOf('@');
        return at < 0 ? name : name.substring(0, at);
    }

    /** The unit address (text after '@'), or empty when there is none. */
    public String unitAddress() {
        int at = name.indexOf('@');
        return at < 0 ? "" : name.substring(at + 1);
    }

    public boolean hasUnitAddress() {
        return name.indexOf('@') >= 0;
    }

    public List<String> labels() {
        return labels;
    }

    public List<Property> properties() {
        return properties;
    }

    public List<Node> children() {
        return children;
    }

    public List<SourceSpan> spans() {
        return spans;
    }

    /** The first place the node was defined, or null. */
    public SourceSpan span() {
        return spans.isEmpty() ? null : spans.get(0);
    }

    public boolean omitIfNoRef() {
        return omitIfNoRef;
    }

    /** Whether children of this node were deleted in source (see the constructor). */
    public boolean hasDeletedChildren() {
        return deletedChildren;
    }

    /** Whether labels of this node were deleted in source (see the constructor). */
    public boolean hasDeletedLabels() {
        return deletedLabels;
    }

    /** Deleted properties dtc still lists (see the constructor); empty for most nodes. */
    public List<Property> deletedProperties() {
        return deletedProperties;
    }

    public Optional<Property> property(String propName) {
        int i = indexOf(propName);
        return i < 0 ? Optional.empty() : Optional.of(properties.get(i));
    }

    public boolean hasProperty(String propName) {
        return indexOf(propName) >= 0;
    }

    private int indexOf(String propName) {
        for (int i = 0; i < properties.size(); i++) {
            if (properties.get(i).name().equals(propName)) {
                return i;
            }
        }
        return -1;
    }

    /** The child with this exact full name. */
    public Optional<Node> child(String childName) {
        for (Node c : children) {
            if (c.name.equals(childName)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The phandle this node carries in {@code phandle} (or else {@code linux,phandle}), or 0.
     */
    public long phandle() {
        long v = phandle; // computed once: the checks and the phandle allocator ask per node, per pass
        if (v < 0) {
            v = phandleIn("phandle");
            if (v < 0) {
                v = phandleIn("linux,phandle");
            }
            v = Math.max(v, 0);
            phandle = v;
        }
        return v;
    }

    /** The cell of the first property of this name when it is 4 bytes long, else -1 (called per node per pass). */
    private long phandleIn(String propName) {
        int i = indexOf(propName);
        PropertyValue v = i < 0 ? null : properties.get(i).value();
        return v != null && v.length() == 4 ? v.cellAt(0) : -1;
    }

    public Node withName(String n) {
        return new Node(
                n, labels, properties, children, spans, omitIfNoRef, deletedChildren, deletedLabels, deletedProperties);
    }

    public Node withLabels(List<String> l) {
        return new Node(
                name, l, properties, children, spans, omitIfNoRef, deletedChildren, deletedLabels, deletedProperties);
    }

    public Node withProperties(List<Property> p) {
        return new Node(
                name, labels, p, children, spans, omitIfNoRef, deletedChildren, deletedLabels, deletedProperties);
    }

    public Node withChildren(List<Node> c) {
        return new Node(
                name, labels, properties, c, spans, omitIfNoRef, deletedChildren, deletedLabels, deletedProperties);
    }

    public Node withSpans(List<SourceSpan> s) {
        return new Node(
                name, labels, properties, children, s, omitIfNoRef, deletedChildren, deletedLabels, deletedProperties);
    }

    public Node withOmitIfNoRef(boolean omit) {
        return new Node(
                name, labels, properties, children, spans, omit, deletedChildren, deletedLabels, deletedProperties);
    }

    public Node withDeletedChildren(boolean deleted) {
        return new Node(
                name, labels, properties, children, spans, omitIfNoRef, deleted, deletedLabels, deletedProperties);
    }

    /** This node with the named property replaced, or appended when absent. */
    public Node withProperty(Property p) {
        List<Property> out = new ArrayList<>(properties);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).name().equals(p.name())) {
                out.set(i, p);
                return withProperties(out);
            }
        }
        out.add(p);
        return withProperties(out);
    }

    public Node withoutProperty(String propName) {
        List<Property> out = new ArrayList<>(properties);
        out.removeIf(p -> p.name().equals(propName));
        return withProperties(out);
    }

    /** This node with the child of the same name replaced, or appended when absent. */
    public Node withChild(Node child) {
        List<Node> out = new ArrayList<>(children);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).name.equals(child.name)) {
                out.set(i, child);
                return withChildren(out);
            }
        }
        out.add(child);
        return withChildren(out);
    }

    /**
     * Rebuilds the subtree bottom-up. For each node, children are rewritten first; then
     * {@code f} gets the node as it was (its identity is a key rewrites can look up) and the
     * node with its rewritten children, and returns the replacement, or null to delete it.
     */
    public Node rewrite(BiFunction<Node, Node, Node> f) {
        List<Node> mapped = null; // made at the first child that changed: most subtrees keep theirs
        for (int i = 0; i < children.size(); i++) {
            Node c = children.get(i);
            Node m = c.rewrite(f);
            if (mapped == null && m != c) {
                mapped = new ArrayList<>(children.subList(0, i));
            }
            if (mapped != null && m != null) {
                mapped.add(m);
            }
        }
        return f.apply(this, mapped != null ? withChildren(mapped) : this);
    }

    @Override
    public String toString() {
        return "Node[" + (name.isEmpty() ? "/" : name) + "]";
    }
}
