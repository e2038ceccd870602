package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Picks nodes out of the board tree for an emitted tree. Nodes are copied whole, labels and
 * {@code phandle} included; {@link #withReferenced} adds the nodes that copied nodes reference
 * through the properties {@link References} follows (a UART's clock, a PCI host's GIC); the
 * other references are removed from the finished tree by {@link References#close}.
 */
final class BoardNodes {

    private final DeviceTree board;
    /** The board's labels, walked for once: every VM's tree asks. */
    private Map<String, NodeCursor> labels;

    BoardNodes(DeviceTree board) {
        this.board = board;
    }

    Optional<Node> at(String path) {
        return board.find(path).map(NodeCursor::node);
    }

    Optional<Property> rootProperty(String name) {
        return board.root().property(name);
    }

    /** The root's cell count: the default when it is absent or not one cell (the inventory reports a bad one). */
    int rootCells(String name, int dflt) {
        long v = Addressing.countOrNone(board.root(), name, dflt);
        return v < 0 ? dflt : (int) v;
    }

    /** The first root child whose {@code compatible} contains one of {@code compatibles}. */
    Optional<Node> rootChildCompatible(String... compatibles) {
        for (Node n : board.root().children()) {
            Optional<Property> c = n.property("compatible");
            if (c.isPresent() && c.get().value().isStringList()) {
                for (String want : compatibles) {
                    if (c.get().value().asStrings().contains(want)) {
                        return Optional.of(n);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The root children an emitted tree needs to hold {@code paths} (devices anywhere in the
     * board) and every node their followed references reach ({@link References#followed}),
     * transitively, except under the root children named in {@code excluded}. A wanted node is
     * copied whole; its ancestors keep their properties (their followed references are followed
     * too) but only the children on the way to something wanted. Board order.
     */
    List<Node> withReferenced(List<String> paths, Set<String> excluded) {
        Set<String> wanted = closure(paths, excluded);
        Set<String> onTheWay = ancestors(wanted);
        List<Node> out = new ArrayList<>();
        for (NodeCursor c : board.rootCursor().children()) {
            prune(c, wanted, onTheWay).ifPresent(out::add);
        }
        return out;
    }

    /** The paths {@link #withReferenced} copies whole. */
    Set<String> closure(List<String> paths, Set<String> excluded) {
        Set<String> wanted = new LinkedHashSet<>();
        Set<String> scannedAncestors = new HashSet<>();
        Deque<String> work = new ArrayDeque<>(paths);
        if (labels == null) {
            labels = board.nodeLabels();
        }
        // every emitted tree keeps the board's root properties: the root's interrupt-parent is followed too
        follow(board.root(), work);
        while (!work.isEmpty()) {
            String path = work.pop();
            if (path.equals("/") || excluded.contains(topLevel(path)) || !wanted.add(path)) {
                continue;
            }
            board.find(path).ifPresent(c -> c.walk(n -> follow(n.node(), work)));
            // an ancestor kept on the way keeps its own properties: follow those too (a bus's interrupt-parent)
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                String up = path.substring(0, slash);
                if (scannedAncestors.add(up)) {
                    board.find(up).ifPresent(c -> follow(c.node(), work));
                }
            }
        }
        return wanted;
    }

    private void follow(Node n, Deque<String> work) {
        for (Property p : n.properties()) {
            if (!References.followed(p.name())) {
                continue;
            }
            for (Marker m : p.value().markers()) {
                if (m.kind() == Marker.Kind.REF_PHANDLE || m.kind() == Marker.Kind.REF_PATH) {
                    String target = m.ref().startsWith("/") ? m.ref()
                            : labels.containsKey(m.ref()) ? labels.get(m.ref()).path() : null;
                    if (target != null) {
                        work.add(target);
                    }
                }
            }
        }
    }

    /** The ancestors of wanted nodes: pruning goes down only these, not the whole board per VM. */
    private static Set<String> ancestors(Set<String> wanted) {
        Set<String> onTheWay = new HashSet<>();
        for (String w : wanted) {
            for (int slash = w.lastIndexOf('/'); slash > 0; slash = w.lastIndexOf('/', slash - 1)) {
                if (!onTheWay.add(w.substring(0, slash))) {
                    break;
                }
            }
        }
        return onTheWay;
    }

    private static Optional<Node> prune(NodeCursor c, Set<String> wanted, Set<String> onTheWay) {
        if (wanted.contains(c.path())) {
            return Optional.of(c.node());
        }
        if (!onTheWay.contains(c.path())) {
            return Optional.empty();
        }
        List<Node> kept = new ArrayList<>();
        for (NodeCursor child : c.children()) {
            prune(child, wanted, onTheWay).ifPresent(kept::add);
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of(c.node().withChildren(kept));
    }

    /** The root child a path lies under ("/" for the root itself). */
    static String topLevel(String path) {
        if (path.equals("/") || !path.startsWith("/")) {
            return "/";
        }
        int slash = path.indexOf('/', 1);
        return slash < 0 ? path : path.substring(0, slash);
    }
}
