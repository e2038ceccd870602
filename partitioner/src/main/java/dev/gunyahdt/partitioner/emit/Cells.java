package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import java.util.Collection;
import java.util.List;

/** Property values in the cell sizes of the tree they go into. */
final class Cells {

    private Cells() {}

    /** With one size cell, a range of 4 GiB or more is written as pieces of this size. */
    static final long ONE_CELL_PIECE = 0x80000000L;

    /**
     * {@code (base, size)} pairs encoded with {@code acells}/{@code scells} (each 1 or 2). With
     * one size cell a range of 4 GiB or more becomes several 2 GiB pieces, which say the same.
     */
    static PropertyValue ranges(int acells, int scells, List<Range> ranges) {
        PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        for (Range r : ranges) {
            long base = r.base();
            long left = r.size();
            while (scells == 1 && Long.compareUnsigned(left, 0xffffffffL) > 0) {
                number(b, acells, base);
                number(b, scells, ONE_CELL_PIECE);
                base += ONE_CELL_PIECE;
                left -= ONE_CELL_PIECE;
            }
            number(b, acells, base);
            number(b, scells, left);
        }
        return b.build();
    }

    /** {@code v} as {@code cells} (1 or 2) big-endian cells; a value that does not fit is an {@link ConfigEmitter.EmitException}. */
    static void number(PropertyValue.Builder b, int cells, long v) {
        if (cells == 2) {
            b.uint(v >>> 32, 4);
        } else if (v >>> 32 != 0) {
            throw new ConfigEmitter.EmitException(
                    String.format("0x%x does not fit in one cell (the tree's #address-cells/#size-cells is 1)", v));
        }
        b.uint(v & 0xffffffffL, 4);
    }

    static PropertyValue u32s(Collection<? extends Number> values) {
        long[] cells = values.stream().mapToLong(Number::longValue).toArray();
        return PropertyValue.ofCells(cells);
    }

    static Property u32(String name, long v) {
        return Property.of(name, PropertyValue.ofCells(v));
    }

    static Property str(String name, String v) {
        return Property.of(name, PropertyValue.ofString(v));
    }

    static Property strs(String name, List<String> v) {
        return Property.of(name, PropertyValue.ofStrings(v));
    }

    static Property flag(String name) {
        return Property.of(name, PropertyValue.EMPTY);
    }
}
