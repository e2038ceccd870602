package dev.gunyahdt.hypervisor.memory;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.device.MmioDevice;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Physical memory (§7.1): who owns each page — exactly one partition or memextent — and the bytes of the
 * pages that were ever written (others read as zero). Ranges are kept as [start, end) runs, so a 2 GiB
 * DDR costs one entry until it is carved up.
 */
public final class MemDb {
    /** 4 KiB granule on the QEMU build (§13). */
    public static final long PAGE = 4096;
    /** 36-bit physical and VM address space (§13). */
    public static final long ADDR_LIMIT = 1L << 36;

    /**
     * The range checks of the memory calls: page-aligned base and size (ARGUMENT_ALIGNMENT), a non-zero size
     * (ARGUMENT_SIZE), inside [0, limit) (ADDR_OVERFLOW).
     */
    static HypError rangeError(long base, long size, long limit) {
        if (base % PAGE != 0 || size % PAGE != 0) {
            return HypError.ARGUMENT_ALIGNMENT;
        }
        if (size == 0) {
            return HypError.ARGUMENT_SIZE;
        }
        if (base < 0 || size < 0 || base > limit - size) {
            return HypError.ADDR_OVERFLOW;
        }
        return HypError.OK;
    }

    private record Run(long end, Object owner) {}

    private final TreeMap<Long, Run> runs = new TreeMap<>();
    private final Map<Long, byte[]> pages = new HashMap<>();
    /** Device register blocks by base: [base, base+size) answered by the device, not by RAM pages. */
    private final TreeMap<Long, Device> devices = new TreeMap<>();

    private record Device(long end, MmioDevice device) {}

    /** Virtual devices by the base of the extent they are attached to ({@code vdevice_attach_phys}). */
    private final TreeMap<Long, Vdevice> vdevices = new TreeMap<>();

    private record Vdevice(long end, VdeviceAccess access) {}

    /** vdevice_attach_phys: BUSY when a vdevice already holds any page of [base, base+size). */
    boolean attachVdevice(long base, long size, VdeviceAccess access) {
        Map.Entry<Long, Vdevice> below = vdevices.lowerEntry(base + size);
        if (below != null && below.getValue().end > base) {
            return false;
        }
        vdevices.put(base, new Vdevice(base + size, access));
        return true;
    }

    void detachVdevice(long base, VdeviceAccess access) {
        Vdevice v = vdevices.get(base);
        if (v != null && v.access == access) {
            vdevices.remove(base);
        }
    }

    /** The vdevice holding {@code pa}, as {base, handler}, or null. */
    Map.Entry<Long, VdeviceAccess> vdeviceAt(long pa) {
        Map.Entry<Long, Vdevice> e = vdevices.floorEntry(pa);
        return e != null && pa < e.getValue().end ? Map.entry(e.getKey(), e.getValue().access) : null;
    }

    /** A device's register block at [base, base+size) on the physical bus. */
    public void attachDevice(long base, long size, MmioDevice device) {
        devices.put(base, new Device(base + size, device));
    }

    private Map.Entry<Long, Device> deviceAt(long pa) {
        Map.Entry<Long, Device> e = devices.floorEntry(pa);
        return e != null && pa < e.getValue().end ? e : null;
    }

    /** Hands [base, base+size) to {@code owner} (boot: DDR to the root partition). */
    public void seed(long base, long size, Object owner) {
        assign(base, base + size, owner);
    }

    /** Hands the parts of [base, base+size) that nobody owns to {@code owner} (a board's RAM beyond the QEMU DDR). */
    public void seedFree(long base, long size, Object owner) {
        long at = base;
        long end = base + size;
        while (at < end) {
            Map.Entry<Long, Run> e = runs.floorEntry(at);
            if (e != null && at < e.getValue().end) {
                at = e.getValue().end;
                continue;
            }
            Long next = runs.higherKey(at);
            long stop = next == null ? end : Math.min(end, next);
            assign(at, stop, owner);
            at = stop;
        }
    }

    /** The owner of the page holding {@code pa}, or null. */
    public Object ownerOf(long pa) {
        Map.Entry<Long, Run> e = runs.floorEntry(pa);
        return e != null && pa < e.getValue().end ? e.getValue().owner : null;
    }

    /** Whether every page of [base, base+size) is owned by {@code owner} (size 0: true). */
    boolean ownedBy(long base, long size, Object owner) {
        long at = base;
        long end = base + size;
        while (at < end) {
            Map.Entry<Long, Run> e = runs.floorEntry(at);
            if (e == null || at >= e.getValue().end || e.getValue().owner != owner) {
                return false;
            }
            at = e.getValue().end;
        }
        return true;
    }

    /** Moves [base, base+size) from {@code from} to {@code to}; false (nothing moves) if {@code from} does not own it all. */
    boolean transfer(long base, long size, Object from, Object to) {
        if (!ownedBy(base, size, from)) {
            return false;
        }
        assign(base, base + size, to);
        return true;
    }

    /** Every run {@code from} owns inside [base, base+size) goes back to {@code to} (an extent is destroyed). */
    void returnAll(long base, long size, Object from, Object to) {
        for (Map.Entry<Long, Run> e : new TreeMap<>(runs.subMap(base, base + size)).entrySet()) {
            if (e.getValue().owner == from) {
                assign(e.getKey(), e.getValue().end, to);
            }
        }
    }

    /**
     * memextent_do_clean with the zero flag: the pages of [base, base+size) that {@code owner} owns read as zero
     * again (pages it does not own are skipped, as memdb_range_walk skips them). Device registers are not pages.
     */
    void zeroOwned(long base, long size, Object owner) {
        pages.keySet().removeIf(page -> {
            long pa = page * PAGE;
            return pa >= base && pa - base < size && ownerOf(pa) == owner;
        });
    }

    private void assign(long start, long end, Object owner) {
        split(start);
        split(end);
        runs.subMap(start, end).clear();
        runs.put(start, new Run(end, owner));
        merge(start);
        merge(end);
    }

    /** Make {@code at} a run boundary. */
    private void split(long at) {
        Map.Entry<Long, Run> e = runs.lowerEntry(at);
        if (e != null && e.getValue().end > at) {
            runs.put(e.getKey(), new Run(at, e.getValue().owner));
            runs.put(at, new Run(e.getValue().end, e.getValue().owner));
        }
    }

    /** Join the run starting at {@code at} with the one ending there if they have the same owner. */
    private void merge(long at) {
        Map.Entry<Long, Run> prev = runs.lowerEntry(at);
        Run next = runs.get(at);
        if (prev != null && next != null && prev.getValue().end == at && prev.getValue().owner == next.owner) {
            runs.remove(at);
            runs.put(prev.getKey(), new Run(next.end, next.owner));
        }
    }

    byte[] read(long pa, int len) {
        byte[] out = new byte[len];
        Map.Entry<Long, Device> d = deviceAt(pa);
        if (d != null) {
            // little-endian bytes of the registers the access covers
            for (int i = 0; i < len; i++) {
                long off = pa + i - d.getKey();
                out[i] = (byte) (d.getValue().device.read(off & ~3L) >>> (8 * (off & 3)));
            }
            return out;
        }
        for (int i = 0; i < len; ) {
            long page = (pa + i) / PAGE;
            int off = (int) ((pa + i) % PAGE);
            int n = (int) Math.min(len - i, PAGE - off);
            byte[] p = pages.get(page);
            if (p != null) {
                System.arraycopy(p, off, out, i, n);
            }
            i += n;
        }
        return out;
    }

    void write(long pa, byte[] data) {
        Map.Entry<Long, Device> d = deviceAt(pa);
        if (d != null) {
            // whole registers only (a driver's 32-bit str); a partial write of a register is dropped
            for (int i = 0; i + 4 <= data.length; i += 4) {
                long off = pa + i - d.getKey();
                int v = (data[i] & 0xFF) | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF) << 16 | data[i + 3] << 24;
                d.getValue().device.write(off, v);
            }
            return;
        }
        for (int i = 0; i < data.length; ) {
            long page = (pa + i) / PAGE;
            int off = (int) ((pa + i) % PAGE);
            int n = (int) Math.min(data.length - i, PAGE - off);
            if (n == PAGE && allZero(data, i, n)) {
                pages.remove(page); // a page of zeros is no page (sanitising large parcels stays sparse)
            } else {
                System.arraycopy(data, i, pages.computeIfAbsent(page, k -> new byte[(int) PAGE]), off, n);
            }
            i += n;
        }
    }

    private static boolean allZero(byte[] data, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** One line: every run and its owner, and how many pages hold data. */
    public String snapshot() {
        StringBuilder sb = new StringBuilder("memdb");
        runs.forEach((s, r) -> sb.append(' ')
                .append(Long.toHexString(s))
                .append('-')
                .append(Long.toHexString(r.end))
                .append(':')
                .append(r.owner));
        return sb.append(" written=").append(pages.size()).toString();
    }
}
