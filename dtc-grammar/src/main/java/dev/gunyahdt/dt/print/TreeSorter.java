package dev.gunyahdt.dt.print;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * dtc's {@code -s}: reserve entries by address then size (both unsigned), and in every node
 * the properties by name and the children by full name ({@code n} &lt; {@code n@10} &lt;
 * {@code n@9}), comparing names byte by byte as dtc does. Sorts are stable, so equal keys keep
 * their order.
 */
public final class TreeSorter {

    private TreeSorter() {}

    private static final Comparator<MemReserve> RESERVE_ORDER = Comparator.<MemReserve>comparingLong(
                    r -> r.address() ^ Long.MIN_VALUE)
            .thenComparingLong(r -> r.size() ^ Long.MIN_VALUE);

    public static DeviceTree sort(DeviceTree tree) {
        List<MemReserve> reserves = new ArrayList<>(tree.memReserves());
        reserves.sort(RESERVE_ORDER);
        return new DeviceTree(
                sortNodes(tree.root()), reserves, tree.plugin(), tree.bootCpuidPhys(), tree.rootDeleted());
    }

    /** Post-order without recursion: a node is rebuilt once all its children are. */
    private static Node sortNodes(Node root) {
        record Frame(Node node, List<Node> done) {}
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root, new ArrayList<>()));
        Node result = null;
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            List<Node> children = f.node().children();
            if (f.done().size() < children.size()) {
                stack.push(new Frame(children.get(f.done().size()), new ArrayList<>()));
                continue;
            }
            stack.pop();
            List<Property> props = new ArrayList<>(f.node().properties());
            props.sort(Comparator.comparing(Property::name));
            List<Node> kids = f.done();
            kids.sort(Comparator.comparing(Node::name));
            Node sorted = f.node().withProperties(props).withChildren(kids);
            if (stack.isEmpty()) {
                result = sorted;
            } else {
                stack.peek().done().add(sorted);
            }
        }
        return result;
    }
}
