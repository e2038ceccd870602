package dev.gunyahdt.hypervisor.call;

/** Rights on a memextent cap (§2.4). */
public final class MemExtentRights {
    public static final int MAP = 0x1;
    public static final int DERIVE = 0x2;
    public static final int ATTACH = 0x4;
    public static final int LOOKUP = 0x8;
    public static final int DONATE = 0x10;

    private MemExtentRights() {
    }
}
