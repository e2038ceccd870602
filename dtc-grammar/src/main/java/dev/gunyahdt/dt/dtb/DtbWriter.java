package dev.gunyahdt.dt.dtb;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Flattens a {@link DeviceTree} into a blob laid out exactly as dtc 1.6.1 lays it out:
 * header (padded to 8 bytes), memory-reserve map, structure block, strings block, then any
 * padding from {@code -S}/{@code -p}/{@code -a}.
 */
public final class DtbWriter {

    private DtbWriter() {}

    public static byte[] write(DeviceTree tree, DtbOptions opts) {
        int version = opts.version();
        boolean compact = version >= Fdt.FIRST_COMPACT_VERSION;

        Buf struct = new Buf(1024);
        StringTable strings = new StringTable();
        if (!tree.rootDeleted()) { // flatten_tree writes nothing for a deleted root
            writeNode(tree.root(), "", true, compact, struct, strings);
        }
        struct.u32(Fdt.END);

        int rsvmapOff = Fdt.align(Fdt.headerSize(version), 8);
        long rsvmapSize = (long) Fdt.RSV_ENTRY * (tree.memReserves().size() + 1L + opts.reserveEntries());
        long structOff = rsvmapOff + rsvmapSize;
        long stringsOff = structOff + struct.len;
        long size = stringsOff + strings.length();
        // -S pads up to a minimum size, -p adds a fixed amount; dtc allows only one of them.
        long padding = opts.minSize() > size ? opts.minSize() - size : opts.padding();
        long total = size + padding;
        if (opts.align() > 1) {
            total = (total + opts.align() - 1) & -(long) opts.align();
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new DtException("dtb: tree too large to flatten (" + total + " bytes)");
        }

        Buf out = new Buf((int) total);
        out.u32(Fdt.MAGIC);
        out.u32((int) total);
        out.u32((int) structOff);
        out.u32((int) stringsOff);
        out.u32(rsvmapOff);
        out.u32(version);
        out.u32(version >= Fdt.FIRST_COMPACT_VERSION ? 16 : 1);
        // Fields a version does not define stay zero, as do the bytes up to the reserve map.
        out.u32(version >= 2 ? (int) tree.bootCpuidPhys() : 0);
        out.u32(version >= 3 ? strings.length() : 0);
        out.u32(version >= 17 ? struct.len : 0);
        out.len = rsvmapOff;
        for (MemReserve r : tree.memReserves()) {
            out.u64(r.address());
            out.u64(r.size());
        }
        out.len = (int) structOff; // terminator and -R slots are zeros
        out.bytes(struct.data, 0, struct.len);
        byte[] s = strings.bytes();
        out.bytes(s, 0, s.length);
        return out.data; // exactly total bytes; padding is the zero tail
    }

    private static void writeNode(
            Node node, String parentPath, boolean isRoot, boolean compact, Buf struct, StringTable strings) {
        String path = isRoot ? "" : parentPath + "/" + node.name();
        struct.u32(Fdt.BEGIN_NODE);
        // v16+ names a node by its own name (the root by ""); older versions by its full path.
        String label = compact ? (isRoot ? "" : node.name()) : (isRoot ? "/" : path);
        struct.name(label);
        List<Property> props = node.properties();
        for (int i = 0; i < props.size(); i++) {
            Property p = props.get(i);
            writeProperty(p.name(), p.value().bytes(), compact, struct, strings);
        }
        if (!compact && !node.hasProperty("name")) {
            // Old blobs carry each node's base name as a "name" property after its own ones.
            String base = isRoot ? "" : node.baseName();
            byte[] v = Arrays.copyOf(base.getBytes(StandardCharsets.ISO_8859_1), base.length() + 1);
            writeProperty("name", v, compact, struct, strings);
        }
        List<Node> children = node.children();
        for (int i = 0; i < children.size(); i++) {
            writeNode(children.get(i), path, false, compact, struct, strings);
        }
        struct.u32(Fdt.END_NODE);
    }

    private static void writeProperty(String name, byte[] value, boolean compact, Buf struct, StringTable strings) {
        struct.u32(Fdt.PROP);
        struct.u32(value.length);
        struct.u32(strings.offsetOf(name));
        if (!compact && value.length >= 8) {
            struct.pad(8); // old versions start values of 8 bytes or more on an 8-byte boundary
        }
        struct.bytes(value, 0, value.length);
        struct.pad4();
    }

    /**
     * dtc's strings block: a name reuses the first place where its bytes plus the NUL already
     * occur anywhere in the table (so "cells" reuses the tail of "#address-cells"); otherwise
     * it is appended. Such a place is always the tail of a stored string, and the earliest one
     * belongs to the earliest such string, so a map from every tail to its first offset answers
     * the search without scanning the table.
     */
    private static final class StringTable {
        /**
         * Every name's tails, made once per process: property names repeat across blobs (a
         * corpus batch made 3 million substrings for about 5000 distinct names otherwise).
         */
        private static final Map<String, String[]> TAILS = new ConcurrentHashMap<>();

        private final StringBuilder table = new StringBuilder();
        private final Map<String, Integer> tails = new HashMap<>();

        int offsetOf(String name) {
            Integer at = tails.get(name);
            if (at != null) {
                return at;
            }
            int start = table.length();
            table.append(name).append('\0');
            // bounded, so a resident process fed millions of made-up names does not keep them all
            String[] suffixes =
                    TAILS.size() < 50_000 ? TAILS.computeIfAbsent(name, StringTable::suffixes) : suffixes(name);
            for (int i = 0; i < suffixes.length; i++) {
                tails.putIfAbsent(suffixes[i], start + i);
            }
            return start;
        }

        private static String[] suffixes(String name) {
            String[] out = new String[name.length() + 1];
            for (int i = 0; i <= name.length(); i++) {
                out[i] = name.substring(i);
            }
            return out;
        }

        int length() {
            return table.length();
        }

        byte[] bytes() {
            return table.toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** A growable big-endian byte buffer. */
    private static final class Buf {
        byte[] data;
        int len;

        Buf(int capacity) {
            data = new byte[capacity];
        }

        private void ensure(int extra) {
            long need = (long) len + extra;
            if (need > data.length) {
                if (need > Integer.MAX_VALUE - 16) {
                    throw new DtException("dtb: tree too large to flatten");
                }
                data = Arrays.copyOf(data, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16L, data.length * 2L)));
            }
        }

        void u32(int v) {
            ensure(4);
            data[len++] = (byte) (v >>> 24);
            data[len++] = (byte) (v >>> 16);
            data[len++] = (byte) (v >>> 8);
            data[len++] = (byte) v;
        }

        void u64(long v) {
            u32((int) (v >>> 32));
            u32((int) v);
        }

        void bytes(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, data, len, n);
            len += n;
        }

        void name(String s) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            bytes(b, 0, b.length);
            ensure(1);
            data[len++] = 0;
            pad4();
        }

        void pad4() {
            pad(4);
        }

        void pad(int alignment) {
            int to = Fdt.align(len, alignment);
            ensure(to - len);
            len = to; // new space is already zero
        }
    }
}
