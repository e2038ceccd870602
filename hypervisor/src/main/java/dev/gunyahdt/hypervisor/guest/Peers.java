package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.guest.GuestDt.Doorbell;
import dev.gunyahdt.hypervisor.guest.GuestDt.Queue;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The guest's queues and doorbells with its progress on each: it sends a {@link Greeting} on every queue it can
 * send on, rings every doorbell source, then waits until every queue it can receive on delivered the greeting
 * meant for it — checked field by field and by its CRC: sender (when the DT names the peer), receiver (me), label,
 * sequence number — and every doorbell it takes rang with the flag its source sets. A receive queue or doorbell is
 * read only after its VIRQ fired (once at boot, to look). A message that fails the check is a problem.
 */
final class Peers {

    /** The flags a doorbell source sets (doorbell_send's new-flags): bit 0. */
    static final long BELL_FLAGS = 1;

    /** A queue and how far the exchange on it got. */
    static final class QueueState {
        final Queue q;
        boolean sent;
        boolean received;
        /** Greetings received and checked on it; the next one must carry this + 1. */
        long seq;
        /** The partner VMID of the RM's VM_GET_HYP_RESOURCES entry for it (-1 until known). */
        long learnedPeer = -1;
        /** Its receive VIRQ fired since the queue was last drained (true at boot: look once). */
        boolean rxReady = true;

        QueueState(Queue q) {
            this.q = q;
        }

        /** The RM's entry for this queue, when its DT names no peer: its partner is the other end. */
        void learnPeer(HypResources.Resource entry) {
            if (entry != null && q.peer() < 0) {
                learnedPeer = entry.partner();
            }
        }

        boolean exchanged() {
            return (!q.hasTx() || sent) && (!q.hasRx() || received);
        }
    }

    /** A doorbell and whether it was rung (source) or seen ringing. */
    static final class BellState {
        final Doorbell d;
        boolean exercised;
        boolean ready = true;

        BellState(Doorbell d) {
            this.d = d;
        }
    }

    private final GuestContext ctx;
    private final ProbeLog log;
    private final List<QueueState> queues = new ArrayList<>();
    private final List<BellState> bells = new ArrayList<>();
    /** A page of my RAM for messages: sent from its start, received into its second half. */
    private final long buffer;
    /** My VMID, as the RM told me (known before any action here runs). */
    private final LongSupplier me;
    /** My owner's VMID (VM_GET_OWNER): the other end of every one-way queue, which the RM writes no peer for. */
    private final LongSupplier owner;

    Peers(
            GuestContext ctx,
            ProbeLog log,
            long buffer,
            LongSupplier me,
            LongSupplier owner,
            List<Queue> queues,
            List<Doorbell> doorbells) {
        this.ctx = ctx;
        this.log = log;
        this.buffer = buffer;
        this.me = me;
        this.owner = owner;
        queues.forEach(this::add);
        doorbells.forEach(this::add);
    }

    void add(Queue q) {
        queues.add(new QueueState(q));
    }

    void add(Doorbell d) {
        bells.add(new BellState(d));
    }

    List<QueueState> queues() {
        return queues;
    }

    List<BellState> bells() {
        return bells;
    }

    int exchanged() {
        return (int) queues.stream().filter(QueueState::exchanged).count();
    }

    int exercised() {
        return (int) bells.stream().filter(b -> b.exercised).count();
    }

    /** What is still outstanding, for a report that ends unfinished: each queue or doorbell not yet exercised. */
    List<String> outstanding() {
        List<String> out = new ArrayList<>();
        for (QueueState p : queues) {
            if (p.q.hasTx() && !p.sent) {
                out.add("no greeting sent on " + p.q.path() + " (the queue stayed full)");
            }
            if (p.q.hasRx() && !p.received) {
                out.add("no greeting received on " + p.q.path());
            }
        }
        for (BellState b : bells) {
            if (!b.exercised) {
                out.add("doorbell " + b.d.path() + " never rang");
            }
        }
        return out;
    }

    void onVirq(int intid) {
        for (QueueState p : queues) {
            p.rxReady |= intid == p.q.rxVirq();
        }
        for (BellState b : bells) {
            b.ready |= !b.d.source() && intid == b.d.virq();
        }
    }

    /** msgqueue_send of a greeting on each queue not yet sent on; done when every one went (a full queue waits). */
    boolean sendHellos() {
        boolean all = true;
        for (QueueState p : queues) {
            if (p.q.hasTx() && !p.sent) {
                long to = peer(p);
                p.sent = send(p, new Greeting("hello", me.getAsLong(), Math.max(to, 0), p.q.label(), 1).bytes());
            }
            all &= !p.q.hasTx() || p.sent;
        }
        return all;
    }

    private boolean send(QueueState p, byte[] b) {
        if (!ctx.memory().write(buffer, b)) {
            log.problem(p.q.path() + ": my message buffer 0x" + Long.toHexString(buffer) + " is not writable");
            return true;
        }
        HvcResult r = ctx.call(MsgQueueCalls.SEND, p.q.tx(), b.length, buffer, MsgQueueCalls.SEND_FLAG_PUSH);
        if (r.error() == HypError.MSGQUEUE_FULL) {
            return false;
        }
        if (!r.isOk()) {
            log.problem(p.q.path() + ": msgqueue_send -> " + r.error());
        }
        return true;
    }

    /**
     * The other end of a queue: its {@code qcom,peer-vmid} (or resources entry's partner); else the partner of the
     * RM's VM_GET_HYP_RESOURCES entry for it (the RM writes no peer-vmid for a {@code peer-default} pair); else,
     * for a one-way queue, my owner (the RM builds those only between a VM and its owner, §9.5); -1 when unknown.
     * Then my greeting is addressed to VMID 0 (the hypervisor's, no guest's), and my reader accepts any sender.
     */
    private long peer(QueueState p) {
        Queue q = p.q;
        if (q.peer() >= 0) {
            return q.peer();
        }
        if (p.learnedPeer >= 0) {
            return p.learnedPeer;
        }
        return q.hasTx() && q.hasRx() ? -1 : owner.getAsLong();
    }

    /** Where received messages land in the buffer page. */
    private static final long RECEIVE_AT = 0x400;

    /** A message arrived on {@code p}: it must be the next greeting meant for me; anything else is a problem. */
    private void received(QueueState p, byte[] got) {
        if (got == null) {
            log.problem(p.q.path() + ": msgqueue_receive wrote outside my memory");
            p.received = true;
            return;
        }
        Greeting want = new Greeting("hello", peer(p), me.getAsLong(), p.q.label(), p.seq + 1);
        Optional<String> wrong = Greeting.check(got, want);
        boolean unaddressed = wrong.isPresent()
                && Greeting.check(got, new Greeting(want.kind(), want.from(), 0, want.label(), want.seq()))
                        .isEmpty();
        if (unaddressed) {
            log.note("got \"" + new String(got, StandardCharsets.US_ASCII) + "\" on " + p.q.path()
                    + ": checked (its sender did not know my VMID)");
        } else if (wrong.isPresent()) {
            log.problem(p.q.path() + ": message " + (p.seq + 1) + " fails its check: " + wrong.get());
        } else {
            log.note("got \"" + new String(got, StandardCharsets.US_ASCII) + "\" on " + p.q.path() + ": checked");
        }
        p.seq++;
        p.received = true;
    }

    boolean ringDoorbells() {
        for (BellState b : bells) {
            if (b.d.source() && !b.exercised) {
                HvcResult r = ctx.call(DoorbellCalls.SEND, b.d.cap(), BELL_FLAGS);
                if (!r.isOk()) {
                    log.problem(b.d.path() + ": doorbell_send -> " + r.error());
                }
                b.exercised = true;
                log.note("rang " + b.d.path());
            }
        }
        return true;
    }

    /** Drains each receive queue whose VIRQ fired and takes each doorbell that did; done when all came. */
    boolean await() {
        long va = buffer + RECEIVE_AT;
        boolean all = true;
        for (QueueState p : queues) {
            while (p.q.hasRx()
                    && p.rxReady) { // drain: the VIRQ is edge-triggered, so nothing left would raise it again
                HvcResult r = ctx.call(MsgQueueCalls.RECEIVE, p.q.rx(), va, GuestRam.PAGE - RECEIVE_AT, 0);
                p.rxReady = r.isOk() && r.x2() != 0;
                if (r.isOk()) {
                    received(p, ctx.memory().read(va, (int) r.x1()));
                } else if (r.error() != HypError.MSGQUEUE_EMPTY) {
                    log.problem(p.q.path() + ": msgqueue_receive -> " + r.error());
                    p.received = true;
                }
            }
            all &= p.exchanged();
        }
        for (BellState b : bells) {
            if (!b.d.source() && !b.exercised && b.ready) {
                b.ready = false;
                HvcResult r = ctx.call(DoorbellCalls.RECEIVE, b.d.cap(), ~0L);
                if (!r.isOk()) {
                    log.problem(b.d.path() + ": doorbell_receive -> " + r.error());
                    b.exercised = true;
                } else if (r.x1() != 0) {
                    b.exercised = true;
                    if (r.x1() != BELL_FLAGS) {
                        log.problem(b.d.path() + ": doorbell rang with flags 0x" + Long.toHexString(r.x1())
                                + ", its source sets 0x" + Long.toHexString(BELL_FLAGS));
                    } else {
                        log.note("doorbell " + b.d.path() + " rang (flags 0x" + Long.toHexString(r.x1()) + ")");
                    }
                }
            }
            all &= b.exercised;
        }
        return all;
    }
}
