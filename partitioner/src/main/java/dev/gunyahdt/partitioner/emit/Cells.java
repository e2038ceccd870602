package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;

import java.util.Collection;
import java.util.List;

/** Property values in the cell sizes of the tree they go into. */
final class Cells {

    private Cells() {
    }

    /** {@code (base, size)} pairs encoded with {@code acells}/{@code scells} (each 1 or 2). */
    static PropertyValue ranges(int acells, int scells, List<Range> ranges) {
        PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        for (Range r : ranges) {
            number(b, acells, r.base());
            number(b, scells, r.size());
        }
        return b.build();
    }

    static void number(PropertyValue.Builder b, int cells, long v) {
        if (cells == 2) {
            b.uint(v >>> 32, 4);
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
