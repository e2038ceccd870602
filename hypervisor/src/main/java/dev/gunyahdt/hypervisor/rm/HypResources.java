package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.List;

/** VM_GET_HYP_RESOURCES (§8.7): the caps and VIRQs a VM holds for another VM's vCPUs and vdevices. */
final class HypResources {
    private final RmContext ctx;

    HypResources(RmContext ctx) {
        this.ctx = ctx;
    }

    byte[] vmGetHypResources(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int id = in.u16();
        RmVm vm = ctx.vms.get(id);
        if (vm == null) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "no VM " + id);
        }
        if (vm.config == null) {
            throw new RmFailure(RmError.NORESOURCE, vm + " has no config yet");
        }
        List<byte[]> entries = new ArrayList<>();
        if (caller.vmid == vm.owner) {
            // the owner's copies (AFFINITY|YIELD_TO), label = the affinity index, the proxy wakeup VIRQ or none
            for (RmVm.VcpuSlot v : vm.vcpus) {
                entries.add(Wire.writer()
                        .u8(4)
                        .u8(0)
                        .u16(vm.vmid)
                        .u32(0)
                        .u32(v.label())
                        .u64(v.ownerCap())
                        .u32(0)
                        .u32(v.wakeupVirq() < 0 ? 0xFFFF_FFFFL : v.wakeupVirq())
                        .u64(0)
                        .u64(0)
                        .build());
            }
        }
        // §8.7: the vdevices that join C and V, with C's caps (vm_config_get_resource_descs: C's vdevices whose peer
        // is V, and V's peer-default ones whose peer is C). About itself a VM gets none: no vdevice is its own peer.
        List<Side> view = caller == vm
                ? List.of()
                : caller.sides.stream()
                        .filter(s -> s.peer != null && s.peer.vm == vm)
                        .toList();
        for (Side s : view) {
            int partner = s.peer == null ? 0 : s.peer.vm.vmid;
            switch (s.kind) {
                case MESSAGE_QUEUE_PAIR -> {
                    entries.add(resource(2, partner, s.label, s.txCap, s.txVirq));
                    entries.add(resource(3, partner, s.label, s.rxCap, s.rxVirq));
                }
                case DOORBELL_SOURCE -> entries.add(resource(0, partner, s.label, s.txCap, null));
                case DOORBELL -> entries.add(resource(1, partner, s.label, s.txCap, s.rxVirq));
                case MESSAGE_QUEUE -> entries.add(resource(s.sender ? 2 : 3, partner, s.label, s.txCap, s.rxVirq));
                case SHM -> {
                    // not a hypervisor resource
                }
                case VIRTIO_MMIO -> {
                    // get_vdev_virtio_mmio_desc: only the backend gets one (its cap, its VIRQ, the page in its space)
                    if (s.cfg == null) {
                        entries.add(resource(6, partner, s.label, s.txCap, s.rxVirq, s.frameIpa, s.frameSize));
                    }
                }
            }
        }
        Wire.Writer w = Wire.writer().u32(entries.size());
        entries.forEach(w::bytes);
        return w.build();
    }

    private static byte[] resource(int type, int partner, long label, long cap, Virq virq) {
        return resource(type, partner, label, cap, virq, 0, 0);
    }

    private static byte[] resource(int type, int partner, long label, long cap, Virq virq, long base, long size) {
        return Wire.writer()
                .u8(type)
                .u8(0)
                .u16(partner)
                .u32(0)
                .u32(label)
                .u64(cap)
                .u32(0)
                .u32(virq == null ? 0 : virq.intid())
                .u64(base)
                .u64(size)
                .build();
    }
}
