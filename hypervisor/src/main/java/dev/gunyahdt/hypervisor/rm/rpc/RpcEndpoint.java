package dev.gunyahdt.hypervisor.rm.rpc;

import dev.gunyahdt.hypervisor.vcpu.Caller;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One side of an RM RPC link over two message queues of the model (reference §8.1): whole messages go out as
 * fragments through {@code msgqueue_send} on {@code txCap} and come in through {@code msgqueue_receive} on
 * {@code rxCap}, each copied through the caller's own memory like a guest's buffer. The VM's endpoint sends on
 * the VM→RM queue and receives on RM→VM; the RM's endpoint the other way round.
 *
 * <p>No threads: {@link #send} queues fragments and pushes as many as the queue takes; when it is full
 * (MSGQUEUE_FULL, "busy, retry on VIRQ" for the RM) the rest wait for the next {@link #flush}, which the owner
 * calls when the send VIRQ says there is space. Fragments go out with the push flag clear, as the RM sends.
 *
 * <p>Memory: two windows in the caller's memory at {@code bufferVa}: 1024 bytes for sending, then 1024 for
 * receiving. The receive window is as large as the largest message any queue can hold (1023), so a queue
 * configured larger than 240 bytes can never leave an unreceivable message at its head (the hypervisor would
 * answer OK with size 0 for ever, §3.6); such oversized fragments reach the reassembler and are dropped there.
 */
public final class RpcEndpoint {
    /** Bytes of caller memory the endpoint uses from {@code bufferVa}. */
    public static final int MEMORY_NEEDED = 2048;
    private static final int WINDOW = 1024;

    private final Hypervisor hv;
    private final Caller self;
    private final long txCap;
    private final long rxCap;
    private final long txVa;
    private final long rxVa;
    private final Deque<byte[]> outbox = new ArrayDeque<>();
    private final Reassembler reassembler = new Reassembler();
    private final List<Decoded.Dropped> drops = new ArrayList<>();
    private HypError lastError = HypError.OK;

    public RpcEndpoint(Hypervisor hv, Caller self, long txCap, long rxCap, long bufferVa) {
        this.hv = hv;
        this.self = self;
        this.txCap = txCap;
        this.rxCap = rxCap;
        this.txVa = bufferVa;
        this.rxVa = bufferVa + WINDOW;
    }

    /** Queues {@code m}'s fragments and sends what fits; returns the outcome of {@link #flush}. */
    public HypError send(RpcMessage m) {
        outbox.addAll(Fragmenter.fragments(m));
        return flush();
    }

    /** Queues one raw packet (any bytes, for tests of the peer's decoder) and sends what fits. */
    public HypError sendRaw(byte[] packet) {
        outbox.add(packet.clone());
        return flush();
    }

    /**
     * Sends queued fragments until none is left (OK) or the queue is full (MSGQUEUE_FULL). Any other error stops
     * the sending, keeps the fragment, and is returned (the RM treats those as fatal, §8.1).
     */
    public HypError flush() {
        while (!outbox.isEmpty()) {
            byte[] f = outbox.peekFirst();
            if (!self.memory().write(txVa, f)) {
                return lastError = HypError.ADDR_INVALID;
            }
            HvcResult r = hv.call(self, MsgQueueCalls.SEND, txCap, f.length, txVa, 0);
            if (!r.isOk()) {
                return lastError = r.error();
            }
            outbox.removeFirst();
        }
        return lastError = HypError.OK;
    }

    /**
     * Receives every fragment waiting on the receive queue and returns the whole messages they complete, in
     * order. Dropped fragments are recorded ({@link #drops()}); the loop ends on MSGQUEUE_EMPTY or any other
     * error (kept in {@link #lastError()}).
     */
    public List<RpcMessage> receive() {
        return receive(Integer.MAX_VALUE);
    }

    /**
     * Like {@link #receive()}, but stops once {@code maxMessages} whole messages are in (the RM takes one request
     * at a time from a client while its reply slot is busy, leaving the rest in the queue as back-pressure).
     */
    public List<RpcMessage> receive(int maxMessages) {
        List<RpcMessage> out = new ArrayList<>();
        while (out.size() < maxMessages) {
            HvcResult r = hv.call(self, MsgQueueCalls.RECEIVE, rxCap, rxVa, WINDOW, 0);
            if (!r.isOk()) {
                lastError = r.error() == HypError.MSGQUEUE_EMPTY ? HypError.OK : r.error();
                return out;
            }
            int size = (int) r.x1();
            if (size == 0) {
                // §3.6: the copy failed, nothing was dequeued; stop rather than spin.
                lastError = HypError.ADDR_INVALID;
                return out;
            }
            byte[] packet = self.memory().read(rxVa, size);
            Decoded d = reassembler.accept(packet);
            if (d instanceof Decoded.Message m) {
                out.add(m.message());
            } else if (d instanceof Decoded.Dropped dr) {
                drops.add(dr);
            }
            if (r.x2() == 0) {
                return out;
            }
        }
        return out;
    }

    /** Fragments queued but not yet accepted by the send queue. */
    public int pendingFragments() {
        return outbox.size();
    }

    /** Every fragment dropped by this endpoint's reassembler so far, in order. */
    public List<Decoded.Dropped> drops() {
        return List.copyOf(drops);
    }

    /** The last hypercall error seen (OK after a clean flush or an emptied receive queue). */
    public HypError lastError() {
        return lastError;
    }

    public Reassembler reassembler() {
        return reassembler;
    }
}
