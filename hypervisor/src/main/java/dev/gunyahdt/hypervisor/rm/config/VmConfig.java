package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One VM's configuration as the RM reads it from the {@code /qcom,vm-config} node of the VM's own DTB
 * (reference §9). Immutable; built by {@link VmConfigParser}, which reports every problem with the node path
 * and property it is about.
 *
 * @param imageName {@code image-name} (required, under 80 chars): the VM's name
 * @param vmAttrs   {@code vm-attrs} as written (crash-fatal, no-shutdown, no-reset, …)
 * @param rmRpc     the {@code rm-rpc} vdevice (a default one when the config has none, see the parser)
 * @param vdevices  the other vdevices in the order the RM creates them (§6.3: doorbells, message queues,
 *                  message-queue pairs, shm), each in tree order within its kind
 * @param iomems    the {@code iomem} vdevices: device memory the owner lends with their label, accepted at VM_START
 * @param unmodelled vdevices parsed but built into nothing, by the open RM as by the model ("vsmmu-v2 /path"):
 *                  vsmmu-v2 ({@code parse_vsmmuv2}'s result is never read; {@code patch_smmu_v2_nodes} is declared
 *                  in dto_construct.h and defined nowhere) and vrtc-pl031 (refused at VM_INIT on QEMU)
 */
public record VmConfig(
        String imageName,
        Optional<String> uri,
        Optional<String> guid,
        List<String> vmAttrs,
        Memory memory,
        Vcpus vcpus,
        Optional<String> gicPath,
        RmRpc rmRpc,
        List<Vdevice> vdevices,
        List<Iomem> iomems,
        List<String> unmodelled) {

    public VmConfig {
        vmAttrs = List.copyOf(vmAttrs);
        vdevices = List.copyOf(vdevices);
        iomems = List.copyOf(iomems);
        unmodelled = List.copyOf(unmodelled);
    }

    public boolean hasAttr(String attr) {
        return vmAttrs.contains(attr)
                || (vmAttrs.contains("crash-fatal") && (attr.equals("no-shutdown") || attr.equals("no-reset")));
    }

    /**
     * An {@code iomem} vdevice (§9.5): the device node it patches, the label of the memory lent for it, and where the
     * RM writes its overlay node ({@code generate}, else the {@code patch} path: handle_iomems) with which
     * push-compatibles.
     */
    public record Iomem(String path, String patch, long label, String generate, List<String> pushCompatibles) {
        public Iomem {
            pushCompatibles = List.copyOf(pushCompatibles);
        }
    }

    /** {@code memory}: the VM's IPA base and size limits (§9.2). */
    public record Memory(long baseAddress, long sizeMin, long sizeMax) {}

    /**
     * {@code vcpus} (§9.3): the affinity mode, the physical CPU of each vCPU, the cpus node used, and whether the
     * RM makes the VM a VPM group ({@code enable_vpm_psci}: a PSCI node, a psci enable-method or idle states);
     * {@code cpuPaths}: each vCPU's CPU node, in vCPU order.
     */
    /**
     * The {@code vcpus} node as {@code handle_vcpu} uses it. {@code priorityOffset} ({@code sched-priority}) is added
     * to the owner's priority and {@code timesliceUs} ({@code sched-timeslice}) turned into ns; a proxy-scheduled
     * VM's are ignored (minimum priority and timeslice).
     */
    public record Vcpus(
            String affinity,
            List<Long> affinityMap,
            String config,
            int count,
            boolean psci,
            List<String> cpuPaths,
            long priorityOffset,
            long timesliceUs) {
        public Vcpus {
            affinityMap = List.copyOf(affinityMap);
            cpuPaths = List.copyOf(cpuPaths);
        }
    }

    /** The {@code rm-rpc} vdevice (§9.5). {@code interrupts} is empty (allocate) or exactly {tx, rx}. */
    public record RmRpc(
            String path,
            String generate,
            List<String> pushCompatibles,
            boolean console,
            int messageSize,
            int queueDepth,
            List<Virq> interrupts) {
        public RmRpc {
            pushCompatibles = List.copyOf(pushCompatibles);
            interrupts = List.copyOf(interrupts);
        }
    }

    /** The vdevice kinds the model creates, in the RM's creation order (§6.3). */
    public enum Kind {
        DOORBELL("doorbell"),
        DOORBELL_SOURCE("doorbell-source"),
        MESSAGE_QUEUE("message-queue"),
        MESSAGE_QUEUE_PAIR("message-queue-pair"),
        SHM("shm"),
        VIRTIO_MMIO("virtio-mmio");

        public final String dtName;

        Kind(String dtName) {
            this.dtName = dtName;
        }

        /** The creation rank: doorbells (both sides), queues, pairs, shm, virtio-mmio. */
        int rank() {
            return this == DOORBELL_SOURCE ? 0 : ordinal() == 0 ? 0 : ordinal() - 1;
        }
    }

    /**
     * Whom a vdevice connects to: {@code peerId} names the peer VM (its image-name), or {@code peerDefault}
     * means the VM's owner (§9.5).
     */
    public record Peer(Optional<String> peerId, boolean peerDefault) {}

    /**
     * A vdevice other than rm-rpc (§9.5).
     *
     * @param path        the config node's path (for messages)
     * @param sender      message-queue: is-sender (else is-receiver)
     * @param interrupts  config-supplied VIRQs (empty: the RM allocates)
     * @param shmBase     shm, virtio-mmio: the {@code memory/base} of the region, when given
     * @param shmDoorbells shm: a shm-doorbell (handle_shm adds a doorbell each way with the peer)
     * @param virtio      virtio-mmio: what {@code parse_virtio_mmio} reads besides the general properties
     */
    public record Vdevice(
            String path,
            Kind kind,
            String generate,
            List<String> pushCompatibles,
            long label,
            Peer peer,
            int messageSize,
            int queueDepth,
            List<Virq> interrupts,
            boolean sender,
            boolean sourceCanClear,
            OptionalLong shmBase,
            boolean shmDoorbells,
            Optional<Virtio> virtio) {
        public Vdevice {
            pushCompatibles = List.copyOf(pushCompatibles);
            interrupts = List.copyOf(interrupts);
        }

        /** This vdevice with the virtio-mmio parameters {@code v}. */
        public Vdevice withVirtio(Virtio v) {
            return with(shmDoorbells, Optional.of(v));
        }

        /** This shm vdevice as a shm-doorbell. */
        public Vdevice withShmDoorbells() {
            return with(true, virtio);
        }

        /** A copy with the two fields the parser sets after the common ones. */
        private Vdevice with(boolean shmDoorbells, Optional<Virtio> virtio) {
            return new Vdevice(
                    path,
                    kind,
                    generate,
                    pushCompatibles,
                    label,
                    peer,
                    messageSize,
                    queueDepth,
                    interrupts,
                    sender,
                    sourceCanClear,
                    shmBase,
                    shmDoorbells,
                    virtio);
        }
    }

    /**
     * {@code parse_virtio_mmio}: {@code vqs-num} (default 1), {@code dma_base} (default 0), {@code dma-coherent},
     * {@code virtio,device-type} when given ({@code validDeviceType}).
     */
    public record Virtio(int vqsNum, long dmaBase, boolean dmaCoherent, boolean validDeviceType, long deviceType) {}
}
