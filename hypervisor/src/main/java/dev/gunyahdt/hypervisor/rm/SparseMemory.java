package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.GuestMemory;

import java.util.HashMap;
import java.util.Map;

/**
 * A VM's RAM by IPA, [base, base + size), stored as 4 KiB pages allocated on first write (a 1 GiB VM costs only
 * the pages it touches). Reads of untouched pages give zeros. Stands in for memory extents and address spaces
 * until they exist: IPA = the VM's own view, no stage-2 translation, no ownership checks.
 */
public final class SparseMemory implements GuestMemory {
    private static final int PAGE = 4096;
    private final long base;
    private final long size;
    private final Map<Long, byte[]> pages = new HashMap<>();

    public SparseMemory(long base, long size) {
        if (base < 0 || size < 0 || base + size < base) {
            throw new IllegalArgumentException("bad range");
        }
        this.base = base;
        this.size = size;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** Whether [ipa, ipa + len) lies inside this RAM. */
    public boolean contains(long ipa, long len) {
        return len >= 0 && ipa >= base && ipa - base <= size - len;
    }

    @Override
    public byte[] read(long va, int len) {
        if (!contains(va, len)) {
            return null;
        }
        byte[] out = new byte[len];
        for (int i = 0; i < len; ) {
            long a = va + i;
            long page = a / PAGE;
            int off = (int) (a % PAGE);
            int n = Math.min(len - i, PAGE - off);
            byte[] p = pages.get(page);
            if (p != null) {
                System.arraycopy(p, off, out, i, n);
            }
            i += n;
        }
        return out;
    }

    @Override
    public boolean write(long va, byte[] data) {
        if (!contains(va, data.length)) {
            return false;
        }
        for (int i = 0; i < data.length; ) {
            long a = va + i;
            long page = a / PAGE;
            int off = (int) (a % PAGE);
            int n = Math.min(data.length - i, PAGE - off);
            System.arraycopy(data, i, pages.computeIfAbsent(page, k -> new byte[PAGE]), off, n);
            i += n;
        }
        return true;
    }
}
