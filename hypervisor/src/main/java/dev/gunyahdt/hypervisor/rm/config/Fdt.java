package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.SourceSpan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A devicetree read the way the RM reads it through libfdt: the accessors here keep libfdt's edge cases
 * (a string list whose last string is unterminated is "bad", an empty property is no string at all, a
 * {@code u32} is exactly four bytes, {@code fdt_path_offset} matches {@code cpu} to {@code cpu@0}), because those
 * decide whether the RM accepts a config. Named after the libfdt function each one follows.
 */
final class Fdt {
    /** Status of a numeric read, as the RM's {@code fdt_getprop_*} helpers return it. */
    enum Read {
        OK,
        ABSENT,
        BAD_SIZE
    }

    /** A numeric read: its status and, when OK, its value. */
    record Num(Read status, long value) {
        boolean ok() {
            return status == Read.OK;
        }
    }

    /** A string-list read: the string, or why there is none ({@code -FDT_ERR_NOTFOUND} / {@code BADVALUE}). */
    record Str(String value, boolean absent, boolean bad) {
        boolean present() {
            return value != null;
        }
    }

    private final DeviceTree tree;
    private final List<NodeCursor> order = new ArrayList<>();

    Fdt(DeviceTree tree) {
        this.tree = tree;
        tree.walk(order::add);
    }

    DeviceTree tree() {
        return tree;
    }

    /** Every node in the order {@code fdt_next_node} visits them: depth first, in tree order. */
    List<NodeCursor> nodes() {
        return order;
    }

    static int depth(NodeCursor c) {
        int d = 0;
        for (NodeCursor p = c.parent(); p != null; p = p.parent()) {
            d++;
        }
        return d;
    }

    static Optional<byte[]> prop(Node n, String name) {
        return n.property(name).map(p -> p.value().bytes());
    }

    static boolean has(Node n, String name) {
        return n.hasProperty(name);
    }

    static SourceSpan span(Node n, String name) {
        if (name != null) {
            Optional<Property> p = n.property(name);
            if (p.isPresent() && p.get().span() != null) {
                return p.get().span();
            }
        }
        return n.spans().isEmpty() ? null : n.span();
    }

    /** A property read as a string list: its NUL-terminated strings, and whether an unterminated one ended it. */
    private record Strings(List<String> list, boolean bad) {}

    private static Strings split(byte[] v) {
        List<String> out = new ArrayList<>();
        int pos = 0;
        while (pos < v.length) {
            int end = pos;
            while (end < v.length && v[end] != 0) {
                end++;
            }
            if (end == v.length) {
                return new Strings(out, true); // libfdt: -FDT_ERR_BADVALUE from here on
            }
            out.add(new String(v, pos, end - pos, StandardCharsets.ISO_8859_1));
            pos = end + 1;
        }
        return new Strings(out, false);
    }

    /** {@code fdt_stringlist_get(…, idx, &len)}: an empty property has no string (NOTFOUND). */
    static Str string(Node n, String name, int idx) {
        Optional<byte[]> b = prop(n, name);
        if (b.isEmpty()) {
            return new Str(null, true, false);
        }
        Strings s = split(b.get());
        if (idx < s.list().size()) {
            return new Str(s.list().get(idx), false, false);
        }
        return s.bad() ? new Str(null, false, true) : new Str(null, true, false);
    }

    static String string0(Node n, String name) {
        return string(n, name, 0).value();
    }

    /** {@code fdt_stringlist_count}: the count, -1 when absent, -2 when the last string is unterminated. */
    static int stringCount(Node n, String name) {
        return prop(n, name)
                .map(Fdt::split)
                .map(s -> s.bad() ? -2 : s.list().size())
                .orElse(-1);
    }

    /** {@code fdt_stringlist_search(…) >= 0}: a match before an unterminated tail still counts. */
    static boolean stringListHas(Node n, String name, String wanted) {
        return prop(n, name).map(b -> split(b).list().contains(wanted)).orElse(false);
    }

    /** {@code fdt_node_check_compatible(…) == 0}: libfdt's {@code fdt_stringlist_contains}, the same search. */
    static boolean compatible(Node n, String wanted) {
        return stringListHas(n, "compatible", wanted);
    }

    /** The RM's {@code fdt_getprop_u32}: exactly four bytes. */
    static Num u32(Node n, String name) {
        return fixed(n, name, 4);
    }

    /** The RM's {@code fdt_getprop_u64}: exactly eight bytes. */
    static Num u64(Node n, String name) {
        return fixed(n, name, 8);
    }

    /** The RM's {@code fdt_getprop_s32}. */
    static Num s32(Node n, String name) {
        Num r = fixed(n, name, 4);
        return r.ok() ? new Num(Read.OK, (int) r.value()) : r;
    }

    private static Num fixed(Node n, String name, int size) {
        Optional<byte[]> b = prop(n, name);
        if (b.isEmpty()) {
            return new Num(Read.ABSENT, 0);
        }
        if (b.get().length != size) {
            return new Num(Read.BAD_SIZE, 0);
        }
        return new Num(Read.OK, be(b.get(), 0, size / 4));
    }

    /** The RM's {@code fdt_getprop_num}: {@code cells} must be 1 or 2 and the length exactly that. */
    static Num num(Node n, String name, long cells) {
        Optional<byte[]> b = prop(n, name);
        if (b.isEmpty()) {
            return new Num(Read.ABSENT, 0);
        }
        if ((cells != 1 && cells != 2) || b.get().length != cells * 4) {
            return new Num(Read.BAD_SIZE, 0);
        }
        return new Num(Read.OK, be(b.get(), 0, (int) cells));
    }

    /** A u32 array no longer than {@code maxWords} (the RM's {@code fdt_getprop_u32_array}). */
    record Words(Read status, long[] words) {}

    static Words u32Array(Node n, String name, int maxWords) {
        Optional<byte[]> b = prop(n, name);
        if (b.isEmpty()) {
            return new Words(Read.ABSENT, new long[0]);
        }
        byte[] v = b.get();
        if (v.length > maxWords * 4 || v.length % 4 != 0) {
            return new Words(Read.BAD_SIZE, new long[0]);
        }
        return new Words(Read.OK, words(v));
    }

    static long[] words(byte[] v) {
        long[] w = new long[v.length / 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = be(v, i, 1);
        }
        return w;
    }

    /** The RM's {@code fdt_read_num}: big-endian cells; more than two is an {@code assert} in the RM. */
    static long readNum(long[] words, int at, long cells, String where) {
        if (cells > 2) {
            throw RmCheckFailure.crash(
                    where,
                    null,
                    "fdt_read_num",
                    "a " + cells + "-cell number: the RM asserts cell_cnt <= 2 and aborts");
        }
        long r = 0;
        for (int i = 0; i < cells; i++) {
            r = (r << 32) | (words[at + i] & 0xFFFF_FFFFL);
        }
        return r;
    }

    private static long be(byte[] v, int word, int cells) {
        long r = 0;
        for (int i = word * 4; i < (word + cells) * 4; i++) {
            r = (r << 8) | (v[i] & 0xFF);
        }
        return r;
    }

    /** {@code fdt_path_offset}: an absolute path, or an alias name and a path below it. */
    Optional<NodeCursor> pathOffset(String path) {
        String p = path;
        NodeCursor at;
        if (p.startsWith("/")) {
            at = tree.rootCursor();
        } else {
            int slash = p.indexOf('/');
            String alias = slash < 0 ? p : p.substring(0, slash);
            Optional<NodeCursor> aliases = subnode(tree.rootCursor(), "aliases");
            if (aliases.isEmpty()) {
                return Optional.empty();
            }
            String target = string0(aliases.get().node(), alias);
            if (target == null || !target.startsWith("/") || alias.isEmpty()) {
                return Optional.empty();
            }
            Optional<NodeCursor> t = pathOffset(target);
            if (t.isEmpty()) {
                return t;
            }
            at = t.get();
            p = slash < 0 ? "" : p.substring(slash);
        }
        for (String part : p.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            Optional<NodeCursor> next = subnode(at, part);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            at = next.get();
        }
        return Optional.of(at);
    }

    /** {@code fdt_subnode_offset}: a name without a unit address also matches the first {@code name@…}. */
    static Optional<NodeCursor> subnode(NodeCursor parent, String name) {
        for (NodeCursor c : parent.children()) {
            String n = c.node().name();
            if (n.equals(name) || (!name.contains("@") && n.startsWith(name + "@"))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** {@code fdt_node_offset_by_phandle}: 0 and ~0 are never phandles. */
    Optional<NodeCursor> byPhandle(long phandle) {
        if (phandle == 0 || phandle == 0xFFFF_FFFFL) {
            return Optional.empty();
        }
        for (NodeCursor c : order) {
            if (phandleOf(c.node()) == phandle) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** {@code fdt_get_phandle}: {@code phandle}, else {@code linux,phandle}, else 0. */
    static long phandleOf(Node n) {
        Num p = u32(n, "phandle");
        if (!p.ok()) {
            p = u32(n, "linux,phandle");
        }
        return p.ok() ? p.value() : 0;
    }
}
