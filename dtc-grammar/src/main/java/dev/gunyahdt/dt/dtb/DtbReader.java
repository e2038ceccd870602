package dev.gunyahdt.dt.dtb;

import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.diag.DtException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a flattened devicetree blob into a {@link DeviceTree}. Every blob is untrusted: each
 * offset and size is checked against the blob before it is used, nothing is allocated from an
 * unchecked size, and every problem is a {@link DtException} naming the blob offset.
 *
 * <p>Accepts what dtc 1.6.1 accepts: versions 16, 17 and later (those read as 17), and the old
 * versions 1 to 3 whose nodes are named by full path. Properties come back as plain bytes;
 * nodes carry no labels or source spans.
 */
public final class DtbReader {

    /** Deepest node nesting accepted (the root is depth 1). */
    public static final int MAX_DEPTH = 4096;

    private final byte[] blob;
    private final String source;

    private DtbReader(byte[] blob, String sourceName) {
        this.blob = blob;
        this.source = sourceName == null || sourceName.isEmpty() ? "dtb" : sourceName;
    }

    public static DeviceTree read(byte[] blob, String sourceName) {
        if (blob == null) {
            throw new DtException("dtb: no blob");
        }
        return new DtbReader(blob, sourceName).read();
    }

    private DtException bad(String message) {
        return new DtException(source + ": bad dtb: " + message);
    }

    private static String hex(long v) {
        return Fdt.hex(v);
    }

    /** Unsigned 32-bit field at a blob offset already known to be in range. */
    private long u32(int off) {
        return Cells.u32(blob, off);
    }

    private long u64(int off) {
        return Cells.u64(blob, off);
    }

    private DeviceTree read() {
        if (blob.length < 8) {
            throw bad("blob is " + blob.length + " bytes, too short for a header");
        }
        if ((int) u32(0) != Fdt.MAGIC) {
            throw bad("bad magic " + hex(u32(0)) + " at offset 0x0 (expected 0xd00dfeed)");
        }
        long total = u32(Fdt.OFF_TOTALSIZE);
        if (total > blob.length) {
            throw bad("totalsize " + hex(total) + " (header offset 0x4) is larger than the blob ("
                    + hex(blob.length) + " bytes): truncated");
        }
        if (total < Fdt.OFF_VERSION + 4) {
            throw bad("totalsize " + hex(total) + " (header offset 0x4) is too small for a header");
        }
        long versionField = u32(Fdt.OFF_VERSION);
        if (versionField == 0 || (versionField > 3 && versionField < Fdt.FIRST_COMPACT_VERSION)) {
            throw bad("unsupported version " + versionField + " (header offset 0x14)");
        }
        // The layout the blob is read with: versions after 17 are read as 17, as dtc does.
        int version = (int) Math.min(versionField, 17);
        int headerSize = Fdt.headerSize(version);
        if (total < headerSize) {
            throw bad("totalsize " + hex(total) + " is smaller than the version " + versionField
                    + " header (" + headerSize + " bytes)");
        }
        boolean compact = version >= Fdt.FIRST_COMPACT_VERSION;
        boolean hasStructSize = version >= 17;

        long rsvOff = u32(Fdt.OFF_MEM_RSVMAP);
        long structOff = u32(Fdt.OFF_DT_STRUCT);
        long stringsOff = u32(Fdt.OFF_DT_STRINGS);
        long bootCpu = version >= 2 ? u32(Fdt.OFF_BOOT_CPUID) : 0;

        checkStart("memory reserve map", rsvOff, Fdt.OFF_MEM_RSVMAP, headerSize, total);
        checkStart("structure block", structOff, Fdt.OFF_DT_STRUCT, headerSize, total);
        checkStart("strings block", stringsOff, Fdt.OFF_DT_STRINGS, headerSize, total);
        if (structOff % 4 != 0) {
            throw bad("structure block offset " + hex(structOff) + " (header offset 0x8) is not 4-byte aligned");
        }

        // Blocks without a size in the header extend to the next block or the end of the blob.
        long stringsSize = version >= 3 ? u32(Fdt.OFF_SIZE_DT_STRINGS)
                : nextBlockStart(stringsOff, rsvOff, structOff, total) - stringsOff;
        if (stringsOff + stringsSize > total) {
            throw bad("strings block at " + hex(stringsOff) + " with size " + hex(stringsSize)
                    + " (header offset 0x20) runs past totalsize " + hex(total));
        }
        long structSize = hasStructSize ? u32(Fdt.OFF_SIZE_DT_STRUCT)
                : nextBlockStart(structOff, rsvOff, stringsOff, total) - structOff;
        if (structOff + structSize > total) {
            throw bad("structure block at " + hex(structOff) + " with size " + hex(structSize)
                    + " (header offset 0x24) runs past totalsize " + hex(total));
        }

        List<MemReserve> reserves = new ArrayList<>();
        long rsvEnd = readReserves(rsvOff, total, reserves);

        checkDisjoint("memory reserve map", rsvOff, rsvEnd, "structure block", structOff, structOff + structSize);
        checkDisjoint("memory reserve map", rsvOff, rsvEnd, "strings block", stringsOff, stringsOff + stringsSize);
        checkDisjoint("structure block", structOff, structOff + structSize, "strings block", stringsOff,
                stringsOff + stringsSize);

        Node root = new StructParser((int) structOff, (int) structSize, (int) stringsOff, (int) stringsSize,
                compact).parse();
        return new DeviceTree(root, reserves, false, bootCpu);
    }

    private void checkStart(String what, long off, int field, int headerSize, long total) {
        if (off < headerSize || off > total) {
            throw bad(what + " offset " + hex(off) + " (header offset " + hex(field) + ") is outside "
                    + hex(headerSize) + ".." + hex(total));
        }
    }

    /** The smallest of the other block starts beyond {@code off}, else the total size. */
    private static long nextBlockStart(long off, long other1, long other2, long total) {
        long end = total;
        if (other1 > off) {
            end = Math.min(end, other1);
        }
        if (other2 > off) {
            end = Math.min(end, other2);
        }
        return end;
    }

    private void checkDisjoint(String a, long aStart, long aEnd, String b, long bStart, long bEnd) {
        if (aStart < aEnd && bStart < bEnd && aStart < bEnd && bStart < aEnd) {
            throw bad(a + " " + hex(aStart) + ".." + hex(aEnd) + " overlaps " + b + " " + hex(bStart)
                    + ".." + hex(bEnd));
        }
    }

    /**
     * Reads entries up to the terminator; returns the offset just past it. Like dtc, the first
     * entry of size 0 ends the map, whatever its address (later entries are not read).
     */
    private long readReserves(long off, long total, List<MemReserve> out) {
        long at = off;
        while (true) {
            if (at + Fdt.RSV_ENTRY > total) {
                throw bad("memory reserve map at " + hex(off) + " has no terminating entry before totalsize "
                        + hex(total) + " (entry at " + hex(at) + " is cut off)");
            }
            long addr = u64((int) at);
            long size = u64((int) at + 8);
            at += Fdt.RSV_ENTRY;
            if (size == 0) {
                return at;
            }
            out.add(MemReserve.of(addr, size));
        }
    }

    /** A node being built while its END_NODE has not been seen. */
    private static final class OpenNode {
        final String name;
        final String path;
        final List<Property> properties = new ArrayList<>();
        final List<Node> children = new ArrayList<>();

        OpenNode(String name, String path) {
            this.name = name;
            this.path = path;
        }

        Node build() {
            return Node.of(name, properties, children);
        }
    }

    /** Walks the structure block with an explicit stack, so deep nesting cannot overflow. */
    private final class StructParser {
        private final int base;
        private final int size;
        private final int stringsBase;
        private final int stringsSize;
        private final boolean compact;
        // Names repeat across nodes; decode each string-table entry once.
        private final Map<Long, String> names = new HashMap<>();

        StructParser(int base, int size, int stringsBase, int stringsSize, boolean compact) {
            this.base = base;
            this.size = size;
            this.stringsBase = stringsBase;
            this.stringsSize = stringsSize;
            this.compact = compact;
        }

        private String at(int rel) {
            return "struct offset " + hex(rel) + " (blob offset " + hex((long) base + rel) + ")";
        }

        private long word(int rel, String what) {
            if ((long) rel + 4 > size) {
                throw bad(what + " at " + at(rel) + " runs past the end of the structure block (size "
                        + hex(size) + ")");
            }
            return u32(base + rel);
        }

        Node parse() {
            Deque<OpenNode> stack = new ArrayDeque<>();
            Node root = null;
            int pos = 0;
            while (true) {
                long token = word(pos, "token");
                int tokenPos = pos;
                pos += 4;
                switch ((int) token) {
                    case Fdt.BEGIN_NODE -> {
                        if (root != null) {
                            throw bad("node at " + at(tokenPos) + " follows the end of the root node");
                        }
                        if (stack.size() >= MAX_DEPTH) {
                            throw bad("node at " + at(tokenPos) + " nests deeper than " + MAX_DEPTH + " levels");
                        }
                        int nameEnd = findNul(blob, base + pos, base + size);
                        if (nameEnd < 0) {
                            throw bad("node name at " + at(pos) + " has no NUL before the end of the structure block");
                        }
                        String raw = new String(blob, base + pos, nameEnd - (base + pos), StandardCharsets.ISO_8859_1);
                        pos = Fdt.align(nameEnd - base + 1, 4);
                        if (pos > size) {
                            throw bad("node name at " + at(tokenPos + 4) + " is not padded within the structure block");
                        }
                        stack.push(open(raw, stack.peek(), tokenPos));
                    }
                    case Fdt.END_NODE -> {
                        if (stack.isEmpty()) {
                            throw bad("END_NODE at " + at(tokenPos) + " has no node to close");
                        }
                        Node done = stack.pop().build();
                        if (stack.isEmpty()) {
                            root = done;
                        } else {
                            stack.peek().children.add(done);
                        }
                    }
                    case Fdt.PROP -> {
                        if (stack.isEmpty()) {
                            throw bad("property at " + at(tokenPos) + " is outside any node");
                        }
                        long len = word(pos, "property length");
                        long nameOff = word(pos + 4, "property name offset");
                        pos += 8;
                        if (len > size - pos) {
                            throw bad("property at " + at(tokenPos) + ": length " + hex(len)
                                    + " runs past the end of the structure block (size " + hex(size) + ")");
                        }
                        if (!compact && len >= 8) {
                            pos = Fdt.align(pos, 8); // old versions 8-align values of 8 bytes or more
                            if (len > size - pos) {
                                throw bad("property at " + at(tokenPos) + ": length " + hex(len)
                                        + " runs past the end of the structure block (size " + hex(size) + ")");
                            }
                        }
                        String name = propertyName(nameOff, tokenPos);
                        byte[] value = Arrays.copyOfRange(blob, base + pos, base + pos + (int) len);
                        pos = Fdt.align(pos + (int) len, 4);
                        if (pos > size) {
                            throw bad("property at " + at(tokenPos) + ": value padding runs past the end of"
                                    + " the structure block");
                        }
                        stack.peek().properties.add(Property.of(name, PropertyValue.ofBytes(value)));
                    }
                    case Fdt.NOP -> {
                        // skipped, as libfdt does
                    }
                    case Fdt.END -> {
                        if (!stack.isEmpty()) {
                            throw bad("END at " + at(tokenPos) + " inside node \"" + stack.peek().path + "\" ("
                                    + stack.size() + " END_NODE missing)");
                        }
                        if (root == null) {
                            throw bad("END at " + at(tokenPos) + " before any root node");
                        }
                        return root;
                    }
                    default -> throw bad("unknown token " + hex(token) + " at " + at(tokenPos));
                }
            }
        }

        private OpenNode open(String raw, OpenNode parent, int tokenPos) {
            if (compact) {
                if (parent == null) {
                    if (!raw.isEmpty()) {
                        throw bad("root node at " + at(tokenPos) + " has name \"" + raw + "\" (must be empty)");
                    }
                    return new OpenNode("", "");
                }
                if (raw.isEmpty()) {
                    throw bad("node at " + at(tokenPos) + " inside \"" + parent.path + "\" has an empty name");
                }
                return new OpenNode(raw, parent.path + "/" + raw);
            }
            // Versions 1-3 name each node by its full path; keep the last component.
            if (parent == null) {
                if (!raw.equals("/")) {
                    throw bad("root node at " + at(tokenPos) + " has path \"" + raw + "\" (must be \"/\")");
                }
                return new OpenNode("", "");
            }
            String prefix = parent.path + "/";
            String own = raw.startsWith(prefix) ? raw.substring(prefix.length()) : "";
            if (own.isEmpty() || own.indexOf('/') >= 0) {
                throw bad("node at " + at(tokenPos) + ": path \"" + raw + "\" is not valid as a child of \""
                        + (parent.path.isEmpty() ? "/" : parent.path) + "\"");
            }
            return new OpenNode(own, raw);
        }

        private String propertyName(long nameOff, int tokenPos) {
            String known = names.get(nameOff);
            if (known != null) {
                return known;
            }
            if (nameOff >= stringsSize) {
                throw bad("property at " + at(tokenPos) + ": name offset " + hex(nameOff)
                        + " is outside the strings block (size " + hex(stringsSize) + ")");
            }
            int start = stringsBase + (int) nameOff;
            int end = findNul(blob, start, stringsBase + stringsSize);
            if (end < 0) {
                throw bad("property at " + at(tokenPos) + ": name at strings offset " + hex(nameOff)
                        + " has no NUL before the end of the strings block");
            }
            String name = new String(blob, start, end - start, StandardCharsets.ISO_8859_1);
            names.put(nameOff, name);
            return name;
        }
    }

    private static int findNul(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
