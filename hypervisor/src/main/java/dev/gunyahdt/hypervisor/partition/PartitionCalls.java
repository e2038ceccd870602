package dev.gunyahdt.hypervisor.partition;

import dev.gunyahdt.hypervisor.call.PartitionRights;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.cspace.Lookup;
import dev.gunyahdt.hypervisor.doorbell.Doorbell;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueue;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.Vic;

import java.util.function.Function;

/** partition_create_* (§1.4 0x6001–0x600B): new object in INIT, master cap with all rights in a cspace. */
public final class PartitionCalls {
    public static final int CREATE_PARTITION = 0x01;
    public static final int CREATE_CSPACE = 0x02;
    public static final int CREATE_ADDRSPACE = 0x03;
    public static final int CREATE_MEMEXTENT = 0x04;
    public static final int CREATE_THREAD = 0x05;
    public static final int CREATE_DOORBELL = 0x06;
    public static final int CREATE_MSGQUEUE = 0x07;
    public static final int CREATE_VIC = 0x0A;

    private PartitionCalls() {
    }

    public static void install(HypercallTable t) {
        // Code: always UNIMPLEMENTED with CSPACE_CAP_INVALID (§0), whatever the arguments.
        t.define(CREATE_PARTITION, "partition_create_partition", Reserved.res0(2),
                (ctx, in) -> HvcResult.error(HypError.UNIMPLEMENTED, HvcResult.CAP_INVALID));
        t.define(CREATE_CSPACE, "partition_create_cspace", Reserved.res0(2),
                (ctx, in) -> create(ctx, in, s -> CSpace.create(s, ctx.capIds(), ctx.rng())));
        t.define(CREATE_DOORBELL, "partition_create_doorbell", Reserved.res0(2),
                (ctx, in) -> create(ctx, in, Doorbell::new));
        t.define(CREATE_MSGQUEUE, "partition_create_msgqueue", Reserved.res0(2),
                (ctx, in) -> create(ctx, in, MsgQueue::new));
        t.define(CREATE_VIC, "partition_create_vic", Reserved.res0(2),
                (ctx, in) -> create(ctx, in, Vic::new));
        t.define(CREATE_ADDRSPACE, "partition_create_addrspace", Reserved.res0(2),
                (ctx, in) -> create(ctx, in, s -> new AddrSpace(s, ctx.memdb())));
        t.define(CREATE_MEMEXTENT, "partition_create_memextent", Reserved.res0(2),
                (ctx, in) -> create(ctx, in, s -> new MemExtent(s, ctx.memdb(), ctx.partition())));
        t.define(CREATE_THREAD, "partition_create_thread", Reserved.res0(2),
                (ctx, in) -> create(ctx, in, s -> new Vcpu(s, ctx.scheduler())));
        // vpm_group, virtio_mmio: their object types are not built yet, so their create numbers stay
        // undefined and return UNIMPLEMENTED.
    }

    private static HvcResult create(CallContext ctx, HvcArgs in, Function<Long, KernelObject> make) {
        Lookup p = ctx.active(in.x0(), ObjectType.PARTITION, PartitionRights.OBJECT_CREATE);
        if (!p.ok()) {
            return HvcResult.error(p.error(), HvcResult.CAP_INVALID);
        }
        Lookup c = ctx.active(in.x1(), ObjectType.CSPACE, CSpaceRights.CAP_CREATE);
        if (!c.ok()) {
            return HvcResult.error(c.error(), HvcResult.CAP_INVALID);
        }
        CSpace dest = c.as(CSpace.class);
        if (!dest.hasFreeSlot()) {
            return HvcResult.error(HypError.CSPACE_FULL, HvcResult.CAP_INVALID);
        }
        KernelObject o = make.apply(ctx.nextSerial());
        long cap = dest.insertMaster(o, ctx.nextSerial());
        p.as(Partition.class).register(o);
        return HvcResult.ok(cap);
    }
}
