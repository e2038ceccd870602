package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The model's view of a VM config: {@link VmDtParser} reads the tree exactly as the real RM does (and refuses
 * what it refuses); this turns the result into the {@link VmConfig} the model's RM builds objects from. The two
 * vdevice kinds the open RM builds nothing for are listed in {@link VmConfig#unmodelled()}: vsmmu-v2 (nothing
 * consumes {@code parse_vsmmuv2}'s result) and vrtc-pl031 (VM_INIT refuses it on the QEMU platform, {@code
 * handle_rtc}).
 */
public final class VmConfigParser {
    static final String DEFAULT_RM_RPC_GENERATE = "/hypervisor/qcom,resource-mgr";

    private VmConfigParser() {}

    /** @param blob how messages name the source ({@code vm/svm1.dtb}) */
    public static VmConfig parse(String blob, DeviceTree tree) {
        return parse(blob, tree, false);
    }

    /** The primary's config, read with {@link VmDtParser#parsePrimary}. */
    public static VmConfig parsePrimary(String blob, DeviceTree tree) {
        return parse(blob, tree, true);
    }

    private static VmConfig parse(String blob, DeviceTree tree, boolean primary) {
        RmVmConfig c;
        try {
            c = primary ? VmDtParser.parsePrimary(tree) : VmDtParser.parse(tree);
        } catch (RmCheckFailure f) {
            throw new VmConfigException(blob, f.path(), f.property(), f.reason() + " (" + f.function() + ")");
        }
        return adapt(blob, tree, c);
    }

    /** The model's view of a reading the caller already has ({@code tree} is what {@code c} was read from). */
    public static VmConfig adapt(String blob, DeviceTree tree, RmVmConfig c) {
        if (c.name() == null) {
            throw new VmConfigException(blob, "/", null, "no /qcom,vm-config (or /gunyah-vm-config) node");
        }
        Node cfg = tree.find("/qcom,vm-config")
                .or(() -> tree.find("/gunyah-vm-config"))
                .orElseThrow()
                .node();
        List<String> attrs = cfg.property("vm-attrs")
                .filter(p -> p.value().isStringList())
                .map(p -> p.value().asStrings())
                .orElse(List.of());
        String guid = Fdt.string0(cfg, "vm-guid");
        RmVmConfig.Vcpus v = c.vcpus();
        String cpusPath = cfg.child("vcpus").map(n -> Fdt.string0(n, "config")).orElse(null);
        VmConfig.Vcpus vcpus = new VmConfig.Vcpus(
                v.affinity().name().toLowerCase(),
                v.affinityMap() == null ? List.of() : v.affinityMap(),
                cpusPath == null ? "/cpus" : cpusPath,
                v.cpus().size(),
                v.psci(),
                v.cpus().stream().map(RmVmConfig.Vcpu::path).toList(),
                v.priorityOffset(),
                v.timesliceUs());
        Optional<String> gic =
                cfg.child("interrupts").map(n -> Fdt.string0(n, "config")).filter(s -> s.startsWith("/"));
        VmConfig.RmRpc rmRpc = c.rmRpcs().isEmpty()
                ? new VmConfig.RmRpc(
                        "/qcom,vm-config",
                        DEFAULT_RM_RPC_GENERATE,
                        List.of(),
                        false,
                        VmDtParser.DEFAULT_MSG_SIZE,
                        VmDtParser.DEFAULT_QUEUE_DEPTH,
                        List.of())
                : rmRpc(c.rmRpcs().get(0));
        List<VmConfig.Vdevice> vdevices = new ArrayList<>();
        List<String> unmodelled = new ArrayList<>();
        // the RM's creation order (vm_config_create_vdevices): doorbells, message queues, pairs, shm
        for (RmVmConfig.Doorbell d : c.doorbells()) {
            vdevices.add(vdevice(
                    d.general(),
                    d.source() ? VmConfig.Kind.DOORBELL_SOURCE : VmConfig.Kind.DOORBELL,
                    d.peerId(),
                    0,
                    0,
                    d.irq() == null ? List.of() : List.of(d.irq()),
                    false,
                    d.sourceCanClear(),
                    OptionalLong.empty()));
        }
        for (RmVmConfig.MsgQueue q : c.msgQueues()) {
            vdevices.add(vdevice(
                    q.general(),
                    VmConfig.Kind.MESSAGE_QUEUE,
                    null,
                    q.messageSize(),
                    q.queueDepth(),
                    q.irq() == null ? List.of() : List.of(q.irq()),
                    q.sender(),
                    false,
                    OptionalLong.empty()));
        }
        for (RmVmConfig.MsgQueuePair q : c.msgQueuePairs()) {
            vdevices.add(vdevice(
                    q.general(),
                    VmConfig.Kind.MESSAGE_QUEUE_PAIR,
                    q.peerId(),
                    q.messageSize(),
                    q.queueDepth(),
                    q.irqs(),
                    false,
                    false,
                    OptionalLong.empty()));
        }
        for (RmVmConfig.Shm s : c.shms()) {
            VmConfig.Vdevice d = vdevice(
                    s.general(),
                    VmConfig.Kind.SHM,
                    null,
                    0,
                    0,
                    List.of(),
                    false,
                    false,
                    s.allocateBase() ? OptionalLong.empty() : OptionalLong.of(s.base()));
            vdevices.add(s.plain() ? d : d.withShmDoorbells());
        }
        // handle_virtio_mmio comes after handle_shm; the backend is always HLOS (parse_virtio_mmio: peer-default)
        for (RmVmConfig.VirtioMmio x : c.virtioMmios()) {
            vdevices.add(vdevice(
                            x.general(),
                            VmConfig.Kind.VIRTIO_MMIO,
                            null,
                            0,
                            0,
                            List.of(),
                            false,
                            false,
                            x.allocateBase() ? OptionalLong.empty() : OptionalLong.of(x.base()))
                    .withVirtio(new VmConfig.Virtio(
                            x.vqsNum(), x.dmaBase(), x.dmaCoherent(), x.validDeviceType(), x.deviceType())));
        }
        c.smmus().forEach(x -> unmodelled.add("vsmmu-v2 " + x.path()));
        c.rtcs().forEach(x -> unmodelled.add("vrtc-pl031 " + x.path()));
        VmConfig.Memory memory = new VmConfig.Memory(
                c.memory().base(), c.memory().sizeMin(), c.memory().sizeMax());
        return new VmConfig(
                c.name(),
                c.uri().isEmpty() ? Optional.empty() : Optional.of(c.uri()),
                Optional.ofNullable(guid),
                attrs,
                memory,
                vcpus,
                gic,
                rmRpc,
                vdevices,
                c.iomems().stream()
                        .map(x -> new VmConfig.Iomem(
                                x.general().path(),
                                x.patch(),
                                x.label(),
                                x.general().generate() != null ? x.general().generate() : x.patch(),
                                x.general().pushCompatibles()))
                        .toList(),
                unmodelled);
    }

    private static VmConfig.RmRpc rmRpc(RmVmConfig.RmRpc r) {
        return new VmConfig.RmRpc(
                r.general().path(),
                r.general().generate() == null
                        ? DEFAULT_RM_RPC_GENERATE
                        : r.general().generate(),
                r.general().pushCompatibles(),
                r.console(),
                r.messageSize(),
                r.queueDepth(),
                virqs(r.irqs()));
    }

    private static VmConfig.Vdevice vdevice(
            RmVmConfig.General g,
            VmConfig.Kind kind,
            String peerId,
            int size,
            int depth,
            List<RmVmConfig.Irq> irqs,
            boolean sender,
            boolean canClear,
            OptionalLong shmBase) {
        // vm_config_add_virtio_mmio's default is "qcom,virtio_mmio" (underscore), the others' "qcom,<type>"
        String generate = g.generate() != null
                ? g.generate()
                : kind == VmConfig.Kind.VIRTIO_MMIO
                        ? "/hypervisor/qcom,virtio_mmio"
                        : "/hypervisor/qcom," + kind.dtName;
        VmConfig.Peer peer =
                new VmConfig.Peer(Optional.ofNullable(peerId).map(VmConfigParser::peerName), peerId == null);
        return new VmConfig.Vdevice(
                g.path(),
                kind,
                generate,
                g.pushCompatibles(),
                g.label(),
                peer,
                size,
                depth,
                virqs(irqs),
                sender,
                canClear,
                shmBase,
                false,
                Optional.empty());
    }

    /** The model names VMs by image name: {@code vm-name:X} is X; other id forms stay as written. */
    private static String peerName(String peerId) {
        return peerId.startsWith("vm-name:") ? peerId.substring("vm-name:".length()) : peerId;
    }

    private static List<Virq> virqs(List<RmVmConfig.Irq> irqs) {
        return irqs.stream().map(i -> new Virq(i.intid(), !i.edge())).toList();
    }
}
