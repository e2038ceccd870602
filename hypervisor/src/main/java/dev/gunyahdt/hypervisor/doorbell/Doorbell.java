package dev.gunyahdt.hypervisor.doorbell;

import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqSource;

/**
 * A doorbell (§4): 64 flag bits senders OR in, an enable mask deciding which flags raise the VIRQ and an
 * ack mask of flags cleared automatically when it is raised.
 */
public final class Doorbell extends KernelObject {
    long flags;
    long enableMask = -1L;
    long ackMask;
    /** Level re-check (§4): pending ⇔ (flags &amp; enable_mask) ≠ 0. */
    final VirqSource virq = new VirqSource(() -> (flags & enableMask) != 0);

    public Doorbell(long serial) {
        super(ObjectType.DOORBELL, serial);
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
