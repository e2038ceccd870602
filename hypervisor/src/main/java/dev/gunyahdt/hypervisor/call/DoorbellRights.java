package dev.gunyahdt.hypervisor.call;

/** Rights on a doorbell cap (§2.4). */
public final class DoorbellRights {
    public static final int SEND = 0x1;
    public static final int RECEIVE = 0x2;
    public static final int BIND = 0x4;

    private DoorbellRights() {
    }
}
