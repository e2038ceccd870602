package dev.gunyahdt.hypervisor.vpm;

import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.VpmGroupRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * The VPM group hypercalls (§1.4 0x603C, 0x6043–0x6045, 0x6066), as [HYP] {@code hyp/vm/vpm_base/src/hypercalls.c}:
 * look up the caps with the call's rights, call the group's own operation, return its result. Also installs
 * {@link Psci}, the SMCCC service a group's vCPUs call.
 */
public final class VpmCalls {
    public static final int ATTACH_VCPU = 0x3C;
    public static final int BIND_VIRQ = 0x43;
    public static final int UNBIND_VIRQ = 0x44;
    public static final int GET_STATE = 0x45;
    public static final int CONFIGURE = 0x66;

    private VpmCalls() {}

    /** Defines the VPM group calls and PSCI, registers the group factory; a group has a slot per CPU. */
    public static void install(HypercallTable t, ObjectFactories types, int cpus) {
        types.register(ObjectType.VPM_GROUP, (serial, partition) -> new VpmGroup(serial, cpus));
        t.define(CONFIGURE, "vpm_group_configure", Reserved.res0(2), VpmCalls::configure);
        t.define(ATTACH_VCPU, "vpm_group_attach_vcpu", Reserved.res0(3), VpmCalls::attach);
        t.define(BIND_VIRQ, "vpm_group_bind_virq", Reserved.res0(3), VpmCalls::bind);
        t.define(UNBIND_VIRQ, "vpm_group_unbind_virq", Reserved.res0(1), VpmCalls::unbind);
        t.define(GET_STATE, "vpm_group_get_state", Reserved.res0(1), VpmCalls::getState);
        t.serveStandard(Psci::call);
    }

    /** hypercall_vpm_group_configure: unknown flags → UNIMPLEMENTED before the lookup; OBJECT_ACTIVATE, INIT. */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        if ((in.x1() & ~VpmGroup.OPTION_NO_AGGREGATION) != 0) {
            return HvcResult.error(HypError.UNIMPLEMENTED);
        }
        Lookup g = ctx.forConfigure(in.x0(), ObjectType.VPM_GROUP);
        return HvcResult.error(g.ok() ? g.as(VpmGroup.class).configure(in.x1()) : g.error());
    }

    /** hypercall_vpm_group_attach_vcpu: ATTACH_VCPU on an ACTIVE group, OBJECT_ACTIVATE on a vCPU still in INIT. */
    private static HvcResult attach(CallContext ctx, HvcArgs in) {
        Lookup g = ctx.active(in.x0(), ObjectType.VPM_GROUP, VpmGroupRights.ATTACH_VCPU);
        if (!g.ok()) {
            return HvcResult.error(g.error());
        }
        Lookup t = ctx.forConfigure(in.x1(), ObjectType.THREAD);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).joinGroup(g.as(VpmGroup.class), in.x2()) : t.error());
    }

    /** hypercall_vpm_group_bind_virq: BIND_VIRQ on the group, BIND_SOURCE on the VIC. */
    private static HvcResult bind(CallContext ctx, HvcArgs in) {
        Lookup g = ctx.active(in.x0(), ObjectType.VPM_GROUP, VpmGroupRights.BIND_VIRQ);
        if (!g.ok()) {
            return HvcResult.error(g.error());
        }
        Lookup vic = VicCalls.bindTarget(ctx, in.x1());
        if (!vic.ok()) {
            return HvcResult.error(vic.error());
        }
        return HvcResult.error(g.as(VpmGroup.class).bind(vic.as(VirqTarget.class), VicCalls.virq(in.x2())));
    }

    private static HvcResult unbind(CallContext ctx, HvcArgs in) {
        Lookup g = ctx.active(in.x0(), ObjectType.VPM_GROUP, VpmGroupRights.BIND_VIRQ);
        if (!g.ok()) {
            return HvcResult.error(g.error());
        }
        g.as(VpmGroup.class).unbind();
        return HvcResult.ok();
    }

    /** hypercall_vpm_group_get_state: QUERY; X1 = vpm_state. */
    private static HvcResult getState(CallContext ctx, HvcArgs in) {
        Lookup g = ctx.active(in.x0(), ObjectType.VPM_GROUP, VpmGroupRights.QUERY);
        return g.ok() ? HvcResult.ok(g.as(VpmGroup.class).vpmState()) : HvcResult.error(g.error());
    }
}
