package dev.gunyahdt.dt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A property's value: the bytes that go into the blob, plus markers saying what the source
 * meant by them. Immutable; builders return new values.
 */
public final class PropertyValue {

    public static final PropertyValue EMPTY = new PropertyValue(new byte[0], List.of());

    private final byte[] bytes;
    private final List<Marker> markers;

    private PropertyValue(byte[] bytes, List<Marker> markers) {
        this.bytes = bytes;
        this.markers = markers;
    }

    /** A value from raw bytes (copied) and markers (ordered by offset). */
    public static PropertyValue of(byte[] bytes, List<Marker> markers) {
        return new PropertyValue(bytes.clone(), List.copyOf(markers));
    }

    /** Raw bytes with no markers, as read from a blob. */
    public static PropertyValue ofBytes(byte[] bytes) {
        return new PropertyValue(bytes.clone(), List.of());
    }

    /** One NUL-terminated string, typed as a string. */
    public static PropertyValue ofString(String s) {
        return builder().string(s).build();
    }

    /** NUL-terminated strings, one after another. */
    public static PropertyValue ofStrings(List<String> strings) {
        Builder b = builder();
        for (String s : strings) {
            b.string(s);
        }
        return b.build();
    }

    /** 32-bit big-endian cells. */
    public static PropertyValue ofCells(long... cells) {
        Builder b = builder().type(Marker.Kind.TYPE_UINT32);
        for (long c : cells) {
            b.uint(c, 4);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The byte at {@code i}, unsigned. */
    public int byteAt(int i) {
        return bytes[i] & 0xff;
    }

    public List<Marker> markers() {
        return markers;
    }

    public boolean hasMarker(Marker.Kind kind) {
        for (Marker m : markers) {
            if (m.kind() == kind) {
                return true;
            }
        }
        return false;
    }

    /** Big-endian 32-bit cell at byte offset {@code off}. */
    public long cellAt(int off) {
        return ((bytes[off] & 0xffL) << 24)
                | ((bytes[off + 1] & 0xffL) << 16)
                | ((bytes[off + 2] & 0xffL) << 8)
                | (bytes[off + 3] & 0xffL);
    }

    /** The value as a single cell, or -1 when it is not exactly 4 bytes. */
    public long asCell() {
        return bytes.length == 4 ? cellAt(0) : -1;
    }

    /** The value read as consecutive 32-bit cells (trailing bytes ignored). */
    public long[] cells() {
        long[] out = new long[bytes.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = cellAt(4 * i);
        }
        return out;
    }

    /** The first NUL-terminated string, or the whole value when it has no NUL. */
    public String asString() {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** The value split at NULs (a trailing NUL ends the last string). */
    public List<String> asStrings() {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                out.add(new String(bytes, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            out.add(new String(bytes, start, bytes.length - start, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    /** True when the value is one or more non-empty NUL-terminated strings of printable chars. */
    public boolean isStringList() {
        if (bytes.length == 0 || bytes[bytes.length - 1] != 0) {
            return false;
        }
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (i == start) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    /** This value with bytes {@code [offset, offset+replacement.length)} overwritten. */
    public PropertyValue withBytesAt(int offset, byte[] replacement) {
        byte[] copy = bytes.clone();
        System.arraycopy(replacement, 0, copy, offset, replacement.length);
        return new PropertyValue(copy, markers);
    }

    /** This value with a big-endian cell written at {@code offset}. */
    public PropertyValue withCellAt(int offset, long cell) {
        return withBytesAt(
                offset, new byte[] {(byte) (cell >>> 24), (byte) (cell >>> 16), (byte) (cell >>> 8), (byte) cell});
    }

    /** This value with each {@code [offset, cell]} written as a big-endian cell, in one copy. */
    public PropertyValue withCellsAt(List<long[]> cells) {
        byte[] copy = bytes.clone();
        for (int i = 0; i < cells.size(); i++) {
            int off = (int) cells.get(i)[0];
            long cell = cells.get(i)[1];
            copy[off] = (byte) (cell >>> 24);
            copy[off + 1] = (byte) (cell >>> 16);
            copy[off + 2] = (byte) (cell >>> 8);
            copy[off + 3] = (byte) cell;
        }
        return new PropertyValue(copy, markers);
    }

    /** This value with the markers replaced. */
    public PropertyValue withMarkers(List<Marker> newMarkers) {
        return new PropertyValue(bytes, List.copyOf(newMarkers));
    }

    /** Concatenation: {@code other}'s markers move by this value's length. */
    public PropertyValue concat(PropertyValue other) {
        return builder().append(this).append(other).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PropertyValue v && Arrays.equals(bytes, v.bytes) && markers.equals(v.markers);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + markers.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.append("] ").append(markers).toString();
    }

    /** Accumulates bytes and markers; used by the parser, the blob reader and rewrites. */
    public static final class Builder {
        private byte[] buf = new byte[16];
        private int len;
        private final List<Marker> markers = new ArrayList<>();

        public int length() {
            return len;
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }

        public Builder bytes(byte[] b) {
            return bytes(b, 0, b.length);
        }

        public Builder bytes(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
            return this;
        }

        public Builder u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
            return this;
        }

        /** Appends {@code v} big-endian in {@code size} bytes (1, 2, 4 or 8), truncating. */
        public Builder uint(long v, int size) {
            ensure(size);
            for (int i = size - 1; i >= 0; i--) {
                buf[len++] = (byte) (v >>> (8 * i));
            }
            return this;
        }

        /** Appends a string typed marker, the ISO-8859-1 bytes of {@code s} and a NUL. */
        public Builder string(String s) {
            type(Marker.Kind.TYPE_STRING);
            return bytes(s.getBytes(StandardCharsets.ISO_8859_1)).u8(0);
        }

        /** Adds a marker at the current end. */
        public Builder marker(Marker.Kind kind, String ref) {
            markers.add(new Marker(len, kind, ref));
            return this;
        }

        public Builder type(Marker.Kind kind) {
            return marker(kind, null);
        }

        public Builder label(String name) {
            return marker(Marker.Kind.LABEL, name);
        }

        /** Appends another value, shifting its markers. */
        public Builder append(PropertyValue v) {
            int base = len;
            bytes(v.bytes);
            for (Marker m : v.markers) {
                markers.add(m.withOffset(m.offset() + base));
            }
            return this;
        }

        public PropertyValue build() {
            return new PropertyValue(Arrays.copyOf(buf, len), List.copyOf(markers));
        }
    }
}
