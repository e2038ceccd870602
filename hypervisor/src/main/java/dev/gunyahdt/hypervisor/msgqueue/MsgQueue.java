package dev.gunyahdt.hypervisor.msgqueue;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqSource;

import java.util.ArrayDeque;
import java.util.HexFormat;

/**
 * A message queue (§3): a FIFO of up to {@code depth} messages of 1..{@code maxMsgSize} bytes, with two
 * VIRQ sources — send ("space available", for the sender) and receive ("message available", for the
 * receiver) — raised by the not-full / not-empty threshold rules.
 */
public final class MsgQueue extends KernelObject {
    /** Exclusive limits: depth 1..255, message size 1..1023 (§3.1). */
    static final int MAX_QUEUE_DEPTH = 256;
    static final int MAX_MAX_MSG_SIZE = 1024;

    int depth;
    int maxMsgSize;
    final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    int notFullThreshold;
    int notEmptyThreshold;
    // Level re-check (§3.4): send pending ⇔ count ≤ not_full; receive pending ⇔ count ≥ not_empty.
    final VirqSource sendVirq = new VirqSource(() -> count() <= notFullThreshold);
    final VirqSource receiveVirq = new VirqSource(() -> count() >= notEmptyThreshold);

    public MsgQueue(long serial) {
        super(ObjectType.MSGQUEUE, serial);
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

    @Override
    protected void onDestroy() {
        sendVirq.unbind();
        receiveVirq.unbind();
    }

    int count() {
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
