package dev.gunyahdt.hypervisor.call;

/**
 * The result registers of a hypercall. For every Gunyah call but {@code hypervisor_identify} X0 is the
 * {@link HypError} code; X1.. carry the call's extra outputs. Registers a call does not define are zero
 * (the real hypervisor leaves them unpreserved; zero keeps the model deterministic).
 */
public record HvcResult(long x0, long x1, long x2, long x3, long x4, long x5) {

    /** CSPACE_CAP_INVALID: what create calls return in X1 on failure. */
    public static final long CAP_INVALID = -1L;

    public static HvcResult ok(long... out) {
        return error(HypError.OK, out);
    }

    public static HvcResult error(HypError e, long... out) {
        return new HvcResult(e.code(), HvcArgs.reg(out, 0), HvcArgs.reg(out, 1), HvcArgs.reg(out, 2),
                HvcArgs.reg(out, 3), HvcArgs.reg(out, 4));
    }

    /** Raw registers, for calls whose X0 is not an error (identify, SMCCC service calls). */
    public static HvcResult raw(long x0, long x1, long x2, long x3) {
        return new HvcResult(x0, x1, x2, x3, 0, 0);
    }

    /** X0 read as an error code; null if it is not one. */
    public HypError error() {
        return HypError.of(x0);
    }

    public boolean isOk() {
        return x0 == 0;
    }
}
