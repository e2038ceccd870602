package dev.gunyahdt.dt.print;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Marker.Kind;
import dev.gunyahdt.dt.PropertyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a property value the way {@code dtc -O dts} 1.6.1 does, from its bytes and markers.
 *
 * <p>The rules below were worked out by running dtc on crafted inputs (see the tests):
 * <ul>
 *   <li>An empty value writes nothing (the line reads {@code name;}), whatever markers it has.
 *   <li>Otherwise " =" follows, then one step per marker in offset order (markers at the same
 *       offset keep their source order). A type marker opens a chunk: a space and its opener
 *       ({@code <}, {@code [}, {@code /bits/ 16 <}, {@code /bits/ 64 <}, or nothing for a
 *       string, whose quotes come with the text). A label writes " name:". A reference marker
 *       not at offset 0 writes a lone space.
 *   <li>While a chunk is open, each step writes the bytes up to the next marker in the chunk's
 *       format. When those bytes end exactly where the chunk's data ends, the chunk closes
 *       ({@code >}, {@code ]}, nothing for strings) with a comma unless the value ends there.
 *       A chunk's data ends at the next type marker, unless that sits at the same offset, in
 *       which case dtc measures to the end of the value; so an empty chunk followed by another
 *       chunk is never closed ({@code <>, "a"} prints as {@code < "a"}). dtc's quirks such as
 *       this one are reproduced on purpose.
 *   <li>A value without any type marker (read from a blob) is typed by {@link #guess}.
 * </ul>
 */
final class ValueWriter {

    private ValueWriter() {}

    static void append(StringBuilder out, PropertyValue value) {
        byte[] b = value.bytes();
        int len = b.length;
        if (len == 0) {
            return;
        }
        out.append(" =");
        List<Marker> steps = steps(value.markers(), b);
        Kind open = null;
        for (int i = 0; i < steps.size(); i++) {
            Marker m = steps.get(i);
            if (m.kind().isType()) {
                open = m.kind();
                out.append(' ').append(opener(open));
            } else if (m.kind() == Kind.LABEL) {
                out.append(' ').append(m.ref()).append(':');
            } else if (m.offset() != 0) {
                out.append(' ');
            }
            if (open == null) {
                continue;
            }
            int from = m.offset();
            int to = i + 1 < steps.size() ? steps.get(i + 1).offset() : len;
            writeBytes(out, open, b, from, to);
            int dataEnd = len;
            for (int j = i + 1; j < steps.size(); j++) {
                if (steps.get(j).kind().isType()) {
                    if (steps.get(j).offset() > from) {
                        dataEnd = steps.get(j).offset();
                    }
                    break;
                }
            }
            if (to == dataEnd) {
                out.append(closer(open));
                if (to != len) {
                    out.append(',');
                }
                open = null;
            }
        }
    }

    /**
     * The markers in printing order: stably sorted by offset, out-of-range ones dropped, each
     * path reference followed by the string chunk it expanded to, and a guessed type in front
     * when the value carries no type at all.
     */
    private static List<Marker> steps(List<Marker> markers, byte[] b) {
        List<Marker> sorted = new ArrayList<>(markers.size() + 1);
        for (Marker m : markers) {
            if (m.offset() >= 0 && m.offset() <= b.length) {
                sorted.add(m);
            }
        }
        sorted.sort(Comparator.comparingInt(Marker::offset)); // List.sort is stable
        List<Marker> out = new ArrayList<>(sorted.size() + 2);
        boolean typed = false;
        for (int i = 0; i < sorted.size(); i++) {
            Marker m = sorted.get(i);
            typed |= m.kind().isType();
            if (m.kind() != Kind.REF_PATH) {
                out.add(m);
                continue;
            }
            // dtc's order is reference, then the string's type marker; accept either order
            // from the model, and a reference with no type marker of its own.
            int last = out.size() - 1;
            if (last >= 0 && isStringAt(out.get(last), m.offset())) {
                out.add(last, m);
            } else {
                out.add(m);
                if (i + 1 < sorted.size() && isStringAt(sorted.get(i + 1), m.offset())) {
                    out.add(sorted.get(++i));
                } else {
                    out.add(new Marker(m.offset(), Kind.TYPE_STRING, null));
                }
                typed = true;
            }
        }
        if (!typed) {
            out.add(0, new Marker(0, guess(b, sorted), null));
        }
        return out;
    }

    private static boolean isStringAt(Marker m, int offset) {
        return m.kind() == Kind.TYPE_STRING && m.offset() == offset;
    }

    /**
     * dtc's guess for an untyped (non-empty) value: a string when it ends in NUL, every byte is
     * NUL, printable ASCII or one of \a..\r, and NULs are no more than the other bytes; else
     * 32-bit cells when the length is a multiple of 4; else bytes.
     */
    static Kind guess(byte[] b) {
        return guess(b, List.of());
    }

    /** {@link #guess(byte[])} as guess_value_type also weighs labels inside the value. */
    static Kind guess(byte[] b, List<Marker> markers) {
        boolean labelMidString = false;
        boolean labelMidCell = false;
        for (Marker m : markers) {
            if (m.kind() == Kind.LABEL) {
                labelMidString |= m.offset() > 0 && b[m.offset() - 1] != 0;
                labelMidCell |= m.offset() % 4 != 0;
            }
        }
        int nul = 0;
        boolean text = b.length > 0 && b[b.length - 1] == 0;
        for (int i = 0; i < b.length && text; i++) {
            int c = b[i] & 0xff;
            if (c == 0) {
                nul++;
            } else if (!(c >= 0x20 && c <= 0x7e) && !(c >= 7 && c <= 13)) {
                text = false;
            }
        }
        if (text && nul <= b.length - nul && !labelMidString) {
            return Kind.TYPE_STRING;
        }
        return b.length % 4 == 0 && !labelMidCell ? Kind.TYPE_UINT32 : Kind.TYPE_UINT8;
    }

    private static String opener(Kind k) {
        return switch (k) {
            case TYPE_UINT8 -> "[";
            case TYPE_UINT16 -> "/bits/ 16 <";
            case TYPE_UINT32 -> "<";
            case TYPE_UINT64 -> "/bits/ 64 <";
            default -> "";
        };
    }

    private static String closer(Kind k) {
        return switch (k) {
            case TYPE_UINT8 -> "]";
            case TYPE_UINT16, TYPE_UINT32, TYPE_UINT64 -> ">";
            default -> "";
        };
    }

    private static void writeBytes(StringBuilder out, Kind k, byte[] b, int from, int to) {
        if (from >= to) {
            return;
        }
        if (k == Kind.TYPE_STRING) {
            writeString(out, b, from, to);
            return;
        }
        int width = k.elementSize();
        for (int i = from; i < to; i += width) {
            if (i > from) {
                out.append(' ');
            }
            // an element cut short by the end of the span is read from the bytes that are there
            long v = 0;
            int n = Math.min(width, to - i);
            for (int j = 0; j < n; j++) {
                v = (v << 8) | (b[i + j] & 0xff);
            }
            String h = Long.toHexString(v);
            if (width > 1) {
                out.append("0x");
            }
            if (h.length() < 2) {
                out.append('0');
            }
            out.append(h);
        }
    }

    /**
     * A quoted string; the span's final NUL is its terminator and is not written. dtc writes
     * other NULs as {@code \0}, which reads back wrong when an octal digit follows ("\02K" is
     * two bytes, not three); there, and only there, we write {@code \000} so the text compiles
     * back to the same bytes. Bytes above 0x7f come out as dtc writes them, sign-extended
     * ({@code \xffffff80}).
     */
    private static void writeString(StringBuilder out, byte[] b, int from, int to) {
        out.append('"');
        int end = b[to - 1] == 0 ? to - 1 : to;
        for (int i = from; i < end; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case 0 -> {
                    int next = i + 1 < end ? b[i + 1] & 0xff : -1;
                    out.append(next >= '0' && next <= '7' ? "\\000" : "\\0");
                }
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
                        out.append("\\x")
                                .append(c >= 0x80 ? "ffffff" : c < 0x10 ? "0" : "")
                                .append(Integer.toHexString(c));
                    }
                }
            }
        }
        out.append('"');
    }
}
