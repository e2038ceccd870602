package dev.gunyahdt.hypervisor.hwirq;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * A hardware IRQ object ([HYP] {@code hyp/core/irq}): one physical SPI of the GIC, forwarded to a VM as a
 * shared VIRQ once bound (action HWIRQ_ACTION_VGIC_FORWARD_SPI, [HYP] {@code hyp/vm/vgic/src/distrib.c}). The
 * physical line's level is kept so a level-triggered VIRQ re-checks it when the guest deactivates it.
 */
public final class Hwirq extends KernelObject {
    /** GICv3 SPI INTIDs without the extended range (vgic_get_irq_type: SPI is 32..1019). */
    static final int SPI_FIRST = 32;

    static final int SPI_LAST = 1019;

    private final int irq;
    private boolean lineHigh;
    private int received;
    private final VirqSource source = new VirqSource(() -> lineHigh);

    Hwirq(long serial, int irq) {
        super(ObjectType.HWIRQ, serial);
        this.irq = irq;
        // created and activated by the hypervisor for the root VM (vgic_handle_rootvm_create_hwirq)
        markActiveAtBoot();
    }

    /** The physical INTID. */
    public int irq() {
        return irq;
    }

    static boolean isSpi(long intid) {
        return intid >= SPI_FIRST && intid <= SPI_LAST;
    }

    /**
     * vgic_bind_hwirq_spi: the VIRQ must be an SPI (ARGUMENT_INVALID), then vic_bind_shared: a bound source is
     * VIRQ_BOUND, a VIRQ another source holds is BUSY, one beyond the VIC's count ARGUMENT_INVALID.
     */
    HypError bind(VirqTarget vic, int virq) {
        if (!isSpi(virq)) {
            return HypError.ARGUMENT_INVALID;
        }
        HypError e = source.bind(vic, virq);
        if (e == HypError.OK && lineHigh) {
            // binding enables the physical line: a level already high is delivered now (a lent SPI raised
            // before its borrower accepted it arrives at the accept)
            received++;
            source.assertLevel();
        }
        return e;
    }

    /**
     * vgic_unbind_hwirq_spi: an unbound hwirq is VIRQ_NOT_BOUND (the code's answer; the API doc says OK for
     * "already unbound" — we follow the code, as elsewhere).
     */
    HypError unbind() {
        if (!source.isBound()) {
            return HypError.VIRQ_NOT_BOUND;
        }
        source.unbind();
        return HypError.OK;
    }

    /**
     * The device raised the line: irq_interrupt_dispatch_one → vgic_handle_irq_received_forward_spi, a level
     * assert of the bound VIRQ. An unbound hwirq is disabled at the GIC (unbound HW IRQs are always disabled,
     * vgic_bind_hwirq_spi), so nothing is delivered: false.
     */
    boolean raise() {
        lineHigh = true;
        if (!source.isBound()) {
            return false;
        }
        received++;
        source.assertLevel();
        return true;
    }

    /** The device lowered the line; the guest's next deactivate of the VIRQ sees it low and does not re-pend. */
    void lower() {
        lineHigh = false;
    }

    @Override
    protected void onDestroy() {
        source.unbind();
    }

    @Override
    protected String describeState() {
        return " irq=" + irq + " line=" + (lineHigh ? 1 : 0) + " received=" + received + " virq=" + source;
    }
}
