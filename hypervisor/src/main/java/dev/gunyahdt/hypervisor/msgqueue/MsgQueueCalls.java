package dev.gunyahdt.hypervisor.msgqueue;

import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * The message-queue hypercalls (§1.4 0x6017–0x6021, §3), as [HYP] {@code hyp/ipc/msgqueue/src/hypercalls.c}: look
 * up the cap with the call's right, call the queue's own operation, encode its result.
 */
public final class MsgQueueCalls {
    public static final int BIND_SEND_VIRQ = 0x17;
    public static final int BIND_RECEIVE_VIRQ = 0x18;
    public static final int UNBIND_SEND_VIRQ = 0x19;
    public static final int UNBIND_RECEIVE_VIRQ = 0x1A;
    public static final int SEND = 0x1B;
    public static final int RECEIVE = 0x1C;
    public static final int FLUSH = 0x1D;
    public static final int CONFIGURE_SEND = 0x1F;
    public static final int CONFIGURE_RECEIVE = 0x20;
    public static final int CONFIGURE = 0x21;

    /** msgqueue_send flags bit 0 (§1.5): raise the receive VIRQ whatever the threshold says. */
    public static final long SEND_FLAG_PUSH = 0x1;
    /** create_info layout (code: size in 31:16, not the doc's "31:15", §0). */
    public static long createInfo(int depth, int maxMsgSize) {
        return (depth & 0xFFFFL) | (maxMsgSize & 0xFFFFL) << 16;
    }

    private MsgQueueCalls() {
    }

    /**
     * Defines the message-queue calls and registers the message-queue factory.
     *
     * @param documentedCopyErrors send/receive with a bad size or buffer: false follows the code (OK, nothing
     *        moves), true returns the documented ARGUMENT_SIZE / ADDR_INVALID (§3.6)
     */
    public static void install(HypercallTable t, ObjectFactories types, boolean documentedCopyErrors) {
        types.register(ObjectType.MSGQUEUE, (serial, partition) -> new MsgQueue(serial, documentedCopyErrors));
        t.define(BIND_SEND_VIRQ, "msgqueue_bind_send_virq", Reserved.res0(3),
                (ctx, in) -> bind(ctx, in, MsgQueueRights.BIND_SEND, true));
        t.define(BIND_RECEIVE_VIRQ, "msgqueue_bind_receive_virq", Reserved.res0(3),
                (ctx, in) -> bind(ctx, in, MsgQueueRights.BIND_RECEIVE, false));
        t.define(UNBIND_SEND_VIRQ, "msgqueue_unbind_send_virq", Reserved.res0(1),
                (ctx, in) -> unbind(ctx, in, MsgQueueRights.BIND_SEND, true));
        t.define(UNBIND_RECEIVE_VIRQ, "msgqueue_unbind_receive_virq", Reserved.res0(1),
                (ctx, in) -> unbind(ctx, in, MsgQueueRights.BIND_RECEIVE, false));
        t.define(SEND, "msgqueue_send", Reserved.res0(4), MsgQueueCalls::send);
        t.define(RECEIVE, "msgqueue_receive", Reserved.res0(3), MsgQueueCalls::receive);
        t.define(FLUSH, "msgqueue_flush", Reserved.res0(1), MsgQueueCalls::flush);
        t.define(CONFIGURE_SEND, "msgqueue_configure_send", Reserved.res1(3), MsgQueueCalls::configureSend);
        t.define(CONFIGURE_RECEIVE, "msgqueue_configure_receive", Reserved.res1(3),
                MsgQueueCalls::configureReceive);
        t.define(CONFIGURE, "msgqueue_configure", Reserved.res0(2), MsgQueueCalls::configure);
    }

    /** hypercall_msgqueue_configure: any state with OBJECT_ACTIVATE; the queue checks INIT and the sizes. */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.MSGQUEUE);
        return HvcResult.error(l.ok() ? l.as(MsgQueue.class).configure(in.x1()) : l.error());
    }

    /** hypercall_msgqueue_send(msgq, size, buf, flags): X1 = not_full after the send. */
    private static HvcResult send(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.SEND);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        boolean push = (in.x3() & SEND_FLAG_PUSH) != 0;
        MsgQueue.Sent r = l.as(MsgQueue.class).send(ctx.memory(), in.x2(), in.x1(), push);
        return HvcResult.error(r.error(), r.notFull() ? 1 : 0);
    }

    /** hypercall_msgqueue_receive(msgq, buf, buf_size): X1 = size, X2 = not_empty after the receive. */
    private static HvcResult receive(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MsgQueue.Received r = l.as(MsgQueue.class).receive(ctx.memory(), in.x1(), in.x2());
        return HvcResult.error(r.error(), r.size(), r.notEmpty() ? 1 : 0);
    }

    /** hypercall_msgqueue_flush (RECEIVE right). */
    private static HvcResult flush(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        l.as(MsgQueue.class).flush();
        return HvcResult.ok();
    }

    /** hypercall_msgqueue_configure_send(msgq, thres, holdoff): u32 arguments (SEND right). */
    private static HvcResult configureSend(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.SEND);
        return HvcResult.error(l.ok()
                ? l.as(MsgQueue.class).configureSend(in.x1() & 0xFFFF_FFFFL, in.x2() & 0xFFFF_FFFFL) : l.error());
    }

    /** hypercall_msgqueue_configure_receive(msgq, thres, holdoff): u32 arguments (RECEIVE right). */
    private static HvcResult configureReceive(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.RECEIVE);
        return HvcResult.error(l.ok()
                ? l.as(MsgQueue.class).configureReceive(in.x1() & 0xFFFF_FFFFL, in.x2() & 0xFFFF_FFFFL) : l.error());
    }

    /**
     * Bind the send or receive source to a VIRQ of a VIC (§3.5). The queue need not be ACTIVE: the RM binds
     * before activating — the model looks the queue up in any state, which is an assumption.
     */
    private static HvcResult bind(CallContext ctx, HvcArgs in, int right, boolean sendSide) {
        Lookup l = ctx.cspace().lookup(in.x0(), ObjectType.MSGQUEUE, right, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Lookup v = VicCalls.bindTarget(ctx, in.x1());
        if (!v.ok()) {
            return HvcResult.error(v.error());
        }
        return HvcResult.error(l.as(MsgQueue.class).bind(sendSide, v.as(VirqTarget.class), VicCalls.virq(in.x2())));
    }

    private static HvcResult unbind(CallContext ctx, HvcArgs in, int right, boolean sendSide) {
        Lookup l = ctx.cspace().lookup(in.x0(), ObjectType.MSGQUEUE, right, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        l.as(MsgQueue.class).unbind(sendSide);
        return HvcResult.ok();
    }
}
