package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.call.VirtioMmioRights;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmInit;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.List;

/**
 * virtio-mmio vdevices ([RM] {@code vm_config.c}: {@code handle_virtio_mmio}, {@code add_virtio_mmio},
 * {@code create_virtio_mmio}, {@code vm_config_add_virtio_mmio}): the frontend is the VM whose config lists the
 * device, the backend is always HLOS (the config must say {@code peer-default}). The RM makes the whole device
 * when the frontend is initialised; HLOS learns of it through VM_GET_HYP_RESOURCES (RSC_VIRTIO_MMIO: its cap, its
 * VIRQ, where the register page is in its IPA space).
 */
final class VirtioDevices {
    private final RmContext ctx;

    VirtioDevices(RmContext ctx) {
        this.ctx = ctx;
    }

    /**
     * add_virtio_mmio for the frontend {@code vm}'s vdevice {@code d}, the {@code index}-th virtio-mmio of its config.
     * Any failure fails VM_INIT with NORESOURCE, as vm_creation_init answers every vm_config_create_vdevices error.
     */
    void setUp(RmVm vm, VmConfig.Vdevice d, int index, long handle) {
        try {
            build(vm, d, index, handle);
        } catch (RmFailure f) {
            throw new RmFailure(RmError.NORESOURCE, f.getMessage() + " (" + f.error() + ")");
        }
    }

    private void build(RmVm vm, VmConfig.Vdevice d, int index, long handle) {
        String what = "virtio-mmio " + d.path();
        RmVm backend = ctx.vms.values().stream()
                .filter(v -> v.primary && v.config != null)
                .findFirst()
                .orElseThrow(
                        () -> new RmFailure(RmError.ARGUMENT_INVALID, what + ": invalid backend (no HLOS config)"));
        if (index >= vm.virtioPlacements.size()) {
            throw new RmFailure(RmError.NORESOURCE, what + ": VM_INIT placed no register page for it");
        }
        VmInit.VirtioPlacement at = vm.virtioPlacements.get(index);
        VmConfig.Virtio params = d.virtio().orElseThrow();
        // create_virtio_mmio: a page of the RM's memory as a BASIC extent, the object on it, mapped read-only in the
        // frontend and read-write in the backend, both as device memory
        Side fe = new Side(vm, d, VmConfig.Kind.VIRTIO_MMIO, d.label(), handle, false);
        fe.frameExtent = ctx.heapPage(what + " registers");
        vm.masterCaps.add(fe.frameExtent);
        fe.virtioCap = ctx.hyp.virtioMmio(
                fe.frameExtent, params.vqsNum(), params.validDeviceType(), params.deviceType(), what);
        vm.masterCaps.add(fe.virtioCap);
        ctx.hyp.mapDevice(vm.addrspaceCap, fe.frameExtent, at.frontendIpa(), at.size(), 4, what + " in " + vm);
        ctx.hyp.mapDevice(backend.addrspaceCap, fe.frameExtent, at.backendIpa(), at.size(), 6, what + " in " + backend);
        fe.frameIpa = at.frontendIpa();
        fe.frameSize = at.size();
        // add_virtio_mmio: a VIRQ in each VM (alloc_map_virq, edge)
        fe.rxVirq = ctx.virq(vm, List.of(), 0, what);
        Side be = new Side(backend, null, VmConfig.Kind.VIRTIO_MMIO, d.label(), handle, true);
        be.rxVirq = ctx.virq(backend, List.of(), 0, what + " (backend)");
        // vm_config_add_virtio_mmio: the backend's cap (CONFIG | ASSERT_VIRQ), then each source into the other's VIC
        be.txCap =
                ctx.hyp.grant(backend.cspaceCap, fe.virtioCap, VirtioMmioRights.CONFIG | VirtioMmioRights.ASSERT_VIRQ);
        ctx.hyp.bindVirtioBackend(fe.virtioCap, vm.vicCap, fe.rxVirq.intid(), what);
        ctx.hyp.bindVirtioFrontend(fe.virtioCap, backend.vicCap, be.rxVirq.intid(), what);
        be.virtioCap = fe.virtioCap;
        be.frameIpa = at.backendIpa();
        be.frameSize = at.size();
        // the DMA pool (the node's memory child) is not the RM's: HLOS holds it and shares it with the frontend under
        // the device's label, and the RM accepts that parcel for the frontend as it accepts shm (VmMemory)
        fe.peerName = backend.name;
        SystemConfig.SharedRegion pool = ctx.system.shared().stream()
                .filter(r -> r.label() == d.label() && r.sharers().contains(vm.name))
                .findFirst()
                .orElseThrow(() -> new RmFailure(
                        RmError.MEM_INVALID, what + ": no shared region of label " + d.label() + " in system.dtb"));
        fe.peer = be;
        be.peer = fe;
        vm.peers.add(backend.vmid);
        backend.peers.add(vm.vmid);
        vm.sides.add(fe);
        backend.sides.add(be);
        ctx.note(
                vm.name,
                what + ": register page at 0x" + Long.toHexString(fe.frameIpa) + " (HLOS 0x"
                        + Long.toHexString(be.frameIpa) + "), VIRQ " + fe.rxVirq.intid() + " (HLOS " + be.rxVirq.intid()
                        + "), DMA region 0x" + Long.toHexString(pool.base()) + "+0x"
                        + Long.toHexString(pool.size()) + " (shared by " + backend.name + " under label " + d.label()
                        + ")");
    }

    /**
     * handle_virtio_mmio_destruction's backend half, when the frontend {@code s} is reset: HLOS's cap deleted and its
     * VIRQ freed. The rest goes with the frontend's master caps (the object, and the extents, whose mappings in HLOS
     * go with them). Not freed: the page's IPA range in the RM's HLOS address-range table (the model keeps a reset
     * VM's VM_INIT reading).
     */
    static void releaseBackend(RmContext ctx, Side s) {
        if (s.kind != VmConfig.Kind.VIRTIO_MMIO || s.cfg == null || s.peer == null) {
            return;
        }
        Side be = s.peer;
        ctx.hv.call(ctx.hyp.rm(), CSpaceCalls.DELETE_CAP_FROM, be.vm.cspaceCap, be.txCap, 0);
        be.vm.virqs.release(be.rxVirq.intid());
    }
}
