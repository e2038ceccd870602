package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.config.RmVmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmInit;
import dev.gunyahdt.hypervisor.rm.overlay.GuestLayout;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayStyle;
import dev.gunyahdt.hypervisor.rm.overlay.QueuePair;
import dev.gunyahdt.hypervisor.rm.overlay.Vdevice;
import dev.gunyahdt.hypervisor.rm.overlay.VmOverlayInfo;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The overlay (§10): what the RM tells OverlayGenerator about a VM, read back from the objects it made. */
final class OverlayInputs {
    private final RmContext ctx;
    private final Memparcels memparcels;
    private final OverlayStyle style;
    /** The RM's entropy for kaslr-seed (§10.2 step 3): from the model's seed, so the same seed gives the same bytes. */
    private final java.util.Random entropy;

    OverlayInputs(RmContext ctx, Memparcels memparcels, OverlayStyle style) {
        this.ctx = ctx;
        this.memparcels = memparcels;
        this.style = style;
        this.entropy = new java.util.Random(ctx.hv.seed() ^ 0x6b61_736c_7273_6564L);
    }

    /** The style of every overlay this RM writes (§10, {@code boot --overlay-style}). */
    OverlayStyle style() {
        return style;
    }

    /**
     * memparcel_get_shared_vmids: a SHARE's owner first, then every VMID of the ACL in order — the owner, which a
     * SHARE's ACL also holds, twice.
     */
    private static List<Long> sharedVmids(Memparcel p) {
        List<Long> out = new ArrayList<>();
        if (p.transaction() == Memparcels.SHARE) {
            out.add((long) p.owner());
        }
        p.acl().forEach(e -> out.add((long) e[0]));
        return out;
    }

    VmOverlayInfo overlayInfo(RmVm vm) {
        if (vm.primary) {
            return VmOverlayInfo.primary(vm.vmid, vm.rpcView);
        }
        VmConfig c = vm.config;
        List<Vdevice> out = new ArrayList<>();
        List<GuestLayout.Region> memory = new ArrayList<>();
        List<GuestLayout.Buffer> buffers = new ArrayList<>();
        // the VM's RAM: the RM asks the hypervisor that it really is mapped there before telling the guest
        ctx.hyp.lookup(vm.addrspaceCap, vm.ramExtent, vm.ram.ipa(), vm.ram.size(), "RAM of " + vm);
        memory.add(new GuestLayout.Region(vm.ram.ipa(), vm.ram.size()));
        for (Side s : vm.sides) {
            if (s.cfg == null || s.ofShm) {
                continue;
            }
            VmConfig.Vdevice d = s.cfg;
            switch (s.kind) {
                case MESSAGE_QUEUE_PAIR -> {
                    boolean peerNode = s.peer != null && s.peer.cfg != null;
                    out.add(new Vdevice.MessageQueuePair(
                            d.generate(),
                            d.pushCompatibles(),
                            new QueuePair(
                                    s.txCap,
                                    s.rxCap,
                                    s.txVirq,
                                    s.rxVirq,
                                    d.messageSize(),
                                    d.messageSize(),
                                    d.queueDepth(),
                                    d.queueDepth()),
                            s.handle,
                            peerNode ? d.peer().peerId() : Optional.empty(),
                            peerNode ? OptionalLong.of(s.peer.vm.vmid) : OptionalLong.empty(),
                            s.label));
                }
                case MESSAGE_QUEUE ->
                    out.add(new Vdevice.MessageQueue(
                            d.generate(),
                            d.pushCompatibles(),
                            s.txCap,
                            s.rxVirq,
                            s.sender,
                            d.messageSize(),
                            d.queueDepth(),
                            s.label));
                case DOORBELL, DOORBELL_SOURCE -> out.add(doorbell(s));
                case SHM -> {
                    Optional<RmVmConfig.Shm> shm = vm.rmConfig == null
                            ? Optional.empty()
                            : vm.rmConfig.shms().stream()
                                    .filter(x -> x.general().path().equals(d.path()))
                                    .findFirst();
                    Optional<Memparcel> accepted = acceptedBuffer(
                            vm, s, d, shm.map(RmVmConfig.Shm::optional).orElse(false), memory, buffers);
                    OptionalLong peerVmid = s.peer != null
                            ? OptionalLong.of(s.peer.vm.vmid)
                            : accepted.map(p -> OptionalLong.of(p.owner())).orElse(OptionalLong.empty());
                    OptionalLong dmaBase = shm.filter(x -> x.dmaBase() != -1)
                            .map(x -> OptionalLong.of(x.dmaBase()))
                            .orElse(OptionalLong.empty());
                    out.add(new Vdevice.SharedMemory(
                            d.generate(),
                            d.pushCompatibles(),
                            s.label,
                            peerVmid,
                            dmaBase,
                            Optional.ofNullable(s.txDoorbell).map(OverlayInputs::doorbell),
                            Optional.ofNullable(s.rxDoorbell).map(OverlayInputs::doorbell)));
                }
                case VIRTIO_MMIO -> {
                    // the DMA pool: the parcel of the device's label the owner shared and the RM accepted, as shm's;
                    // dto_create_virtio_mmio writes the device node pointing at its buffer
                    acceptedBuffer(vm, s, d, false, memory, buffers);
                    VmConfig.Virtio v = d.virtio().orElseThrow();
                    out.add(new Vdevice.VirtioMmio(
                            d.generate(),
                            d.pushCompatibles(),
                            s.frameIpa,
                            s.frameSize,
                            s.rxVirq,
                            s.label,
                            v.dmaBase(),
                            s.peer.vm.vmid,
                            v.dmaCoherent()));
                }
            }
        }
        c.iomems().forEach(io -> iomem(vm, io).ifPresent(out::add));
        // §10.2 step 3: the real RM takes kaslr-seed from the hypervisor's PRNG (prng_get_entropy, not built);
        // the model's RM draws it from its own generator, seeded from the model's seed
        GuestLayout layout = GuestLayout.of(
                        DtbReader.read(vm.baseDtb, vm.blobName), entropy.nextLong(), memory, buffers)
                .withPatches(cpuCaps(vm), vgicPatch(vm));
        return new VmOverlayInfo(
                vm.vmid,
                vm.owner,
                c.imageName(),
                c.uri(),
                c.guid(),
                false,
                c.rmRpc().generate(),
                c.rmRpc().pushCompatibles(),
                vm.rpcView,
                out,
                Optional.of(layout));
    }

    /**
     * create_iomem_nodes: the first parcel naming this VM with the vdevice's label gives the node's regions (their
     * physical addresses), handle, and the ACL and attribute pairs (this VM's, then the peer's: HLOS, as
     * peer-default says) when the parcel has both; no parcel, no node (the RM prints a warning).
     */
    private Optional<Vdevice> iomem(RmVm vm, VmConfig.Iomem io) {
        Optional<Memparcel> parcel = memparcels.targeting(vm.vmid).stream()
                .filter(p -> p.label() == io.label())
                .findFirst();
        if (parcel.isEmpty()) {
            ctx.note(vm.name, "Warning: iomem (label " + Long.toHexString(io.label()) + ") has no memory parcel");
            return Optional.empty();
        }
        int h = parcel.get().handle();
        int peer = ResourceManager.VMID_HLOS;
        return Optional.of(new Vdevice.Iomem(
                io.generate(),
                io.pushCompatibles(),
                memparcels.physRegions(h),
                peer,
                h,
                pair(memparcels.rights(h, vm.vmid), memparcels.rights(h, peer)),
                pair(memparcels.attrs(h, vm.vmid), memparcels.attrs(h, peer)),
                io.label()));
    }

    private static List<Long> pair(OptionalInt self, OptionalInt peer) {
        return self.isPresent() && peer.isPresent()
                ? List.of((long) self.getAsInt(), (long) peer.getAsInt())
                : List.of();
    }

    private static Vdevice.Doorbell doorbell(Side s) {
        return new Vdevice.Doorbell(
                s.cfg.generate(), s.cfg.pushCompatibles(), s.txCap, Optional.ofNullable(s.rxVirq), s.label);
    }

    /**
     * §10.2 step 4 for side {@code s} (shm, virtio-mmio's DMA pool): a parcel of its label this VM accepted counts as
     * accepted memory — the RM checks it is mapped, lists it in /memory and gives it a no-map buffer with the
     * vdevice's push-compatibles (create_reserved_buffer_node). None accepted: no buffer, and a refusal unless the
     * memory is optional (dto_create_shm, dtbo_add_memory_region).
     */
    private Optional<Memparcel> acceptedBuffer(
            RmVm vm,
            Side s,
            VmConfig.Vdevice d,
            boolean optional,
            List<GuestLayout.Region> memory,
            List<GuestLayout.Buffer> buffers) {
        Optional<Memparcel> accepted = memparcels.targeting(vm.vmid).stream()
                .filter(p -> p.label() == s.label && p.accepted().contains(vm.vmid))
                .findFirst();
        if (accepted.isEmpty() && !optional) {
            throw new RmFailure(
                    RmError.NORESOURCE,
                    d.path() + ": no memparcel of label " + s.label + " was accepted (dtbo_add_memory_region)");
        }
        accepted.ifPresent(p -> {
            long[] at = memparcels.mappedIn(p.handle(), vm.vmid).get(0);
            ctx.hyp.lookup(vm.addrspaceCap, at[2], at[0], at[1], "label " + s.label + " in " + vm);
            GuestLayout.Region r = new GuestLayout.Region(at[0], p.size());
            memory.add(r);
            buffers.add(new GuestLayout.Buffer(
                    r,
                    s.label,
                    p.handle(),
                    sharedVmids(p),
                    d.pushCompatibles(),
                    Optional.empty(),
                    OptionalLong.empty()));
        });
        return accepted;
    }

    /**
     * §10.2 step 6 ({@code patch_cpus_nodes}): the CPU node of each vCPU the VM holds a POWER cap to (a VM without a
     * VPM group); a vCPU with a cap and no node is ARGUMENT_INVALID, as in the RM.
     */
    /**
     * vgic_dto_finalise: the GIC node VM_INIT found without {@code reg} gets the vGIC's place. A VM whose config
     * named no usable GIC node (no {@code arm,gic-v3}: a GICv2 board's) cannot be patched — the real RM answers
     * UNIMPLEMENTED ("Invalid or missing VGIC node in DT") and the VM does not start; the model warns and starts it
     * with its DT's own controller node (a documented deviation: the real-board plans of GICv2 SoCs boot here).
     */
    private Optional<GuestLayout.VgicPatch> vgicPatch(RmVm vm) {
        VmInit.VgicPlacement g = vm.vgic;
        if (g == null || !g.patchDt()) {
            return Optional.empty();
        }
        if (g.phandle() == VmInit.VgicPlacement.NO_PHANDLE) {
            ctx.note(
                    vm.name,
                    "Warning: no GICv3 node to describe the vGIC in: the real RM's vgic_dto_finalise answers"
                            + " UNIMPLEMENTED here (invalid or missing VGIC node in DT) and VM_START fails; the model"
                            + " starts the VM with its DT's own interrupt controller");
            return Optional.empty();
        }
        return Optional.of(new GuestLayout.VgicPatch(
                g.phandle(), g.gicdBase(), g.gicrBase(), g.gicrStride(), g.vcpus(), g.addressCells(), g.sizeCells()));
    }

    private static List<GuestLayout.CpuCap> cpuCaps(RmVm vm) {
        List<GuestLayout.CpuCap> out = new ArrayList<>();
        for (RmVm.VcpuSlot v : vm.vcpus) {
            if (v.vmCap().isEmpty()) {
                continue;
            }
            if (v.cpuPath() == null) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, vm + ": a vCPU with a POWER cap has no CPU node");
            }
            out.add(new GuestLayout.CpuCap(v.cpuPath(), v.vmCap().getAsLong()));
        }
        return out;
    }
}
