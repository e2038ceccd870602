package dev.gunyahdt.bindings.instance;

import dev.gunyahdt.dt.spec.Cells;
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
import java.util.Set;
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
 * <p>A value with no type markers (a property decoded from a DTB) takes its type from the
 * binding set's {@link PropertyTypes} as dt-schema does: strings, flags, 8/16/32/64-bit signed or
 * unsigned integers (one row, or rows of the width a matrix schema fixes), phandle-arrays split by
 * each provider's {@code #…-cells}; {@code ranges}/{@code dma-ranges} by the address and size
 * cells around them. A name no binding types is guessed: printable NUL-terminated strings, else
 * 32-bit cells, else bytes.
 */
public final class InstanceBuilder {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Map<Long, NodeCursor> phandles;
    /** Values whose numbers are not 32-bit, by identity: the instance's JSON has no room for it. */
    private final Map<JsonNode, Integer> bits = new java.util.IdentityHashMap<>();
    /** The tree's plugin phandle positions, read on first need. */
    private Set<String> phandleLocations;
    private final PropertyTypes types;

    /** {@code phandles}: the tree's phandle → node map, to find interrupt parents. */
    public InstanceBuilder(Map<Long, NodeCursor> phandles) {
        this(phandles, PropertyTypes.NONE);
    }

    /** As {@link #InstanceBuilder(Map)}, typing DTB values by {@code types}. */
    public InstanceBuilder(Map<Long, NodeCursor> phandles, PropertyTypes types) {
        this.phandles = phandles;
        this.types = types;
    }

    /**
     * The instance of {@code at}'s node with its whole subtree. Only the node itself has a
     * {@code $nodename}: dt-validate adds it to each node as it reaches it, after the bindings of
     * the node's ancestors have run, so a binding never sees its child nodes' names that way.
     */
    public ObjectNode build(NodeCursor at) {
        ObjectNode o = subtree(at);
        Node n = at.node();
        ObjectNode named = F.objectNode();
        named.putArray("$nodename").add(n.name().isEmpty() ? "/" : n.name());
        named.setAll(o);
        return named;
    }

    /** Subtrees already built: a node's instance is part of each ancestor's, so build it once (read-only after). */
    private final Map<Node, ObjectNode> built = new java.util.IdentityHashMap<>();

    /**
     * dtc's generated nodes ({@code __symbols__}, {@code __fixups__}, {@code __local_fixups__}) and an
     * overlay's {@code __overlay__} contents: dt-validate reads none of them as nodes.
     */
    public static boolean isGenerated(Node n) {
        return n.name().startsWith("__");
    }

    private ObjectNode subtree(NodeCursor at) {
        ObjectNode done = built.get(at.node());
        if (done != null) {
            return done;
        }
        ObjectNode o = F.objectNode();
        built.put(at.node(), o);
        Node n = at.node();
        for (Property p : n.properties()) {
            // dt-validate deletes an overlay's unresolved interrupt-parent
            if (!(p.name().equals("interrupt-parent") && p.value().asCell() == UNRESOLVED)) {
                o.set(p.name(), value(at, p));
            }
        }
        for (NodeCursor c : at.children()) {
            // a child node and a property of the same name cannot both be kept: the property wins, as in dtc's YAML
            if (!o.has(c.node().name()) && !isGenerated(c.node())) {
                o.set(c.node().name(), subtree(c));
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
        if (types.isEmpty() && RESPLIT.contains(p.name()) && v.bytes().length % 4 == 0) {
            chunk(v.bytes(), 0, v.bytes().length, Marker.Kind.TYPE_UINT32, out); // cells, cut by the tree below
        } else if (types.isEmpty()) {
            JsonNode typed = fromBlob(at, p);
            if (typed != null) {
                return typed;
            }
            guess(v, out);
        } else {
            byte[] b = v.bytes();
            for (int i = 0; i < types.size(); i++) {
                Marker m = types.get(i);
                int end = i + 1 < types.size() ? types.get(i + 1).offset() : b.length;
                chunk(b, m.offset(), end, m.kind(), out);
            }
        }
        JsonNode result;
        if (p.name().equals("interrupt-map")) {
            result = interruptMapRows(at, out);
        } else {
            int width = switch (p.name()) {
                case "reg" -> regWidth(at);
                case "interrupts" -> interruptWidth(at);
                default -> 0;
            };
            result = width > 0 ? resplit(out, width) : out;
        }
        Marker.Kind first = types.isEmpty() ? (v.isStringList() || v.bytes().length % 4 == 0
                ? Marker.Kind.TYPE_UINT32 : Marker.Kind.TYPE_UINT8) : types.get(0).kind();
        if (first != Marker.Kind.TYPE_STRING) {
            recordBits(result, 8 * first.elementSize());
        }
        return result;
    }

    /** Bit width the first number of a value built here was written with (dt-schema's typeSize); 32 by default. */
    public int bitsOf(JsonNode value) {
        return bits.getOrDefault(value, 32);
    }

    private void recordBits(JsonNode value, int width) {
        if (width != 32) {
            bits.put(value, width);
        }
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

    /** Cells whose rows come from the tree ({@code #address-cells}, interrupt parents), not from the binding set. */
    private static final java.util.Set<String> RESPLIT = java.util.Set.of("reg", "interrupts", "interrupt-map");

    /** A DTB value typed by the binding set, or null when no binding types this name. */
    private JsonNode fromBlob(NodeCursor at, Property p) {
        String name = p.name();
        byte[] b = p.value().bytes();
        if (name.equals("interrupts-extended")) {
            return b.length % 4 == 0 ? phandleArray(at, b, name, 0) : F.binaryNode(b);
        }
        if (name.equals("ranges") || name.equals("dma-ranges")) {
            return b.length % 4 == 0 ? cellRows(b, rangesWidth(at)) : null;
        }
        if (RESPLIT.contains(name)) {
            return null; // not whole cells: guessed below (strings, else byte cells)
        }
        if (at.node().name().equals("aliases")) {
            return asciiStrings(b);
        }
        List<String> t = types.typesOf(name);
        String fmt = null;
        if (t.size() > 1) {
            List<String> rest = new ArrayList<>(t);
            if (rest.removeAll(List.of("string", "string-array"))) {
                JsonNode strings = stringList(b);
                if (strings != null) {
                    return strings;
                }
                if (rest.isEmpty()) {
                    return F.binaryNode(b);
                }
                fmt = rest.get(0);
            } else if (rest.remove("flag")) {
                fmt = rest.get(0);
            }
        } else if (t.size() == 1) {
            fmt = t.get(0);
        }
        if (fmt == null) {
            // no type, or several integer types: a printable string wins, as dt-validate reads aliases
            String one = printable(b);
            if (one != null) {
                return F.arrayNode().add(one);
            }
            if (b.length % 4 != 0) {
                return F.binaryNode(b);
            }
            fmt = "uint32-array";
        }
        if (fmt.startsWith("string")) {
            return asciiStrings(b);
        }
        if (fmt.equals("flag")) {
            return F.binaryNode(b); // a flag with a value
        }
        if (fmt.equals("phandle-array") || isGpio(name)) {
            return b.length % 4 == 0 ? phandleArray(at, b, name, PropertyTypes.stride(types.dimOf(name), b.length / 4))
                    : F.binaryNode(b);
        }
        String base = fmt.split("-", 2)[0];
        int width = switch (base) {
            case "int8", "uint8" -> 1;
            case "int16", "uint16" -> 2;
            case "int64", "uint64" -> 8;
            default -> 4;
        };
        boolean signed = base.startsWith("int");
        if (b.length % width != 0) {
            // dt-validate's fallback for a size that does not fit the type: by the length alone
            width = switch (b.length) {
                case 4 -> 4;
                case 2 -> 2;
                case 1 -> 1;
                default -> 0;
            };
            signed = false;
            if (width == 0) {
                return F.binaryNode(b);
            }
        }
        int n = b.length / width;
        int per = fmt.endsWith("-matrix") ? PropertyTypes.stride(types.dimOf(name), n) : n;
        ArrayNode out = F.arrayNode();
        ArrayNode row = null;
        for (int i = 0; i < n; i++) {
            if (i % per == 0) {
                row = out.addArray();
            }
            long x = 0;
            for (int k = 0; k < width; k++) {
                x = (x << 8) | (b[i * width + k] & 0xffL);
            }
            if (signed && width < 8) {
                int shift = 64 - 8 * width;
                row.add((x << shift) >> shift);
            } else if (!signed && x < 0) {
                row.add(new BigInteger(Long.toUnsignedString(x)));
            } else {
                row.add(x);
            }
        }
        recordBits(out, 8 * width);
        return out;
    }

    /**
     * dt-validate's reading of a string-typed value: its last byte dropped (the NUL, or whatever is
     * there), the rest split at NULs; raw bytes where that is not ASCII (dt-validate fails there).
     */
    private static JsonNode asciiStrings(byte[] b) {
        if (!ascii(b)) {
            return F.binaryNode(b);
        }
        ArrayNode out = F.arrayNode();
        for (String x : new String(b, 0, b.length - 1, StandardCharsets.US_ASCII).split("\0", -1)) {
            out.add(x);
        }
        return out;
    }

    /** dt-validate's reading of a value that may be strings: NUL-terminated, every non-empty one printable. */
    private static JsonNode stringList(byte[] b) {
        if (b.length == 0 || b[b.length - 1] != 0 || !ascii(b)) {
            return null;
        }
        String[] parts = new String(b, 0, b.length - 1, StandardCharsets.US_ASCII).split("\0", -1);
        ArrayNode out = F.arrayNode();
        for (String x : parts) {
            if (!x.isEmpty() && printable(x) == null) {
                return null;
            }
            out.add(x);
        }
        return out;
    }

    /** The one printable ASCII string a NUL-terminated value holds, or null. */
    private static String printable(byte[] b) {
        if (b.length == 0 || b[b.length - 1] != 0 || !ascii(b)) {
            return null;
        }
        return printable(new String(b, 0, b.length - 1, StandardCharsets.US_ASCII));
    }

    private static String printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20 || s.charAt(i) > 0x7e) {
                return null;
            }
        }
        return s;
    }

    /** Specifier sizes dt-schema fixes by name; a null value means one phandle per row. */
    private static final Map<String, String> PHANDLE_ARGS = new java.util.HashMap<>(Map.of(
            "assigned-clocks", "#clock-cells", "assigned-clock-parents", "#clock-cells",
            "cooling-device", "#cooling-cells", "interrupts-extended", "#interrupt-cells",
            "interconnects", "#interconnect-cells", "mboxes", "#mbox-cells", "sound-dai", "#sound-dai-cells",
            "msi-parent", "#msi-cells", "gpio-ranges", "3"));

    static {
        PHANDLE_ARGS.put("nvmem-cells", null);
        PHANDLE_ARGS.put("memory-region", null);
    }

    private static boolean isGpio(String name) {
        return (name.endsWith("-gpios") || name.endsWith("-gpio") || name.equals("gpio") || name.equals("gpios"))
                && !name.endsWith(",nr-gpios");
    }

    /**
     * A phandle-array split into specifiers as dt-schema's DTB reader splits it: rows of the
     * binding set's matrix dimensions ({@link PropertyTypes#stride}); else {@code *-gpios} by {@code #gpio-cells}; else by the cells property of the
     * name ({@code clocks} → {@code #clock-cells}, a fixed table for the irregular names), where an
     * unknown phandle ends the split and drops the rest; names not ending in {@code s} stay one row.
     */
    private JsonNode phandleArray(NodeCursor at, byte[] b, String name, int stride) {
        int n = b.length / 4;
        if (stride > 0 && stride < n) {
            // the binding's dimensions cut it already (a short last row where they do not divide)
            ArrayNode out = F.arrayNode();
            for (int i = 0; i < n; ) {
                i = row(out, b, i, Math.min(stride, n - i));
            }
            return out;
        }
        ArrayNode out = F.arrayNode();
        if (isGpio(name) && underGpioHog(at)) {
            return cellRows(b, n); // dt-validate does not split the gpios of a hog or below it
        }
        if (isGpio(name)) {
            for (int i = 0; i < n; ) {
                long ph = cellAt(b, i);
                int cells;
                if (ph == UNRESOLVED) {
                    // an unresolved phandle (a plugin): the specifier runs up to the next unresolved one
                    int next = i + 1;
                    while (next < n - 1 && cellAt(b, next) != UNRESOLVED) {
                        next++;
                    }
                    cells = (next < n - 1 ? next : n) - (i + 1);
                } else {
                    NodeCursor provider = phandles.get(ph);
                    cells = ph == 0 || provider == null ? 0 : (int) Math.min(cell(provider.node(), "#gpio-cells", 0), n);
                }
                i = row(out, b, i, Math.max(1, Math.min(cells + 1, n - i)));
            }
            return out;
        }
        String cellName;
        String where = (at.parent() == null ? "" : at.path()) + ":" + name + ":";
        if (PHANDLE_ARGS.containsKey(name)) {
            cellName = PHANDLE_ARGS.get(name);
        } else if (name.endsWith("s") && !name.contains("gpio")) {
            cellName = "#" + name.substring(0, name.length() - 1) + "-cells";
            if (specifierSize(at, where, b, 0, cellName) == 0) {
                return cellRows(b, n);
            }
        } else {
            return cellRows(b, n);
        }
        for (int i = 0; i < n; ) {
            int cells = specifierSize(at, where, b, i, cellName);
            if (cells == 0) {
                break;
            }
            if (name.equals("interconnects")) {
                cells += specifierSize(at, where, b, i + cells, cellName); // pairs of phandle + args
            }
            i = row(out, b, i, Math.max(1, Math.min(cells, n - i)));
        }
        return out;
    }

    private static final long UNRESOLVED = 0xffffffffL;

    private static boolean underGpioHog(NodeCursor at) {
        for (NodeCursor c = at; c != null; c = c.parent()) {
            if (c.node().property("gpio-hog").isPresent()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Cells of the specifier at cell {@code i}: 1 + the provider's {@code cellName}; 0 for an unknown
     * phandle. An unresolved phandle of a plugin runs up to the next cell {@code __fixups__} or
     * {@code __local_fixups__} mark as a phandle ({@code where}: "node path:property:").
     */
    private int specifierSize(NodeCursor at, String where, byte[] b, int i, String cellName) {
        int n = b.length / 4;
        if (i >= n) {
            return 0;
        }
        long ph = cellAt(b, i);
        if (ph == 0 || cellName == null) {
            return 1;
        }
        if (ph == UNRESOLVED) {
            Set<String> loc = phandleLocations(at);
            if (!loc.contains(where + 4 * i)) {
                return 0;
            }
            int count = 1;
            while (count < n - i && !loc.contains(where + 4 * (i + count))) {
                count++;
            }
            return count;
        }
        NodeCursor provider = phandles.get(ph);
        if (provider != null && Character.isDigit(cellName.charAt(0))) {
            return Integer.parseInt(cellName) + 1; // gpio-ranges: fixed size
        }
        return provider == null ? 0 : (int) Math.min(cell(provider.node(), cellName, 0), b.length) + 1;
    }

    /** Where a plugin's phandles are, "path:property:byte offset", from its {@code __fixups__} and {@code __local_fixups__}. */
    private Set<String> phandleLocations(NodeCursor at) {
        if (phandleLocations == null) {
            NodeCursor root = at;
            while (root.parent() != null) {
                root = root.parent();
            }
            Set<String> loc = new java.util.HashSet<>();
            for (NodeCursor c : root.children()) {
                if (c.node().name().equals("__fixups__")) {
                    for (Property p : c.node().properties()) {
                        if (p.value().isStringList()) {
                            loc.addAll(p.value().asStrings());
                        }
                    }
                } else if (c.node().name().equals("__local_fixups__")) {
                    localFixups(c, "", loc);
                }
            }
            phandleLocations = loc;
        }
        return phandleLocations;
    }

    private static void localFixups(NodeCursor n, String path, Set<String> loc) {
        for (Property p : n.node().properties()) {
            for (long offset : p.value().cells()) {
                loc.add(path + ":" + p.name() + ":" + offset);
            }
        }
        for (NodeCursor c : n.children()) {
            localFixups(c, path + "/" + c.node().name(), loc);
        }
    }

    private static int row(ArrayNode out, byte[] b, int from, int count) {
        ArrayNode row = out.addArray();
        for (int k = 0; k < count; k++) {
            row.add(cellAt(b, from + k));
        }
        return from + count;
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    private static long cellAt(byte[] b, int i) {
        return Cells.u32(b, 4 * i);
    }

    private static JsonNode cellRows(byte[] b, int width) {
        ArrayNode out = F.arrayNode();
        int n = b.length / 4;
        int w = width > 0 && n % width == 0 ? width : n;
        for (int i = 0; i < n; i += w) {
            ArrayNode row = out.addArray();
            for (int k = 0; k < w; k++) {
                row.add(cellAt(b, i + k));
            }
        }
        return out;
    }

    /** dt-validate's ranges row: the inherited parent address cells plus the node's own cells (0 when absent). */
    private static int rangesWidth(NodeCursor at) {
        Node n = at.node();
        long parentAddr = at.parent() == null ? 2 : inherited(at.parent(), "#address-cells", 2);
        return (int) (cell(n, "#address-cells", 0) + parentAddr + cell(n, "#size-cells", 0));
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

    /**
     * interrupt-map cut into entries as dt-validate cuts it: child unit address, child specifier,
     * parent phandle, parent unit address and specifier, every entry as long as the first one
     * (sized by the parent the first entry names). With the parent phandle unresolved (-1, an
     * overlay), an entry runs up to the next -1. Left whole where dt-validate would fail.
     */
    private JsonNode interruptMapRows(NodeCursor at, ArrayNode rows) {
        List<JsonNode> cells = new ArrayList<>();
        for (JsonNode r : rows) {
            if (!r.isArray()) {
                return rows;
            }
            r.forEach(cells::add);
        }
        Node n = at.node();
        long headCells = cell(n, "#address-cells", 0) + cell(n, "#interrupt-cells", 0);
        if (cells.size() <= headCells) {
            return rows;
        }
        int head = (int) headCells;
        long parent = cells.get(head).asLong();
        int entry;
        if (parent == 0xffffffffL) {
            int next = -1;
            for (int i = head + 1; i < cells.size() && next < 0; i++) {
                next = cells.get(i).asLong() == 0xffffffffL ? i : -1;
            }
            if (next < 0) {
                return F.arrayNode(); // one entry: dt-validate's cut fails and leaves none
            }
            entry = next - head;
        } else {
            NodeCursor ctl = phandles.get(parent);
            if (ctl == null) {
                return rows;
            }
            long parentCells = cell(ctl.node(), "#address-cells", 0) + cell(ctl.node(), "#interrupt-cells", 0);
            if (head + 1 + parentCells > cells.size()) {
                return rows; // not even one entry: the sizes are wrong, leave it whole
            }
            entry = head + 1 + (int) parentCells;
        }
        ArrayNode out = F.arrayNode();
        for (int i = 0; i < cells.size(); i += entry) {
            ArrayNode row = out.addArray();
            cells.subList(i, Math.min(i + entry, cells.size())).forEach(row::add);
        }
        return out;
    }

    /**
     * dt-validate's reg row: {@code #address-cells} and {@code #size-cells} each from the nearest
     * ancestor that has it, 2 and 1 above the root (dtc would take the parent's or its defaults).
     */
    private static int regWidth(NodeCursor at) {
        if (at.parent() == null) {
            return 0;
        }
        return (int) (inherited(at.parent(), "#address-cells", 2) + inherited(at.parent(), "#size-cells", 1));
    }

    private static long inherited(NodeCursor from, String name, long dflt) {
        for (NodeCursor c = from; c != null; c = c.parent()) {
            if (c.node().property(name).isPresent()) {
                return cell(c.node(), name, 0);
            }
        }
        return dflt;
    }

    /**
     * The row width dt-validate gives {@code interrupts}: its blob reader walks the tree from the
     * root with a width that starts at 1, takes the {@code #interrupt-cells} of a node's
     * {@code interrupt-parent} for that node and below, and the node's own {@code #interrupt-cells}
     * for its children. So the nearest ancestor that is an interrupt controller wins over an
     * {@code interrupt-parent} inherited from higher up (PMIC children of an SPMI controller), which
     * the devicetree spec would not do. 0 (no re-split) where dt-validate would loop forever, and
     * in a tree with no interrupt parent at all, where dt-validate cuts single cells but the rows
     * as written (one row from a blob) say more.
     */
    private int interruptWidth(NodeCursor at) {
        Long own = parentInterruptCells(at.node());
        if (own != null) {
            return (int) (long) own;
        }
        for (NodeCursor c = at.parent(); c != null; c = c.parent()) {
            if (c.node().property("#interrupt-cells").isPresent()) {
                return (int) cell(c.node(), "#interrupt-cells", 0);
            }
            Long inherited = parentInterruptCells(c.node());
            if (inherited != null) {
                return (int) (long) inherited;
            }
        }
        return 0;
    }

    /** #interrupt-cells of n's interrupt-parent; null without one (or an overlay's unresolved -1). */
    private Long parentInterruptCells(Node n) {
        Optional<Property> ip = n.property("interrupt-parent");
        if (ip.isEmpty() || ip.get().value().asCell() < 0 || ip.get().value().asCell() == 0xffffffffL) {
            return null;
        }
        NodeCursor ctl = phandles.get(ip.get().value().asCell());
        return ctl == null ? 0L : cell(ctl.node(), "#interrupt-cells", 0);
    }

    private static long cell(Node n, String name, long dflt) {
        return n.property(name).map(p -> p.value().asCell()).filter(x -> x >= 0).orElse(dflt);
    }
}
