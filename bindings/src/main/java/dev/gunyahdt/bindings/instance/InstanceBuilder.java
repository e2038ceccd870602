package dev.gunyahdt.bindings.instance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node of a DeviceTree as the JSON instance dt-schema validates (toolchain-anchors.md §2.3):
 * the node's name as {@code $nodename: [name]}, each property by its typed chunks from the source
 * (strings → an array of strings, each {@code < >} or {@code [ ]} chunk → one matrix row of
 * numbers, an empty property → {@code true}), child nodes as nested objects.
 *
 * <p>{@code reg} and {@code interrupts} are re-split the way dt-schema splits them from a blob:
 * {@code reg} rows by the parent's {@code #address-cells + #size-cells}, {@code interrupts} rows by
 * the interrupt parent's {@code #interrupt-cells}, so {@code <0 1 0 2>} and {@code <0 1>, <0 2>}
 * validate alike. Phandle references stay numbers (the resolved phandle), as in a blob.
 *
 * <p>A value with no type markers (a property decoded from a DTB) is guessed: printable
 * NUL-terminated strings, else 32-bit cells, else bytes. The binding-driven type inference of
 * dt-schema for DTB input is not built yet.
 */
public final class InstanceBuilder {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Map<Long, NodeCursor> phandles;

    /** {@code phandles}: the tree's phandle → node map, to find interrupt parents. */
    public InstanceBuilder(Map<Long, NodeCursor> phandles) {
        this.phandles = phandles;
    }

    /** The instance of {@code at}'s node with its whole subtree. */
    public ObjectNode build(NodeCursor at) {
        ObjectNode o = F.objectNode();
        Node n = at.node();
        ArrayNode name = o.putArray("$nodename");
        name.add(n.name().isEmpty() ? "/" : n.name());
        for (Property p : n.properties()) {
            o.set(p.name(), value(at, p));
        }
        for (NodeCursor c : at.children()) {
            // a child node and a property of the same name cannot both be kept: the property wins, as in dtc's YAML
            if (!o.has(c.node().name())) {
                o.set(c.node().name(), build(c));
            }
        }
        return o;
    }

    /** The JSON form of one property of the node at {@code at}. */
    public JsonNode value(NodeCursor at, Property p) {
        PropertyValue v = p.value();
        if (v.isEmpty()) {
            return F.booleanNode(true);
        }
        List<Marker> types = new ArrayList<>();
        for (Marker m : v.markers()) {
            if (m.kind().isType()) {
                types.add(m);
            }
        }
        ArrayNode out = F.arrayNode();
        if (types.isEmpty()) {
            guess(v, out);
        } else {
            byte[] b = v.bytes();
            for (int i = 0; i < types.size(); i++) {
                Marker m = types.get(i);
                int end = i + 1 < types.size() ? types.get(i + 1).offset() : b.length;
                chunk(b, m.offset(), end, m.kind(), out);
            }
        }
        int width = switch (p.name()) {
            case "reg" -> regWidth(at);
            case "interrupts" -> interruptWidth(at);
            default -> 0;
        };
        return width > 0 ? resplit(out, width) : out;
    }

    private static void chunk(byte[] b, int start, int end, Marker.Kind kind, ArrayNode out) {
        if (kind == Marker.Kind.TYPE_STRING) {
            int s = start;
            for (int i = start; i < end; i++) {
                if (b[i] == 0) {
                    out.add(new String(b, s, i - s, StandardCharsets.UTF_8));
                    s = i + 1;
                }
            }
            if (s < end) {
                out.add(new String(b, s, end - s, StandardCharsets.UTF_8));
            }
            return;
        }
        int size = kind.elementSize();
        ArrayNode row = F.arrayNode();
        for (int off = start; off + size <= end; off += size) {
            long x = 0;
            for (int k = 0; k < size; k++) {
                x = (x << 8) | (b[off + k] & 0xffL);
            }
            if (x < 0) {
                row.add(new BigInteger(Long.toUnsignedString(x)));
            } else {
                row.add(x);
            }
        }
        out.add(row);
    }

    private static void guess(PropertyValue v, ArrayNode out) {
        if (v.isStringList()) {
            v.asStrings().forEach(out::add);
            return;
        }
        byte[] b = v.bytes();
        chunk(b, 0, b.length, b.length % 4 == 0 ? Marker.Kind.TYPE_UINT32 : Marker.Kind.TYPE_UINT8, out);
    }

    /** Re-splits a matrix of cells into rows of {@code width}, when it is all cells and divides evenly. */
    private static JsonNode resplit(ArrayNode rows, int width) {
        List<JsonNode> cells = new ArrayList<>();
        for (JsonNode r : rows) {
            if (!r.isArray()) {
                return rows;
            }
            r.forEach(cells::add);
        }
        if (cells.isEmpty() || cells.size() % width != 0) {
            return rows;
        }
        ArrayNode out = F.arrayNode();
        for (int i = 0; i < cells.size(); i += width) {
            ArrayNode row = out.addArray();
            for (int k = 0; k < width; k++) {
                row.add(cells.get(i + k));
            }
        }
        return out;
    }

    private static int regWidth(NodeCursor at) {
        if (at.parent() == null) {
            return 0;
        }
        Node parent = at.parent().node();
        return (int) (cell(parent, "#address-cells", 2) + cell(parent, "#size-cells", 1));
    }

    private int interruptWidth(NodeCursor at) {
        for (NodeCursor c = at; c != null; c = c.parent()) {
            Optional<Property> ip = c.node().property("interrupt-parent");
            if (ip.isPresent()) {
                NodeCursor ctl = phandles.get(ip.get().value().asCell());
                return ctl == null ? 0 : (int) cell(ctl.node(), "#interrupt-cells", 0);
            }
        }
        return 0;
    }

    private static long cell(Node n, String name, long dflt) {
        return n.property(name).map(p -> p.value().asCell()).filter(x -> x >= 0).orElse(dflt);
    }
}
