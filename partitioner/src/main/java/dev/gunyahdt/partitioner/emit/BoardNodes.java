package dev.gunyahdt.partitioner.emit;

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
 * {@code phandle} included, so references inside them stay valid as long as what they point at
 * is copied too: {@link #withReferenced} adds the top-level nodes that copied nodes reference
 * (a UART's clock, a PCI host's GIC).
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

    int rootCells(String name, int dflt) {
        return rootProperty(name).filter(p -> p.value().length() == 4).map(p -> (int) p.value().asCell()).orElse(dflt);
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
     * board) and every node their references reach, transitively, except under the root
     * children named in {@code excluded}. A wanted node is copied whole; its ancestors keep
     * their properties but only the children on the way to something wanted. Board order.
     */
    List<Node> withReferenced(List<String> paths, Set<String> excluded) {
        Set<String> wanted = new LinkedHashSet<>();
        Deque<String> work = new ArrayDeque<>(paths);
        if (labels == null) {
            labels = board.nodeLabels();
        }
        while (!work.isEmpty()) {
            String path = work.pop();
            if (path.equals("/") || excluded.contains(topLevel(path)) || !wanted.add(path)) {
                continue;
            }
            board.find(path).ifPresent(c -> c.walk(n -> {
                for (Property p : n.node().properties()) {
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
            }));
        }
        // the ancestors of wanted nodes: pruning goes down only these, not the whole board per VM
        Set<String> onTheWay = new HashSet<>();
        for (String w : wanted) {
            for (int slash = w.lastIndexOf('/'); slash > 0; slash = w.lastIndexOf('/', slash - 1)) {
                if (!onTheWay.add(w.substring(0, slash))) {
                    break;
                }
            }
        }
        List<Node> out = new ArrayList<>();
        for (NodeCursor c : board.rootCursor().children()) {
            prune(c, wanted, onTheWay).ifPresent(out::add);
        }
        return out;
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
