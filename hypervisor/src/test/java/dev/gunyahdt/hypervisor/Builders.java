package dev.gunyahdt.hypervisor;

import dev.gunyahdt.hypervisor.memory.MemoryCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;

/** vCPUs, address spaces and memory built the way the RM does (§5.4, §7.1), through root's hypercalls. */
public final class Builders {
    public static final int RW = 6;
    public static final int RWX = 7;
    public static final int NORMAL_WB = 15;

    private Builders() {
    }

    /** An ACTIVE memextent over [base, base+size) of the root partition's DDR; BASIC or SPARSE. */
    public static long extent(Fixture f, long base, long size, int access, int type) {
        long me = f.create(PartitionCalls.CREATE_MEMEXTENT);
        f.ok(MemoryCalls.MEMEXTENT_CONFIGURE, me, base, size, MemoryCalls.extentAttrs(access, 0, type), 0);
        f.ok(ObjectCalls.ACTIVATE, me, 0);
        return me;
    }

    /** An ACTIVE addrspace for {@code vmid}. */
    public static long addrspace(Fixture f, int vmid) {
        long as = f.create(PartitionCalls.CREATE_ADDRSPACE);
        f.ok(MemoryCalls.ADDRSPACE_CONFIGURE, as, vmid, 0);
        f.ok(ObjectCalls.ACTIVATE, as, 0);
        return as;
    }

    /** Maps extent {@code me} whole at {@code ipa}, RW, normal write-back memory. */
    public static void mapWhole(Fixture f, long as, long me, long ipa, long size) {
        f.ok(MemoryCalls.ADDRSPACE_MAP, as, me, ipa, MemoryCalls.mapAttrs(RW, NORMAL_WB), 0, 0, size);
    }

    /**
     * A vCPU in the RM's order (§5.4): create, affinity, priority, attach cspace / addrspace / VIC index,
     * configure {@code options}, activate. Returns root's master cap. {@code cpu} may be CPU_INDEX_INVALID.
     */
    public static long vcpu(Fixture f, long cs, long as, long vic, int index, long cpu, int prio, long options) {
        long t = f.create(PartitionCalls.CREATE_THREAD);
        f.ok(VcpuCalls.SET_AFFINITY, t, cpu, -1L);
        f.ok(VcpuCalls.SET_PRIORITY, t, prio);
        f.ok(VcpuCalls.CSPACE_ATTACH_THREAD, cs, t, 0);
        f.ok(VcpuCalls.ADDRSPACE_ATTACH_THREAD, as, t, 0);
        if (vic != 0) {
            f.ok(VcpuCalls.VIC_ATTACH_VCPU, vic, t, index, 0);
        }
        f.ok(VcpuCalls.CONFIGURE, t, options, 0);
        f.ok(ObjectCalls.ACTIVATE, t, 0);
        return t;
    }
}
