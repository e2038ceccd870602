package dev.gunyahdt.hypervisor.call;

/** Rights on a thread (vCPU) cap (§2.4). */
public final class ThreadRights {
    public static final int POWER = 0x1;
    public static final int AFFINITY = 0x2;
    public static final int PRIORITY = 0x4;
    public static final int TIMESLICE = 0x8;
    public static final int YIELD_TO = 0x10;
    public static final int BIND_VIRQ = 0x20;
    public static final int STATE = 0x40;
    public static final int LIFECYCLE = 0x80;
    public static final int WRITE_CONTEXT = 0x100;
    public static final int DISABLE = 0x200;

    private ThreadRights() {
    }
}
