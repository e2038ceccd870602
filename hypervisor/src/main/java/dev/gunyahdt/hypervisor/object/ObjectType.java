package dev.gunyahdt.hypervisor.object;

/**
 * The first-class object types of the reference build (§2.1), each with the rights mask a master cap
 * carries (§2.4, "ALL mask"; bit 31 is OBJECT_ACTIVATE on every type).
 * VRTC has no implementation in this model yet (hypervisor/README.md, "Coverage").
 */
public enum ObjectType {
    PARTITION(0x80000003),
    CSPACE(0x8000001F),
    ADDRSPACE(0x8000000F),
    MEMEXTENT(0x8000001F),
    THREAD(0x800003FF),
    DOORBELL(0x80000007),
    MSGQUEUE(0x8000000F),
    VIC(0x80000007),
    VPM_GROUP(0x80000007),
    VIRTIO_MMIO(0x8000000F),
    VRTC(0x80000007),
    HWIRQ(0x80000002);

    /** The generic right every type has: activate the object (needed by activate and every configure call). */
    public static final int OBJECT_ACTIVATE = 0x80000000;

    private final int allRights;

    ObjectType(int allRights) {
        this.allRights = allRights;
    }

    /** The rights of a master cap created by {@code partition_create_*}. */
    public int allRights() {
        return allRights;
    }
}
