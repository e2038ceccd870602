package dev.gunyahdt.hypervisor.msgqueue;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

import java.util.ArrayDeque;
import java.util.HexFormat;

/**
 * A message queue (§3): a FIFO of up to {@code depth} messages of 1..{@code maxMsgSize} bytes, with two
 * VIRQ sources — send ("space available", for the sender) and receive ("message available", for the
 * receiver) — raised by the not-full / not-empty threshold rules. Its operations follow [HYP]
 * {@code hyp/ipc/msgqueue/src/msgqueue_common.c} and {@code msgqueue.c}; {@link MsgQueueCalls} only decodes,
 * looks up and encodes.
 */
final class MsgQueue extends KernelObject {
    /** Exclusive limits: depth 1..255, message size 1..1023 (§3.1). */
    private static final int MAX_QUEUE_DEPTH = 256;
    private static final int MAX_MAX_MSG_SIZE = 1024;
    /** Threshold/holdoff argument values: -1 = leave unchanged, -2 = set to depth (receive side). */
    private static final long UNCHANGED = 0xFFFF_FFFFL;
    private static final long SET_TO_DEPTH = 0xFFFF_FFFEL;

    /** What msgqueue_send returns: the error and not_full. */
    record Sent(HypError error, boolean notFull) {
    }

    /** What msgqueue_receive returns: the error, the size copied out and not_empty. */
    record Received(HypError error, long size, boolean notEmpty) {
    }

    /**
     * How a failed guest-memory copy in send/receive ends: false follows the code (OK, nothing moves), true
     * the documented ARGUMENT_SIZE / ADDR_INVALID (§0, §3.6).
     */
    private final boolean documentedCopyErrors;
    private int depth;
    private int maxMsgSize;
    private final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    private int notFullThreshold;
    private int notEmptyThreshold;
    // Level re-check (§3.4): send pending ⇔ count ≤ not_full; receive pending ⇔ count ≥ not_empty.
    private final VirqSource sendVirq = new VirqSource(() -> count() <= notFullThreshold);
    private final VirqSource receiveVirq = new VirqSource(() -> count() >= notEmptyThreshold);

    MsgQueue(long serial, boolean documentedCopyErrors) {
        super(ObjectType.MSGQUEUE, serial);
        this.documentedCopyErrors = documentedCopyErrors;
    }

    /** msgqueue_configure: depth and message size from create_info (size in 31:16), INIT only. */
    HypError configure(long createInfo) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        int d = (int) (createInfo & 0xFFFF);
        int size = (int) (createInfo >>> 16 & 0xFFFF);
        if ((createInfo >>> 32) != 0 || d == 0 || d >= MAX_QUEUE_DEPTH || size == 0 || size >= MAX_MAX_MSG_SIZE) {
            return HypError.ARGUMENT_INVALID;
        }
        depth = d;
        maxMsgSize = size;
        return HypError.OK;
    }

    /** Activation needs depth and size configured (§2.2); thresholds start at depth−1 and 1 (§3.1). */
    @Override
    protected HypError onActivate() {
        if (depth == 0 || maxMsgSize == 0) {
            return HypError.OBJECT_CONFIG;
        }
        notFullThreshold = depth - 1;
        notEmptyThreshold = 1;
        return HypError.OK;
    }

    /**
     * msgqueue_send_msg (§3.2): copies {@code size} bytes at {@code va} of {@code from} to the tail; raises the
     * receive VIRQ when the count reaches not_empty, or always with {@code push}.
     */
    Sent send(GuestMemory from, long va, long size, boolean push) {
        if (count() == depth) {
            return new Sent(HypError.MSGQUEUE_FULL, false);
        }
        boolean badSize = size == 0 || size > maxMsgSize;
        byte[] msg = badSize ? null : from.read(va, (int) size);
        if (msg == null) {
            // Code: the copy fails, nothing is queued and OK comes back with not_full = true (§3.6).
            return documentedCopyErrors ? new Sent(badSize ? HypError.ARGUMENT_SIZE : HypError.ADDR_INVALID, false)
                    : new Sent(HypError.OK, true);
        }
        messages.addLast(msg);
        if (push || count() == notEmptyThreshold) {
            receiveVirq.assertLevel();
        }
        return new Sent(HypError.OK, count() < depth);
    }

    /**
     * msgqueue_receive_msg (§3.3): copies the head message to {@code va} of {@code to} if it fits in
     * {@code maxSize}; raises the send VIRQ when the count falls to not_full.
     */
    Received receive(GuestMemory to, long va, long maxSize) {
        if (count() == 0) {
            return new Received(HypError.MSGQUEUE_EMPTY, 0, false);
        }
        byte[] head = messages.peekFirst();
        boolean fits = Long.compareUnsigned(maxSize, head.length) >= 0;
        if (!fits || !to.write(va, head)) {
            // Code: OK, size 0, not_empty = true, the message stays queued (§3.6).
            HypError e = !documentedCopyErrors ? HypError.OK : fits ? HypError.ADDR_INVALID : HypError.ARGUMENT_SIZE;
            return new Received(e, 0, true);
        }
        messages.removeFirst();
        if (count() == notFullThreshold) {
            sendVirq.assertLevel();
        }
        return new Received(HypError.OK, head.length, count() > 0);
    }

    /**
     * msgqueue_flush_queue (§3.4). The doc says the send VIRQ is de-asserted; the code asserts it (space is
     * available) and clears the receive VIRQ. We follow the code.
     */
    void flush() {
        if (count() > 0) {
            sendVirq.assertLevel();
            receiveVirq.clear();
        }
        messages.clear();
    }

    /** msgqueue_configure_send (§3.4): thres &lt; depth or -1; holdoff must be -1 (delays are unimplemented). Then re-evaluate. */
    HypError configureSend(long thres, long holdoff) {
        if (holdoff != UNCHANGED) {
            return HypError.UNIMPLEMENTED;
        }
        if (thres != UNCHANGED && thres >= depth) {
            return HypError.ARGUMENT_INVALID;
        }
        if (thres != UNCHANGED) {
            notFullThreshold = (int) thres;
        }
        if (count() <= notFullThreshold) {
            sendVirq.assertLevel();
        } else {
            sendVirq.clear();
        }
        return HypError.OK;
    }

    /** msgqueue_configure_receive (§3.4): thres 1..depth, -1 (unchanged) or -2 (= depth, no re-evaluation); holdoff must be -1. */
    HypError configureReceive(long thres, long holdoff) {
        if (holdoff != UNCHANGED) {
            return HypError.UNIMPLEMENTED;
        }
        if (thres == SET_TO_DEPTH) {
            notEmptyThreshold = depth;
            return HypError.OK;
        }
        if (thres != UNCHANGED && (thres == 0 || thres > depth)) {
            return HypError.ARGUMENT_INVALID;
        }
        if (thres != UNCHANGED) {
            notEmptyThreshold = (int) thres;
        }
        if (count() >= notEmptyThreshold) {
            receiveVirq.assertLevel();
        } else {
            receiveVirq.clear();
        }
        return HypError.OK;
    }

    /** msgqueue_bind_send / msgqueue_bind_receive → msgqueue_bind → vic_bind_shared (§3.5). */
    HypError bind(boolean sendSide, VirqTarget target, int virq) {
        return source(sendSide).bind(target, virq);
    }

    /** msgqueue_unbind_send / msgqueue_unbind_receive. */
    void unbind(boolean sendSide) {
        source(sendSide).unbind();
    }

    private VirqSource source(boolean sendSide) {
        return sendSide ? sendVirq : receiveVirq;
    }

    @Override
    protected void onDestroy() {
        sendVirq.unbind();
        receiveVirq.unbind();
    }

    private int count() {
        return messages.size();
    }

    @Override
    protected String describeState() {
        StringBuilder sb = new StringBuilder(" depth=").append(depth).append(" size=").append(maxMsgSize)
                .append(" nf=").append(notFullThreshold).append(" ne=").append(notEmptyThreshold)
                .append(" tx=").append(sendVirq).append(" rx=").append(receiveVirq).append(" msgs=[");
        for (byte[] m : messages) {
            sb.append(' ').append(HexFormat.of().formatHex(m));
        }
        return sb.append(" ]").toString();
    }
}
