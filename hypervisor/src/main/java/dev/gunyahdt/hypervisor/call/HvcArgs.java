package dev.gunyahdt.hypervisor.call;

/**
 * The argument registers X0–X7 of a hypercall as the guest left them. Immutable.
 * For the native form ({@code hvc #0x6000+N}) input <i>i</i> is X<i>i</i>; for the SMCCC form X0 holds the
 * function ID and input <i>i</i> is X<i>i+1</i> (reference §1.2) — {@link #shifted()} does that shift.
 */
public record HvcArgs(long x0, long x1, long x2, long x3, long x4, long x5, long x6, long x7) {

    /** Arguments from the first registers; the rest are zero. At most eight. */
    public static HvcArgs of(long... regs) {
        if (regs.length > 8) {
            throw new IllegalArgumentException("at most 8 argument registers, got " + regs.length);
        }
        // no padded copy of the array: this runs on every hypercall
        return new HvcArgs(reg(regs, 0), reg(regs, 1), reg(regs, 2), reg(regs, 3), reg(regs, 4), reg(regs, 5),
                reg(regs, 6), reg(regs, 7));
    }

    /** {@code regs[i]}, or 0 past its end (shared with {@link HvcResult}). */
    static long reg(long[] regs, int i) {
        return i < regs.length ? regs[i] : 0;
    }

    /** Register X{@code i}, 0 ≤ i ≤ 7. */
    public long x(int i) {
        return switch (i) {
            case 0 -> x0;
            case 1 -> x1;
            case 2 -> x2;
            case 3 -> x3;
            case 4 -> x4;
            case 5 -> x5;
            case 6 -> x6;
            case 7 -> x7;
            default -> throw new IndexOutOfBoundsException("no register X" + i);
        };
    }

    /** The SMCCC argument shift: X1..X7 become inputs 0..6 (input 7 is zero). */
    public HvcArgs shifted() {
        return new HvcArgs(x1, x2, x3, x4, x5, x6, x7, 0);
    }
}
