package dev.gunyahdt.hypervisor.hwirq;

import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HwirqRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * hwirq_bind_virq (0x6026) and hwirq_unbind_virq (0x6027), as [HYP] {@code hyp/vm/vic_base/src/hypercalls.c}:
 * look up the hwirq with BIND_VIC (and the VIC with BIND_SOURCE), call the hwirq's own operation.
 *
 * <p>There is no {@code partition_create_hwirq}: the real hypervisor makes one hwirq object per SPI for the
 * root VM at boot ({@code vgic_handle_rootvm_create_hwirq}) and no partition call creates more, so the
 * HWIRQ type registers no factory; {@link HwirqTable} plays the boot's part.
 */
public final class HwirqCalls {
    public static final int BIND_VIRQ = 0x26;
    public static final int UNBIND_VIRQ = 0x27;

    private HwirqCalls() {}

    public static void install(HypercallTable t) {
        t.define(BIND_VIRQ, "hwirq_bind_virq", Reserved.res0(3), HwirqCalls::bind);
        t.define(UNBIND_VIRQ, "hwirq_unbind_virq", Reserved.res0(1), HwirqCalls::unbind);
    }

    /** hypercall_hwirq_bind_virq: X0 hwirq cap, X1 VIC cap, X2 VIRQ. */
    private static HvcResult bind(CallContext ctx, HvcArgs in) {
        Lookup h = ctx.active(in.x0(), ObjectType.HWIRQ, HwirqRights.BIND_VIC);
        if (!h.ok()) {
            return HvcResult.error(h.error());
        }
        Lookup v = VicCalls.bindTarget(ctx, in.x1());
        if (!v.ok()) {
            return HvcResult.error(v.error());
        }
        return HvcResult.error(h.as(Hwirq.class).bind(v.as(VirqTarget.class), VicCalls.virq(in.x2())));
    }

    /** hypercall_hwirq_unbind_virq: X0 hwirq cap. */
    private static HvcResult unbind(CallContext ctx, HvcArgs in) {
        Lookup h = ctx.active(in.x0(), ObjectType.HWIRQ, HwirqRights.BIND_VIC);
        return HvcResult.error(h.ok() ? h.as(Hwirq.class).unbind() : h.error());
    }
}
