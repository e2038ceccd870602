package dev.gunyahdt.hypervisor.doorbell;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * A doorbell (§4): 64 flag bits senders OR in, an enable mask deciding which flags raise the VIRQ and an
 * ack mask of flags cleared automatically when it is raised. Its operations follow [HYP]
 * {@code hyp/ipc/doorbell/src/doorbell.c}; {@link DoorbellCalls} only decodes, looks up and encodes.
 */
final class Doorbell extends KernelObject {
    private long flags;
    private long enableMask = -1L;
    private long ackMask;
    /** Level re-check (§4): pending ⇔ (flags &amp; enable_mask) ≠ 0. */
    private final VirqSource virq = new VirqSource(() -> (flags & enableMask) != 0);

    Doorbell(long serial) {
        super(ObjectType.DOORBELL, serial);
    }

    /**
     * doorbell_send: flags |= {@code newFlags}; an enabled flag set → level assert, then auto-ack; else an
     * edge-only assert. Returns the flags before the OR.
     */
    long send(long newFlags) {
        long old = flags;
        flags |= newFlags;
        if (enabledPending()) {
            virq.assertLevel();
            flags &= ~ackMask;
        } else {
            virq.assertEdgeOnly();
        }
        return old;
    }

    /**
     * doorbell_receive: clears {@code clearFlags}, returns the flags before. The doc says this may de-assert a
     * bound level VIRQ; the code only clears the flags and leaves the VIRQ alone. We follow the code.
     */
    long receive(long clearFlags) {
        long old = flags;
        flags &= ~clearFlags;
        return old;
    }

    /** doorbell_reset: the creation state (no flags, nothing auto-acked, everything enabled); pending VIRQ cleared. */
    void reset() {
        flags = 0;
        ackMask = 0;
        enableMask = -1L;
        virq.clear();
    }

    /** doorbell_mask: compare "any enabled flag set" before and after the new enable mask; assert/clear on a change. */
    void mask(long enable, long ack) {
        boolean was = enabledPending();
        enableMask = enable;
        ackMask = ack;
        boolean now = enabledPending();
        if (was && !now) {
            virq.clear();
        } else if (!was && now) {
            virq.assertLevel();
            flags &= ~ackMask;
        } else if (was) {
            flags &= ~ackMask;
        }
    }

    /** doorbell_bind → vic_bind_shared: the doorbell's one source into {@code target}'s {@code virqNumber}. */
    HypError bind(VirqTarget target, int virqNumber) {
        return virq.bind(target, virqNumber);
    }

    /** doorbell_unbind (unbinding an unbound doorbell is OK). */
    void unbind() {
        virq.unbind();
    }

    private boolean enabledPending() {
        return (flags & enableMask) != 0;
    }

    @Override
    protected void onDestroy() {
        virq.unbind();
    }

    @Override
    protected String describeState() {
        return " flags=" + Long.toHexString(flags) + " enable=" + Long.toHexString(enableMask)
                + " ack=" + Long.toHexString(ackMask) + " virq=" + virq;
    }
}
