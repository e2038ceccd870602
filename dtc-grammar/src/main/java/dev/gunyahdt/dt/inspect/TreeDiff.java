package dev.gunyahdt.dt.inspect;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares two trees as a reader would, not byte for byte: phandle numbering does not count
 * (dtc numbers phandles in the order it meets references, so reordering a source renumbers
 * them). Each phandle cell is compared by the path of the node it points at, the values of
 * {@code phandle}/{@code linux,phandle} are ignored, node and property order are ignored, and
 * {@code __fixups__}/{@code __local_fixups__} entries are compared as sets. A cell counts as a
 * phandle when either tree's {@link Inspection} analysis says so, or when the two trees hold
 * different values there that are phandles of the same node in each (a vendor property the
 * analysis does not know).
 */
public final class TreeDiff {

    /**
     * One difference.
     *
     * @param sign     '+' only in the second tree, '-' only in the first, '~' changed
     * @param path     the node's path (or "/memreserve/", "boot-cpuid" for header entries)
     * @param property the property name, or null for a whole node or a header entry
     * @param before   the first tree's value as DTS text (null when absent; "" for an empty property)
     * @param after    the second tree's value likewise
     */
    public record Change(char sign, String path, String property, String before, String after) {

        /** {@code + /path:prop = value}, {@code ~ /path:prop = old -> new}, {@code - /path} for a node. */
        public String render() {
            String where = property == null ? path : path + ":" + property;
            return switch (sign) {
                case '~' -> "~ " + where + " = " + before + " -> " + after;
                case '+' -> "+ " + where + value(after);
                default -> "- " + where + value(before);
            };
        }

        private static String value(String v) {
            return v == null || v.isEmpty() ? "" : " = " + v;
        }
    }

    private TreeDiff() {}

    /** The differences from {@code a} to {@code b}, sorted by path then property; empty when equal. */
    public static List<Change> compare(DeviceTree a, DeviceTree b) {
        Side sa = new Side(a);
        Side sb = new Side(b);
        List<Change> out = new ArrayList<>();
        header(a, b, out);
        Set<String> paths = new TreeSet<>(PATH_ORDER);
        paths.addAll(sa.nodes.keySet());
        paths.addAll(sb.nodes.keySet());
        for (String path : paths) {
            NodeCursor na = sa.nodes.get(path);
            NodeCursor nb = sb.nodes.get(path);
            if (na == null || nb == null) {
                Side s = na == null ? sb : sa;
                NodeCursor n = na == null ? nb : na;
                char sign = na == null ? '+' : '-';
                out.add(new Change(sign, path, null, null, null));
                for (Property p : sorted(n.node().properties())) {
                    String v = s.render(path, p, null);
                    out.add(new Change(sign, path, p.name(), sign == '-' ? v : null, sign == '+' ? v : null));
                }
                continue;
            }
            Map<String, Property> pa = byName(na.node().properties());
            Map<String, Property> pb = byName(nb.node().properties());
            Set<String> names = new TreeSet<>(pa.keySet());
            names.addAll(pb.keySet());
            for (String name : names) {
                Property x = pa.get(name);
                Property y = pb.get(name);
                if (x == null) {
                    out.add(new Change('+', path, name, null, sb.render(path, y, null)));
                } else if (y == null) {
                    out.add(new Change('-', path, name, sa.render(path, x, null), null));
                } else {
                    Set<Integer> union = new TreeSet<>(sa.refOffsets(path, name));
                    union.addAll(sb.refOffsets(path, name));
                    union.addAll(renumbered(sa, x.value(), sb, y.value()));
                    String vx = sa.render(path, x, union);
                    String vy = sb.render(path, y, union);
                    if (!vx.equals(vy)) {
                        out.add(new Change('~', path, name, vx, vy));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Cells that differ only by numbering in a property neither analysis recognised (a vendor's
     * phandle property): at the same offset of equally long values, each cell is a phandle of
     * its own tree and both name the same node. Equal cells there are taken as equal: whether
     * they are phandles (naming different nodes) or plain numbers cannot be told.
     */
    private static Set<Integer> renumbered(Side sa, PropertyValue a, Side sb, PropertyValue b) {
        Set<Integer> out = new TreeSet<>();
        if (a.length() != b.length() || a.length() % 4 != 0) {
            return out;
        }
        for (int off = 0; off < a.length(); off += 4) {
            long x = a.cellAt(off);
            long y = b.cellAt(off);
            if (x == y) {
                continue;
            }
            NodeCursor tx = sa.analysis.phandles.get(x);
            NodeCursor ty = sb.analysis.phandles.get(y);
            if (tx != null && ty != null && tx.path().equals(ty.path())) {
                out.add(off);
            }
        }
        return out;
    }

    private static void header(DeviceTree a, DeviceTree b, List<Change> out) {
        Set<String> ra = reserves(a);
        Set<String> rb = reserves(b);
        for (String r : ra) {
            if (!rb.contains(r)) {
                out.add(new Change('-', "/memreserve/", null, r, null));
            }
        }
        for (String r : rb) {
            if (!ra.contains(r)) {
                out.add(new Change('+', "/memreserve/", null, null, r));
            }
        }
        if (a.bootCpuidPhys() != b.bootCpuidPhys()) {
            out.add(new Change(
                    '~',
                    "boot-cpuid",
                    null,
                    "0x" + Long.toHexString(a.bootCpuidPhys()),
                    "0x" + Long.toHexString(b.bootCpuidPhys())));
        }
    }

    private static Set<String> reserves(DeviceTree t) {
        Set<String> out = new TreeSet<>();
        for (MemReserve r : t.memReserves()) {
            out.add("0x" + Long.toHexString(r.address()) + " 0x" + Long.toHexString(r.size()));
        }
        return out;
    }

    private static List<Property> sorted(List<Property> props) {
        List<Property> out = new ArrayList<>(props);
        out.sort(Comparator.comparing(Property::name));
        return out;
    }

    private static Map<String, Property> byName(List<Property> props) {
        Map<String, Property> out = new LinkedHashMap<>();
        for (Property p : props) {
            out.putIfAbsent(p.name(), p);
        }
        return out;
    }

    /** Paths compared component by component, so a node's subtree follows it directly. */
    static final Comparator<String> PATH_ORDER = (x, y) -> {
        String[] a = x.equals("/") ? new String[0] : x.substring(1).split("/", -1);
        String[] b = y.equals("/") ? new String[0] : y.substring(1).split("/", -1);
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            int c = a[i].compareTo(b[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    };

    /** One tree with its analysis, rendering values canonically. */
    private static final class Side {
        final Analysis analysis;
        final Map<String, NodeCursor> nodes;

        Side(DeviceTree t) {
            analysis = new Analysis(t);
            nodes = analysis.byPath;
        }

        Set<Integer> refOffsets(String path, String prop) {
            TreeMap<Integer, CellRef> m = analysis.refs.get(new Analysis.Key(path, prop));
            return m == null ? Set.of() : m.keySet();
        }

        /**
         * The value as one line of DTS, typed by its bytes alone (so a DTS and its blob agree),
         * with the cells at {@code offsets} (this tree's own phandle cells when null) written as
         * {@code &{/target}}.
         */
        String render(String path, Property p, Set<Integer> offsets) {
            PropertyValue v = p.value();
            if ((p.name().equals("phandle") || p.name().equals("linux,phandle")) && v.length() == 4) {
                return "<phandle>";
            }
            if (path.equals("/__fixups__") || path.startsWith("/__local_fixups__")) {
                return setOf(path, v);
            }
            TreeMap<Integer, CellRef> own = analysis.refs.get(new Analysis.Key(path, p.name()));
            Map<Integer, CellRef> refs = new HashMap<>();
            for (int off : offsets == null ? refOffsets(path, p.name()) : offsets) {
                CellRef r = own == null ? null : own.get(off);
                if (r == null && off + 4 <= v.length()) {
                    NodeCursor t = analysis.phandles.get(v.cellAt(off));
                    r = t == null ? null : new CellRef(off, t.path(), null, CellRef.Source.PROPERTY);
                }
                if (r != null) {
                    refs.put(off, r);
                }
            }
            PropertyValue plain = PropertyValue.ofBytes(v.bytes());
            StringBuilder sb = new StringBuilder();
            ValueText.appendDts(
                    sb,
                    plain,
                    ValueText.chunks(plain, !refs.isEmpty(), refs.keySet()),
                    new ValueText.Decor(refs, Map.of(), Set.of(), CellRef::pathText));
            return sb.length() >= 3 ? sb.substring(3) : ""; // drop " = "
        }

        /** Fixup entries in a fixed order: their order only follows the walk order of the source. */
        private static String setOf(String path, PropertyValue v) {
            if (path.equals("/__fixups__") && v.isStringList()) {
                List<String> s = new ArrayList<>(v.asStrings());
                s.sort(null);
                StringBuilder sb = new StringBuilder();
                for (String e : s) {
                    byte[] b = e.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                    ValueText.quote(sb.append(sb.length() > 0 ? ", " : ""), b, 0, b.length);
                }
                return sb.toString();
            }
            if (v.length() % 4 == 0) {
                List<Long> cells = new ArrayList<>();
                for (long c : v.cells()) {
                    cells.add(c);
                }
                cells.sort(null);
                StringBuilder sb = new StringBuilder("<");
                for (int i = 0; i < cells.size(); i++) {
                    sb.append(i > 0 ? " " : "").append("0x").append(Long.toHexString(cells.get(i)));
                }
                return sb.append('>').toString();
            }
            return v.toString();
        }
    }
}
