package dev.gunyahdt.hypervisor.rm;

import java.util.BitSet;

/**
 * One VM's VIRQ numbers as the RM hands them out (reference §6.3): the lowest free INTID from the base (960 for
 * every VM but the RM's own, which starts at 32) up to 1019, no wrap below the base. Explicit numbers from a
 * config are reserved instead. Running out is the RM's NORESOURCE.
 */
public final class VirqAllocator {
    public static final int VM_BASE = 960;
    public static final int RM_BASE = 32;
    public static final int LAST_SPI = 1019;

    private final int first;
    private final BitSet used = new BitSet();

    public VirqAllocator(int first) {
        this.first = first;
    }

    /** The lowest free number, now taken; -1 when none is left. */
    public int allocate() {
        int n = used.nextClearBit(first);
        if (n > LAST_SPI) {
            return -1;
        }
        used.set(n);
        return n;
    }

    /** Takes a config-given number; false when it is already taken. */
    public boolean reserve(int virq) {
        if (used.get(virq)) {
            return false;
        }
        used.set(virq);
        return true;
    }

    public void release(int virq) {
        used.clear(virq);
    }

    public int inUse() {
        return used.cardinality();
    }
}
