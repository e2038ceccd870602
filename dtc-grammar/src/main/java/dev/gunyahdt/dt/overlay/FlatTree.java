package dev.gunyahdt.dt.overlay;

import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.Fdt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A flattened devicetree held as one editable buffer, edited the way an in-place FDT editor
 * edits a blob: node and property offsets are byte offsets into the structure block, inserting
 * moves everything after the insertion point (structure tail and strings block) up, and new
 * property names are looked up anywhere in the strings block (a name that is the tail of an
 * existing string reuses it) before being appended.
 *
 * <p>Why a byte buffer and not the DeviceTree model: fdtoverlay's output is the base blob as
 * edited in place, so its layout — where a new property or subnode lands, which bytes pad a
 * value whose length is not a multiple of four — is a property of those byte moves. Emulating
 * the moves gives the same bytes, including the padding that an insertion leaves holding
 * whatever was there before (the buffer beyond the data starts out zeroed).
 *
 * <p>The buffer starts at the structure block; the strings block follows at {@link #stringsOff}.
 * Every blob is validated completely when parsed, so the walking code can trust the tags.
 */
final class FlatTree {

    static final int BEGIN_NODE = Fdt.BEGIN_NODE;
    static final int END_NODE = Fdt.END_NODE;
    static final int PROP = Fdt.PROP;
    static final int NOP = Fdt.NOP;
    static final int END = Fdt.END;

    static final int MAGIC = Fdt.MAGIC;
    static final int HEADER_SIZE = Fdt.OFF_SIZE_DT_STRUCT + 4;
    /** Nesting deeper than this is refused: real trees are a dozen levels deep. */
    static final int MAX_DEPTH = 1024;

    private final String who;
    private final byte[] memReserve; // the reserve map including its terminating entry
    private final int version;
    private final int lastCompVersion;
    private final int bootCpuid;

    private byte[] buf;
    /** Children lists by node offset; valid until the next splice moves offsets. */
    private final java.util.Map<Integer, List<Integer>> childrenCache = new java.util.HashMap<>();
    private int structSize;
    private int stringsOff;
    private int stringsSize;

    private FlatTree(String who, byte[] memReserve, int version, int lastCompVersion, int bootCpuid,
                     byte[] buf, int structSize, int stringsOff, int stringsSize) {
        this.who = who;
        this.memReserve = memReserve;
        this.version = version;
        this.lastCompVersion = lastCompVersion;
        this.bootCpuid = bootCpuid;
        this.buf = buf;
        this.structSize = structSize;
        this.stringsOff = stringsOff;
        this.stringsSize = stringsSize;
    }

    // ------------------------------------------------------------------ parsing and output

    /**
     * Reads and fully checks a blob. {@code who} names it in error messages ("base blob",
     * "overlay 2"). Well-ordered blobs keep any gap between structure and strings and any
     * trailing padding in the buffer (they take part in byte moves exactly as in place);
     * misordered ones are first packed, as opening a blob for writing does.
     */
    static FlatTree parse(byte[] blob, String who) {
        if (blob.length < HEADER_SIZE) {
            throw blobError(who, "FDT_ERR_TRUNCATED", "blob is " + blob.length
                    + " bytes, shorter than the 40-byte header");
        }
        if (u32(blob, 0) != MAGIC) {
            throw blobError(who, "FDT_ERR_BADMAGIC", String.format(
                    "bad magic 0x%08x (a devicetree blob starts with 0xd00dfeed)", u32(blob, 0)));
        }
        long totalSize = u32u(blob, 4);
        long offStruct = u32u(blob, 8);
        long offStrings = u32u(blob, 12);
        long offMemRsv = u32u(blob, 16);
        int version = u32(blob, 20);
        int lastComp = u32(blob, 24);
        int bootCpu = u32(blob, 28);
        long sizeStrings = u32u(blob, 32);
        long sizeStruct = u32u(blob, 36);
        if (version < 16 || lastComp > 17 || lastComp < 0) {
            throw blobError(who, "FDT_ERR_BADVERSION", "blob version " + version
                    + " (last compatible " + lastComp + ") is not supported; versions 16 and 17 are");
        }
        if (totalSize > blob.length) {
            throw blobError(who, "FDT_ERR_TRUNCATED", "header says " + totalSize
                    + " bytes but the blob has " + blob.length);
        }
        if (totalSize < HEADER_SIZE) {
            throw blobError(who, "FDT_ERR_TRUNCATED", "header totalsize " + totalSize
                    + " is smaller than the header");
        }
        if (offMemRsv < HEADER_SIZE || offMemRsv % 8 != 0 || offMemRsv + 16 > totalSize) {
            throw blobError(who, "FDT_ERR_TRUNCATED",
                    "memory reserve map offset " + offMemRsv + " is misaligned or out of the blob");
        }
        if (offStruct < HEADER_SIZE || offStruct % 4 != 0 || offStruct > totalSize) {
            throw blobError(who, "FDT_ERR_TRUNCATED",
                    "structure block offset " + offStruct + " is misaligned or out of the blob");
        }
        if (offStrings < HEADER_SIZE || offStrings > totalSize || offStrings + sizeStrings > totalSize) {
            throw blobError(who, "FDT_ERR_TRUNCATED", "strings block [" + offStrings + ", +"
                    + sizeStrings + ") is out of the blob (" + totalSize + " bytes)");
        }
        if (version >= 17 && offStruct + sizeStruct > totalSize) {
            throw blobError(who, "FDT_ERR_TRUNCATED", "structure block [" + offStruct + ", +"
                    + sizeStruct + ") is out of the blob (" + totalSize + " bytes)");
        }
        // Reserve map: entries up to and including the first one of size 0.
        int rsvEnd = (int) offMemRsv;
        while (true) {
            if (rsvEnd + 16 > totalSize) {
                throw blobError(who, "FDT_ERR_TRUNCATED", "memory reserve map has no terminating entry");
            }
            // An entry of size 0 ends the map, whatever its address (as libfdt counts entries).
            boolean last = u32(blob, rsvEnd + 8) == 0 && u32(blob, rsvEnd + 12) == 0;
            rsvEnd += 16;
            if (last) {
                break;
            }
        }
        byte[] memRsv = Arrays.copyOfRange(blob, (int) offMemRsv, rsvEnd);
        int structLimit = (int) (version >= 17 ? offStruct + sizeStruct : totalSize);
        int walked = validateStruct(blob, (int) offStruct, structLimit, (int) offStrings, (int) sizeStrings, who);
        if (version < 17) {
            sizeStruct = walked;
        }
        boolean misordered = offMemRsv < HEADER_SIZE
                || offStruct < offMemRsv + memRsv.length
                || offStrings < offStruct + sizeStruct
                || totalSize < offStrings + sizeStrings;
        byte[] buf;
        int stringsOff;
        if (!misordered) {
            buf = Arrays.copyOfRange(blob, (int) offStruct, (int) totalSize);
            stringsOff = (int) (offStrings - offStruct);
        } else {
            buf = new byte[(int) (sizeStruct + sizeStrings)];
            System.arraycopy(blob, (int) offStruct, buf, 0, (int) sizeStruct);
            System.arraycopy(blob, (int) offStrings, buf, (int) sizeStruct, (int) sizeStrings);
            stringsOff = (int) sizeStruct;
            lastComp = 16;
        }
        return new FlatTree(who, memRsv, version, lastComp, bootCpu, buf, (int) sizeStruct, stringsOff,
                (int) sizeStrings);
    }

    /**
     * Checks the structure block tag by tag; returns the size actually used (through FDT_END).
     */
    private static int validateStruct(byte[] blob, int start, int limit, int strOff, int strSize, String who) {
        int off = start;
        int depth = 0;
        boolean rootSeen = false;
        while (true) {
            if (off + 4 > limit) {
                throw bad(who, off - start, "structure block ends without FDT_END");
            }
            int tag = u32(blob, off);
            int rel = off - start;
            switch (tag) {
                case BEGIN_NODE -> {
                    if (depth == 0 && rootSeen) {
                        throw bad(who, rel, "a second root node follows the first");
                    }
                    if (depth == 0 && rel != 0) {
                        throw bad(who, rel, "the root node must start the structure block");
                    }
                    rootSeen = true;
                    int nameEnd = off + 4;
                    while (nameEnd < limit && blob[nameEnd] != 0) {
                        nameEnd++;
                    }
                    if (nameEnd >= limit) {
                        throw bad(who, rel, "node name runs past the structure block");
                    }
                    if (++depth > MAX_DEPTH) {
                        throw bad(who, rel, "nodes nested deeper than " + MAX_DEPTH + " levels");
                    }
                    off = align4(nameEnd + 1);
                }
                case END_NODE -> {
                    if (depth == 0) {
                        throw bad(who, rel, "FDT_END_NODE without a matching FDT_BEGIN_NODE");
                    }
                    depth--;
                    off += 4;
                }
                case PROP -> {
                    if (depth == 0) {
                        throw bad(who, rel, "property outside any node");
                    }
                    if (off + 12 > limit) {
                        throw bad(who, rel, "property header runs past the structure block");
                    }
                    long len = u32u(blob, off + 4);
                    long nameOff = u32u(blob, off + 8);
                    if (len > limit - (off + 12)) {
                        throw bad(who, rel, "property value of " + len + " bytes runs past the structure block");
                    }
                    if (nameOff >= strSize) {
                        throw bad(who, rel, "property name offset " + nameOff + " is outside the strings block");
                    }
                    int s = strOff + (int) nameOff;
                    while (s < strOff + strSize && blob[s] != 0) {
                        s++;
                    }
                    if (s >= strOff + strSize) {
                        throw bad(who, rel, "property name at string offset " + nameOff + " is not terminated");
                    }
                    off = align4(off + 12 + (int) len);
                }
                case NOP -> off += 4;
                case END -> {
                    if (depth != 0 || !rootSeen) {
                        throw bad(who, rel, "FDT_END inside an open node");
                    }
                    return off + 4 - start;
                }
                default -> throw bad(who, rel, String.format("unknown tag 0x%08x", tag));
            }
            if (off > limit) {
                throw bad(who, rel, "structure runs past the structure block");
            }
        }
    }

    private static DtException bad(String who, int off, String msg) {
        return blobError(who, "FDT_ERR_BADSTRUCTURE", msg + " (structure offset " + off + ")");
    }

    /** A blob that cannot be read: "{@code who}: FDT_ERR_x: what is wrong". */
    static DtException blobError(String who, String code, String msg) {
        return new DtException(who + ": " + code + ": " + msg);
    }

    /** The blob packed as a final pack leaves it: header, reserve map, structure, strings. */
    byte[] toPackedBlob() {
        int offRsv = HEADER_SIZE;
        int offStruct = offRsv + memReserve.length;
        int offStrings = offStruct + structSize;
        int total = offStrings + stringsSize;
        byte[] out = new byte[total];
        put32(out, 0, MAGIC);
        put32(out, 4, total);
        put32(out, 8, offStruct);
        put32(out, 12, offStrings);
        put32(out, 16, offRsv);
        put32(out, 20, 17);
        put32(out, 24, lastCompVersion);
        put32(out, 28, bootCpuid);
        put32(out, 32, stringsSize);
        put32(out, 36, structSize);
        System.arraycopy(memReserve, 0, out, offRsv, memReserve.length);
        System.arraycopy(buf, 0, out, offStruct, structSize);
        System.arraycopy(buf, stringsOff, out, offStrings, stringsSize);
        return out;
    }

    String who() {
        return who;
    }

    // ------------------------------------------------------------------ walking

    int tag(int off) {
        return u32(buf, off);
    }

    /** The offset of the tag after the one at {@code off}. */
    int next(int off) {
        return switch (tag(off)) {
            case BEGIN_NODE -> {
                int e = off + 4;
                while (buf[e] != 0) {
                    e++;
                }
                yield align4(e + 1);
            }
            case PROP -> align4(off + 12 + u32(buf, off + 4));
            default -> off + 4;
        };
    }

    String nodeName(int node) {
        int e = node + 4;
        while (buf[e] != 0) {
            e++;
        }
        return new String(buf, node + 4, e - node - 4, StandardCharsets.ISO_8859_1);
    }

    /** Offsets of the node's properties, in order. */
    List<Integer> properties(int node) {
        List<Integer> out = new ArrayList<>();
        int off = next(node);
        while (true) {
            int t = tag(off);
            if (t == PROP) {
                out.add(off);
            } else if (t != NOP) {
                return out;
            }
            off = next(off);
        }
    }

    /** Offsets of the node's direct children, in order. */
    List<Integer> children(int node) {
        return childrenCache.computeIfAbsent(node, this::scanChildren);
    }

    private List<Integer> scanChildren(int node) {
        List<Integer> out = new ArrayList<>();
        int off = next(node);
        int depth = 0;
        while (true) {
            int t = tag(off);
            if (t == BEGIN_NODE) {
                if (depth == 0) {
                    out.add(off);
                }
                depth++;
            } else if (t == END_NODE) {
                if (depth == 0) {
                    return List.copyOf(out);
                }
                depth--;
            }
            off = next(off);
        }
    }

    String propName(int prop) {
        return stringAt(u32(buf, prop + 8));
    }

    int propLength(int prop) {
        return u32(buf, prop + 4);
    }

    byte[] propValue(int prop) {
        return Arrays.copyOfRange(buf, prop + 12, prop + 12 + propLength(prop));
    }

    private String stringAt(int nameOff) {
        int s = stringsOff + nameOff;
        int e = s;
        while (buf[e] != 0) {
            e++;
        }
        return new String(buf, s, e - s, StandardCharsets.ISO_8859_1);
    }

    /** The first property of {@code node} called {@code name}, or -1. */
    int property(int node, String name) {
        for (int p : properties(node)) {
            if (propName(p).equals(name)) {
                return p;
            }
        }
        return -1;
    }

    /**
     * The child matching {@code name}: an exact match, or — when {@code name} has no unit
     * address — the first child whose name is {@code name@…}. Returns -1 when none.
     */
    int subnode(int node, String name) {
        boolean hasUnit = name.indexOf('@') >= 0;
        for (int c : children(node)) {
            String n = nodeName(c);
            if (n.equals(name) || (!hasUnit && n.startsWith(name) && n.length() > name.length()
                    && n.charAt(name.length()) == '@')) {
                return c;
            }
        }
        return -1;
    }

    /**
     * Resolves a path: absolute ("/a/b", repeated and trailing slashes ignored) or starting with
     * an alias name from /aliases. Returns -1 when there is no such node.
     */
    int pathOffset(String path) {
        return pathOffset(path, 0);
    }

    private int pathOffset(String path, int aliasDepth) {
        int p = 0;
        int node = 0;
        if (!path.startsWith("/")) {
            // An alias can name another alias; a bounded chain keeps a loop from recursing forever.
            if (aliasDepth > 8) {
                return -1;
            }
            int slash = path.indexOf('/');
            String alias = slash < 0 ? path : path.substring(0, slash);
            int aliases = pathOffset("/aliases", aliasDepth + 1);
            if (aliases < 0) {
                return -1;
            }
            int ap = property(aliases, alias);
            if (ap < 0) {
                return -1;
            }
            node = pathOffset(cString(propValue(ap)), aliasDepth + 1);
            if (node < 0) {
                return -1;
            }
            p = slash < 0 ? path.length() : slash;
        }
        while (p < path.length()) {
            while (p < path.length() && path.charAt(p) == '/') {
                p++;
            }
            if (p == path.length()) {
                break;
            }
            int q = path.indexOf('/', p);
            if (q < 0) {
                q = path.length();
            }
            node = subnode(node, path.substring(p, q));
            if (node < 0) {
                return -1;
            }
            p = q;
        }
        return node;
    }

    /** The full path of a node ("/" for the root). */
    String pathOf(int target) {
        List<String> stack = new ArrayList<>();
        int off = 0;
        while (true) {
            int t = tag(off);
            if (t == BEGIN_NODE) {
                stack.add(nodeName(off));
                if (off == target) {
                    break;
                }
            } else if (t == END_NODE) {
                stack.remove(stack.size() - 1);
            } else if (t == END) {
                throw new IllegalStateException("node offset " + target + " not found");
            }
            off = next(off);
        }
        if (stack.size() == 1) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < stack.size(); i++) {
            sb.append('/').append(stack.get(i));
        }
        return sb.toString();
    }

    /** Offsets of every node, in pre-order. */
    List<Integer> allNodes() {
        List<Integer> out = new ArrayList<>();
        int off = 0;
        while (tag(off) != END) {
            if (tag(off) == BEGIN_NODE) {
                out.add(off);
            }
            off = next(off);
        }
        return out;
    }

    /** The node's phandle from {@code phandle} (or else {@code linux,phandle}), 0 when none. */
    long phandle(int node) {
        for (String name : List.of("phandle", "linux,phandle")) {
            int p = property(node, name);
            if (p >= 0 && propLength(p) == 4) {
                return u32u(buf, p + 12);
            }
        }
        return 0;
    }

    /** The first node carrying {@code ph}, or -1. */
    int nodeByPhandle(long ph) {
        for (int n : allNodes()) {
            if (phandle(n) == ph) {
                return n;
            }
        }
        return -1;
    }

    long maxPhandle() {
        long max = 0;
        for (int n : allNodes()) {
            max = Math.max(max, phandle(n));
        }
        return max;
    }

    // ------------------------------------------------------------------ editing

    /** Overwrites {@code bytes} at byte {@code idx} of a property's value (same length). */
    void writeInPlace(int prop, int idx, byte[] bytes) {
        System.arraycopy(bytes, 0, buf, prop + 12 + idx, bytes.length);
    }

    long readCell(int prop, int idx) {
        return u32u(buf, prop + 12 + idx);
    }

    /**
     * Sets a property: an existing one (the first of that name) is resized where it stands; a
     * new one is inserted before the node's first property.
     */
    void setProperty(int node, String name, byte[] value) {
        int p = property(node, name);
        if (p >= 0) {
            int oldLen = propLength(p);
            splice(p + 12, align4(oldLen), align4(value.length));
            put32(buf, p + 4, value.length);
            System.arraycopy(value, 0, buf, p + 12, value.length);
            return;
        }
        int nameOff = findOrAddString(name);
        int at = next(node);
        splice(at, 0, 12 + align4(value.length));
        put32(buf, at, PROP);
        put32(buf, at + 4, value.length);
        put32(buf, at + 8, nameOff);
        System.arraycopy(value, 0, buf, at + 12, value.length);
    }

    /**
     * Adds an empty child after the parent's properties (before its existing children) and
     * returns its offset; returns the existing child instead when {@link #subnode} finds one.
     */
    int addSubnode(int parent, String name) {
        int existing = subnode(parent, name);
        if (existing >= 0) {
            return existing;
        }
        int at = next(parent);
        while (tag(at) == PROP || tag(at) == NOP) {
            at = next(at);
        }
        byte[] nb = name.getBytes(StandardCharsets.ISO_8859_1);
        int nameLen = align4(nb.length + 1);
        int len = 4 + nameLen + 4;
        splice(at, 0, len);
        put32(buf, at, BEGIN_NODE);
        Arrays.fill(buf, at + 4, at + 4 + nameLen, (byte) 0);
        System.arraycopy(nb, 0, buf, at + 4, nb.length);
        put32(buf, at + 4 + nameLen, END_NODE);
        return at;
    }

    /**
     * The offset in the strings block of {@code s}: the first place its bytes and NUL occur
     * (possibly the tail of a longer name), or a new entry appended at the end.
     */
    private int findOrAddString(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        int len = b.length + 1;
        outer:
        for (int i = 0; i + len <= stringsSize; i++) {
            int base = stringsOff + i;
            for (int k = 0; k < b.length; k++) {
                if (buf[base + k] != b[k]) {
                    continue outer;
                }
            }
            if (buf[base + b.length] == 0) {
                return i;
            }
        }
        int at = stringsOff + stringsSize;
        ensure(at + len);
        System.arraycopy(b, 0, buf, at, b.length);
        buf[at + b.length] = 0;
        int off = stringsSize;
        stringsSize += len;
        return off;
    }

    /**
     * Replaces {@code oldLen} bytes at structure offset {@code at} by a gap of {@code newLen}
     * bytes, moving the rest of the data (structure tail and strings). The gap keeps whatever
     * bytes were there before, as an in-place memmove leaves them.
     */
    private void splice(int at, int oldLen, int newLen) {
        int dataEnd = stringsOff + stringsSize;
        int delta = newLen - oldLen;
        if (delta != 0) {
            childrenCache.clear();
        }
        ensure(dataEnd + Math.max(delta, 0));
        System.arraycopy(buf, at + oldLen, buf, at + newLen, dataEnd - (at + oldLen));
        structSize += delta;
        stringsOff += delta;
    }

    private void ensure(int size) {
        if (size > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(size, buf.length * 2));
        }
    }

    // ------------------------------------------------------------------ bytes

    static int align4(int n) {
        return (n + 3) & ~3;
    }

    static int u32(byte[] b, int off) {
        return (int) Cells.u32(b, off);
    }

    static long u32u(byte[] b, int off) {
        return u32(b, off) & 0xffffffffL;
    }

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static byte[] cell(long v) {
        byte[] b = new byte[4];
        put32(b, 0, v);
        return b;
    }

    /** The bytes up to the first NUL (all of them when there is none). */
    static String cString(byte[] v) {
        int e = 0;
        while (e < v.length && v[e] != 0) {
            e++;
        }
        return new String(v, 0, e, StandardCharsets.ISO_8859_1);
    }
}
