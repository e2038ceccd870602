package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.hwirq.HwirqCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.memory.MemoryCalls;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.vcpu.Caller;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virtio.VirtioMmioCalls;
import dev.gunyahdt.hypervisor.vpm.VpmCalls;

/**
 * The RM's own hypercalls, made from the root VM with the caps it holds (the RM is the root VM). Each helper
 * fails with an {@link RmFailure} carrying the RM error the hypervisor's error maps to (§8.3) and what was
 * being done.
 */
final class HypCalls {
    private final Hypervisor hv;
    private final Caller rm;

    HypCalls(Hypervisor hv) {
        this.hv = hv;
        this.rm = hv.root();
    }

    Caller rm() {
        return rm;
    }

    private long ok(String what, int number, long... in) {
        HvcResult r = hv.call(rm, number, in);
        if (!r.isOk()) {
            throw new RmFailure(
                    RmError.fromHyp(r.error()), what + ": " + hv.hypercallName(number) + " -> " + r.error());
        }
        return r.x1();
    }

    private long create(String what, int call) {
        return ok(what, call, hv.rootPartitionCap(), hv.rootCSpaceCap(), 0);
    }

    /** A new ACTIVE cspace of {@code maxCaps} slots; the RM's master cap. */
    long cspace(int maxCaps) {
        long cs = create("cspace", PartitionCalls.CREATE_CSPACE);
        ok("cspace", CSpaceCalls.CONFIGURE, cs, maxCaps, 0);
        ok("cspace", ObjectCalls.ACTIVATE, cs, 0);
        return cs;
    }

    /** A new ACTIVE VIC with every SPI (§6.2: max cores, 988 VIRQs). */
    long vic() {
        long vic = create("vic", PartitionCalls.CREATE_VIC);
        ok("vic", VicCalls.CONFIGURE, vic, Vic.MAX_VCPUS, Vic.MAX_VIRQS, 0, 0);
        ok("vic", ObjectCalls.ACTIVATE, vic, 0);
        return vic;
    }

    /** A configured message queue, not yet ACTIVE (the RM binds its VIRQs first). */
    long msgqueue(int depth, int size) {
        long q = create("msgqueue", PartitionCalls.CREATE_MSGQUEUE);
        ok("msgqueue " + depth + "x" + size, MsgQueueCalls.CONFIGURE, q, MsgQueueCalls.createInfo(depth, size), 0);
        return q;
    }

    long doorbell() {
        return create("doorbell", PartitionCalls.CREATE_DOORBELL);
    }

    void activate(long cap) {
        ok("activate", ObjectCalls.ACTIVATE, cap, 0);
    }

    /** Copies the RM's cap into the VM's cspace with {@code rights}; the VM's CapID. */
    long grant(long vmCSpace, long rmCap, int rights) {
        return ok("copy cap", CSpaceCalls.COPY_CAP_FROM, hv.rootCSpaceCap(), rmCap, vmCSpace, rights, 0);
    }

    void bindSend(long queue, long vic, int virq) {
        ok("bind send VIRQ " + virq, MsgQueueCalls.BIND_SEND_VIRQ, queue, vic, virq);
    }

    void bindReceive(long queue, long vic, int virq) {
        ok("bind receive VIRQ " + virq, MsgQueueCalls.BIND_RECEIVE_VIRQ, queue, vic, virq);
    }

    void bindDoorbell(long doorbell, long vic, int virq) {
        ok("bind doorbell VIRQ " + virq, DoorbellCalls.BIND_VIRQ, doorbell, vic, virq);
    }

    /** Deletes one of the RM's caps (the object goes with its last cap); errors are ignored (teardown). */
    void delete(long cap) {
        hv.call(rm, CSpaceCalls.DELETE_CAP_FROM, hv.rootCSpaceCap(), cap, 0);
    }

    // ---- memory (§7.1) -----------------------------------------------------------------------------

    /** A new ACTIVE address space for {@code vmid}. */
    long addrspace(int vmid) {
        return addrspace(vmid, null);
    }

    /** A new ACTIVE address space for {@code vmid}, with the VMMIO range {base, size} added before activation. */
    long addrspace(int vmid, long[] vmmio) {
        long as = create("addrspace", PartitionCalls.CREATE_ADDRSPACE);
        ok("addrspace vmid " + vmid, MemoryCalls.ADDRSPACE_CONFIGURE, as, vmid, 0);
        if (vmmio != null) {
            ok(
                    "VMMIO range of vmid " + vmid,
                    MemoryCalls.ADDRSPACE_CONFIGURE_VMMIO,
                    as,
                    vmmio[0],
                    vmmio[1],
                    MemoryCalls.VMMIO_ADD,
                    0);
        }
        ok("addrspace vmid " + vmid, ObjectCalls.ACTIVATE, as, 0);
        return as;
    }

    /** A BASIC RWX extent over physical [base, base+size), taking its pages from the root partition. */
    long extent(long base, long size) {
        long me = create("memextent", PartitionCalls.CREATE_MEMEXTENT);
        ok(
                "memextent 0x" + Long.toHexString(base),
                MemoryCalls.MEMEXTENT_CONFIGURE,
                me,
                base,
                size,
                MemoryCalls.extentAttrs(7, 0, MemExtent.BASIC),
                0);
        ok("memextent 0x" + Long.toHexString(base), ObjectCalls.ACTIVATE, me, 0);
        return me;
    }

    /** A BASIC RWX extent derived from {@code parent} at [offset, offset+size): its pages leave the parent. */
    long derive(long parent, long offset, long size, String what) {
        return derive(parent, offset, size, 0, what);
    }

    /** A BASIC extent of {@code memtype} (0 normal, 1 device) derived from {@code parent} at [offset, offset+size). */
    long derive(long parent, long offset, long size, int memtype, String what) {
        long me = create(what, PartitionCalls.CREATE_MEMEXTENT);
        ok(
                what,
                MemoryCalls.MEMEXTENT_CONFIGURE_DERIVE,
                me,
                parent,
                offset,
                size,
                MemoryCalls.extentAttrs(7, memtype, MemExtent.BASIC),
                0);
        ok(what, ObjectCalls.ACTIVATE, me, 0);
        return me;
    }

    /** Maps the whole BASIC extent at {@code ipa} with {@code access} and a stage-2 memtype (15 WB, 5 NC, 1 device). */
    void map(long addrspace, long extent, long ipa, long size, int access, int vmMemtype, String what) {
        ok(
                what,
                MemoryCalls.ADDRSPACE_MAP,
                addrspace,
                extent,
                ipa,
                MemoryCalls.mapAttrs(access, vmMemtype),
                0,
                0,
                size);
    }

    /** addrspace_unmap of the whole extent mapped at {@code ipa}. */
    void unmap(long addrspace, long extent, long ipa, long size, String what) {
        ok(what, MemoryCalls.ADDRSPACE_UNMAP, addrspace, extent, ipa, 0, 0, size);
    }

    /** Maps the whole BASIC extent at {@code ipa} with {@code access} (R 4, W 2, X 1), normal memory. */
    void map(long addrspace, long extent, long ipa, long size, int access, String what) {
        ok(what, MemoryCalls.ADDRSPACE_MAP, addrspace, extent, ipa, MemoryCalls.mapAttrs(access, 15), 0, 0, size);
    }

    /** A device-memory extent (memtype DEVICE) over physical [base, base+size), from the root partition's pages. */
    long deviceExtent(long base, long size, String what) {
        long me = create(what, PartitionCalls.CREATE_MEMEXTENT);
        ok(what, MemoryCalls.MEMEXTENT_CONFIGURE, me, base, size, MemoryCalls.extentAttrs(7, 1, MemExtent.BASIC), 0);
        ok(what, ObjectCalls.ACTIVATE, me, 0);
        return me;
    }

    /** Maps a device extent at {@code ipa} with {@code access}, stage-2 memtype Device-nGnRE (1). */
    void mapDevice(long addrspace, long extent, long ipa, long size, int access, String what) {
        ok(what, MemoryCalls.ADDRSPACE_MAP, addrspace, extent, ipa, MemoryCalls.mapAttrs(access, 1), 0, 0, size);
    }

    /**
     * create_virtio_mmio's object: partition_create_virtio_mmio, virtio_mmio_configure(frame, vqs, the valid-type
     * flag, the type), object_activate (which attaches the frontend vdevice to the frame's page).
     */
    long virtioMmio(long frame, int vqs, boolean validType, long type, String what) {
        long v = create(what, PartitionCalls.CREATE_VIRTIO_MMIO);
        ok(
                what,
                VirtioMmioCalls.CONFIGURE,
                v,
                frame,
                vqs,
                validType ? VirtioMmioCalls.FLAG_VALID_DEVICE_TYPE : 0,
                type);
        ok(what, ObjectCalls.ACTIVATE, v, 0);
        return v;
    }

    /** virtio_mmio_backend_bind_virq: the source the backend asserts, into the frontend's VIC. */
    void bindVirtioBackend(long virtio, long frontendVic, int virq, String what) {
        ok(what, VirtioMmioCalls.BACKEND_BIND_VIRQ, virtio, frontendVic, virq, 0);
    }

    /** virtio_mmio_frontend_bind_virq: the source the frontend's writes assert, into the backend's VIC. */
    void bindVirtioFrontend(long virtio, long backendVic, int virq, String what) {
        ok(what, VirtioMmioCalls.FRONTEND_BIND_VIRQ, virtio, backendVic, virq, 0);
    }

    /** hwirq_bind_virq. */
    void bindHwirq(long hwirq, long vic, int virq, String what) {
        ok(what, HwirqCalls.BIND_VIRQ, hwirq, vic, virq, 0);
    }

    /** hwirq_bind_virq, its error returned (VM_IRQ_ACCEPT maps it to an RM error of its own). */
    HypError tryBindHwirq(long hwirq, long vic, int virq) {
        return hv.call(rm, HwirqCalls.BIND_VIRQ, hwirq, vic, virq, 0).error();
    }

    void unbindHwirq(long hwirq, String what) {
        ok(what, HwirqCalls.UNBIND_VIRQ, hwirq, 0);
    }

    /** addrspace_lookup: fails unless [ipa, ipa+size) is mapped in {@code addrspace} from {@code extent}. */
    void lookup(long addrspace, long extent, long ipa, long size, String what) {
        ok(what, MemoryCalls.ADDRSPACE_LOOKUP, addrspace, extent, ipa, size);
    }

    // ---- vCPUs (§5.4) ------------------------------------------------------------------------------

    /** No VPM group: the vCPU is not PSCI-managed ([RM] CSPACE_CAP_INVALID). */
    static final long NO_VPM_GROUP = -1L;

    /**
     * A VPM group for a PSCI VM, ACTIVE ([RM] {@code handle_vcpu}; {@code hlos_vm.c} for HLOS): created,
     * configured {@code no_aggregation} for a proxy-scheduled VM, activated.
     */
    long vpmGroup(boolean noAggregation, String what) {
        long g = create(what, PartitionCalls.CREATE_VPM_GROUP);
        if (noAggregation) {
            ok(what, VpmCalls.CONFIGURE, g, 1, 0);
        }
        ok(what, ObjectCalls.ACTIVATE, g, 0);
        return g;
    }

    /**
     * One vCPU in the RM's order (§5.4): create thread, set_affinity, set_priority, set_timeslice,
     * cspace_attach_thread, addrspace_attach_thread, [vpm_group_attach_vcpu(index)], vic_attach_vcpu(index),
     * vcpu_configure(options). Still INIT: the RM activates its VM's vCPUs in a second pass.
     */
    long vcpu(
            long cspace,
            long addrspace,
            long vic,
            long vpmGroup,
            int index,
            int affinity,
            int priority,
            long timeslice,
            long options,
            String what) {
        long t = create(what, PartitionCalls.CREATE_THREAD);
        ok(what, VcpuCalls.SET_AFFINITY, t, affinity, -1L);
        ok(what, VcpuCalls.SET_PRIORITY, t, priority);
        ok(what, VcpuCalls.SET_TIMESLICE, t, timeslice);
        ok(what, VcpuCalls.CSPACE_ATTACH_THREAD, cspace, t, 0);
        ok(what, VcpuCalls.ADDRSPACE_ATTACH_THREAD, addrspace, t, 0);
        if (vpmGroup != NO_VPM_GROUP) {
            ok(what, VpmCalls.ATTACH_VCPU, vpmGroup, t, index, 0);
        }
        ok(what, VcpuCalls.VIC_ATTACH_VCPU, vic, t, index, 0);
        ok(what, VcpuCalls.CONFIGURE, t, options, 0);
        return t;
    }

    /** vcpu_bind_virq: type 0 HALT, 1 VCPU_RUN_WAKEUP. */
    void bindVcpuVirq(long thread, long vic, int virq, int type) {
        ok("bind vCPU VIRQ " + virq, VcpuCalls.BIND_VIRQ, thread, vic, virq, type, 0);
    }

    /** vcpu_poweron(thread, entry, context = X0). */
    void powerOn(long thread, long entry, long x0) {
        ok("vcpu_poweron", VcpuCalls.POWERON, thread, entry, x0, 0);
    }

    /** vcpu_run_check(thread): {run state, state data 0, 1, 2}. */
    long[] runCheck(long thread) {
        HvcResult r = hv.call(rm, VcpuCalls.RUN_CHECK, thread, 0);
        if (!r.isOk()) {
            throw new RmFailure(RmError.fromHyp(r.error()), "vcpu_run_check -> " + r.error());
        }
        return new long[] {r.x1(), r.x2(), r.x3(), r.x4()};
    }

    /** vcpu_kill; errors are ignored (teardown of a vCPU that is already gone or killed). */
    void kill(long thread) {
        hv.call(rm, VcpuCalls.KILL, thread);
    }
}
