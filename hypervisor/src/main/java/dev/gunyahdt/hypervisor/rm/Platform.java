package dev.gunyahdt.hypervisor.rm;

/**
 * The platform facts the RM's VMID allocation depends on (reference §8.4): which VMIDs below 64 VM_ALLOCATE may
 * hand out as "secondary" VMIDs. QEMU's bitmap 0xFFFFFFF0 gives 4..31; a worked example with another VMID (§10.6
 * uses 45) needs another platform.
 */
public record Platform(int firstSecondaryVmid, int lastSecondaryVmid) {
    public static final Platform QEMU = new Platform(4, 31);

    public Platform {
        if (firstSecondaryVmid < 1
                || lastSecondaryVmid > 63
                || firstSecondaryVmid > lastSecondaryVmid
                || (ResourceManager.VMID_HLOS >= firstSecondaryVmid
                        && ResourceManager.VMID_HLOS <= lastSecondaryVmid)) {
            throw new IllegalArgumentException("secondary VMIDs must lie in 1..63 and leave out the primary's 3");
        }
    }
}
