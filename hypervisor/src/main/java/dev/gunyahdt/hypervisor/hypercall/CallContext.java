package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.cspace.CapIdNumbering;
import dev.gunyahdt.hypervisor.cspace.Lookup;
import dev.gunyahdt.hypervisor.memory.MemDb;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.Partition;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;

import java.util.Random;
import java.util.function.LongSupplier;

/**
 * What a hypercall handler may use: the calling VM's cspace and memory, the partition its objects come
 * from, the seeded generator (new cspaces draw their CapID scrambling from it) and the serial counter.
 */
public final class CallContext {
    private final CSpace cspace;
    private final GuestMemory memory;
    private final Partition partition;
    private final Random rng;
    private final LongSupplier serials;
    private final boolean documentedCopyErrors;
    private final Vcpu vcpu;
    private final Scheduler scheduler;
    private final MemDb memdb;
    private final CapIdNumbering capIds;

    public CallContext(CSpace cspace, GuestMemory memory, Partition partition, Random rng,
                       LongSupplier serials, boolean documentedCopyErrors) {
        this(cspace, memory, partition, rng, serials, documentedCopyErrors, null, new Scheduler(1), new MemDb());
    }

    public CallContext(CSpace cspace, GuestMemory memory, Partition partition, Random rng, LongSupplier serials,
                       boolean documentedCopyErrors, Vcpu vcpu, Scheduler scheduler, MemDb memdb) {
        this(cspace, memory, partition, rng, serials, documentedCopyErrors, vcpu, scheduler, memdb,
                CapIdNumbering.SCRAMBLED);
    }

    public CallContext(CSpace cspace, GuestMemory memory, Partition partition, Random rng, LongSupplier serials,
                       boolean documentedCopyErrors, Vcpu vcpu, Scheduler scheduler, MemDb memdb,
                       CapIdNumbering capIds) {
        this.capIds = capIds;
        this.vcpu = vcpu;
        this.scheduler = scheduler;
        this.memdb = memdb;
        this.cspace = cspace;
        this.memory = memory;
        this.partition = partition;
        this.rng = rng;
        this.serials = serials;
        this.documentedCopyErrors = documentedCopyErrors;
    }

    /** The caller's own cspace (the one its thread is attached to). */
    public CSpace cspace() {
        return cspace;
    }

    public GuestMemory memory() {
        return memory;
    }

    /** The partition objects are registered in (today: the root partition; create_partition is unimplemented). */
    public Partition partition() {
        return partition;
    }

    /** The calling vCPU, or null for a thread without one (the root VM's seat). */
    public Vcpu vcpu() {
        return vcpu;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Page ownership and contents of physical memory. */
    public MemDb memdb() {
        return memdb;
    }

    public Random rng() {
        return rng;
    }

    public long nextSerial() {
        return serials.getAsLong();
    }

    /**
     * How a failed guest-memory copy in msgqueue send/receive ends. false (default) follows the code: OK
     * and nothing moves; true gives the documented ARGUMENT_SIZE / ADDR_INVALID (§0, §3.6).
     */
    public boolean documentedCopyErrors() {
        return documentedCopyErrors;
    }

    /** How cspaces created by partition_create_cspace number their CapIDs. */
    public CapIdNumbering capIds() {
        return capIds;
    }

    /** Typed lookup in the caller's cspace for an operation on an ACTIVE object. */
    public Lookup active(long capId, ObjectType type, int rights) {
        return cspace.lookup(capId, type, rights, true);
    }

    /** Lookup for configure calls: any state, with the generic OBJECT_ACTIVATE right (§2.4). */
    public Lookup forConfigure(long capId, ObjectType type) {
        return cspace.lookup(capId, type, ObjectType.OBJECT_ACTIVATE, false);
    }
}
