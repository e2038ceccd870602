package dev.gunyahdt.hypervisor.call;

/** Rights on a partition cap (§2.4). */
public final class PartitionRights {
    public static final int OBJECT_CREATE = 0x1;
    public static final int DONATE = 0x2;

    private PartitionRights() {
    }
}
