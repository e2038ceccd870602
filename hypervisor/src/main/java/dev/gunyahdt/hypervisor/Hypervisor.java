package dev.gunyahdt.hypervisor;

import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.cspace.CapIdNumbering;
import dev.gunyahdt.hypervisor.device.MmioDevice;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.hwirq.HwirqCalls;
import dev.gunyahdt.hypervisor.hwirq.HwirqTable;
import dev.gunyahdt.hypervisor.hypercall.Abi;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.memory.MemDb;
import dev.gunyahdt.hypervisor.memory.MemoryCalls;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.Partition;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.prng.Entropy;
import dev.gunyahdt.hypervisor.prng.PrngCalls;
import dev.gunyahdt.hypervisor.trace.TraceCalls;
import dev.gunyahdt.hypervisor.trace.TraceControl;
import dev.gunyahdt.hypervisor.vcpu.Caller;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virtio.VirtioMmioCalls;
import dev.gunyahdt.hypervisor.vpm.VpmCalls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The hypervisor model's entry point: boots a root partition and a root cspace holding master caps to
 * both, and runs hypercalls for callers. Deterministic: no threads, no wall clock (time is the scheduler's
 * virtual time); every random choice (CapID scrambling, prng_get_entropy's words) comes from one generator seeded
 * by {@code seed}, so the same seed and the same calls give the same CapIDs and results.
 */
public final class Hypervisor {
    private final HypercallTable table = new HypercallTable();
    private final Random rng;
    private final long seed;
    private CapIdNumbering capIds = CapIdNumbering.SCRAMBLED;
    private long serial;
    private final Partition rootPartition;
    private final Caller root;
    private final long rootPartitionCap;
    private final long rootCSpaceCap;
    /** QEMU build (§13): 8 physical CPUs; DDR 0x40000000 + 2 GiB, owned by the root partition at boot. */
    public static final int CPUS = 8;

    public static final long DDR_BASE = 0x4000_0000L;
    public static final long DDR_SIZE = 0x8000_0000L;
    private final Scheduler scheduler = new Scheduler(CPUS);
    private final MemDb memdb = new MemDb();
    private final TraceControl trace = new TraceControl();
    /** One supplier for every call's context (not a new capturing lambda per hypercall). */
    private final java.util.function.LongSupplier serials = () -> ++serial;
    /**
     * Physical SPIs up to the GICv3 limit without the extended range (INTID 1019): the model serves boards with
     * more interrupt lines than QEMU's 288.
     */
    private final HwirqTable hwirqs = new HwirqTable(1019, serials);

    private final CSpace rootCs;
    private final Map<Integer, Long> hwirqCaps = new HashMap<>();

    public Hypervisor(long seed) {
        this(seed, false);
    }

    /**
     * @param documentedCopyErrors msgqueue send/receive with a bad size or buffer: false (default) follows the
     *        code (OK, nothing moves), true returns the documented ARGUMENT_SIZE / ADDR_INVALID (§3.6)
     */
    public Hypervisor(long seed, boolean documentedCopyErrors) {
        this.rng = new Random(seed);
        this.seed = seed;
        rootPartition = Partition.root(++serial);
        // Assembly: each object package defines its hypercalls and registers its object factory; the
        // partition package then defines one create call per registered type.
        ObjectFactories types = new ObjectFactories();
        Abi.install(table);
        ObjectCalls.install(table);
        CSpaceCalls.install(table, types, rootPartition, rng, () -> capIds);
        DoorbellCalls.install(table, types);
        MsgQueueCalls.install(table, types, documentedCopyErrors);
        VicCalls.install(table, types);
        HwirqCalls.install(table);
        VcpuCalls.install(table, types, scheduler);
        MemoryCalls.install(table, types, memdb);
        VpmCalls.install(table, types, scheduler.cpus());
        VirtioMmioCalls.install(table, types);
        PrngCalls.install(table, new Entropy(rng, scheduler::now));
        TraceCalls.install(table, trace);
        PartitionCalls.install(table, types);

        rootCs = CSpace.bootCSpace(++serial, rng, CSpace.MAX_CAPS);
        rootPartition.register(rootCs);
        memdb.seed(DDR_BASE, DDR_SIZE, rootPartition);
        rootPartitionCap = rootCs.insertMaster(rootPartition, ++serial);
        rootCSpaceCap = rootCs.insertMaster(rootCs, ++serial);
        rootCs.attachThread();
        root = new Caller("root", rootCs, GuestMemory.flat(1 << 16));
    }

    /** The seed this model was made with (the RM seeds its own entropy from it: same seed, same bytes). */
    public long seed() {
        return seed;
    }

    /**
     * From now on, cspaces created by {@code partition_create_cspace} number their CapIDs as {@code numbering}
     * says (default scrambled; {@link CapIdNumbering#PLAIN} is a debug build's numbering).
     */
    public Hypervisor capIds(CapIdNumbering numbering) {
        capIds = numbering;
        return this;
    }

    /** The root VM (the Resource Manager's seat): its cspace holds the two caps below. */
    public Caller root() {
        return root;
    }

    /** The root VM's master cap to the root partition (all partition rights). */
    public long rootPartitionCap() {
        return rootPartitionCap;
    }

    /** The root VM's master cap to its own cspace (all cspace rights). */
    public long rootCSpaceCap() {
        return rootCSpaceCap;
    }

    /**
     * A new thread of a VM, running on the ACTIVE cspace that {@code owner}'s cap {@code cspaceCap} names
     * (what cspace_attach_thread will do once vCPUs exist; needs ATTACH on the cap). Null when refused.
     */
    public Caller attach(Caller owner, long cspaceCap, String name, GuestMemory memory) {
        Lookup l = owner.cspace().lookup(cspaceCap, ObjectType.CSPACE, CSpaceRights.ATTACH, true);
        if (!l.ok()) {
            return null;
        }
        CSpace cs = l.as(CSpace.class);
        cs.attachThread();
        return new Caller(name, cs, memory);
    }

    /**
     * More physical RAM for the root partition, as a board's boot environment describes it (system.dtb's
     * {@code /memory}): the pages of [base, base+size) nobody owns yet become the root partition's. Page aligned,
     * below the 36-bit limit (§13), else {@code IllegalArgumentException}.
     */
    public void addRam(long base, long size) {
        if (base % MemDb.PAGE != 0
                || size % MemDb.PAGE != 0
                || base < 0
                || size <= 0
                || base > MemDb.ADDR_LIMIT - size) {
            throw new IllegalArgumentException("RAM 0x" + Long.toHexString(base) + "+0x" + Long.toHexString(size)
                    + " is not page aligned below 2^36");
        }
        memdb.seedFree(base, size, rootPartition);
    }

    /**
     * The root VM's master cap to the hwirq object of physical SPI {@code intid} (the boot environment's
     * {@code vic_hwirq} entry, vgic_handle_rootvm_create_hwirq), or CSPACE_CAP_INVALID ({@link HvcResult#CAP_INVALID})
     * when the platform has no such SPI.
     */
    public long hwirqCap(int intid) {
        Long cap = hwirqCaps.get(intid);
        if (cap != null) {
            return cap;
        }
        KernelObject h = hwirqs.hwirq(intid);
        if (h == null) {
            return HvcResult.CAP_INVALID;
        }
        rootPartition.register(h);
        long c = rootCs.insertMaster(h, ++serial);
        hwirqCaps.put(intid, c);
        return c;
    }

    /**
     * A device's interrupt line: {@code high} raises physical SPI {@code intid} (delivered through its hwirq's
     * bound VIRQ; returns whether it was), false lowers it.
     */
    public boolean spi(int intid, boolean high) {
        if (high) {
            return hwirqs.raise(intid);
        }
        hwirqs.lower(intid);
        return false;
    }

    /**
     * A device's register block on the physical bus at [base, base+size): its pages belong to the root partition
     * (the boot's device memory, which the RM derives device extents from) and its reads and writes reach
     * {@code device}, not RAM.
     */
    public void addDevice(long base, long size, MmioDevice device) {
        addDeviceMemory(base, size);
        memdb.attachDevice(base, size, device);
    }

    /**
     * Device memory of the board at [base, base+size) for the root partition (the boot's device extent); its
     * pages read as zero unless a device model is attached. Page-aligned below 2^36, else ignored.
     */
    public void addDeviceMemory(long base, long size) {
        if (base % MemDb.PAGE == 0
                && size % MemDb.PAGE == 0
                && base >= 0
                && size > 0
                && base <= MemDb.ADDR_LIMIT - size) {
            memdb.seedFree(base, size, rootPartition);
        }
    }

    /** The FPRR scheduler: what the simulation loop drives (next / tick / runRound). */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Physical memory: page ownership (who was given what) and contents. */
    public MemDb memdb() {
        return memdb;
    }

    /** The vCPU object {@code owner}'s cap {@code threadCap} names (any rights), to give it a program; null if none. */
    public Vcpu vcpu(Caller owner, long threadCap) {
        Lookup l = owner.cspace().lookup(threadCap, ObjectType.THREAD, 0, false);
        return l.ok() ? l.as(Vcpu.class) : null;
    }

    /** {@code hvc #immediate}: 0 is the SMCCC entry, 0x6000+N a native Gunyah hypercall. */
    public HvcResult hvc(Caller caller, int immediate, HvcArgs args) {
        CallContext ctx = context(caller);
        if (immediate == 0) {
            return Abi.smccc(table, ctx, args);
        }
        int n = Abi.nativeNumber(immediate);
        if (n < 0) {
            // The real hypervisor does not treat this trap as a hypercall (it becomes an exception for the
            // guest); exceptions are not modelled yet, so the model answers UNIMPLEMENTED.
            return HvcResult.error(HypError.UNIMPLEMENTED);
        }
        return table.invoke(n, ctx, args);
    }

    /** {@code smc #0}: the same SMCCC entry as {@code hvc #0}. */
    public HvcResult smc(Caller caller, HvcArgs args) {
        return Abi.smccc(table, context(caller), args);
    }

    /** Convenience: native call {@code number} with inputs X0.. in order. */
    public HvcResult call(Caller caller, int number, long... inputs) {
        return hvc(caller, Abi.HVC_BASE + number, HvcArgs.of(inputs));
    }

    /** The name a call number is defined under, or null. */
    public String hypercallName(int number) {
        HypercallTable.Entry e = table.entry(number);
        return e != null ? e.name() : table.unbuilt(number).map(u -> u.name()).orElse(null);
    }

    /** Why the model answers a call the real hypervisor defines UNIMPLEMENTED; empty for a built or undefined one. */
    public java.util.Optional<String> unbuiltReason(int number) {
        return table.unbuilt(number).map(u -> u.reason());
    }

    /** Live objects in creation order. */
    public List<KernelObject> objects() {
        return rootPartition.objects();
    }

    /** The state of every live object, one line each (equal lists = equal hypervisor states). */
    public List<String> snapshot() {
        List<String> out = new ArrayList<>();
        for (KernelObject o : rootPartition.objects()) {
            out.add(o.snapshot());
        }
        out.add(scheduler.snapshot());
        out.add(memdb.snapshot());
        out.add("trace classes=" + Long.toHexString(trace.classFlags()));
        return out;
    }

    private CallContext context(Caller c) {
        return new CallContext(c.cspace(), c.memory(), c.vcpu(), serials);
    }
}
