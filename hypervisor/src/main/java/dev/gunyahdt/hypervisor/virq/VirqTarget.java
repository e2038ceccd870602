package dev.gunyahdt.hypervisor.virq;

import dev.gunyahdt.hypervisor.call.HypError;

/**
 * Where a bound VIRQ source delivers: the receiving VM's virtual interrupt controller. Today the
 * {@code vic} package's vGIC implements it.
 * The SPI range check and the per-controller "one source per VIRQ" rule belong to the target.
 */
public interface VirqTarget {

    /** Reserve {@code virq} for a source: OK, ARGUMENT_INVALID (not a usable SPI) or BUSY (already taken). */
    HypError claim(int virq);

    /** As {@link #claim(int)}, telling the target which source will assert it (for the level re-check). */
    default HypError claim(int virq, VirqSource source) {
        return claim(virq);
    }

    /** Give a VIRQ back on unbind. */
    void release(int virq);

    /**
     * Assert {@code virq}. {@code edgeOnly}: delivered only if the receiver configured it edge-triggered
     * (doorbell send with no enabled flag set, §4).
     */
    void assertVirq(int virq, boolean edgeOnly);

    /** De-assert a pending {@code virq}. */
    void clearVirq(int virq);
}
