package dev.gunyahdt.hypervisor.call;

/** Rights on a message-queue cap (§2.4). */
public final class MsgQueueRights {
    public static final int SEND = 0x1;
    public static final int RECEIVE = 0x2;
    public static final int BIND_SEND = 0x4;
    public static final int BIND_RECEIVE = 0x8;

    private MsgQueueRights() {
    }
}
