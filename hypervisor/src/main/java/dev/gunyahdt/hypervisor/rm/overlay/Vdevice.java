package dev.gunyahdt.hypervisor.rm.overlay;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A vdevice the RM exports into a secondary VM's overlay (reference §10.4), as the RM knows it
 * once the objects exist. {@code generate} is the absolute DT path from the VM config (§9.5);
 * {@code pushCompatibles} come first in {@code compatible}, before the fixed strings.
 */
public sealed interface Vdevice {

    String generate();

    List<String> pushCompatibles();

    /**
     * A bidirectional pair. {@code peerId} is present only when the peer has a matching vdevice
     * (then it goes into {@code peer} and {@code /hypervisor/qcom,gunyah-vm/qcom,peers});
     * {@code peerVmid} only when, in addition, the peer VM is valid.
     */
    record MessageQueuePair(
            String generate,
            List<String> pushCompatibles,
            QueuePair queues,
            long vdeviceHandle,
            Optional<String> peerId,
            OptionalLong peerVmid,
            long label)
            implements Vdevice {
        public MessageQueuePair {
            pushCompatibles = List.copyOf(pushCompatibles);
            Vdevice.checkGenerate(generate);
            if (peerId.isEmpty() && peerVmid.isPresent()) {
                throw new IllegalArgumentException("qcom,peer-vmid needs a peer vdevice (peerId)");
            }
        }
    }

    /** One direction: the VM either sends ({@code sender}) or receives on it. */
    record MessageQueue(
            String generate,
            List<String> pushCompatibles,
            long cap,
            Virq virq,
            boolean sender,
            int messageSize,
            int queueDepth,
            long label)
            implements Vdevice {
        public MessageQueue {
            pushCompatibles = List.copyOf(pushCompatibles);
            Vdevice.checkGenerate(generate);
        }
    }

    /**
     * A doorbell: the receiver side carries its VIRQ, the source side ({@code virq} empty) has
     * none.
     */
    record Doorbell(String generate, List<String> pushCompatibles, long cap, Optional<Virq> virq, long label)
            implements Vdevice {
        public Doorbell {
            pushCompatibles = List.copyOf(pushCompatibles);
            Vdevice.checkGenerate(generate);
        }

        public boolean source() {
            return virq.isEmpty();
        }
    }

    /**
     * A shared-memory region (§10.4 "Shared memory"): its node is named {@code generate} itself (no unit address);
     * {@code buffer} and {@code memory-region} point at the reserved-memory buffer of the parcel with the same label
     * (dtbo_add_memory_region: none when no parcel of the label was accepted and the memory is optional).
     *
     * @param peerVmid the VMID of the VM it is shared with (empty while that VM does not exist yet)
     * @param dmaBase  the config's {@code dma_base}, written last when given (dto_create_shm)
     * @param tx       shm-doorbell: the doorbell this VM rings (its source; {@code tx-doorbell}), else empty
     * @param rx       shm-doorbell: the doorbell the peer rings (its VIRQ here; {@code rx-doorbell}), else empty
     */
    record SharedMemory(
            String generate,
            List<String> pushCompatibles,
            long label,
            OptionalLong peerVmid,
            OptionalLong dmaBase,
            Optional<Doorbell> tx,
            Optional<Doorbell> rx)
            implements Vdevice {
        public SharedMemory {
            pushCompatibles = List.copyOf(pushCompatibles);
            Vdevice.checkGenerate(generate);
            if (tx.isPresent() != rx.isPresent()) {
                throw new IllegalArgumentException("a shm-doorbell has both doorbells");
            }
        }

        public SharedMemory(String generate, List<String> pushCompatibles, long label, OptionalLong peerVmid) {
            this(generate, pushCompatibles, label, peerVmid, OptionalLong.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * A virtio-mmio device the VM drives (dto_create_virtio_mmio): named {@code generate@<ipa>}; its register page
     * at {@code ipa} ({@code size} bytes), the VIRQ the backend raises, the buffer of the parcel with its label as
     * {@code memory-region}, {@code dma_base}, and the backend's VMID as {@code peer}.
     */
    record VirtioMmio(
            String generate,
            List<String> pushCompatibles,
            long ipa,
            long size,
            Virq virq,
            long label,
            long dmaBase,
            long backendVmid,
            boolean dmaCoherent)
            implements Vdevice {
        public VirtioMmio {
            pushCompatibles = List.copyOf(pushCompatibles);
            Vdevice.checkGenerate(generate);
        }
    }

    /**
     * Device memory lent to the VM for an {@code iomem} vdevice (create_iomem_nodes): its node sits at
     * {@code generate} itself (no unit address), written in §10.2 step 2, not with the other vdevices.
     *
     * @param regions {physical address, size} of each region of the parcel of its label
     * @param peer    the VMID the config names as the memory's owner (peer-default: HLOS)
     * @param acl     this VM's then the peer's rights, when the parcel's ACL names both; else empty
     * @param attrs   this VM's then the peer's attributes, when the parcel was given both; else empty
     */
    record Iomem(
            String generate,
            List<String> pushCompatibles,
            List<long[]> regions,
            long peer,
            long handle,
            List<Long> acl,
            List<Long> attrs,
            long label)
            implements Vdevice {
        public Iomem {
            pushCompatibles = List.copyOf(pushCompatibles);
            regions = regions.stream().map(long[]::clone).toList();
            acl = List.copyOf(acl);
            attrs = List.copyOf(attrs);
            Vdevice.checkGenerate(generate);
        }
    }

    private static void checkGenerate(String generate) {
        if (generate == null
                || !generate.startsWith("/")
                || generate.length() < 2
                || generate.endsWith("/")
                || generate.contains("//")) {
            throw new IllegalArgumentException("generate must be an absolute node path: " + generate);
        }
    }
}
