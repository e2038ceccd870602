package dev.gunyahdt.dt.spec;

import java.math.BigInteger;

/** Big-endian cell readers: the byte order of every devicetree value and of the blob's header. */
public final class Cells {

    private Cells() {
    }

    /** The unsigned 32-bit big-endian value at byte offset {@code off}. */
    public static long u32(byte[] b, int off) {
        return ((b[off] & 0xffL) << 24) | ((b[off + 1] & 0xffL) << 16) | ((b[off + 2] & 0xffL) << 8)
                | (b[off + 3] & 0xffL);
    }

    /** The 64-bit big-endian value at byte offset {@code off}. */
    public static long u64(byte[] b, int off) {
        return u32(b, off) << 32 | u32(b, off + 4);
    }

    /** {@code count} cells from {@code from} as one number, high cell first; cells beyond two shift out. */
    public static long join(long[] cells, int from, int count) {
        long v = 0;
        for (int i = from; i < from + count; i++) {
            v = v << 32 | cells[i];
        }
        return v;
    }

    /** {@code count} cells from {@code from} as one number of any width. */
    public static BigInteger number(long[] cells, int from, int count) {
        BigInteger v = BigInteger.ZERO;
        for (int i = from; i < from + count; i++) {
            v = v.shiftLeft(32).or(BigInteger.valueOf(cells[i]));
        }
        return v;
    }

    /** {@code v} written as {@code count} cells, or null when it does not fit. */
    public static long[] split(BigInteger v, int count) {
        if (v.signum() < 0 || v.bitLength() > 32 * count) {
            return null;
        }
        long[] out = new long[count];
        for (int i = count - 1; i >= 0; i--) {
            out[i] = v.longValue() & 0xffffffffL;
            v = v.shiftRight(32);
        }
        return out;
    }

    /** Cells read in pairs as 64-bit values (a trailing odd cell is ignored): Gunyah's CapIDs in {@code reg}. */
    public static long[] pairs(long[] cells) {
        long[] out = new long[cells.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = join(cells, 2 * i, 2);
        }
        return out;
    }
}
