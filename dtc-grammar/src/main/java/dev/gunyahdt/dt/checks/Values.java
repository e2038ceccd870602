package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.nio.charset.StandardCharsets;

/** Small readings of property values the way dtc's checks read them. */
final class Values {

    private Values() {}

    /** Exactly one NUL-terminated string (any bytes but NUL inside). */
    static boolean isOneString(PropertyValue v) {
        int n = v.length();
        if (n == 0 || v.byteAt(n - 1) != 0) {
            return false;
        }
        for (int i = 0; i < n - 1; i++) {
            if (v.byteAt(i) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Zero or more NUL-terminated strings (empty strings allowed, as dtc allows them). */
    static boolean isStringList(PropertyValue v) {
        return v.length() == 0 || v.byteAt(v.length() - 1) == 0;
    }

    /** The value read as a C string: bytes up to the first NUL; "(null)" for an empty value. */
    static String cString(PropertyValue v) {
        if (v.length() == 0) {
            return "(null)";
        }
        return v.asString();
    }

    /** Big-endian cell {@code i}, or 0 past the end (dtc would read whatever follows). */
    static long cell(PropertyValue v, int i) {
        int off = 4 * i;
        return off + 4 <= v.length() ? v.cellAt(off) : 0;
    }

    /** dtc's propval_cell: the first cell as a signed int. */
    static int cellInt(Property p) {
        return (int) cell(p.value(), 0);
    }

    static boolean hasRefPhandleAt(PropertyValue v, int offset) {
        for (Marker m : v.markers()) {
            if (m.kind() == Marker.Kind.REF_PHANDLE && m.offset() == offset) {
                return true;
            }
        }
        return false;
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An ASCII character set for {@link #firstNotIn}. */
    static boolean[] charSet(String chars) {
        boolean[] set = new boolean[128];
        for (int i = 0; i < chars.length(); i++) {
            set[chars.charAt(i)] = true;
        }
        return set;
    }

    /** Index of the first char of {@code s} not in {@code allowed}, or -1. */
    static int firstNotIn(String s, boolean[] allowed) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !allowed[c]) {
                return i;
            }
        }
        return -1;
    }
}
