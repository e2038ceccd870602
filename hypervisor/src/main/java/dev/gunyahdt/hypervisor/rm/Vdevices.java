package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.PAGE;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_RM;

import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** A VM's vdevices (§6.3, §9.5): queues, doorbells and shm, made by the first side and joined by its peer. */
final class Vdevices {
    private final RmContext ctx;
    private final Memparcels memparcels;
    /** The next vdevice handle: one RM-wide sequence in creation order (shm takes none). */
    private long nextVdeviceHandle;

    private final VirtioDevices virtio;

    Vdevices(RmContext ctx, Memparcels memparcels) {
        this.ctx = ctx;
        this.memparcels = memparcels;
        this.virtio = new VirtioDevices(ctx, this);
    }

    void setUpVdevice(RmVm vm, VmConfig.Vdevice d) {
        if (d.kind() == VmConfig.Kind.VIRTIO_MMIO) {
            int index = (int) vm.sides.stream()
                    .filter(s -> s.kind == VmConfig.Kind.VIRTIO_MMIO)
                    .count();
            virtio.setUp(vm, d, index, nextVdeviceHandle++);
            return;
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
            case SHM -> shareRegion(s);
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
                s.memparcel = first.memparcel;
                s.masterA = first.masterA;
                // the parcel was made before this VM existed: it joins the ACL (the overlay's peers list reads it)
                Memparcel p = memparcels.get(s.memparcel);
                if (!p.grants(vm.vmid)) {
                    List<int[]> acl = new ArrayList<>(p.acl());
                    acl.add(new int[] {vm.vmid, 6});
                    memparcels.put(new Memparcel(
                            p.handle(), p.owner(), p.transaction(), p.memType(), p.label(), acl, p.sgl()));
                }
                mapShared(s);
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

    /**
     * shm: the RM shares the region the system config assigned (declared by either VM with this label) with both
     * VMs through a SHARE memparcel (§7.2). Not emitted into the overlay (see README).
     */
    void shareRegion(Side s) {
        String other = s.peerName != null ? s.peerName : ctx.vms.get(s.vm.owner).name;
        Optional<SystemConfig.SharedRegion> region = ctx.system.shared().stream()
                .filter(r -> r.label() == s.label
                        && (r.declaredBy().equals(s.vm.name) || r.declaredBy().equals(other)))
                .findFirst();
        OptionalLong base = s.cfg.shmBase();
        long ipa = region.map(SystemConfig.SharedRegion::base).orElse(base.orElse(-1));
        long size = region.map(SystemConfig.SharedRegion::size).orElse((long) PAGE);
        if (ipa < 0) {
            throw new RmFailure(
                    RmError.MEM_INVALID,
                    "shm " + s.cfg.path() + ": no region (no memory/base and none " + "in system.dtb)");
        }
        int handle = memparcels.nextHandle();
        RmVm peer = ctx.vms.values().stream()
                .filter(v -> v.name.equals(other))
                .findFirst()
                .orElse(null);
        List<int[]> acl = new ArrayList<>();
        acl.add(new int[] {s.vm.vmid, 6});
        if (peer != null) {
            acl.add(new int[] {peer.vmid, 6});
        }
        memparcels.put(new Memparcel(handle, VMID_RM, 2, 0, s.label, acl, List.of(new long[] {ipa, size})));
        s.memparcel = handle;
        // the pages: an extent derived from the RM's DDR, mapped RW in each sharer at the region's address
        s.masterA = ctx.deriveRam(ipa, size, "shm " + s.cfg.path());
        s.vm.masterCaps.add(s.masterA);
        mapShared(s);
    }

    /** The shared region of {@code s} (its parcel's one range), as {ipa, size}. */
    long[] region(Side s) {
        return memparcels.get(s.memparcel).sgl().get(0);
    }

    private void mapShared(Side s) {
        Memparcel p = memparcels.get(s.memparcel);
        long[] range = p.sgl().get(0);
        ctx.hyp.map(s.vm.addrspaceCap, s.masterA, range[0], range[1], 6, "shm label " + s.label + " in " + s.vm);
    }
}
