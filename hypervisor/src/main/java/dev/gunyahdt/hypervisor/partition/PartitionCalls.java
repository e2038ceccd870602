package dev.gunyahdt.hypervisor.partition;

import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.PartitionRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.Capabilities;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectFactory;
import dev.gunyahdt.hypervisor.object.ObjectType;
import java.util.Map;

/**
 * partition_create_* (§1.4 0x6001–0x600B): new object in INIT, master cap with all rights in a cspace. One call
 * per object type an object package registered, as [HYP] {@code hyp/core/partition_standard/templates/hypercalls.c.tmpl}
 * generates one per first-class object; a type nobody registered keeps its number undefined (UNIMPLEMENTED).
 */
public final class PartitionCalls {
    public static final int CREATE_PARTITION = 0x01;
    public static final int CREATE_CSPACE = 0x02;
    public static final int CREATE_ADDRSPACE = 0x03;
    public static final int CREATE_MEMEXTENT = 0x04;
    public static final int CREATE_THREAD = 0x05;
    public static final int CREATE_DOORBELL = 0x06;
    public static final int CREATE_MSGQUEUE = 0x07;
    public static final int CREATE_VIC = 0x0A;
    public static final int CREATE_VPM_GROUP = 0x0B;
    public static final int CREATE_VIRTIO_MMIO = 0x48;

    /** The create call of each type that has one, and its name. */
    private record CreateCall(int number, String name) {}

    private static final Map<ObjectType, CreateCall> CREATE_CALLS = Map.of(
            ObjectType.CSPACE, new CreateCall(CREATE_CSPACE, "partition_create_cspace"),
            ObjectType.ADDRSPACE, new CreateCall(CREATE_ADDRSPACE, "partition_create_addrspace"),
            ObjectType.MEMEXTENT, new CreateCall(CREATE_MEMEXTENT, "partition_create_memextent"),
            ObjectType.THREAD, new CreateCall(CREATE_THREAD, "partition_create_thread"),
            ObjectType.DOORBELL, new CreateCall(CREATE_DOORBELL, "partition_create_doorbell"),
            ObjectType.MSGQUEUE, new CreateCall(CREATE_MSGQUEUE, "partition_create_msgqueue"),
            ObjectType.VIC, new CreateCall(CREATE_VIC, "partition_create_vic"),
            ObjectType.VPM_GROUP, new CreateCall(CREATE_VPM_GROUP, "partition_create_vpm_group"),
            ObjectType.VIRTIO_MMIO, new CreateCall(CREATE_VIRTIO_MMIO, "partition_create_virtio_mmio"));

    private PartitionCalls() {}

    /** Defines a create call for every type in {@code types} (so install the object packages first). */
    public static void install(HypercallTable t, ObjectFactories types) {
        // Code: always UNIMPLEMENTED with CSPACE_CAP_INVALID (§0), whatever the arguments.
        t.define(
                CREATE_PARTITION,
                "partition_create_partition",
                Reserved.res0(2),
                (ctx, in) -> HvcResult.error(HypError.UNIMPLEMENTED, HvcResult.CAP_INVALID));
        types.all().forEach((type, factory) -> {
            CreateCall c = CREATE_CALLS.get(type);
            if (c == null) {
                throw new IllegalStateException(type + " has no partition_create call");
            }
            t.define(c.number(), c.name(), Reserved.res0(2), (ctx, in) -> create(ctx, in, factory));
        });
    }

    private static HvcResult create(CallContext ctx, HvcArgs in, ObjectFactory factory) {
        Lookup p = ctx.active(in.x0(), ObjectType.PARTITION, PartitionRights.OBJECT_CREATE);
        if (!p.ok()) {
            return HvcResult.error(p.error(), HvcResult.CAP_INVALID);
        }
        Lookup c = ctx.active(in.x1(), ObjectType.CSPACE, CSpaceRights.CAP_CREATE);
        if (!c.ok()) {
            return HvcResult.error(c.error(), HvcResult.CAP_INVALID);
        }
        Capabilities dest = c.as(Capabilities.class);
        if (!dest.hasFreeSlot()) {
            return HvcResult.error(HypError.CSPACE_FULL, HvcResult.CAP_INVALID);
        }
        Partition partition = p.as(Partition.class);
        KernelObject o = factory.create(ctx.nextSerial(), partition);
        long cap = dest.insertMaster(o, ctx.nextSerial());
        partition.register(o);
        return HvcResult.ok(cap);
    }
}
