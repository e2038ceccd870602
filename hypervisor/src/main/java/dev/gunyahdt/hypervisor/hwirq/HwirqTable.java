package dev.gunyahdt.hypervisor.hwirq;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The hypervisor's physical interrupt side ([HYP] {@code hyp/core/irq/src/irq.c}: irq_table): one hwirq object
 * per SPI the platform has, found by INTID when the GIC signals it. The real boot creates every SPI's object
 * and a root-cspace cap to it up front; the model creates an SPI's object when the root VM first asks for its
 * cap ({@link #hwirq}), so boards without passthrough keep their CapIDs.
 */
public final class HwirqTable {
    private final int lastSpi;
    private final LongSupplier serials;
    private final Map<Integer, Hwirq> byIrq = new TreeMap<>();

    /** @param lastSpi the platform's highest SPI INTID (platform_irq_max) */
    public HwirqTable(int lastSpi, LongSupplier serials) {
        this.lastSpi = lastSpi;
        this.serials = serials;
    }

    /** Whether {@code intid} is an SPI of this platform (vgic_handle_object_create_hwirq's check). */
    public boolean isPlatformSpi(long intid) {
        return Hwirq.isSpi(intid) && intid <= lastSpi;
    }

    /** The hwirq object of SPI {@code intid} (made on first use), or null when the platform has no such SPI. */
    public Hwirq hwirq(int intid) {
        if (!isPlatformSpi(intid)) {
            return null;
        }
        return byIrq.computeIfAbsent(intid, i -> new Hwirq(serials.getAsLong(), i));
    }

    /**
     * A device raised SPI {@code intid} (irq_interrupt_dispatch_one → irq_lookup_hwirq → the hwirq's action).
     * Returns whether a VIRQ was asserted: false for an SPI no hwirq forwards (the real hypervisor disables
     * such an unhandled IRQ: disable_unhandled_irq).
     */
    public boolean raise(int intid) {
        Hwirq h = byIrq.get(intid);
        return h != null && h.raise();
    }

    /** The device lowered SPI {@code intid}'s level. */
    public void lower(int intid) {
        Hwirq h = byIrq.get(intid);
        if (h != null) {
            h.lower();
        }
    }
}
