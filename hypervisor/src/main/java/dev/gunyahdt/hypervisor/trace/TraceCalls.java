package dev.gunyahdt.hypervisor.trace;

import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;

/**
 * trace_update_class_flags (0x603F, [HYP] {@code hyp/misc/trace_standard/src/hypercalls.c}). It takes no cap and
 * checks no right: any VM may call it. The only refusal is DENIED when the platform's debug is disabled
 * ({@code platform_security_state_debug_disabled}), which on QEMU is never.
 */
public final class TraceCalls {
    public static final int UPDATE_CLASS_FLAGS = 0x3F;

    private TraceCalls() {}

    /** Defines the call over {@code control}: X1 = the enabled classes after the update. */
    public static void install(HypercallTable t, TraceControl control) {
        t.define(
                UPDATE_CLASS_FLAGS,
                "trace_update_class_flags",
                Reserved.res0(2),
                (ctx, in) -> HvcResult.ok(control.update(in.x0(), in.x1())));
    }
}
