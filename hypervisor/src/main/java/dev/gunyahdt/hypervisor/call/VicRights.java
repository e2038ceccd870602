package dev.gunyahdt.hypervisor.call;

/** Rights on a VIC cap (§2.4). */
public final class VicRights {
    public static final int BIND_SOURCE = 0x1;
    public static final int ATTACH_VCPU = 0x2;
    /** In code, not in the doc (§0). */
    public static final int ATTACH_VDEVICE = 0x4;

    private VicRights() {
    }
}
