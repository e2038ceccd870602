package dev.gunyahdt.hypervisor.call;

/** Rights on an addrspace cap (§2.4). */
public final class AddrSpaceRights {
    public static final int ATTACH = 0x1;
    public static final int MAP = 0x2;
    public static final int LOOKUP = 0x4;
    /** In code, not in the doc (§0). */
    public static final int ADD_VMMIO_RANGE = 0x8;

    private AddrSpaceRights() {
    }
}
