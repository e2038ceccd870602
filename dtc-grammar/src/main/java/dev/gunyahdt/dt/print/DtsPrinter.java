package dev.gunyahdt.dt.print;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Prints a tree as DTS source, in the exact text {@code dtc -O dts} (1.6.1) writes.
 *
 * <p>Layout, as observed from dtc: a {@code /dts-v1/;} line and a blank line; one
 * {@code /memreserve/} line per reserve entry (both numbers as 16 hex digits, a tab after the
 * keyword, labels in front); then the root as {@code / {}. Inside a node, properties come
 * first, one per line, indented by tabs; each child node follows after a blank line. Labels
 * precede the node or property name as {@code a: b: name}. No {@code /plugin/} line is written,
 * as dtc 1.6.1 writes none either. How a value is written is {@link ValueWriter}'s business.
 *
 * <p>The result holds one char per byte (ISO-8859-1): encode it that way to get dtc's bytes.
 */
public final class DtsPrinter {

    private DtsPrinter() {}

    public static String print(DeviceTree tree) {
        StringBuilder out = new StringBuilder(4096);
        out.append("/dts-v1/;\n\n");
        for (MemReserve r : tree.memReserves()) {
            appendLabels(out, r.labels());
            out.append("/memreserve/\t0x")
                    .append(hex16(r.address()))
                    .append(" 0x")
                    .append(hex16(r.size()))
                    .append(";\n");
        }
        appendTree(out, tree.root());
        return out.toString();
    }

    /** Depth-first without recursion, so an absurdly deep (untrusted) tree cannot overflow the stack. */
    private static void appendTree(StringBuilder out, Node root) {
        record Frame(Node node, int depth, int nextChild) {}
        Deque<Frame> stack = new ArrayDeque<>();
        openNode(out, root, 0);
        stack.push(new Frame(root, 0, 0));
        while (!stack.isEmpty()) {
            Frame f = stack.pop();
            List<Node> children = f.node().children();
            if (f.nextChild() < children.size()) {
                stack.push(new Frame(f.node(), f.depth(), f.nextChild() + 1));
                Node child = children.get(f.nextChild());
                out.append('\n');
                openNode(out, child, f.depth() + 1);
                stack.push(new Frame(child, f.depth() + 1, 0));
            } else {
                indent(out, f.depth());
                out.append("};\n");
            }
        }
    }

    /** The node's header line and its properties. */
    private static void openNode(StringBuilder out, Node node, int depth) {
        indent(out, depth);
        appendLabels(out, node.labels());
        // dtc writes an empty name as "/" at any depth and a named root by its name (both seen
        // in blobs); the root of a source tree is always the empty name
        out.append(node.name().isEmpty() ? "/" : node.name()).append(" {\n");
        for (Property p : node.properties()) {
            indent(out, depth + 1);
            appendLabels(out, p.labels());
            out.append(p.name());
            ValueWriter.append(out, p.value());
            out.append(";\n");
        }
    }

    private static void appendLabels(StringBuilder out, List<String> labels) {
        for (String l : labels) {
            out.append(l).append(": ");
        }
    }

    private static void indent(StringBuilder out, int depth) {
        for (int i = 0; i < depth; i++) {
            out.append('\t');
        }
    }

    private static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    /**
     * How dtc prints a value whose source type is unknown (blob input): as strings, 32-bit cells
     * or bytes. Other views (inspect) use the same guess so they read like dtc's output.
     */
    public static Marker.Kind guessType(byte[] value) {
        return ValueWriter.guess(value);
    }
}
