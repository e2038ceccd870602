package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.guest.GuestDt.Doorbell;
import dev.gunyahdt.hypervisor.guest.GuestDt.Queue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest's queues and doorbells with its progress on each: it sends a hello on every queue it can send on,
 * rings every doorbell source, then waits until every queue it can receive on delivered and every doorbell it
 * takes rang. A receive queue or doorbell is read only after its VIRQ fired (once at boot, to look).
 */
final class Peers {

    private static final long BUFFER = 0x2000;

    /** A queue and how far the exchange on it got. */
    static final class QueueState {
        final Queue q;
        boolean sent;
        boolean received;
        /** Its receive VIRQ fired since the queue was last drained (true at boot: look once). */
        boolean rxReady = true;

        QueueState(Queue q) {
            this.q = q;
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

    Peers(GuestContext ctx, ProbeLog log, List<Queue> queues, List<Doorbell> doorbells) {
        this.ctx = ctx;
        this.log = log;
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

    void onVirq(int intid) {
        for (QueueState p : queues) {
            p.rxReady |= intid == p.q.rxVirq();
        }
        for (BellState b : bells) {
            b.ready |= !b.d.source() && intid == b.d.virq();
        }
    }

    /** msgqueue_send of a hello on each queue not yet sent on; done when every one went (a full queue waits). */
    boolean sendHellos(String name) {
        boolean all = true;
        for (QueueState p : queues) {
            if (p.q.hasTx() && !p.sent) {
                p.sent = send(p, "hello from " + name + " (label " + p.q.label() + ")");
            }
            all &= !p.q.hasTx() || p.sent;
        }
        return all;
    }

    private boolean send(QueueState p, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        long va = ctx.seat().ramBase() + BUFFER;
        ctx.seat().memory().write(va, b);
        HvcResult r = ctx.call(MsgQueueCalls.SEND, p.q.tx(), b.length, va, MsgQueueCalls.SEND_FLAG_PUSH);
        if (r.error() == HypError.MSGQUEUE_FULL) {
            return false;
        }
        if (!r.isOk()) {
            log.problem(p.q.path() + ": msgqueue_send -> " + r.error());
        }
        return true;
    }

    boolean ringDoorbells() {
        for (BellState b : bells) {
            if (b.d.source() && !b.exercised) {
                HvcResult r = ctx.call(DoorbellCalls.SEND, b.d.cap(), 1);
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
        long va = ctx.seat().ramBase() + BUFFER + 0x400;
        boolean all = true;
        for (QueueState p : queues) {
            while (p.q.hasRx() && p.rxReady) { // drain: the VIRQ is edge-triggered, so nothing left would raise it again
                HvcResult r = ctx.call(MsgQueueCalls.RECEIVE, p.q.rx(), va, 1024, 0);
                p.rxReady = r.isOk() && r.x2() != 0;
                if (r.isOk() && r.x1() > 0) {
                    String text = new String(ctx.seat().memory().read(va, (int) r.x1()), StandardCharsets.ISO_8859_1);
                    log.note("got \"" + text + "\" on " + p.q.path());
                    p.received = true;
                } else if (!r.isOk() && r.error() != HypError.MSGQUEUE_EMPTY) {
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
                    log.note("doorbell " + b.d.path() + " rang (flags 0x" + Long.toHexString(r.x1()) + ")");
                }
            }
            all &= b.exercised;
        }
        return all;
    }
}
