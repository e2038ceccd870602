package dev.gunyahdt.hypervisor.call;

/** Rights on a VPM group cap (§2.4; [HYP] {@code hyp/interfaces/vpm/vpm.tc}). */
public final class VpmGroupRights {
    public static final int ATTACH_VCPU = 0x1;
    public static final int BIND_VIRQ = 0x2;
    public static final int QUERY = 0x4;

    private VpmGroupRights() {}
}
