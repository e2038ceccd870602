package dev.gunyahdt.hypervisor.trace;

/**
 * The hypervisor's enabled trace classes: one flag word, bit n = trace class n ([HYP]
 * {@code hyp/misc/trace_standard/src/trace.c}). The model keeps the word — guests can read and change it as on the
 * real hypervisor — but writes no trace buffer: its boot log is the RM's event lines.
 */
public final class TraceControl {
    /** trace_class ERROR (0) and LOG_BUFFER (5): internal, a hypercall cannot change them. */
    static final long INTERNAL_CLASSES = 1L << 0 | 1L << 5;
    /**
     * trace_boot_init in the production build (config/quality/production.conf: no NDEBUG, no VERBOSE_TRACE), the
     * build whose scrambled CapIDs the model numbers by default: ERROR (0), USER (2), INFO (6). The debug build adds
     * DEBUG (1); production-unchecked (NDEBUG) has only ERROR.
     */
    static final long BOOT_CLASSES = 1L << 0 | 1L << 2 | 1L << 6;

    private long enabled = BOOT_CLASSES;

    /** trace_update_class_flags: set then clear, limited to the public classes; returns the new word. */
    long update(long set, long clear) {
        long s = set & ~INTERNAL_CLASSES;
        long c = clear & ~INTERNAL_CLASSES;
        enabled = enabled & ~c | s;
        return enabled;
    }

    /** trace_get_class_flags. */
    public long classFlags() {
        return enabled;
    }
}
