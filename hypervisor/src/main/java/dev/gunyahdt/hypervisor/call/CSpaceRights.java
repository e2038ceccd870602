package dev.gunyahdt.hypervisor.call;

/** Rights on a cspace cap (§2.4). */
public final class CSpaceRights {
    public static final int CAP_CREATE = 0x1;
    public static final int CAP_DELETE = 0x2;
    public static final int CAP_COPY = 0x4;
    public static final int ATTACH = 0x8;
    /** In code, not in the doc (§0). */
    public static final int CAP_REVOKE = 0x10;

    private CSpaceRights() {
    }
}
