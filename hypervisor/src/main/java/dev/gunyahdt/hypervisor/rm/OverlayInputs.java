package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.overlay.GuestLayout;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayStyle;
import dev.gunyahdt.hypervisor.rm.overlay.QueuePair;
import dev.gunyahdt.hypervisor.rm.overlay.Vdevice;
import dev.gunyahdt.hypervisor.rm.overlay.VmOverlayInfo;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
            if (s.cfg == null) {
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
                case DOORBELL, DOORBELL_SOURCE ->
                    out.add(new Vdevice.Doorbell(
                            d.generate(), d.pushCompatibles(), s.txCap, Optional.ofNullable(s.rxVirq), s.label));
                case SHM -> {
                    // §10.2 step 4: a shared parcel counts as accepted memory and gets a no-map buffer; the shm
                    // node points at it. The model maps shm at VM_INIT (no MEM_ACCEPT), so "accepted" = mapped.
                    Memparcel p = memparcels.get(s.memparcel);
                    long[] range = p.sgl().get(0);
                    ctx.hyp.lookup(
                            vm.addrspaceCap, s.masterA, range[0], range[1], "shm label " + s.label + " in " + vm);
                    GuestLayout.Region r = new GuestLayout.Region(range[0], range[1]);
                    memory.add(r);
                    buffers.add(new GuestLayout.Buffer(
                            r,
                            s.label,
                            p.handle(),
                            p.acl().stream().map(e -> (long) e[0]).toList(),
                            d.pushCompatibles(),
                            Optional.empty(),
                            OptionalLong.empty()));
                    OptionalLong peerVmid = s.peer != null
                            ? OptionalLong.of(s.peer.vm.vmid)
                            : p.acl().stream()
                                    .mapToLong(e -> e[0])
                                    .filter(v -> v != vm.vmid)
                                    .findFirst();
                    out.add(new Vdevice.SharedMemory(d.generate(), d.pushCompatibles(), s.label, peerVmid));
                }
            }
        }
        // §10.2 step 3: the real RM takes kaslr-seed from the hypervisor's PRNG (prng_get_entropy, not built);
        // the model's RM draws it from its own generator, seeded from the model's seed
        GuestLayout layout = GuestLayout.of(
                        DtbReader.read(vm.baseDtb, vm.blobName), entropy.nextLong(), memory, buffers)
                .withCpuCaps(cpuCaps(vm));
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
     * §10.2 step 6 ({@code patch_cpus_nodes}): the CPU node of each vCPU the VM holds a POWER cap to (a VM without a
     * VPM group); a vCPU with a cap and no node is ARGUMENT_INVALID, as in the RM.
     */
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
