package dev.gunyahdt.hypervisor.doorbell;

import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * The doorbell hypercalls (§1.4 0x6010–0x6015, §4), as [HYP] {@code hyp/ipc/doorbell/src/hypercalls.c}: look up
 * the cap with the call's right, call the doorbell's own operation, return its result.
 */
public final class DoorbellCalls {
    public static final int BIND_VIRQ = 0x10;
    public static final int UNBIND_VIRQ = 0x11;
    public static final int SEND = 0x12;
    public static final int RECEIVE = 0x13;
    public static final int RESET = 0x14;
    public static final int MASK = 0x15;

    private DoorbellCalls() {
    }

    /** Defines the doorbell calls and registers the doorbell factory. */
    public static void install(HypercallTable t, ObjectFactories types) {
        types.register(ObjectType.DOORBELL, (serial, partition) -> new Doorbell(serial));
        t.define(BIND_VIRQ, "doorbell_bind_virq", Reserved.res0(3), DoorbellCalls::bind);
        t.define(UNBIND_VIRQ, "doorbell_unbind_virq", Reserved.res0(1), DoorbellCalls::unbind);
        t.define(SEND, "doorbell_send", Reserved.res0(2), DoorbellCalls::send);
        t.define(RECEIVE, "doorbell_receive", Reserved.res0(2), DoorbellCalls::receive);
        t.define(RESET, "doorbell_reset", Reserved.res0(1), DoorbellCalls::reset);
        t.define(MASK, "doorbell_mask", Reserved.res0(3), DoorbellCalls::mask);
    }

    private static Lookup doorbell(CallContext ctx, long cap, int right) {
        return ctx.active(cap, ObjectType.DOORBELL, right);
    }

    /** hypercall_doorbell_send: X1 = the flags before the OR. */
    private static HvcResult send(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.SEND);
        return l.ok() ? HvcResult.ok(l.as(Doorbell.class).send(in.x1())) : HvcResult.error(l.error());
    }

    /** hypercall_doorbell_receive: X1 = the flags before clearing; clearing no flag is ARGUMENT_INVALID. */
    private static HvcResult receive(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        if (in.x1() == 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        return HvcResult.ok(l.as(Doorbell.class).receive(in.x1()));
    }

    /** hypercall_doorbell_reset (RECEIVE right). */
    private static HvcResult reset(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        l.as(Doorbell.class).reset();
        return HvcResult.ok();
    }

    /** hypercall_doorbell_mask(enable, ack) (RECEIVE right). */
    private static HvcResult mask(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        l.as(Doorbell.class).mask(in.x1(), in.x2());
        return HvcResult.ok();
    }

    /** Needs BIND on the doorbell and BIND_SOURCE on the VIC; the doorbell may still be in INIT (assumption). */
    private static HvcResult bind(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.cspace().lookup(in.x0(), ObjectType.DOORBELL, DoorbellRights.BIND, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Lookup v = VicCalls.bindTarget(ctx, in.x1());
        if (!v.ok()) {
            return HvcResult.error(v.error());
        }
        return HvcResult.error(l.as(Doorbell.class).bind(v.as(VirqTarget.class), VicCalls.virq(in.x2())));
    }

    private static HvcResult unbind(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.cspace().lookup(in.x0(), ObjectType.DOORBELL, DoorbellRights.BIND, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        l.as(Doorbell.class).unbind();
        return HvcResult.ok();
    }
}
