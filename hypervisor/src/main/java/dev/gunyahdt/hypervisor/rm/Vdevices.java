package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** A VM's vdevices (§6.3, §9.5): queues, doorbells and shm, made by the first side and joined by its peer. */
final class Vdevices {
    private final RmContext ctx;
    /** The next vdevice handle: one RM-wide sequence in creation order (shm takes none). */
    private long nextVdeviceHandle;

    private final VirtioDevices virtio;

    Vdevices(RmContext ctx) {
        this.ctx = ctx;
        this.virtio = new VirtioDevices(ctx);
    }

    void setUpVdevice(RmVm vm, VmConfig.Vdevice d) {
        if (d.shmDoorbells()) {
            // handle_shm: add_doorbell twice with the peer (the VM's receiving doorbell, then its source), each a
            // vdevice of its own (handle, VIRQ, caps) but not exported: dto_create_shm writes them beside the shm
            Side rx = setUpSide(vm, shmDoorbell(d, VmConfig.Kind.DOORBELL));
            Side tx = setUpSide(vm, shmDoorbell(d, VmConfig.Kind.DOORBELL_SOURCE));
            rx.ofShm = true;
            tx.ofShm = true;
            Side shm = setUpSide(vm, d);
            shm.rxDoorbell = rx;
            shm.txDoorbell = tx;
            return;
        }
        setUpSide(vm, d);
    }

    /** add_doorbell's node for a shm-doorbell: vm_config_add_doorbell's default generate, the shm's label. */
    private static VmConfig.Vdevice shmDoorbell(VmConfig.Vdevice shm, VmConfig.Kind kind) {
        return new VmConfig.Vdevice(
                shm.path(),
                kind,
                "/hypervisor/qcom,doorbell",
                List.of(),
                shm.label(),
                shm.peer(),
                0,
                0,
                List.of(),
                kind == VmConfig.Kind.DOORBELL_SOURCE,
                false,
                OptionalLong.empty(),
                false,
                Optional.empty());
    }

    private Side setUpSide(RmVm vm, VmConfig.Vdevice d) {
        if (d.kind() == VmConfig.Kind.VIRTIO_MMIO) {
            int index = (int) vm.sides.stream()
                    .filter(s -> s.kind == VmConfig.Kind.VIRTIO_MMIO)
                    .count();
            virtio.setUp(vm, d, index, nextVdeviceHandle++);
            return null;
        }
        String what = d.kind().dtName + " " + d.path();
        boolean sender = switch (d.kind()) {
            case MESSAGE_QUEUE_PAIR, DOORBELL_SOURCE -> true;
            case MESSAGE_QUEUE -> d.sender();
            default -> false;
        };
        long handle = d.kind() == VmConfig.Kind.SHM ? 0 : nextVdeviceHandle++;
        Side s = new Side(vm, d, d.kind(), d.label(), handle, sender);
        allocateVirqs(s, d.interrupts(), what);
        RmVm peerVm;
        Side join = null;
        if (d.peer().peerDefault()) {
            peerVm = ctx.vms.get(vm.owner);
            if (peerVm == null || peerVm.config == null) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": peer-default: the owner has no config");
            }
        } else {
            String id = d.peer().peerId().orElseThrow();
            if (id.equals(vm.name)) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": cannot be its own peer");
            }
            peerVm = ctx.vms.values().stream()
                    .filter(v -> v.config != null && v.name.equals(id))
                    .findFirst()
                    .orElse(null);
            if (peerVm == null && ctx.system.vm(id).isEmpty()) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": peer '" + id + "' is not a VM of this system");
            }
            s.peerName = id;
            if (peerVm != null) {
                for (Side o : peerVm.sides) {
                    if (o.peer == null && vm.name.equals(o.peerName) && o.complements(s.kind, s.sender, s.label)) {
                        join = o;
                        break;
                    }
                }
                vm.peers.add(peerVm.vmid);
                peerVm.peers.add(vm.vmid);
            }
        }
        if (join != null) {
            joinObjects(s, join);
        } else {
            createObjects(s);
            if (d.peer().peerDefault()) {
                // the owner's side: no vdevice node of its own, seen only through VM_GET_HYP_RESOURCES
                Side o = new Side(
                        peerVm,
                        null,
                        complement(s.kind),
                        s.label,
                        0,
                        !s.sender || s.kind == VmConfig.Kind.MESSAGE_QUEUE_PAIR);
                allocateVirqs(o, List.of(), what + " (owner side)");
                joinObjects(o, s);
                peerVm.sides.add(o);
            }
        }
        vm.sides.add(s);
        return s;
    }

    private static VmConfig.Kind complement(VmConfig.Kind k) {
        return switch (k) {
            case DOORBELL -> VmConfig.Kind.DOORBELL_SOURCE;
            case DOORBELL_SOURCE -> VmConfig.Kind.DOORBELL;
            default -> k;
        };
    }

    private void allocateVirqs(Side s, List<Virq> given, String what) {
        switch (s.kind) {
            case MESSAGE_QUEUE_PAIR -> {
                s.txVirq = ctx.virq(s.vm, given, 0, what);
                s.rxVirq = ctx.virq(s.vm, given, 1, what);
            }
            case DOORBELL, MESSAGE_QUEUE -> s.rxVirq = ctx.virq(s.vm, given, 0, what);
            default -> {}
        }
    }

    /** The first side of a vdevice: the RM makes the objects and gives this VM its caps and VIRQ bindings. */
    private void createObjects(Side s) {
        VmConfig.Vdevice d = s.cfg;
        RmVm vm = s.vm;
        switch (s.kind) {
            case MESSAGE_QUEUE_PAIR -> {
                s.masterA = ctx.hyp.msgqueue(d.queueDepth(), d.messageSize()); // this VM -> peer
                vm.masterCaps.add(s.masterA);
                s.masterB = ctx.hyp.msgqueue(d.queueDepth(), d.messageSize()); // peer -> this VM
                vm.masterCaps.add(s.masterB);
                ctx.hyp.bindSend(s.masterA, vm.vicCap, s.txVirq.intid());
                ctx.hyp.bindReceive(s.masterB, vm.vicCap, s.rxVirq.intid());
                ctx.hyp.activate(s.masterA);
                ctx.hyp.activate(s.masterB);
                s.txCap = ctx.hyp.grant(vm.cspaceCap, s.masterA, MsgQueueRights.SEND);
                s.rxCap = ctx.hyp.grant(vm.cspaceCap, s.masterB, MsgQueueRights.RECEIVE);
            }
            case MESSAGE_QUEUE -> {
                s.masterA = ctx.hyp.msgqueue(d.queueDepth(), d.messageSize());
                vm.masterCaps.add(s.masterA);
                wireQueueEnd(s, s.masterA);
                ctx.hyp.activate(s.masterA);
            }
            case DOORBELL, DOORBELL_SOURCE -> {
                s.masterA = ctx.hyp.doorbell();
                vm.masterCaps.add(s.masterA);
                wireDoorbellEnd(s, s.masterA);
                ctx.hyp.activate(s.masterA);
            }
            case SHM -> {
                // no object: the memory is the owner's memparcel of this label, accepted at VM_START (VmMemory)
            }
        }
    }

    /** The second side: caps to the objects the first side's VM already has, VIRQs bound in this VM's VIC. */
    private void joinObjects(Side s, Side first) {
        RmVm vm = s.vm;
        switch (s.kind) {
            case MESSAGE_QUEUE_PAIR -> {
                s.masterA = first.masterB;
                s.masterB = first.masterA;
                ctx.hyp.bindSend(s.masterA, vm.vicCap, s.txVirq.intid());
                ctx.hyp.bindReceive(s.masterB, vm.vicCap, s.rxVirq.intid());
                s.txCap = ctx.hyp.grant(vm.cspaceCap, s.masterA, MsgQueueRights.SEND);
                s.rxCap = ctx.hyp.grant(vm.cspaceCap, s.masterB, MsgQueueRights.RECEIVE);
            }
            case MESSAGE_QUEUE -> {
                s.masterA = first.masterA;
                wireQueueEnd(s, s.masterA);
            }
            case DOORBELL, DOORBELL_SOURCE -> {
                s.masterA = first.masterA;
                wireDoorbellEnd(s, s.masterA);
            }
            case SHM -> {
                // the owner's memparcel of this label is accepted at VM_START (VmMemory)
            }
        }
        s.peer = first;
        first.peer = s;
    }

    private void wireQueueEnd(Side s, long queue) {
        if (s.sender) {
            ctx.hyp.bindSend(queue, s.vm.vicCap, s.rxVirq.intid());
            s.txCap = ctx.hyp.grant(s.vm.cspaceCap, queue, MsgQueueRights.SEND);
        } else {
            ctx.hyp.bindReceive(queue, s.vm.vicCap, s.rxVirq.intid());
            s.txCap = ctx.hyp.grant(s.vm.cspaceCap, queue, MsgQueueRights.RECEIVE);
        }
    }

    /** §4: the source gets SEND (+RECEIVE with source-can-clear), the receiver RECEIVE and the VIRQ. */
    private void wireDoorbellEnd(Side s, long doorbell) {
        if (s.kind == VmConfig.Kind.DOORBELL_SOURCE) {
            boolean canClear = s.cfg != null && s.cfg.sourceCanClear();
            s.txCap = ctx.hyp.grant(
                    s.vm.cspaceCap, doorbell, DoorbellRights.SEND | (canClear ? DoorbellRights.RECEIVE : 0));
        } else {
            ctx.hyp.bindDoorbell(doorbell, s.vm.vicCap, s.rxVirq.intid());
            s.txCap = ctx.hyp.grant(s.vm.cspaceCap, doorbell, DoorbellRights.RECEIVE);
        }
    }
}
