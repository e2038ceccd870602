package dev.gunyahdt.cli;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.inspect.TreeDiff;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code diff}'s options for guest trees (issue 12, item 5). The RM names each {@code /hypervisor} child by a
 * capability ID ({@code message-queue-pair-svm1-0@a8ab85dcf7bc57f1}) and writes capability IDs as its
 * {@code reg}; they differ from boot to boot, so two guests' trees looked wholly different.
 */
final class GuestDiff {

    private GuestDiff() {}

    /**
     * {@code t} with the unit address of every {@code /hypervisor} child removed (kept when two children would
     * then share a name) and every {@code reg} cell under {@code /hypervisor} set to 0 (the count stays).
     */
    static DeviceTree withoutCapIds(DeviceTree t) {
        Node root = t.root();
        List<Node> top = new ArrayList<>();
        for (Node n : root.children()) {
            top.add(n.name().equals("hypervisor") ? hypervisor(n) : n);
        }
        return t.withRoot(root.withChildren(top));
    }

    private static Node hypervisor(Node h) {
        Map<String, Integer> uses = new LinkedHashMap<>();
        h.children().forEach(c -> uses.merge(c.baseName(), 1, Integer::sum));
        List<Node> children = new ArrayList<>();
        for (Node c : h.children()) {
            Node z = zeroReg(c);
            children.add(uses.get(c.baseName()) == 1 ? z.withName(c.baseName()) : z);
        }
        return h.withChildren(children);
    }

    private static Node zeroReg(Node n) {
        List<Property> props = new ArrayList<>();
        for (Property p : n.properties()) {
            props.add(
                    p.name().equals("reg")
                            ? Property.of(
                                    "reg",
                                    PropertyValue.ofCells(new long[p.value().length() / 4]))
                            : p);
        }
        List<Node> children = new ArrayList<>();
        n.children().forEach(c -> children.add(zeroReg(c)));
        return n.withProperties(props).withChildren(children);
    }

    /**
     * One line per node, sorted: {@code + /path} (only in B), {@code - /path} (only in A), or
     * {@code ~ /path: N property(ies) added, M removed, K changed (names)}; header changes as they are.
     */
    static List<String> summary(List<TreeDiff.Change> changes) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, List<String>> names = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        Set<String> wholeNodes = new HashSet<>();
        for (TreeDiff.Change c : changes) {
            if (c.property() == null) {
                out.add(c.render());
                wholeNodes.add(c.path());
                continue;
            }
            int[] n = counts.computeIfAbsent(c.path(), k -> new int[3]);
            n[c.sign() == '+' ? 0 : c.sign() == '-' ? 1 : 2]++;
            names.computeIfAbsent(c.path(), k -> new ArrayList<>()).add(c.property());
        }
        // a node only in one tree is its one line; its properties are not counted again
        counts.keySet().removeIf(path -> wholeNodes.stream().anyMatch(w -> path.equals(w) || path.startsWith(w + "/")));
        counts.forEach((path, n) -> out.add("~ " + path + ": " + n[0] + " property(ies) added, " + n[1] + " removed, "
                + n[2] + " changed (" + String.join(", ", names.get(path)) + ")"));
        out.sort(null);
        return out;
    }
}
