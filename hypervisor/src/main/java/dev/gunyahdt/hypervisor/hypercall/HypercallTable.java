package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;

/**
 * Hypercalls by call number (native immediate = 0x6000 + number). Each object package declares its own
 * calls here; a number in range with no definition returns UNIMPLEMENTED, as the real table does.
 */
public final class HypercallTable {
    /** Highest defined call number + 1 in the reference snapshot (vcpu_run_check is 0x68). */
    public static final int HYPERCALL_NUM = 0x69;

    /** A reserved input: must be 0 (res0) or all ones (res1), else ARGUMENT_INVALID before the call runs. */
    public record Reserved(int input, long required) {
        public static final Reserved NONE = new Reserved(-1, 0);

        public static Reserved res0(int input) {
            return new Reserved(input, 0);
        }

        public static Reserved res1(int input) {
            return new Reserved(input, -1L);
        }
    }

    /** One defined hypercall. */
    public record Entry(int number, String name, Reserved reserved, HypercallHandler handler) {}

    /** Indexed by call number: every hypercall goes through {@link #invoke}, so no map lookup (JMH hot spot). */
    private final Entry[] entries = new Entry[HYPERCALL_NUM];
    /** SMCCC calls of the STANDARD owner (PSCI), given the raw registers (X0 = function ID); null: none. */
    private HypercallHandler standardService;

    /** The handler of SMCCC STANDARD-owner calls (owner 4: PSCI); defined once. */
    public void serveStandard(HypercallHandler handler) {
        if (standardService != null) {
            throw new IllegalStateException("the SMCCC standard service is defined twice");
        }
        standardService = handler;
    }

    /** Null when nothing serves the STANDARD owner. */
    HypercallHandler standardService() {
        return standardService;
    }

    public void define(int number, String name, Reserved reserved, HypercallHandler handler) {
        if (number < 0 || number >= HYPERCALL_NUM || entries[number] != null) {
            throw new IllegalStateException("bad or duplicate hypercall number 0x" + Integer.toHexString(number));
        }
        entries[number] = new Entry(number, name, reserved, handler);
    }

    /**
     * A number the real hypervisor defines and the model does not build ({@link Unbuilt}): its name and why. Empty
     * for a built call and for a number the real one does not define either.
     */
    public java.util.Optional<Unbuilt.Call> unbuilt(int number) {
        return entry(number) != null ? java.util.Optional.empty() : Unbuilt.of(number);
    }

    /** Null when undefined. */
    public Entry entry(int number) {
        return number >= 0 && number < HYPERCALL_NUM ? entries[number] : null;
    }

    /** Runs call {@code number} with native-order inputs: reserved-input check, then the handler. */
    public HvcResult invoke(int number, CallContext ctx, HvcArgs in) {
        Entry e = entry(number);
        if (e == null) {
            return HvcResult.error(HypError.UNIMPLEMENTED); // undefined, or unbuilt: unbuilt(number) says why
        }
        Reserved r = e.reserved();
        if (r.input() >= 0 && in.x(r.input()) != r.required()) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        return e.handler().call(ctx, in);
    }
}
