package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;

/**
 * One VM's side of a vdevice, as the RM records it: the VM's CapIDs and VIRQs (reference §10.4, §8.7), the
 * config node it came from ({@code cfg}; null for the owner's side of a peer-default vdevice, which the owner's
 * DT does not show) and the other side once it exists.
 *
 * <p>Pairs: {@code txCap}/{@code txVirq} are the queue this VM sends on, {@code rxCap}/{@code rxVirq} the one it
 * receives from. Doorbells and one-way queues use {@code txCap} for the single cap and {@code rxVirq} for the
 * receiver's VIRQ. {@code sharedA}/{@code sharedB}: the RM's master caps of the objects (the second queue of a
 * pair in B), which the other side's caps are copied from.
 */
final class Side {
    final RmVm vm;
    final VmConfig.Vdevice cfg;
    final VmConfig.Kind kind;
    final long label;
    final long handle;
    /** This side sends (pair: always; doorbell: the source; one-way queue: is-sender). */
    final boolean sender;

    long txCap = -1;
    long rxCap = -1;
    Virq txVirq;
    Virq rxVirq;
    long masterA = -1;
    long masterB = -1;
    Side peer;
    String peerName;
    /** shm, virtio-mmio's DMA region: the memparcel the RM made for the region (-1 for other kinds). */
    int memparcel = -1;
    /** virtio-mmio: the RM's master cap of the object and of its register page's extent; the page in this VM. */
    long virtioCap = -1;

    /** shm-doorbell: its doorbells, which dto_create_shm writes inside the shm node's fragments (not on their own). */
    Side txDoorbell;

    Side rxDoorbell;
    /** A doorbell of a shm-doorbell: add_doorbell with export_to_dt false. */
    boolean ofShm;

    long frameExtent = -1;
    long frameIpa = -1;
    long frameSize;

    Side(RmVm vm, VmConfig.Vdevice cfg, VmConfig.Kind kind, long label, long handle, boolean sender) {
        this.vm = vm;
        this.cfg = cfg;
        this.kind = kind;
        this.label = label;
        this.handle = handle;
        this.sender = sender;
    }

    /** Whether the other side would match this one: its kind is the complement and the label is the same. */
    boolean complements(VmConfig.Kind otherKind, boolean otherSender, long otherLabel) {
        if (otherLabel != label) {
            return false;
        }
        return switch (kind) {
            case MESSAGE_QUEUE_PAIR -> otherKind == VmConfig.Kind.MESSAGE_QUEUE_PAIR;
            case DOORBELL -> otherKind == VmConfig.Kind.DOORBELL_SOURCE;
            case DOORBELL_SOURCE -> otherKind == VmConfig.Kind.DOORBELL;
            case MESSAGE_QUEUE -> otherKind == VmConfig.Kind.MESSAGE_QUEUE && otherSender != sender;
            case SHM -> otherKind == VmConfig.Kind.SHM;
            case VIRTIO_MMIO -> false; // made whole by the frontend's config: nothing joins it later
        };
    }
}
