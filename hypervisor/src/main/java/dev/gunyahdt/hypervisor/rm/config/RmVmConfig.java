package dev.gunyahdt.hypervisor.rm.config;

import java.util.List;

/**
 * A VM's devicetree as the real RM's parser leaves it (its {@code vm_config_parser_data_t}): what
 * {@link VmDtParser} read, before any VM_INIT check. Every field has the RM's default where the DT is silent.
 * Immutable.
 */
public record RmVmConfig(
        String name,
        String uri,
        byte[] guid,
        boolean hasGuid,
        Attrs attrs,
        Memory memory,
        Vcpus vcpus,
        Gic gic,
        List<IomemRange> iomemRanges,
        List<IrqRange> irqRanges,
        List<RmRpc> rmRpcs,
        List<Doorbell> doorbells,
        List<MsgQueue> msgQueues,
        List<MsgQueuePair> msgQueuePairs,
        List<Shm> shms,
        List<VirtioMmio> virtioMmios,
        List<Iomem> iomems,
        List<Smmu> smmus,
        List<Rtc> rtcs,
        List<String> warnings) {

    public RmVmConfig {
        guid = guid.clone();
        iomemRanges = List.copyOf(iomemRanges);
        irqRanges = List.copyOf(irqRanges);
        rmRpcs = List.copyOf(rmRpcs);
        doorbells = List.copyOf(doorbells);
        msgQueues = List.copyOf(msgQueues);
        msgQueuePairs = List.copyOf(msgQueuePairs);
        shms = List.copyOf(shms);
        virtioMmios = List.copyOf(virtioMmios);
        iomems = List.copyOf(iomems);
        smmus = List.copyOf(smmus);
        rtcs = List.copyOf(rtcs);
        warnings = List.copyOf(warnings);
    }

    @Override
    public byte[] guid() {
        return guid.clone();
    }

    /** {@code vm-attrs} and {@code qcom,sensitive} as {@code parse_vm_attrs} sets them. */
    public record Attrs(
            boolean crashFatal,
            boolean noShutdown,
            boolean noReset,
            boolean contextDump,
            boolean rasErrorHandler,
            boolean amuCountingDisabled,
            boolean sensitive) {}

    /** {@code parse_vm_memory}: the IPA base and size window, firmware window, direct mapping. */
    public record Memory(
            long base,
            long sizeMin,
            long sizeMax,
            boolean mapDirect,
            long firmwareBase,
            long firmwareSizeMax,
            long[] baseConstraints) {
        public Memory {
            baseConstraints = baseConstraints == null ? null : baseConstraints.clone();
        }
    }

    public enum Affinity {
        STATIC,
        STICKY,
        PINNED,
        PROXY
    }

    /** One CPU node the RM will make a vCPU for; {@code boot} when it starts at VM boot. */
    public record Vcpu(String path, boolean boot) {}

    /**
     * {@code parse_vcpus}; {@code present} is false when the config has no {@code vcpus} node (then every other
     * field has its zero value, as in the RM).
     */
    public record Vcpus(
            boolean present,
            Affinity affinity,
            long timesliceUs,
            long priorityOffset,
            List<Long> affinityMap,
            List<Vcpu> cpus,
            boolean psci) {
        public Vcpus {
            affinityMap = affinityMap == null ? null : List.copyOf(affinityMap);
            cpus = List.copyOf(cpus);
        }
    }

    /**
     * The vGIC as {@code platform_parse_gic} read it; absent ({@code stride == 0}) means the RM places it. A node
     * without {@code reg} ({@code patchDt}) gets the addresses the RM picks written into it, in its parent's cells.
     */
    public record Gic(
            long phandle,
            long gicdBase,
            long gicrBase,
            long gicrStride,
            boolean patchDt,
            int addressCells,
            int sizeCells) {}

    /** A VIRQ given in a vdevice's {@code interrupts} ({@code read_interrupts_config}). */
    public record Irq(int intid, boolean edge) {}

    /** {@code parse_general_vdevice_props}. */
    public record General(String path, long label, String generate, List<String> pushCompatibles) {
        public General {
            pushCompatibles = List.copyOf(pushCompatibles);
        }
    }

    /** peerId null: {@code peer-default} (the VM's owner). */
    public record RmRpc(General general, boolean console, List<Irq> irqs, int messageSize, int queueDepth) {
        public RmRpc {
            irqs = List.copyOf(irqs);
        }
    }

    public record Doorbell(General general, boolean source, String peerId, boolean sourceCanClear, Irq irq) {}

    public record MsgQueue(General general, boolean sender, Irq irq, int messageSize, int queueDepth) {}

    public record MsgQueuePair(General general, String peerId, List<Irq> irqs, int messageSize, int queueDepth) {
        public MsgQueuePair {
            irqs = List.copyOf(irqs);
        }
    }

    public record Shm(
            General general, boolean plain, long base, boolean allocateBase, boolean optional, long dmaBase) {}

    public record VirtioMmio(
            General general,
            int vqsNum,
            long dmaBase,
            long deviceType,
            boolean validDeviceType,
            boolean dmaCoherent,
            long base,
            boolean allocateBase) {}

    public record Iomem(General general, String patch, long label, boolean allocateBase) {}

    public record Smmu(String path, long handle, String patch, long contextBanks, long smrs) {}

    public record Rtc(String path, long base, boolean allocateBase) {}

    /** {@code iomemory-ranges}: access is the RM's enum (0 RW, 1 R, 2 RWX, 3 W, 4 X, 5 RX, 6 none). */
    public record IomemRange(long phys, long ipa, long size, int access) {}

    public record IrqRange(long hwIrq, long virq) {}
}
