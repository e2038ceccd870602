package dev.gunyahdt.hypervisor.msgqueue;

import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.cspace.Lookup;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virq.VirqSource;

import java.util.function.Function;

/** The message-queue hypercalls (§1.4 0x6017–0x6021, §3). */
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

    /** Threshold/holdoff argument values: -1 = leave unchanged, -2 = set to depth (receive side). */
    static final long UNCHANGED = 0xFFFF_FFFFL;
    static final long SET_TO_DEPTH = 0xFFFF_FFFEL;

    private MsgQueueCalls() {
    }

    public static void install(HypercallTable t) {
        t.define(BIND_SEND_VIRQ, "msgqueue_bind_send_virq", Reserved.res0(3),
                (ctx, in) -> bind(ctx, in, MsgQueueRights.BIND_SEND, q -> q.sendVirq));
        t.define(BIND_RECEIVE_VIRQ, "msgqueue_bind_receive_virq", Reserved.res0(3),
                (ctx, in) -> bind(ctx, in, MsgQueueRights.BIND_RECEIVE, q -> q.receiveVirq));
        t.define(UNBIND_SEND_VIRQ, "msgqueue_unbind_send_virq", Reserved.res0(1),
                (ctx, in) -> unbind(ctx, in, MsgQueueRights.BIND_SEND, q -> q.sendVirq));
        t.define(UNBIND_RECEIVE_VIRQ, "msgqueue_unbind_receive_virq", Reserved.res0(1),
                (ctx, in) -> unbind(ctx, in, MsgQueueRights.BIND_RECEIVE, q -> q.receiveVirq));
        t.define(SEND, "msgqueue_send", Reserved.res0(4), MsgQueueCalls::send);
        t.define(RECEIVE, "msgqueue_receive", Reserved.res0(3), MsgQueueCalls::receive);
        t.define(FLUSH, "msgqueue_flush", Reserved.res0(1), MsgQueueCalls::flush);
        t.define(CONFIGURE_SEND, "msgqueue_configure_send", Reserved.res1(3), MsgQueueCalls::configureSend);
        t.define(CONFIGURE_RECEIVE, "msgqueue_configure_receive", Reserved.res1(3),
                MsgQueueCalls::configureReceive);
        t.define(CONFIGURE, "msgqueue_configure", Reserved.res0(2), MsgQueueCalls::configure);
    }

    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.MSGQUEUE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MsgQueue q = l.as(MsgQueue.class);
        if (q.state() != ObjectState.INIT) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        long info = in.x1();
        int depth = (int) (info & 0xFFFF);
        int size = (int) (info >>> 16 & 0xFFFF);
        if ((info >>> 32) != 0 || depth == 0 || depth >= MsgQueue.MAX_QUEUE_DEPTH
                || size == 0 || size >= MsgQueue.MAX_MAX_MSG_SIZE) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        q.depth = depth;
        q.maxMsgSize = size;
        return HvcResult.ok();
    }

    /** §3.2. X1 = not_full after the send. */
    private static HvcResult send(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.SEND);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MsgQueue q = l.as(MsgQueue.class);
        if (q.count() == q.depth) {
            return HvcResult.error(HypError.MSGQUEUE_FULL, 0);
        }
        long size = in.x1();
        byte[] msg = size == 0 || size > q.maxMsgSize ? null : ctx.memory().read(in.x2(), (int) size);
        if (msg == null) {
            // Code: the copy fails, nothing is queued and OK comes back with not_full = true (§3.6).
            if (!ctx.documentedCopyErrors()) {
                return HvcResult.ok(1);
            }
            boolean badSize = size == 0 || size > q.maxMsgSize;
            return HvcResult.error(badSize ? HypError.ARGUMENT_SIZE : HypError.ADDR_INVALID, 0);
        }
        q.messages.addLast(msg);
        boolean push = (in.x3() & SEND_FLAG_PUSH) != 0;
        if (push || q.count() == q.notEmptyThreshold) {
            q.receiveVirq.assertLevel();
        }
        return HvcResult.ok(q.count() < q.depth ? 1 : 0);
    }

    /** §3.3. X1 = size, X2 = not_empty after the receive. */
    private static HvcResult receive(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MsgQueue q = l.as(MsgQueue.class);
        if (q.count() == 0) {
            return HvcResult.error(HypError.MSGQUEUE_EMPTY, 0, 0);
        }
        byte[] head = q.messages.peekFirst();
        boolean fits = Long.compareUnsigned(in.x2(), head.length) >= 0;
        if (!fits || !ctx.memory().write(in.x1(), head)) {
            // Code: OK, size 0, not_empty = true, the message stays queued (§3.6).
            if (!ctx.documentedCopyErrors()) {
                return HvcResult.ok(0, 1);
            }
            return HvcResult.error(fits ? HypError.ADDR_INVALID : HypError.ARGUMENT_SIZE, 0, 1);
        }
        q.messages.removeFirst();
        if (q.count() == q.notFullThreshold) {
            q.sendVirq.assertLevel();
        }
        return HvcResult.ok(head.length, q.count() > 0 ? 1 : 0);
    }

    /**
     * §3.4. The doc says the send VIRQ is de-asserted; the code asserts it (space is available) and clears
     * the receive VIRQ. We follow the code.
     */
    private static HvcResult flush(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MsgQueue q = l.as(MsgQueue.class);
        if (q.count() > 0) {
            q.sendVirq.assertLevel();
            q.receiveVirq.clear();
        }
        q.messages.clear();
        return HvcResult.ok();
    }

    /** §3.4: thres &lt; depth or -1; holdoff must be -1 (delays are unimplemented). Then re-evaluate. */
    private static HvcResult configureSend(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.SEND);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MsgQueue q = l.as(MsgQueue.class);
        long thres = in.x1() & 0xFFFF_FFFFL;
        if ((in.x2() & 0xFFFF_FFFFL) != UNCHANGED) {
            return HvcResult.error(HypError.UNIMPLEMENTED);
        }
        if (thres != UNCHANGED && thres >= q.depth) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        if (thres != UNCHANGED) {
            q.notFullThreshold = (int) thres;
        }
        if (q.count() <= q.notFullThreshold) {
            q.sendVirq.assertLevel();
        } else {
            q.sendVirq.clear();
        }
        return HvcResult.ok();
    }

    /** §3.4: thres 1..depth, -1 (unchanged) or -2 (= depth, no re-evaluation); holdoff must be -1. */
    private static HvcResult configureReceive(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.MSGQUEUE, MsgQueueRights.RECEIVE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MsgQueue q = l.as(MsgQueue.class);
        long thres = in.x1() & 0xFFFF_FFFFL;
        if ((in.x2() & 0xFFFF_FFFFL) != UNCHANGED) {
            return HvcResult.error(HypError.UNIMPLEMENTED);
        }
        if (thres == SET_TO_DEPTH) {
            q.notEmptyThreshold = q.depth;
            return HvcResult.ok();
        }
        if (thres != UNCHANGED && (thres == 0 || thres > q.depth)) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        if (thres != UNCHANGED) {
            q.notEmptyThreshold = (int) thres;
        }
        if (q.count() >= q.notEmptyThreshold) {
            q.receiveVirq.assertLevel();
        } else {
            q.receiveVirq.clear();
        }
        return HvcResult.ok();
    }

    /**
     * Bind the send or receive source to a VIRQ of a VIC (§3.5). The queue need not be ACTIVE: the RM binds
     * before activating — the model looks the queue up in any state, which is an assumption.
     */
    private static HvcResult bind(CallContext ctx, HvcArgs in, int right, Function<MsgQueue, VirqSource> src) {
        Lookup l = ctx.cspace().lookup(in.x0(), ObjectType.MSGQUEUE, right, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Lookup v = VicCalls.bindTarget(ctx, in.x1());
        if (!v.ok()) {
            return HvcResult.error(v.error());
        }
        return HvcResult.error(src.apply(l.as(MsgQueue.class)).bind(v.as(Vic.class), VicCalls.virq(in.x2())));
    }

    private static HvcResult unbind(CallContext ctx, HvcArgs in, int right, Function<MsgQueue, VirqSource> src) {
        Lookup l = ctx.cspace().lookup(in.x0(), ObjectType.MSGQUEUE, right, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        src.apply(l.as(MsgQueue.class)).unbind();
        return HvcResult.ok();
    }
}
