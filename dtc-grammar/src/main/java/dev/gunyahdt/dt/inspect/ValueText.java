package dev.gunyahdt.dt.inspect;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Marker.Kind;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.print.DtsPrinter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Splits a property value into typed chunks and writes them as DTS. The chunks come from the
 * value's type markers when it has them (DTS input), else from the shape of its bytes as dtc
 * guesses it (blob input); either way every phandle cell ends up at a cell boundary of a
 * 32-bit chunk, so it can be written as a reference. Whatever is written compiles back to the
 * same bytes.
 */
final class ValueText {

    /** One chunk: strings, 8/16/32/64-bit elements, over bytes {@code [from, to)}. */
    record Chunk(Kind kind, int from, int to) {}

    private ValueText() {}

    /**
     * The value's chunks. {@code cellsFirst} asks for 32-bit cells when the length allows,
     * over a string guess (for properties known to hold numbers); {@code refs} are offsets
     * that must start cells.
     */
    static List<Chunk> chunks(PropertyValue v, boolean cellsFirst, Set<Integer> refs) {
        byte[] b = v.bytes();
        if (b.length == 0) {
            return List.of();
        }
        List<Chunk> out = fromMarkers(v, b);
        if (out == null) {
            Kind k = cellsFirst && b.length % 4 == 0 ? Kind.TYPE_UINT32 : DtsPrinter.guessType(b);
            out = List.of(new Chunk(k, 0, b.length));
        }
        for (int r : refs) {
            if (!isCellStart(out, r)) {
                return around(b.length, refs);
            }
        }
        return out;
    }

    private static List<Chunk> fromMarkers(PropertyValue v, byte[] b) {
        List<Marker> types = new ArrayList<>();
        for (Marker m : v.markers()) {
            if ((m.kind().isType() || m.kind() == Kind.REF_PATH) && m.offset() >= 0 && m.offset() <= b.length) {
                types.add(m.kind() == Kind.REF_PATH ? new Marker(m.offset(), Kind.TYPE_STRING, null) : m);
            }
        }
        if (types.isEmpty()) {
            return null;
        }
        types.sort(Comparator.comparingInt(Marker::offset));
        List<Chunk> out = new ArrayList<>();
        if (types.get(0).offset() > 0) {
            out.add(checked(
                    DtsPrinter.guessType(java.util.Arrays.copyOf(b, types.get(0).offset())),
                    0,
                    types.get(0).offset(),
                    b));
        }
        for (int i = 0; i < types.size(); i++) {
            int from = types.get(i).offset();
            int to = i + 1 < types.size() ? types.get(i + 1).offset() : b.length;
            if (to > from) {
                out.add(checked(types.get(i).kind(), from, to, b));
            }
        }
        return out;
    }

    /** The chunk, or a byte chunk when its bytes do not fit the kind. */
    private static Chunk checked(Kind k, int from, int to, byte[] b) {
        boolean fits = k == Kind.TYPE_STRING ? b[to - 1] == 0 : (to - from) % k.elementSize() == 0;
        return new Chunk(fits ? k : Kind.TYPE_UINT8, from, to);
    }

    private static boolean isCellStart(List<Chunk> chunks, int off) {
        for (Chunk c : chunks) {
            if (off >= c.from && off + 4 <= c.to) {
                return c.kind == Kind.TYPE_UINT32 && (off - c.from) % 4 == 0;
            }
        }
        return false;
    }

    /** Bytes, with a one-cell chunk at each reference: always a faithful (if plain) rendering. */
    private static List<Chunk> around(int len, Set<Integer> refs) {
        List<Chunk> out = new ArrayList<>();
        int at = 0;
        for (int r : new java.util.TreeSet<>(refs)) {
            if (r < at || r + 4 > len) {
                continue;
            }
            if (r > at) {
                out.add(new Chunk(Kind.TYPE_UINT8, at, r));
            }
            out.add(new Chunk(Kind.TYPE_UINT32, r, r + 4));
            at = r + 4;
        }
        if (at < len) {
            out.add(new Chunk(Kind.TYPE_UINT8, at, len));
        }
        return out;
    }

    /** What to write inside a value besides plain numbers. */
    record Decor(
            Map<Integer, CellRef> refs,
            Map<Integer, String> notes,
            Set<Integer> breaks,
            Function<CellRef, String> refText) {}

    /** Writes " = chunk, chunk" (nothing for an empty value). */
    static void appendDts(StringBuilder out, PropertyValue v, List<Chunk> chunks, Decor d) {
        if (chunks.isEmpty()) {
            return;
        }
        byte[] b = v.bytes();
        out.append(" = ");
        for (int i = 0; i < chunks.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            Chunk c = chunks.get(i);
            switch (c.kind) {
                case TYPE_STRING -> appendStrings(out, b, c.from, c.to);
                case TYPE_UINT8 -> {
                    out.append('[');
                    for (int j = c.from; j < c.to; j++) {
                        out.append(j > c.from ? " " : "").append(hex2(b[j] & 0xff));
                    }
                    out.append(']');
                }
                case TYPE_UINT32 -> appendCells(out, v, c, d);
                default -> {
                    int w = c.kind.elementSize();
                    out.append("/bits/ ").append(8 * w).append(" <");
                    for (int j = c.from; j < c.to; j += w) {
                        out.append(j > c.from ? " " : "").append("0x").append(Long.toHexString(element(b, j, w)));
                    }
                    out.append('>');
                }
            }
        }
    }

    private static void appendCells(StringBuilder out, PropertyValue v, Chunk c, Decor d) {
        out.append('<');
        for (int off = c.from; off < c.to; off += 4) {
            if (off > c.from) {
                out.append(d.breaks().contains(off) ? ">, <" : " ");
            }
            CellRef r = d.refs().get(off);
            String text = r == null ? null : d.refText().apply(r);
            out.append(text != null ? text : "0x" + Long.toHexString(v.cellAt(off)));
            if (r != null && text == null) {
                out.append(" /* ").append(r.text()).append(" */");
            }
            String note = d.notes().get(off + 4);
            if (note != null) {
                out.append(" /* ").append(note).append(" */");
            }
        }
        out.append('>');
    }

    static long element(byte[] b, int at, int width) {
        long v = 0;
        for (int i = 0; i < width; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    /** A NUL-terminated run as {@code "a", "b"}: one quoted string per NUL. */
    private static void appendStrings(StringBuilder out, byte[] b, int from, int to) {
        int start = from;
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                out.append(start > from ? ", " : "");
                quote(out, b, start, i);
                start = i + 1;
            }
        }
    }

    /** The strings of a NUL-terminated run. */
    static List<String> strings(byte[] b, int from, int to) {
        List<String> out = new ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                out.add(new String(b, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    static void quote(StringBuilder out, byte[] b, int from, int to) {
        out.append('"');
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case 7 -> out.append("\\a");
                case 8 -> out.append("\\b");
                case 9 -> out.append("\\t");
                case 10 -> out.append("\\n");
                case 11 -> out.append("\\v");
                case 12 -> out.append("\\f");
                case 13 -> out.append("\\r");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append((char) c);
                    } else {
                        out.append("\\x").append(hex2(c));
                    }
                }
            }
        }
        out.append('"');
    }

    static String hex2(int v) {
        return (v < 0x10 ? "0" : "") + Integer.toHexString(v);
    }
}
