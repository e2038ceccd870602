package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.guest.GuestDt.Range;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The RAM a guest may use, learned as Linux's early memblock setup learns it — only from its devicetree and its
 * boot registers: every {@code device_type = "memory"} range, less each {@code /reserved-memory} region, the DTB
 * at X0 and the image at the entry point. Scratch buffers (the RPC buffer, message buffers) come from it
 * first-fit, page-aligned, lowest address first. Mutable: it hands out what it has.
 */
final class GuestRam {
    static final long PAGE = 0x1000;
    /**
     * What the image at the entry point occupies: the model's image is Java code, so this is the 2 MiB an arm64
     * kernel image is aligned to and reserves at the least.
     */
    static final long IMAGE_FOOTPRINT = 0x20_0000;

    private final List<Range> memory;
    private final List<Range> free = new ArrayList<>();

    private GuestRam(List<Range> memory, List<Range> taken) {
        this.memory = List.copyOf(memory);
        for (Range m : memory) {
            free.add(pageAligned(m));
        }
        for (Range t : taken) {
            remove(t);
        }
        free.sort(Comparator.comparingLong(Range::base));
    }

    /** From the DT's memory and reserved ranges, the DTB at {@code dtbIpa} ({@code dtbSize} bytes), the image at {@code entry}. */
    static GuestRam of(GuestDt dt, long dtbIpa, long dtbSize, long entry) {
        List<Range> taken = new ArrayList<>(dt.reserved());
        taken.add(new Range(dtbIpa, dtbSize));
        taken.add(new Range(entry, IMAGE_FOOTPRINT));
        return new GuestRam(dt.memory(), taken);
    }

    /** Whether [at, at+size) lies in one memory range. */
    boolean inMemory(long at, long size) {
        return memory.stream().anyMatch(r -> r.covers(at, size));
    }

    /** Bytes still free. */
    long freeBytes() {
        return free.stream().mapToLong(Range::size).sum();
    }

    /** A page-aligned area of {@code size} bytes (rounded up to pages) taken from the free RAM; empty when none fits. */
    OptionalLong alloc(long size) {
        long want = (size + PAGE - 1) & -PAGE;
        for (Range r : free) {
            if (r.size() >= want) {
                remove(new Range(r.base(), want));
                return OptionalLong.of(r.base());
            }
        }
        return OptionalLong.empty();
    }

    private static Range pageAligned(Range r) {
        long base = (r.base() + PAGE - 1) & -PAGE;
        long end = (r.base() + r.size()) & -PAGE;
        return new Range(base, Math.max(0, end - base));
    }

    private void remove(Range t) {
        long tEnd = t.base() + t.size();
        List<Range> out = new ArrayList<>();
        for (Range r : free) {
            long end = r.base() + r.size();
            if (tEnd <= r.base() || t.base() >= end) {
                out.add(r);
                continue;
            }
            if (t.base() > r.base()) {
                out.add(new Range(r.base(), (t.base() & -PAGE) - r.base()));
            }
            long after = (tEnd + PAGE - 1) & -PAGE;
            if (after < end) {
                out.add(new Range(after, end - after));
            }
        }
        free.clear();
        out.stream().filter(r -> r.size() > 0).forEach(free::add);
        free.sort(Comparator.comparingLong(Range::base));
    }
}
