package dev.gunyahdt.hypervisor.vic;

/**
 * How a VIC turns vCPU indexes into virtual MPIDRs and back ([HYP] {@code platform_mpidr_mapping_t},
 * {@code hyp/platform/arm_generic/aarch64/src/cpu.c}): affinity level n holds {@code (index >> shift[n]) & mask[n]},
 * plus the MT and U bits. Immutable.
 */
public final class MpidrMapping {
    /** MPIDR_EL1.MT (bit 24) and U (bit 30). */
    static final long MT = 1L << 24;

    static final long U = 1L << 30;
    /** The affinity fields of an MPIDR: Aff0 7:0, Aff1 15:8, Aff2 23:16, Aff3 39:32. */
    public static final long AFFINITY = 0xFF_00FF_FFFFL;
    /** CPU_INDEX_INVALID: a mapping must not be able to produce it, which limits it to 15 index bits. */
    private static final long CPU_INDEX_INVALID = 0xFFFF;

    /**
     * The QEMU platform's (config/arch/qemu-armv8-5a-rng.conf): Aff0 = index bits 2:0, the other levels 0; MT and U
     * as QEMU's physical MPIDR has them (clear). What a VIC starts with.
     */
    public static final MpidrMapping QEMU = new MpidrMapping(new int[4], new int[] {7, 0, 0, 0}, false, false);

    private final int[] shifts;
    private final int[] masks;
    private final boolean multiThread;
    private final boolean uniprocessor;

    private MpidrMapping(int[] shifts, int[] masks, boolean multiThread, boolean uniprocessor) {
        this.shifts = shifts.clone();
        this.masks = masks.clone();
        this.multiThread = multiThread;
        this.uniprocessor = uniprocessor;
    }

    /** Affinity level {@code level} (0..3) of {@code mpidr}. */
    static int aff(long mpidr, int level) {
        return (int) (mpidr >>> (level == 3 ? 32 : 8 * level)) & 0xFF;
    }

    /** platform_cpu_map_index_to_mpidr. */
    public long mpidrOf(int index) {
        long mpidr = 0;
        for (int level = 0; level < 4; level++) {
            long a = (index >>> shifts[level]) & masks[level];
            mpidr |= a << (level == 3 ? 32 : 8 * level);
        }
        return mpidr | (multiThread ? MT : 0) | (uniprocessor ? U : 0);
    }

    /** platform_cpu_map_mpidr_valid: no affinity bit outside its level's mask. */
    public boolean valid(long mpidr) {
        for (int level = 0; level < 4; level++) {
            if ((aff(mpidr, level) & ~masks[level]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** platform_cpu_map_mpidr_to_index (the masked affinities put back in place; no validity check). */
    public long indexOf(long mpidr) {
        long index = 0;
        for (int level = 0; level < 4; level++) {
            index |= (long) (aff(mpidr, level) & masks[level]) << shifts[level];
        }
        return index;
    }

    /**
     * vgic_set_mpidr_mapping's checks, or null (the call's ARGUMENT_INVALID): every shift below 32, the four masks'
     * output bits disjoint and together contiguous from bit 0 (no sparse mappings) and below CPU_INDEX_INVALID. The
     * uniprocessor bit is set when the mapping gives every vCPU the same MPIDR.
     */
    static MpidrMapping of(long mask, long[] shifts, boolean mt) {
        int[] masks = new int[4];
        int[] sh = new int[4];
        long indexMask = 0;
        for (int level = 0; level < 4; level++) {
            if (shifts[level] < 0 || shifts[level] >= 32) {
                return null;
            }
            masks[level] = aff(mask, level);
            sh[level] = (int) shifts[level];
            long field = (long) masks[level] << sh[level];
            if ((indexMask & field) != 0) {
                return null;
            }
            indexMask |= field;
        }
        if (((indexMask + 1) & indexMask) != 0 || indexMask >= CPU_INDEX_INVALID) {
            return null;
        }
        return new MpidrMapping(sh, masks, mt, indexMask == 0);
    }

    @Override
    public String toString() {
        return "aff0=" + masks[0] + "<<" + shifts[0] + " aff1=" + masks[1] + "<<" + shifts[1] + " aff2=" + masks[2]
                + "<<" + shifts[2] + " aff3=" + masks[3] + "<<" + shifts[3] + (multiThread ? " mt" : "")
                + (uniprocessor ? " u" : "");
    }
}
