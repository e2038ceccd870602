package dev.gunyahdt.hypervisor.rm.ipa;

import dev.gunyahdt.hypervisor.rm.ipa.IpaRefused.Why;
import java.util.Map;
import java.util.TreeMap;

/**
 * The RM's generic address range allocator ([RM] {@code src/utils/address_range_allocator.c} over
 * {@code range_list.c}), immutable: every change returns a new allocator, so a caller that fails half-way keeps the
 * old one. The space is a list of free ranges, each untagged or tagged; a tagged range is taken from the free list
 * for "any" requests and has a free list of its own, from which only fixed requests inside it allocate. Adjacent
 * free ranges with the same tag are one range, so a fixed request may not straddle a tag boundary.
 */
final class AddressRanges {
    static final long ANY = -1;
    static final long PAGE = 4096;
    static final int NO_TAG = 0;

    private final long base;
    private final long size;
    /** Free ranges: start → {end, tag}; merged when adjacent with equal tags. */
    private final TreeMap<Long, long[]> free;
    /** Per tag, the free part of its tagged ranges: start → end. */
    private final Map<Integer, TreeMap<Long, Long>> tagged;

    private AddressRanges(long base, long size, TreeMap<Long, long[]> free, Map<Integer, TreeMap<Long, Long>> tagged) {
        this.base = base;
        this.size = size;
        this.free = free;
        this.tagged = tagged;
    }

    /** address_range_allocator_init: page aligned, at least a page, below 2^52. */
    static AddressRanges of(long base, long size) {
        if (base < 0 || size < PAGE || base % PAGE != 0 || size % PAGE != 0 || base + size > 1L << 52) {
            throw new IllegalArgumentException(
                    "address range 0x" + Long.toHexString(base) + "+0x" + Long.toHexString(size));
        }
        TreeMap<Long, long[]> free = new TreeMap<>();
        free.put(base, new long[] {base + size, NO_TAG});
        return new AddressRanges(base, size, free, new TreeMap<>());
    }

    long base() {
        return base;
    }

    long size() {
        return size;
    }

    /** A placed range and the allocator after it. */
    record Placed(AddressRanges ranges, long base, int tag) {}

    /**
     * address_range_allocator_alloc: {@code at == ANY} takes the lowest aligned untagged free range (first fit);
     * else exactly [at, at+len), from the tag's own list when it lies in a tagged range.
     */
    Placed alloc(long at, long len, long align) {
        if ((at != ANY && (!inside(at, len) || at % PAGE != 0)) || len < PAGE || len % PAGE != 0) {
            throw refused(Why.ARGUMENT_INVALID, "range 0x" + Long.toHexString(at) + "+0x" + Long.toHexString(len));
        }
        long a = align == 0 ? PAGE : align;
        Mutable m = mutable();
        if (at == ANY) {
            long got = m.takeAny(len, a);
            return new Placed(m.freeze(), got, NO_TAG);
        }
        if (at % a != 0) {
            throw refused(
                    Why.ARGUMENT_INVALID, "0x" + Long.toHexString(at) + " is not aligned to 0x" + Long.toHexString(a));
        }
        Map.Entry<Long, long[]> hit = containing(free, at, len);
        if (hit != null && hit.getValue()[1] != NO_TAG) {
            // get_address_allocator: a request inside a tagged range allocates from that tag's list
            int tag = (int) hit.getValue()[1];
            TreeMap<Long, Long> list = m.tagged.get(tag);
            if (!takeFixed(list, at, len)) {
                throw refused(Why.NORESOURCES, "0x" + Long.toHexString(at) + " is taken in tagged range " + tag);
            }
            return new Placed(m.freeze(), at, tag);
        }
        if (hit == null) {
            throw refused(
                    Why.NORESOURCES, "0x" + Long.toHexString(at) + "+0x" + Long.toHexString(len) + " is not free");
        }
        m.split(hit.getKey(), at, len);
        return new Placed(m.freeze(), at, NO_TAG);
    }

    /** address_range_allocator_free: back to the tag's list when it lies in a tagged range, else the free list. */
    AddressRanges free(long at, long len) {
        if (at == ANY || at % PAGE != 0 || len < PAGE || len % PAGE != 0 || !inside(at, len)) {
            throw refused(Why.ARGUMENT_INVALID, "range 0x" + Long.toHexString(at) + "+0x" + Long.toHexString(len));
        }
        Mutable m = mutable();
        Map.Entry<Long, long[]> hit = containing(free, at, len);
        if (hit != null && hit.getValue()[1] != NO_TAG) {
            TreeMap<Long, Long> list = m.tagged.get((int) hit.getValue()[1]);
            if (overlaps(list, at, len)) {
                throw refused(
                        Why.ARGUMENT_INVALID, "0x" + Long.toHexString(at) + " is free already"); // asserts upstream
            }
            insert(list, at, len);
            return m.freeze();
        }
        if (overlapsFree(at, len)) {
            throw refused(Why.ARGUMENT_INVALID, "0x" + Long.toHexString(at) + " is free already"); // asserts upstream
        }
        m.putFree(at, at + len, NO_TAG);
        return m.freeze();
    }

    /**
     * address_range_allocator_tag_region: the first untagged free range that has an aligned start inside
     * [cbase, cbase+csize) and room for {@code len} from there becomes tagged — the range may run past the
     * constraint's end, as {@code range_list_find_range_by_region} measures the room to the free range's end.
     */
    Placed tagRegion(long cbase, long csize, long len, long align, int tag) {
        if (tag == NO_TAG || len < PAGE || len % PAGE != 0 || align < PAGE || Long.bitCount(align) != 1) {
            throw refused(Why.ARGUMENT_INVALID, "tag request");
        }
        if (cbase != ANY && (!inside(cbase, csize) || cbase % PAGE != 0 || csize < PAGE || csize % PAGE != 0)) {
            throw refused(
                    Why.ARGUMENT_INVALID, "constraint 0x" + Long.toHexString(cbase) + "+0x" + Long.toHexString(csize));
        }
        long lo = cbase == ANY ? base : cbase;
        long hi = cbase == ANY ? base + size : cbase + csize;
        for (Map.Entry<Long, long[]> e : free.entrySet()) {
            long start = e.getKey();
            long end = e.getValue()[0];
            if (e.getValue()[1] != NO_TAG || end <= lo || hi <= start) {
                continue;
            }
            long at = alignUp(Math.max(start, lo), align);
            if (at > Math.min(end, hi) - 1 || at >= end || end - at < len) {
                continue;
            }
            Mutable m = mutable();
            m.split(start, at, len);
            m.putFree(at, at + len, tag);
            insert(m.tagged.computeIfAbsent(tag, t -> new TreeMap<>()), at, len);
            return new Placed(m.freeze(), at, tag);
        }
        throw refused(Why.NORESOURCES, "no free range for 0x" + Long.toHexString(len) + " to tag");
    }

    /** address_range_allocator_untag: the range must be tagged {@code tag} and wholly unallocated. */
    AddressRanges untag(long at, long len, int tag) {
        if (at == ANY || at % PAGE != 0 || len < PAGE || len % PAGE != 0 || !inside(at, len)) {
            throw refused(Why.ARGUMENT_INVALID, "range 0x" + Long.toHexString(at) + "+0x" + Long.toHexString(len));
        }
        Map.Entry<Long, long[]> hit = containing(free, at, len);
        if (hit == null) {
            throw refused(Why.NORESOURCES, "0x" + Long.toHexString(at) + " is not tagged");
        }
        if (!tagged.containsKey(tag) || hit.getValue()[1] != tag) {
            throw refused(Why.ARGUMENT_INVALID, "0x" + Long.toHexString(at) + " is not tagged " + tag);
        }
        Mutable m = mutable();
        TreeMap<Long, Long> list = m.tagged.get(tag);
        if (!takeFixed(list, at, len)) {
            throw refused(Why.NORESOURCES, "part of 0x" + Long.toHexString(at) + " is allocated");
        }
        m.split(hit.getKey(), at, len);
        m.putFree(at, at + len, NO_TAG);
        if (m.free.values().stream().noneMatch(v -> v[1] == tag)) {
            m.tagged.remove(tag);
        }
        return m.freeze();
    }

    /** Whether [at, at+len) is free and untagged (nothing allocated or tagged there). */
    boolean isFree(long at, long len) {
        Map.Entry<Long, long[]> hit = containing(free, at, len);
        return hit != null && hit.getValue()[1] == NO_TAG;
    }

    private boolean inside(long at, long len) {
        return at >= base && len >= 0 && at - base <= size - len;
    }

    private boolean overlapsFree(long at, long len) {
        Map.Entry<Long, long[]> e = free.lowerEntry(at + len);
        return e != null && e.getValue()[0] > at;
    }

    private static Map.Entry<Long, long[]> containing(TreeMap<Long, long[]> list, long at, long len) {
        Map.Entry<Long, long[]> e = list.floorEntry(at);
        return e != null && e.getValue()[0] >= at + len ? e : null;
    }

    private static boolean overlaps(TreeMap<Long, Long> list, long at, long len) {
        Map.Entry<Long, Long> e = list.lowerEntry(at + len);
        return e != null && e.getValue() > at;
    }

    /** Takes [at, at+len) out of a plain free list when one free range holds it all. */
    private static boolean takeFixed(TreeMap<Long, Long> list, long at, long len) {
        Map.Entry<Long, Long> e = list.floorEntry(at);
        if (e == null || e.getValue() < at + len) {
            return false;
        }
        long start = e.getKey();
        long end = e.getValue();
        list.remove(start);
        if (start < at) {
            list.put(start, at);
        }
        if (at + len < end) {
            list.put(at + len, end);
        }
        return true;
    }

    private static void insert(TreeMap<Long, Long> list, long at, long len) {
        long start = at;
        long end = at + len;
        Map.Entry<Long, Long> left = list.floorEntry(start);
        if (left != null && left.getValue() == start) {
            start = left.getKey();
            list.remove(start);
        }
        Long right = list.get(end);
        if (right != null) {
            list.remove(end);
            end = right;
        }
        list.put(start, end);
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) / a * a;
    }

    private static IpaRefused refused(Why why, String message) {
        return new IpaRefused(why, message);
    }

    private Mutable mutable() {
        TreeMap<Long, long[]> f = new TreeMap<>();
        free.forEach((k, v) -> f.put(k, v.clone()));
        TreeMap<Integer, TreeMap<Long, Long>> t = new TreeMap<>();
        tagged.forEach((k, v) -> t.put(k, new TreeMap<>(v)));
        return new Mutable(f, t);
    }

    /** The working copy one operation changes before it is frozen into the next allocator. */
    private final class Mutable {
        final TreeMap<Long, long[]> free;
        final TreeMap<Integer, TreeMap<Long, Long>> tagged;

        Mutable(TreeMap<Long, long[]> free, TreeMap<Integer, TreeMap<Long, Long>> tagged) {
            this.free = free;
            this.tagged = tagged;
        }

        /** range_list_find_range with INVALID_ADDRESS: the first untagged range with an aligned start that fits. */
        long takeAny(long len, long align) {
            for (Map.Entry<Long, long[]> e : free.entrySet()) {
                long at = alignUp(e.getKey(), align);
                long end = e.getValue()[0];
                if (e.getValue()[1] == NO_TAG && at < end && end - at >= len) {
                    split(e.getKey(), at, len);
                    return at;
                }
            }
            throw refused(Why.NORESOURCES, "no free range of 0x" + Long.toHexString(len));
        }

        /** Removes [at, at+len) from the free range starting at {@code start}, keeping its head and tail. */
        void split(long start, long at, long len) {
            long[] r = free.remove(start);
            if (start < at) {
                free.put(start, new long[] {at, r[1]});
            }
            if (at + len < r[0]) {
                free.put(at + len, new long[] {r[0], r[1]});
            }
        }

        /** Adds a free range, merged with neighbours of the same tag (range_list_insert / _update). */
        void putFree(long start, long end, long tag) {
            Map.Entry<Long, long[]> left = free.lowerEntry(start);
            if (left != null && left.getValue()[0] == start && left.getValue()[1] == tag) {
                start = left.getKey();
                free.remove(start);
            }
            long[] right = free.get(end);
            if (right != null && right[1] == tag) {
                free.remove(end);
                end = right[0];
            }
            free.put(start, new long[] {end, tag});
        }

        AddressRanges freeze() {
            return new AddressRanges(base, size, free, tagged);
        }
    }
}
