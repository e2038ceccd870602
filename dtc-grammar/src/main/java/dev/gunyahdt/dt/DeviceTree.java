package dev.gunyahdt.dt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A whole devicetree: the root node, the memory reserve map, whether the source was an overlay
 * ({@code /plugin/}), and the blob header's boot CPU. The model every stage takes and returns.
 *
 * <p>{@code rootDeleted}: source deleted the root itself ({@code /delete-node/ &{/}}, or an
 * unreferenced {@code /omit-if-no-ref/} root) and nothing re-added it. dtc then writes a blob
 * with no node at all, while its DTS output still shows the (emptied) root.
 */
public record DeviceTree(
        Node root, List<MemReserve> memReserves, boolean plugin, long bootCpuidPhys, boolean rootDeleted) {

    public DeviceTree {
        memReserves = List.copyOf(memReserves);
    }

    public DeviceTree(Node root, List<MemReserve> memReserves, boolean plugin, long bootCpuidPhys) {
        this(root, memReserves, plugin, bootCpuidPhys, false);
    }

    public DeviceTree withRoot(Node newRoot) {
        return new DeviceTree(newRoot, memReserves, plugin, bootCpuidPhys, rootDeleted);
    }

    public DeviceTree withBootCpuidPhys(long cpu) {
        return new DeviceTree(root, memReserves, plugin, cpu, rootDeleted);
    }

    public DeviceTree withRootDeleted(boolean deleted) {
        return new DeviceTree(root, memReserves, plugin, bootCpuidPhys, deleted);
    }

    public NodeCursor rootCursor() {
        return NodeCursor.root(root);
    }

    /** Visits every node in pre-order. */
    public void walk(Consumer<NodeCursor> visitor) {
        rootCursor().walk(visitor);
    }

    /**
     * The node at an absolute path ({@code /a/b@1}). A component without '@' also matches a
     * child whose base name equals it when no child has that exact name, as dtc's path lookup
     * does.
     */
    public Optional<NodeCursor> find(String path) {
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        NodeCursor cur = rootCursor();
        for (String part : path.substring(1).split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            Node next = null;
            for (Node c : cur.node().children()) {
                if (c.name().equals(part)) {
                    next = c;
                    break;
                }
            }
            if (next == null && part.indexOf('@') < 0) {
                for (Node c : cur.node().children()) {
                    if (c.baseName().equals(part)) {
                        next = c;
                        break;
                    }
                }
            }
            if (next == null) {
                return Optional.empty();
            }
            cur = cur.child(next);
        }
        return Optional.of(cur);
    }

    /** Every label on a node, mapped to that node's cursor (first definition wins). */
    public Map<String, NodeCursor> nodeLabels() {
        Map<String, NodeCursor> out = new HashMap<>();
        walk(c -> {
            for (String l : c.node().labels()) {
                out.putIfAbsent(l, c);
            }
        });
        return out;
    }

    /** Every node carrying a phandle, by phandle. */
    public Map<Long, NodeCursor> phandles() {
        Map<Long, NodeCursor> out = new HashMap<>();
        walk(c -> {
            long ph = c.node().phandle();
            if (ph != 0 && ph != 0xffffffffL) {
                out.putIfAbsent(ph, c);
            }
        });
        return out;
    }

    /** All cursors in pre-order. */
    public List<NodeCursor> allNodes() {
        List<NodeCursor> out = new ArrayList<>();
        walk(out::add);
        return out;
    }
}
