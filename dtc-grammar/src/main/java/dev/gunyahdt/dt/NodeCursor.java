package dev.gunyahdt.dt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node as reached from the root: the node, the cursor of its parent (null at the root) and
 * its full path. Checks and emitters walk with cursors because nodes do not know their parents.
 */
public record NodeCursor(Node node, NodeCursor parent, String path) {

    public static NodeCursor root(Node root) {
        return new NodeCursor(root, null, "/");
    }

    public NodeCursor child(Node child) {
        return new NodeCursor(child, this, path.equals("/") ? "/" + child.name() : path + "/" + child.name());
    }

    public List<NodeCursor> children() {
        List<NodeCursor> out = new ArrayList<>(node.children().size());
        for (Node c : node.children()) {
            out.add(child(c));
        }
        return out;
    }

    public boolean isRoot() {
        return parent == null;
    }

    /** Visits this node and every descendant in pre-order (the order dtc walks and writes). */
    public void walk(Consumer<NodeCursor> visitor) {
        visitor.accept(this);
        for (Node c : node.children()) {
            child(c).walk(visitor);
        }
    }
}
