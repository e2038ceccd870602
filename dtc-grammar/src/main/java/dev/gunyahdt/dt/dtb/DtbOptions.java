package dev.gunyahdt.dt.dtb;

import dev.gunyahdt.dt.diag.DtException;

/**
 * How a blob is laid out, as dtc's {@code -V}, {@code -R}, {@code -S}, {@code -p} and {@code -a}
 * set it.
 *
 * @param version        blob version: 17 (default), 16, or the old 1, 2, 3
 * @param reserveEntries extra empty memory-reserve slots after the real entries ({@code -R})
 * @param minSize        the blob is padded with zeros to at least this size ({@code -S}); 0 = none
 * @param padding        this many zero bytes are added at the end ({@code -p}); 0 = none
 * @param align          the total size is rounded up to a multiple of this power of two
 *                       ({@code -a}); 0 = none
 */
public record DtbOptions(int version, int reserveEntries, int minSize, int padding, int align) {

    public DtbOptions {
        if (!isWritableVersion(version)) {
            throw new DtException("Unknown device tree blob version " + version);
        }
        if (reserveEntries < 0) {
            throw new DtException("Invalid number of reserve map entries " + reserveEntries);
        }
        if (minSize < 0 || padding < 0) {
            throw new DtException("Invalid blob size or padding (negative)");
        }
        if (minSize != 0 && padding != 0) {
            throw new DtException("Can't set both -p and -S");
        }
        if (align < 0 || (align & (align - 1)) != 0) {
            throw new DtException("Invalid argument \"" + align + "\" to -a option");
        }
    }

    public static DtbOptions defaults() {
        return new DtbOptions(17, 0, 0, 0, 0);
    }

    public DtbOptions withVersion(int v) {
        return new DtbOptions(v, reserveEntries, minSize, padding, align);
    }

    /** The versions dtc 1.6.1 can write. */
    static boolean isWritableVersion(int v) {
        return v == 1 || v == 2 || v == 3 || v == 16 || v == 17;
    }
}
