package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.config.RmVmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.List;

/**
 * A VM's memory as the real RM's {@code vm_creation.c} takes it: the host memory the primary holds to lend, and at
 * VM_START ({@code process_memparcels}) the owner's image memparcel accepted as the VM's RAM at its base address,
 * then every memparcel lent or shared with it whose label is an shm or iomem vdevice's accepted by label
 * ({@code vm_creation_process_memparcel}) — the same auto-accept MEM_NOTIFY(SHARED) runs on a READY VM.
 */
final class VmMemory {
    private final RmContext ctx;
    private final Memparcels memparcels;

    VmMemory(RmContext ctx, Memparcels memparcels) {
        this.ctx = ctx;
        this.memparcels = memparcels;
        memparcels.autoAccept(this::offer);
    }

    /**
     * The memory the primary may lend: what system.dtb gives the VMs it owns (their RAM and passed-through device
     * MMIO) and the shm regions it shares, each as an extent of its own mapped 1:1 in the primary — as the real
     * HLOS owns DDR and device memory (IPA = PA) until it lends them.
     */
    void giveHostMemory(RmVm primary) {
        for (SystemConfig.VmEntry e : ctx.system.vms()) {
            if (e.primary() || !e.owner().map(primary.name::equals).orElse(true)) {
                continue;
            }
            hold(primary, e.memoryBase(), e.memorySize(), Memparcels.NORMAL, "RAM for " + e.name());
            for (SystemConfig.Range r : e.deviceMemory()) {
                hold(primary, r.base(), r.size(), Memparcels.IO, "device memory for " + e.name());
            }
        }
        for (SystemConfig.SharedRegion r : ctx.system.shared()) {
            if (r.sharers().contains(primary.name)) {
                hold(primary, r.base(), r.size(), Memparcels.NORMAL, "shm label " + r.label());
            }
        }
    }

    private void hold(RmVm vm, long from, long length, int memType, String what) {
        // whole pages: a device's registers may be smaller than a page (a stage-2 mapping never is)
        long pa = from & -ResourceManager.PAGE;
        long size = ((from + length + ResourceManager.PAGE - 1) & -ResourceManager.PAGE) - pa;
        if (vm.held.stream().anyMatch(h -> h.memType() == memType && h.holds(pa))) {
            return; // two devices in one page
        }
        try {
            long me;
            if (memType == Memparcels.IO) {
                me = ctx.hyp.deviceExtent(pa, size, what);
                ctx.hyp.mapDevice(vm.addrspaceCap, me, pa, size, Memparcels.RIGHTS_RW, what);
            } else {
                me = ctx.deriveRam(pa, size, what);
                ctx.hyp.map(vm.addrspaceCap, me, pa, size, Memparcels.RIGHTS_RWX, what);
            }
            vm.masterCaps.add(me);
            vm.held.add(new RmVm.Held(pa, pa, size, me, memType));
        } catch (RmFailure f) {
            // memory the root was not given (or a range another took): the primary cannot lend it
            ctx.note(vm.name, "holds no " + what + ": " + f.getMessage());
        }
    }

    /**
     * process_image_memparcel, then the labelled parcels (shm with a fixed base, iomem): the VM's RAM is the image
     * parcel mapped contiguously at the config's base address.
     */
    void acceptAtStart(RmVm vm) {
        long base = vm.config.memory().baseAddress();
        List<long[]> at = memparcels.acceptFor(
                vm,
                vm.memParcel,
                List.of(new int[] {vm.vmid, Memparcels.RIGHTS_RWX}),
                List.of(new long[] {base, vm.memSize}),
                List.of(),
                0,
                Memparcels.ACCEPT_DONE | Memparcels.ACCEPT_VALIDATE_ACL_ATTR | Memparcels.ACCEPT_MAP_CONTIGUOUS,
                "as its RAM (VM_CONFIG_IMAGE's handle)");
        List<long[]> regions = memparcels.mappedIn(vm.memParcel, vm.vmid);
        vm.ram = new RmVm.Ram(at.get(0)[0], memparcels.rmAddress(vm.memParcel), vm.memSize);
        vm.ramExtent = regions.get(0)[2];
        for (long[] r : regions) {
            vm.held.add(new RmVm.Held(r[0], r[3], r[1], r[2], Memparcels.NORMAL));
        }
        for (Memparcel p : memparcels.targeting(vm.vmid)) {
            if (p.handle() != vm.memParcel && !p.accepted().contains(vm.vmid)) {
                processParcel(vm, p);
            }
        }
    }

    /** MEM_NOTIFY(SHARED) to a READY VM: the same accept by label; false when accepting failed. */
    private boolean offer(RmVm vm, Memparcel p) {
        try {
            processParcel(vm, p);
        } catch (RmFailure f) {
            ctx.note(vm.name, "memparcel " + p.handle() + " not accepted: " + f.getMessage());
            return false;
        }
        return true;
    }

    /** vm_creation_process_memparcel: the first shm or iomem vdevice of the parcel's label takes it. */
    private void processParcel(RmVm vm, Memparcel p) {
        if (vm.rmConfig == null) {
            return;
        }
        for (RmVmConfig.Shm s : vm.rmConfig.shms()) {
            if (s.general().label() == p.label()) {
                if (!s.allocateBase()) {
                    // accept_memparcel_fixed: RW, contiguous at the vdevice's base
                    memparcels.acceptFor(
                            vm,
                            p.handle(),
                            List.of(new int[] {vm.vmid, Memparcels.RIGHTS_RW}),
                            List.of(new long[] {s.base(), p.size()}),
                            List.of(),
                            0,
                            Memparcels.ACCEPT_DONE | Memparcels.ACCEPT_MAP_CONTIGUOUS,
                            "by label 0x" + Long.toHexString(p.label()) + " for shm "
                                    + s.general().path());
                }
                return;
            }
        }
        for (VmConfig.Vdevice v : vm.config.vdevices()) {
            if (v.kind() == VmConfig.Kind.VIRTIO_MMIO && v.label() == p.label()) {
                // a virtio-mmio DMA pool: the real process_memparcel skips virtio-mmio (only its shm/virtio branch
                // inside names it, unreachable) and leaves the frontend no way to map the pool; the model accepts
                // it as a fixed-base shm, where the owner holds it (IPA = PA), so the frontend's driver can use it
                long at = p.sgl().get(0)[0];
                memparcels.acceptFor(
                        vm,
                        p.handle(),
                        List.of(new int[] {vm.vmid, Memparcels.RIGHTS_RW}),
                        List.of(new long[] {at, p.size()}),
                        List.of(),
                        0,
                        Memparcels.ACCEPT_DONE | Memparcels.ACCEPT_MAP_CONTIGUOUS,
                        "by label 0x" + Long.toHexString(p.label()) + " for virtio-mmio DMA " + v.path());
                return;
            }
        }
        for (VmConfig.Iomem io : vm.config.iomems()) {
            if (io.label() == p.label()) {
                // accept_iomem_memparcel without rm-acl / rm-attrs / rm-sglist validation (the model's configs
                // give none): mapped where the device is (IO is mapped direct)
                memparcels.acceptFor(
                        vm,
                        p.handle(),
                        List.of(),
                        List.of(),
                        List.of(),
                        io.label(),
                        Memparcels.ACCEPT_DONE,
                        "by label 0x" + Long.toHexString(p.label()) + " for iomem " + io.patch());
                return;
            }
        }
    }

    /** VM_CONFIG_IMAGE's checks on the image memparcel (vm_creation_config_image). */
    Memparcel imageParcel(RmVm vm, int handle, long imageOffset, long imageSize, long dtOffset, long dtSize) {
        Memparcel p = memparcels
                .get(handle)
                .filter(m -> m.grants(vm.vmid))
                .orElseThrow(() -> new RmFailure(RmError.MEM_INVALID, "no memparcel " + handle + " for " + vm));
        long size = p.size();
        if (imageOffset < 0
                || imageSize < 0
                || dtOffset < 0
                || dtSize <= 0
                || imageOffset > size - imageSize
                || dtOffset > size - dtSize
                || dtSize > 1 << 24) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "image or DT range outside memparcel " + handle);
        }
        return p;
    }
}
