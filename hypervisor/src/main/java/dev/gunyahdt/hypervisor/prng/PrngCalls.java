package dev.gunyahdt.hypervisor.prng;

import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;

/** prng_get_entropy (0x6057, [HYP] {@code hyp/interfaces/prng/prng.hvc}): no cap, any caller. */
public final class PrngCalls {
    public static final int GET_ENTROPY = 0x57;

    private PrngCalls() {}

    /**
     * Defines the call over {@code entropy}. The rate limit is per thread: a vCPU is its own; a caller with no vCPU
     * object (the RM's seat, a test's stand-in thread) is counted by its cspace, the one thread the model gives it.
     */
    public static void install(HypercallTable t, Entropy entropy) {
        t.define(
                GET_ENTROPY,
                "prng_get_entropy",
                Reserved.res0(1),
                (ctx, in) -> entropy.read(ctx.thread() != null ? ctx.thread() : ctx.cspace(), in.x0() & 0xFFFF_FFFFL));
    }
}
