package dev.gunyahdt.dt.overlay;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.PhandleAllocator;
import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The nodes dtc 1.6.1 adds to a resolved tree after its checks: {@code /aliases} from node
 * labels ({@code -A}), {@code /__symbols__} ({@code -@}), and for overlays {@code /__fixups__}
 * and {@code /__local_fixups__} (also for a plain tree under gunyah-dt's {@code -L}).
 *
 * <p>What dtc does, and so what these do:
 * <ul>
 * <li>A generated node is the existing child of that name at the root, kept where it is, or a
 *     new one appended after the root's other children; none is created without an entry.
 *     Entries are appended after its existing properties.</li>
 * <li>{@code aliases}/{@code __symbols__}: every label of every node, nodes in pre-order and
 *     labels in their order on the node, becomes {@code label = "/full/path"}. A label already
 *     present as a property there is skipped with a warning
 *     ({@code WARNING: label a already exists in /aliases}, printed by dtc without a newline).
 *     Labels inside overlay fragments get their {@code /fragment@N/__overlay__/…} paths.</li>
 * <li>{@code -@} also gives every labelled node a phandle (even when its label was skipped),
 *     from the same counter as reference resolution; the {@code phandle} property is appended
 *     to the node.</li>
 * <li>{@code __fixups__}: per reference to a label the tree does not define, the label names a
 *     property holding {@code "path:property:offset"} strings, in tree order.
 *     {@code __local_fixups__}: per resolved phandle reference, a node mirroring the referring
 *     node's path holds a property of the same name listing the byte offsets as cells. Either
 *     node is only created when it has an entry.</li>
 * </ul>
 */
public final class GeneratedNodes {

    private GeneratedNodes() {}

    /** The tree after {@link #symbols} and the phandle counter to continue from. */
    public record Result(DeviceTree tree, long nextPhandle) {}

    /** dtc -A: /aliases entries from node labels. */
    public static DeviceTree autoAliases(DeviceTree t) {
        return autoAliases(t, w -> {});
    }

    /** dtc -A, reporting dtc's "label already exists" warnings to {@code warnings}. */
    public static DeviceTree autoAliases(DeviceTree t, Consumer<String> warnings) {
        return labelTree(t, "aliases", null, warnings);
    }

    /** dtc -@: /__symbols__; allocates phandles to labelled nodes as dtc does. */
    public static Result symbols(DeviceTree t, PhandleFormat fmt, long nextPhandle) {
        return symbols(t, fmt, nextPhandle, w -> {});
    }

    /** dtc -@, reporting dtc's "label already exists" warnings to {@code warnings}. */
    public static Result symbols(DeviceTree t, PhandleFormat fmt, long nextPhandle, Consumer<String> warnings) {
        PhandleAllocator alloc = new PhandleAllocator(t, fmt, nextPhandle);
        DeviceTree out = labelTree(t, "__symbols__", alloc, warnings);
        return new Result(out, alloc.nextCandidate());
    }

    /** __fixups__ (unresolved REF_PHANDLE markers) and __local_fixups__ (resolved ones). */
    public static DeviceTree fixups(DeviceTree t) {
        MirrorNode fixups = new MirrorNode("__fixups__");
        MirrorNode local = new MirrorNode("__local_fixups__");
        Map<String, NodeCursor> labels = t.nodeLabels();
        t.walk(c -> {
            for (Property p : c.node().properties()) {
                for (Marker m : p.value().markers()) {
                    if (m.kind() != Marker.Kind.REF_PHANDLE) {
                        continue;
                    }
                    if (resolve(t, labels, m.ref()).isPresent()) {
                        local.at(c).append(p.name(), m.offset());
                    } else {
                        fixups.props
                                .computeIfAbsent(m.ref(), k -> PropertyValue.builder())
                                .string(c.path() + ":" + p.name() + ":" + m.offset());
                    }
                }
            }
        });
        DeviceTree out = t;
        if (!fixups.isEmpty()) {
            out = mergeMirror(out, fixups);
        }
        if (!local.isEmpty()) {
            out = mergeMirror(out, local);
        }
        return out;
    }

    // ------------------------------------------------------------------ label trees

    private static DeviceTree labelTree(
            DeviceTree t, String nodeName, PhandleAllocator alloc, Consumer<String> warnings) {
        Optional<Node> existing = t.root().child(nodeName);
        List<String> taken = new ArrayList<>();
        existing.ifPresent(n -> n.properties().forEach(p -> taken.add(p.name())));
        List<Property> entries = new ArrayList<>();
        boolean[] anyLabelList = {false};
        t.walk(c -> {
            List<String> labels = c.node().labels();
            for (String label : labels) {
                if (taken.contains(label)) {
                    warnings.accept("WARNING: label " + label + " already exists in /" + nodeName);
                    continue;
                }
                taken.add(label);
                entries.add(Property.of(label, PropertyValue.ofString(c.path())));
            }
            if (!labels.isEmpty() || c.node().hasDeletedLabels()) {
                anyLabelList[0] = true; // any_label_tree: deleted labels count too
                if (alloc != null) {
                    alloc.phandleOf(c.node());
                }
            }
        });
        DeviceTree withPhandles = alloc == null ? t : alloc.applyTo(t);
        if (!anyLabelList[0]) {
            return withPhandles; // generate_label_tree: no node without a labelled node
        }
        return addToRootChild(withPhandles, nodeName, entries);
    }

    /**
     * {@code t} with {@code props} appended to the root's child {@code name}, which is created
     * (empty, after the root's other children) when absent.
     */
    private static DeviceTree addToRootChild(DeviceTree t, String name, List<Property> props) {
        Node root = t.root();
        Optional<Node> existing = root.child(name);
        Node target = existing.orElse(Node.of(name, List.of(), List.of()));
        List<Property> merged = new ArrayList<>(target.properties());
        merged.addAll(props);
        return t.withRoot(root.withChild(target.withProperties(merged)));
    }

    // ------------------------------------------------------------------ references

    /**
     * The node a reference names, as dtc looks it up: "/" the root, "/a/b" a path,
     * "label" or "label/sub/path" a labelled node (and a path below it).
     */
    static Optional<NodeCursor> resolve(DeviceTree t, Map<String, NodeCursor> labels, String ref) {
        if (ref.startsWith("/")) {
            return t.find(ref);
        }
        int slash = ref.indexOf('/');
        NodeCursor base = labels.get(slash < 0 ? ref : ref.substring(0, slash));
        if (base == null || slash < 0) {
            return Optional.ofNullable(base);
        }
        String sub = ref.substring(slash);
        String abs = base.isRoot() ? sub : base.path() + sub;
        return t.find(abs);
    }

    // ------------------------------------------------------------------ fixup nodes

    /** A node of a __fixups__/__local_fixups__ tree being built: children and cell lists, in first-use order. */
    private static final class MirrorNode {
        final String name;
        final Map<String, MirrorNode> children = new LinkedHashMap<>();
        final Map<String, PropertyValue.Builder> props = new LinkedHashMap<>();

        MirrorNode(String name) {
            this.name = name;
        }

        boolean isEmpty() {
            return children.isEmpty() && props.isEmpty();
        }

        /** The mirror of {@code c}'s node, created along its path as needed. */
        MirrorNode at(NodeCursor c) {
            if (c.isRoot()) {
                return this;
            }
            MirrorNode parent = at(c.parent());
            return parent.children.computeIfAbsent(c.node().name(), MirrorNode::new);
        }

        void append(String prop, int offset) {
            props.computeIfAbsent(prop, k -> PropertyValue.builder())
                    .type(Marker.Kind.TYPE_UINT32)
                    .uint(offset, 4);
        }
    }

    /**
     * Merges a built tree into the root's child of its name: existing nodes and properties of
     * the same name are extended (values appended), new ones appended in order.
     */
    private static DeviceTree mergeMirror(DeviceTree t, MirrorNode mirror) {
        Node root = t.root();
        Node existing = root.child(mirror.name).orElse(Node.of(mirror.name, List.of(), List.of()));
        return t.withRoot(root.withChild(merge(existing, mirror)));
    }

    private static Node merge(Node n, MirrorNode m) {
        List<Property> props = new ArrayList<>(n.properties());
        m.props.forEach((name, b) -> {
            PropertyValue add = b.build();
            int i = indexOf(props, name);
            if (i >= 0) {
                props.set(i, props.get(i).withValue(props.get(i).value().concat(add)));
            } else {
                props.add(Property.of(name, add));
            }
        });
        Node out = n.withProperties(props);
        for (MirrorNode child : m.children.values()) {
            Node c = out.child(child.name).orElse(Node.of(child.name, List.of(), List.of()));
            out = out.withChild(merge(c, child));
        }
        return out;
    }

    private static int indexOf(List<Property> props, String name) {
        for (int i = 0; i < props.size(); i++) {
            if (props.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
