package dev.gunyahdt.dt.inspect;

import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.inspect.Analysis.Key;
import dev.gunyahdt.dt.inspect.ValueText.Chunk;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/** The three renderings of an analysed tree: DTS, an indented outline, JSON. */
final class Views {

    private static final Set<String> NUMERIC = Set.of("reg", "ranges", "dma-ranges", "interrupts",
            "interrupt-map", "interrupt-map-mask", "phandle", "linux,phandle");

    private final Analysis a;

    Views(Analysis a) {
        this.a = a;
    }

    // ---- shared value plumbing

    Map<Integer, CellRef> refs(String path, String prop) {
        TreeMap<Integer, CellRef> m = a.refs.get(new Key(path, prop));
        return m == null ? Map.of() : m;
    }

    private Map<Integer, String> notes(String path, String prop) {
        TreeMap<Integer, String> m = a.notes.get(new Key(path, prop));
        return m == null ? Map.of() : m;
    }

    private Set<Integer> breaks(String path, String prop) {
        TreeSet<Integer> s = a.breaks.get(new Key(path, prop));
        return s == null ? Set.of() : s;
    }

    List<Chunk> chunks(String path, Property p) {
        Map<Integer, CellRef> refs = refs(path, p.name());
        boolean numeric = NUMERIC.contains(p.name()) || p.name().startsWith("#") || !refs.isEmpty()
                || a.breaks.containsKey(new Key(path, p.name()));
        return ValueText.chunks(p.value(), numeric, refs.keySet());
    }

    /** " = …" for a property, references written by {@code refText} (null: number plus comment). */
    void appendValue(StringBuilder out, String path, Property p, boolean decorate, Function<CellRef, String> refText) {
        ValueText.Decor d = new ValueText.Decor(refs(path, p.name()),
                decorate ? notes(path, p.name()) : Map.of(),
                decorate ? breaks(path, p.name()) : Set.of(), refText);
        ValueText.appendDts(out, p.value(), chunks(path, p), d);
    }

    /** How a reference is written in DTS: external fixups only as references in a /plugin/ printout. */
    private String dtsRef(CellRef r) {
        if (r.targetPath() == null && !a.overlay) {
            return null;
        }
        return r.text();
    }

    // ---- DTS

    String dts(NodeCursor start) {
        StringBuilder out = new StringBuilder(4096);
        if (start.isRoot()) {
            out.append("/dts-v1/;\n");
            if (a.overlay) {
                out.append("/plugin/;\n");
            }
            out.append('\n');
            for (MemReserve r : a.tree.memReserves()) {
                out.append("/memreserve/ 0x").append(Long.toHexString(r.address()))
                   .append(" 0x").append(Long.toHexString(r.size())).append(";\n");
            }
            if (!a.tree.memReserves().isEmpty()) {
                out.append('\n');
            }
            if (a.tree.bootCpuidPhys() != 0) {
                out.append("// the blob header's boot CPU is 0x").append(Long.toHexString(a.tree.bootCpuidPhys()))
                   .append(": compile with -b ").append(a.tree.bootCpuidPhys()).append(" to keep it\n\n");
            }
        } else {
            out.append("// ").append(start.path()).append('\n');
        }
        dtsNode(out, start, 0);
        return out.toString();
    }

    private void dtsNode(StringBuilder out, NodeCursor c, int depth) {
        Node n = c.node();
        indent(out, depth);
        for (String l : c.isRoot() ? List.<String>of() : a.labels.getOrDefault(c.path(), List.of())) {
            out.append(l).append(": "); // DTS has no place for a label on the root ("&{/}" refers to it)
        }
        out.append(c.isRoot() ? "/" : n.name()).append(" {\n");
        for (Property p : n.properties()) {
            indent(out, depth + 1);
            for (String l : p.labels()) {
                if (Analysis.LABEL.matcher(l).matches()) {
                    out.append(l).append(": ");
                }
            }
            out.append(p.name());
            appendValue(out, c.path(), p, true, this::dtsRef);
            out.append(";\n");
        }
        for (NodeCursor child : c.children()) {
            if (a.overlay && c.isRoot() && a.regenerated.contains(child.node().name())) {
                continue; // dtc rebuilds these from the references
            }
            out.append('\n');
            dtsNode(out, child, depth + 1);
        }
        indent(out, depth);
        out.append("};\n");
    }

    private static void indent(StringBuilder out, int depth) {
        out.append("\t".repeat(depth));
    }

    // ---- outline

    String outline(NodeCursor start) {
        StringBuilder out = new StringBuilder(2048);
        outlineNode(out, start, 0);
        return out.toString();
    }

    private void outlineNode(StringBuilder out, NodeCursor c, int depth) {
        Node n = c.node();
        out.append("  ".repeat(depth)).append(c.isRoot() ? "/" : n.name());
        List<String> labels = a.labels.getOrDefault(c.path(), List.of());
        if (!labels.isEmpty()) {
            out.append("  ").append(String.join(": ", labels)).append(':');
        }
        n.property("compatible").filter(p -> p.value().isStringList()).ifPresent(p -> {
            StringBuilder q = new StringBuilder();
            byte[] b = p.value().bytes();
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    q.append(start > 0 ? ", " : "");
                    ValueText.quote(q, b, start, i);
                    start = i + 1;
                }
            }
            out.append("  ").append(q);
        });
        String reg = decodeReg(c);
        if (reg != null) {
            out.append("  reg ").append(reg);
        }
        Map<Integer, String> irqs = notes(c.path(), "interrupts");
        if (!irqs.isEmpty()) {
            out.append("  irq ").append(String.join(", ", irqs.values()));
        }
        out.append('\n');
        for (NodeCursor child : c.children()) {
            outlineNode(out, child, depth + 1);
        }
    }

    /** reg as "0xADDR size 0xSIZE, …" by the parent's #address-cells/#size-cells; null when absent or ill-shaped. */
    private static String decodeReg(NodeCursor c) {
        Property reg = c.node().property("reg").orElse(null);
        if (reg == null || reg.value().isEmpty()) {
            return null;
        }
        Node parent = c.parent() == null ? null : c.parent().node();
        long ac = parent == null ? Addressing.DEFAULT_ADDRESS_CELLS
                : Addressing.countOrNone(parent, "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        long sc = parent == null ? Addressing.DEFAULT_SIZE_CELLS
                : Addressing.countOrNone(parent, "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        long[] cells = reg.value().cells();
        long entry = ac + sc;
        if (ac < 0 || sc < 0 || ac > 4 || sc > 4 || entry == 0 || reg.value().length() % (4 * entry) != 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i += (int) entry) {
            sb.append(i > 0 ? ", " : "").append(number(cells, i, (int) ac));
            if (sc > 0) {
                sb.append(" size ").append(number(cells, i + (int) ac, (int) sc));
            }
        }
        return sb.toString();
    }

    /** One or two cells as one hex number; more (a PCI address) as the cells in brackets. */
    private static String number(long[] cells, int at, int n) {
        if (n == 0) {
            return "-";
        }
        if (n > 2) {
            StringBuilder sb = new StringBuilder("<");
            for (int i = 0; i < n; i++) {
                sb.append(i > 0 ? " " : "").append("0x").append(Long.toHexString(cells[at + i]));
            }
            return sb.append('>').toString();
        }
        StringBuilder sb = new StringBuilder("0x");
        boolean lead = true;
        for (int i = 0; i < n; i++) {
            String h = Long.toHexString(cells[at + i]);
            if (lead) {
                if (cells[at + i] == 0 && i < n - 1) {
                    continue;
                }
                sb.append(h);
                lead = false;
            } else {
                sb.append("0".repeat(8 - h.length())).append(h);
            }
        }
        return sb.toString();
    }

    // ---- JSON

    String json(NodeCursor start) {
        StringBuilder out = new StringBuilder(4096);
        jsonNode(out, start, 0);
        return out.append('\n').toString();
    }

    private void jsonNode(StringBuilder out, NodeCursor c, int depth) {
        String in = "  ".repeat(depth);
        out.append("{\n");
        out.append(in).append("  \"name\": ");
        Json.string(out, c.isRoot() ? "/" : c.node().name());
        out.append(",\n").append(in).append("  \"path\": ");
        Json.string(out, c.path());
        out.append(",\n").append(in).append("  \"labels\": [");
        List<String> labels = a.labels.getOrDefault(c.path(), List.of());
        for (int i = 0; i < labels.size(); i++) {
            out.append(i > 0 ? ", " : "");
            Json.string(out, labels.get(i));
        }
        out.append("],\n").append(in).append("  \"properties\": [");
        List<Property> props = c.node().properties();
        for (int i = 0; i < props.size(); i++) {
            out.append(i > 0 ? "," : "").append('\n').append(in).append("    ");
            jsonProperty(out, c.path(), props.get(i));
        }
        out.append(props.isEmpty() ? "" : "\n" + in + "  ").append("],\n");
        out.append(in).append("  \"children\": [");
        List<NodeCursor> children = c.children();
        for (int i = 0; i < children.size(); i++) {
            out.append(i > 0 ? "," : "").append('\n').append(in).append("    ");
            jsonNode(out, children.get(i), depth + 2);
        }
        out.append(children.isEmpty() ? "" : "\n" + in + "  ").append("]\n").append(in).append('}');
    }

    private void jsonProperty(StringBuilder out, String path, Property p) {
        out.append("{\"name\": ");
        Json.string(out, p.name());
        List<Chunk> chunks = chunks(path, p);
        PropertyValue v = p.value();
        if (chunks.isEmpty()) {
            out.append(", \"type\": \"empty\"");
        } else if (chunks.size() == 1) {
            jsonChunk(out, path, p.name(), v, chunks.get(0));
        } else {
            out.append(", \"type\": \"mixed\", \"value\": [");
            for (int i = 0; i < chunks.size(); i++) {
                out.append(i > 0 ? ", " : "").append('{');
                int mark = out.length();
                jsonChunk(out, path, p.name(), v, chunks.get(i));
                out.delete(mark, mark + 2); // the leading ", "
                out.append('}');
            }
            out.append(']');
        }
        Map<Integer, String> notes = notes(path, p.name());
        if (!notes.isEmpty()) {
            out.append(", \"decoded\": [");
            int i = 0;
            for (String s : notes.values()) {
                out.append(i++ > 0 ? ", " : "");
                Json.string(out, s);
            }
            out.append(']');
        }
        out.append('}');
    }

    private void jsonChunk(StringBuilder out, String path, String prop, PropertyValue v, Chunk c) {
        byte[] b = v.bytes();
        switch (c.kind()) {
            case TYPE_STRING -> {
                out.append(", \"type\": \"strings\", \"value\": [");
                List<String> s = ValueText.strings(b, c.from(), c.to());
                for (int i = 0; i < s.size(); i++) {
                    out.append(i > 0 ? ", " : "");
                    Json.string(out, s.get(i));
                }
                out.append(']');
            }
            case TYPE_UINT8 -> {
                out.append(", \"type\": \"bytes\", \"value\": \"");
                for (int i = c.from(); i < c.to(); i++) {
                    out.append(ValueText.hex2(b[i] & 0xff));
                }
                out.append('"');
            }
            case TYPE_UINT32 -> {
                out.append(", \"type\": \"cells\", \"value\": [");
                Map<Integer, CellRef> refs = refs(path, prop);
                for (int off = c.from(); off < c.to(); off += 4) {
                    out.append(off > c.from() ? ", " : "");
                    CellRef r = refs.get(off);
                    if (r == null) {
                        out.append(v.cellAt(off));
                        continue;
                    }
                    out.append("{\"phandle\": ").append(v.cellAt(off)).append(", \"ref\": ");
                    Json.string(out, r.text());
                    if (r.targetPath() != null) {
                        out.append(", \"path\": ");
                        Json.string(out, r.targetPath());
                    }
                    out.append('}');
                }
                out.append(']');
            }
            default -> {
                // 16- and 64-bit elements; 64-bit ones as hex strings, past what a JSON double holds exactly
                int w = c.kind().elementSize();
                out.append(", \"type\": \"cells\", \"bits\": ").append(8 * w).append(", \"value\": [");
                for (int i = c.from(); i < c.to(); i += w) {
                    out.append(i > c.from() ? ", " : "");
                    long e = ValueText.element(b, i, w);
                    if (w == 8) {
                        out.append("\"0x").append(Long.toHexString(e)).append('"');
                    } else {
                        out.append(e);
                    }
                }
                out.append(']');
            }
        }
    }

    /** A JSON string writer (RFC 8259 escaping); small enough that a library is not worth a dependency. */
    static final class Json {
        private Json() {
        }

        static void string(StringBuilder out, String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (ch < 0x20 || ch >= 0x7f) {
                            out.append(String.format("\\u%04x", (int) ch));
                        } else {
                            out.append(ch);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
