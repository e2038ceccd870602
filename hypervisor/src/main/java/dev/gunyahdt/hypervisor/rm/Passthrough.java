package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.config.RmVmConfig;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;

/**
 * A trusted VM's passed-through devices, as the real RM's {@code vm_config.c} gives them: {@code iomemory-ranges}
 * mapped 1:1 as device memory with the range's access ({@code handle_iomem_ranges}), and {@code gic-irq-ranges}
 * as the hardware IRQs' hwirq objects bound to the VM's VIRQs ({@code handle_irqs} →
 * {@code irq_manager_vm_hwirq_map}). Each range's extent comes from the device memory the hypervisor gave the
 * root (the real RM derives it from HLOS's device extent, {@code vm_memory_get_owned_extent(hlos, MEM_TYPE_IO)}).
 * Every hardware IRQ is owned by HLOS, as on the QEMU platform; HLOS's other hwirqs are then bound 1:1
 * ({@code irq_manager_vm_hwirq_map_all_direct}) so it can lend them ({@link IrqManager}).
 */
final class Passthrough {
    /** iomem_range_access_to_pgtable_access: RW, R, RWX, W, X, RX, none (R 4, W 2, X 1). */
    private static final int[] ACCESS = {6, 4, 7, 2, 1, 5, 0};

    private final RmContext ctx;
    private final IrqManager irqs;

    Passthrough(RmContext ctx, IrqManager irqs) {
        this.ctx = ctx;
        this.irqs = irqs;
    }

    /** handle_iomem_ranges, then handle_irqs, for {@code vm}'s parsed config. */
    void setUp(RmVm vm, RmVmConfig cfg) {
        for (RmVmConfig.IomemRange r : cfg.iomemRanges()) {
            mapIomem(vm, r);
        }
        for (RmVmConfig.IrqRange r : cfg.irqRanges()) {
            mapIrq(vm, r.hwIrq(), r.virq());
        }
        if (vm.vmid == ResourceManager.VMID_HLOS) {
            // hlos_vm.c: HLOS gets every hwirq it owns bound 1:1, so it can use or lend any of them (VM_IRQ_LEND)
            irqs.mapAllDirect(vm, ctx.system.hwIrqs());
        }
    }

    private void mapIomem(RmVm vm, RmVmConfig.IomemRange r) {
        String what =
                "iomemory-ranges 0x" + Long.toHexString(r.phys()) + "+0x" + Long.toHexString(r.size()) + " of " + vm;
        // handle_iomem_ranges: identity only, no wrap, a known access
        if (r.ipa() != r.phys() || r.size() == 0 || r.ipa() + r.size() - 1 < r.ipa()) {
            throw new RmFailure(RmError.DENIED, what + ": the IPA must equal the physical address");
        }
        if (r.access() < 0 || r.access() >= ACCESS.length) {
            throw new RmFailure(RmError.DENIED, what + ": access " + r.access() + " is not an iomem_range_access");
        }
        // vm_memory_create_and_map: a device-memory extent over the range (the root must hold it: device memory
        // nobody gave it, or a range an earlier one already took, fails with MEMDB_NOT_OWNER) mapped at the same
        // IPA. The real RM's vm_address_range_alloc refuses an overlapping IPA range before that; its code is not
        // in the RM sources, so the model leaves the refusal to the memory database.
        long me = ctx.hyp.deviceExtent(r.phys(), r.size(), what);
        vm.masterCaps.add(me);
        ctx.hyp.mapDevice(vm.addrspaceCap, me, r.ipa(), r.size(), ACCESS[r.access()], what);
    }

    /** irq_manager_vm_hwirq_map_internal with owner = true (the refusals are {@link IrqManager#mapOwned}'s). */
    private void mapIrq(RmVm vm, long hw, long virq) {
        irqs.mapOwned(vm, virq, hw, "gic-irq-ranges hw " + hw + " -> VIRQ " + virq + " of " + vm);
    }
}
