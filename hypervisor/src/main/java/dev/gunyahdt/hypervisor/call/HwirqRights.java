package dev.gunyahdt.hypervisor.call;

/** Rights on a hardware IRQ cap ([HYP] {@code hyp/interfaces/vic/vic.tc}: cap_rights_hwirq). */
public final class HwirqRights {
    /** Bit 1: bind and unbind the hwirq to a VIRQ of a VIC. */
    public static final int BIND_VIC = 0x2;

    private HwirqRights() {}
}
