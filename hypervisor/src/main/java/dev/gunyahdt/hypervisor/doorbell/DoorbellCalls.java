package dev.gunyahdt.hypervisor.doorbell;

import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.cspace.Lookup;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.vic.VicCalls;

/** The doorbell hypercalls (§1.4 0x6010–0x6015, §4). */
public final class DoorbellCalls {
    public static final int BIND_VIRQ = 0x10;
    public static final int UNBIND_VIRQ = 0x11;
    public static final int SEND = 0x12;
    public static final int RECEIVE = 0x13;
    public static final int RESET = 0x14;
    public static final int MASK = 0x15;

    private DoorbellCalls() {
    }

    public static void install(HypercallTable t) {
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

    /** X1 = flags before the OR. Enabled flag set → level assert, then auto-ack; else edge-only assert. */
    private static HvcResult send(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.SEND);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Doorbell d = l.as(Doorbell.class);
        long old = d.flags;
        d.flags |= in.x1();
        if ((d.flags & d.enableMask) != 0) {
            d.virq.assertLevel();
            d.flags &= ~d.ackMask;
        } else {
            d.virq.assertEdgeOnly();
        }
        return HvcResult.ok(old);
    }

    /**
     * X1 = flags before clearing. The doc says this may de-assert a bound level VIRQ; the code only clears
     * the flags and leaves the VIRQ alone. We follow the code.
     */
    private static HvcResult receive(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        if (in.x1() == 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Doorbell d = l.as(Doorbell.class);
        long old = d.flags;
        d.flags &= ~in.x1();
        return HvcResult.ok(old);
    }

    /** Back to the creation state: no flags, nothing auto-acked, everything enabled; pending VIRQ cleared. */
    private static HvcResult reset(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Doorbell d = l.as(Doorbell.class);
        d.flags = 0;
        d.ackMask = 0;
        d.enableMask = -1L;
        d.virq.clear();
        return HvcResult.ok();
    }

    /** §4: compare "any enabled flag set" before and after the new enable mask; assert/clear on a change. */
    private static HvcResult mask(CallContext ctx, HvcArgs in) {
        Lookup l = doorbell(ctx, in.x0(), DoorbellRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Doorbell d = l.as(Doorbell.class);
        boolean was = (d.flags & d.enableMask) != 0;
        d.enableMask = in.x1();
        d.ackMask = in.x2();
        boolean now = (d.flags & d.enableMask) != 0;
        if (was && !now) {
            d.virq.clear();
        } else if (!was && now) {
            d.virq.assertLevel();
            d.flags &= ~d.ackMask;
        } else if (was) {
            d.flags &= ~d.ackMask;
        }
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
        return HvcResult.error(l.as(Doorbell.class).virq.bind(v.as(Vic.class), VicCalls.virq(in.x2())));
    }

    private static HvcResult unbind(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.cspace().lookup(in.x0(), ObjectType.DOORBELL, DoorbellRights.BIND, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        l.as(Doorbell.class).virq.unbind();
        return HvcResult.ok();
    }
}
