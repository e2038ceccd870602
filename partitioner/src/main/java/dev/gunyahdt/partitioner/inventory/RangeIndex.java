package dev.gunyahdt.partitioner.inventory;

import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import java.util.Collection;
import java.util.List;

/**
 * "Is this address (or this whole range) inside one of these ranges?" in log n: the ranges
 * sorted by base, each with the highest last address among it and the ranges before it. The
 * ranges may overlap; empty ones hold nothing. Answers exactly what a pass over all of them with
 * {@link Range#contains} would, for boards with thousands of memory ranges.
 */
public final class RangeIndex {

    private final long[] bases;
    private final long[] reach;

    private RangeIndex(List<Range> sorted) {
        bases = new long[sorted.size()];
        reach = new long[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            bases[i] = sorted.get(i).base();
            long last = sorted.get(i).last();
            reach[i] = i > 0 && Long.compareUnsigned(reach[i - 1], last) > 0 ? reach[i - 1] : last;
        }
    }

    public static RangeIndex of(Collection<Range> ranges) {
        return new RangeIndex(
                ranges.stream().filter(r -> r.size() != 0).sorted().toList());
    }

    /** Some range contains {@code address}. */
    public boolean contains(long address) {
        return holds(address, address);
    }

    /** One range contains all of {@code r} (never true for an empty {@code r}). */
    public boolean holds(Range r) {
        return r.size() != 0 && holds(r.base(), r.last());
    }

    // the ranges starting at or below first: does the furthest-reaching one get to last?
    private boolean holds(long first, long last) {
        int lo = 0;
        int hi = bases.length - 1;
        int at = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(bases[mid], first) <= 0) {
                at = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return at >= 0 && Long.compareUnsigned(reach[at], last) >= 0;
    }
}
