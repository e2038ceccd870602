package dev.gunyahdt.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gunyahdt.hypervisor.Fixture.Vm;
import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.MemExtentRights;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.call.PartitionRights;
import dev.gunyahdt.hypervisor.call.ThreadRights;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.call.VirtioMmioRights;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.memory.MemoryCalls;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.prng.PrngCalls;
import dev.gunyahdt.hypervisor.trace.TraceCalls;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virtio.VirtioMmioCalls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Isolation (issue 5, acceptance 4, for the objects built so far): random hypercall sequences from random
 * VMs never let a VM send, receive, ring, bind or configure anything it holds no capability or right for;
 * every refusal returns the documented error and leaves every object exactly as it was.
 *
 * <p>The world: the root VM creates three VMs, each with its own VIC, two active message queues, one queue
 * left in INIT, an active and an INIT doorbell, an addrspace with a BASIC extent mapped, two SPARSE extents,
 * three vCPUs (proxy-scheduled and on, on CPU 0 and off, INIT), and hands random caps with random rights to random VMs
 * (including caps on the VMs' own and each other's cspaces, and sometimes the partition). Then the VMs make
 * random calls whose cap arguments are drawn from their own CapIDs, other VMs' CapIDs and junk.
 */
class IsolationPropertyTest {

    /** What a cap argument must name for the call to be allowed. */
    record Need(int input, ObjectType type, int rights) {}

    /** One call the generator can make: its number, reserved input, cap arguments and a value kind per input. */
    record Spec(int number, int reservedInput, long reservedValue, List<Need> needs, String kinds) {}

    static final int ACT = ObjectType.OBJECT_ACTIVATE;
    static final ObjectType MQ = ObjectType.MSGQUEUE;
    static final ObjectType DB = ObjectType.DOORBELL;
    static final ObjectType CS = ObjectType.CSPACE;
    static final ObjectType TH = ObjectType.THREAD;
    static final ObjectType AS = ObjectType.ADDRSPACE;
    static final ObjectType ME = ObjectType.MEMEXTENT;
    static final ObjectType VIC = ObjectType.VIC;
    static final ObjectType VIO = ObjectType.VIRTIO_MMIO;
    static final long NO_SYNC = MemoryCalls.MODIFY_NO_SYNC;
    /** Spec.reservedInput for calls without a reserved input. */
    static final int NO_RESERVED = -1;

    // kinds per input: c = cap, f = flags/mask, s = size, a = address, v = virq, t = threshold, i = create_info,
    // z = 0, y = small 0..2, u = cpu, p = priority, n = timeslice, g = page-ish address/size, m = map attrs,
    // e = extent attrs, w = donate-to-sibling option, x = access attrs, k = map flags, o = memextent_modify flags
    static final List<Spec> SPECS = List.of(
            new Spec(VcpuCalls.POWERON, NO_RESERVED, 0, List.of(new Need(0, TH, ThreadRights.POWER)), "caaz"),
            new Spec(VcpuCalls.KILL, 1, 0, List.of(new Need(0, TH, ThreadRights.LIFECYCLE)), "c"),
            new Spec(VcpuCalls.SET_AFFINITY, 2, -1, List.of(new Need(0, TH, ThreadRights.AFFINITY)), "cu"),
            new Spec(VcpuCalls.SET_PRIORITY, NO_RESERVED, 0, List.of(new Need(0, TH, ThreadRights.PRIORITY)), "cp"),
            new Spec(VcpuCalls.SET_TIMESLICE, NO_RESERVED, 0, List.of(new Need(0, TH, ThreadRights.TIMESLICE)), "cn"),
            new Spec(VcpuCalls.CONFIGURE, 2, 0, List.of(new Need(0, TH, ACT)), "cz"),
            new Spec(
                    VcpuCalls.RUN,
                    4,
                    0,
                    List.of(new Need(0, TH, ThreadRights.AFFINITY | ThreadRights.YIELD_TO)),
                    "czzz"),
            new Spec(VcpuCalls.RUN_CHECK, 1, 0, List.of(new Need(0, TH, ThreadRights.STATE)), "c"),
            new Spec(
                    VcpuCalls.BIND_VIRQ,
                    4,
                    0,
                    List.of(new Need(0, TH, ThreadRights.BIND_VIRQ), new Need(1, VIC, VicRights.BIND_SOURCE)),
                    "ccvy"),
            new Spec(VcpuCalls.UNBIND_VIRQ, 2, 0, List.of(new Need(0, TH, ThreadRights.BIND_VIRQ)), "cy"),
            new Spec(VcpuCalls.REGISTER_WRITE, 4, 0, List.of(new Need(0, TH, ThreadRights.WRITE_CONTEXT)), "cyyf"),
            new Spec(
                    VcpuCalls.CSPACE_ATTACH_THREAD,
                    2,
                    0,
                    List.of(new Need(0, CS, CSpaceRights.ATTACH), new Need(1, TH, ACT)),
                    "cc"),
            new Spec(
                    VcpuCalls.ADDRSPACE_ATTACH_THREAD,
                    2,
                    0,
                    List.of(new Need(0, AS, AddrSpaceRights.ATTACH), new Need(1, TH, ACT)),
                    "cc"),
            new Spec(
                    VcpuCalls.VIC_ATTACH_VCPU,
                    3,
                    0,
                    List.of(new Need(0, VIC, VicRights.ATTACH_VCPU), new Need(1, TH, ACT)),
                    "ccy"),
            new Spec(
                    MemoryCalls.ADDRSPACE_MAP,
                    NO_RESERVED,
                    0,
                    List.of(new Need(0, AS, AddrSpaceRights.MAP), new Need(1, ME, MemExtentRights.MAP)),
                    "ccgmygg"),
            new Spec(
                    MemoryCalls.ADDRSPACE_UNMAP,
                    NO_RESERVED,
                    0,
                    List.of(new Need(0, AS, AddrSpaceRights.MAP), new Need(1, ME, MemExtentRights.MAP)),
                    "ccgygg"),
            new Spec(
                    MemoryCalls.ADDRSPACE_LOOKUP,
                    4,
                    0,
                    List.of(new Need(0, AS, AddrSpaceRights.LOOKUP), new Need(1, ME, MemExtentRights.LOOKUP)),
                    "ccgg"),
            new Spec(
                    MemoryCalls.ADDRSPACE_UPDATE_ACCESS,
                    NO_RESERVED,
                    0,
                    List.of(new Need(0, AS, AddrSpaceRights.MAP), new Need(1, ME, MemExtentRights.MAP)),
                    "ccgxkgg"),
            new Spec(
                    MemoryCalls.MEMEXTENT_MODIFY,
                    NO_RESERVED,
                    0,
                    List.of(new Need(0, ME, MemExtentRights.MAP)),
                    "cogg"),
            // vgic_set_mpidr_mapping looks up any type with OBJECT_ACTIVATE and checks the type after the rights
            new Spec(VicCalls.SET_MPIDR_MAPPING, NO_RESERVED, 0, List.of(new Need(0, null, ACT)), "cfyyyyy"),
            new Spec(VicCalls.BIND_MSI_SOURCE, 2, 0, List.of(new Need(0, VIC, VicRights.BIND_SOURCE)), "cc"),
            // capless calls: a refusal changes nothing either
            new Spec(PrngCalls.GET_ENTROPY, 1, 0, List.of(), "s"),
            new Spec(TraceCalls.UPDATE_CLASS_FLAGS, 2, 0, List.of(), "ff"),
            new Spec(
                    MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA,
                    3,
                    0,
                    List.of(new Need(0, AS, ACT), new Need(1, ME, MemExtentRights.ATTACH)),
                    "ccg"),
            new Spec(
                    MemoryCalls.ADDRSPACE_CONFIGURE_VMMIO,
                    4,
                    0,
                    List.of(new Need(0, AS, AddrSpaceRights.ADD_VMMIO_RANGE)),
                    "cggy"),
            new Spec(
                    dev.gunyahdt.hypervisor.vic.VicCalls.ADDRSPACE_ATTACH_VDEVICE,
                    NO_RESERVED,
                    0,
                    List.of(new Need(0, AS, AddrSpaceRights.MAP), new Need(1, VIC, VicRights.ATTACH_VDEVICE)),
                    "ccyggy"),
            new Spec(
                    MemoryCalls.MEMEXTENT_CONFIGURE_DERIVE,
                    5,
                    0,
                    List.of(new Need(0, ME, ACT), new Need(1, ME, MemExtentRights.DERIVE)),
                    "ccgge"),
            new Spec(
                    MemoryCalls.MEMEXTENT_DONATE,
                    5,
                    0,
                    List.of(new Need(1, ME, MemExtentRights.DONATE), new Need(2, ME, MemExtentRights.DONATE)),
                    "wccgg"),
            new Spec(
                    PartitionCalls.CREATE_THREAD,
                    2,
                    0,
                    List.of(
                            new Need(0, ObjectType.PARTITION, PartitionRights.OBJECT_CREATE),
                            new Need(1, CS, CSpaceRights.CAP_CREATE)),
                    "cc"),
            new Spec(MsgQueueCalls.SEND, 4, 0, List.of(new Need(0, MQ, MsgQueueRights.SEND)), "csaf"),
            new Spec(MsgQueueCalls.RECEIVE, 3, 0, List.of(new Need(0, MQ, MsgQueueRights.RECEIVE)), "cas"),
            new Spec(MsgQueueCalls.FLUSH, 1, 0, List.of(new Need(0, MQ, MsgQueueRights.RECEIVE)), "c"),
            new Spec(MsgQueueCalls.CONFIGURE, 2, 0, List.of(new Need(0, MQ, ACT)), "ci"),
            new Spec(MsgQueueCalls.CONFIGURE_SEND, 3, -1, List.of(new Need(0, MQ, MsgQueueRights.SEND)), "ctt"),
            new Spec(MsgQueueCalls.CONFIGURE_RECEIVE, 3, -1, List.of(new Need(0, MQ, MsgQueueRights.RECEIVE)), "ctt"),
            new Spec(
                    MsgQueueCalls.BIND_SEND_VIRQ,
                    3,
                    0,
                    List.of(
                            new Need(0, MQ, MsgQueueRights.BIND_SEND),
                            new Need(1, ObjectType.VIC, VicRights.BIND_SOURCE)),
                    "ccv"),
            new Spec(
                    MsgQueueCalls.BIND_RECEIVE_VIRQ,
                    3,
                    0,
                    List.of(
                            new Need(0, MQ, MsgQueueRights.BIND_RECEIVE),
                            new Need(1, ObjectType.VIC, VicRights.BIND_SOURCE)),
                    "ccv"),
            new Spec(MsgQueueCalls.UNBIND_SEND_VIRQ, 1, 0, List.of(new Need(0, MQ, MsgQueueRights.BIND_SEND)), "c"),
            new Spec(
                    MsgQueueCalls.UNBIND_RECEIVE_VIRQ,
                    1,
                    0,
                    List.of(new Need(0, MQ, MsgQueueRights.BIND_RECEIVE)),
                    "c"),
            new Spec(DoorbellCalls.SEND, 2, 0, List.of(new Need(0, DB, DoorbellRights.SEND)), "cf"),
            new Spec(DoorbellCalls.RECEIVE, 2, 0, List.of(new Need(0, DB, DoorbellRights.RECEIVE)), "cf"),
            new Spec(DoorbellCalls.RESET, 1, 0, List.of(new Need(0, DB, DoorbellRights.RECEIVE)), "c"),
            new Spec(DoorbellCalls.MASK, 3, 0, List.of(new Need(0, DB, DoorbellRights.RECEIVE)), "cff"),
            new Spec(
                    DoorbellCalls.BIND_VIRQ,
                    3,
                    0,
                    List.of(new Need(0, DB, DoorbellRights.BIND), new Need(1, ObjectType.VIC, VicRights.BIND_SOURCE)),
                    "ccv"),
            new Spec(DoorbellCalls.UNBIND_VIRQ, 1, 0, List.of(new Need(0, DB, DoorbellRights.BIND)), "c"),
            new Spec(ObjectCalls.ACTIVATE, 1, 0, List.of(new Need(0, null, ACT)), "c"),
            new Spec(
                    CSpaceCalls.COPY_CAP_FROM,
                    4,
                    0,
                    List.of(new Need(0, CS, CSpaceRights.CAP_COPY), new Need(2, CS, CSpaceRights.CAP_CREATE)),
                    "cccf"),
            new Spec(CSpaceCalls.DELETE_CAP_FROM, 2, 0, List.of(new Need(0, CS, CSpaceRights.CAP_DELETE)), "cc"),
            new Spec(CSpaceCalls.REVOKE_CAPS_FROM, 2, 0, List.of(new Need(0, CS, CSpaceRights.CAP_REVOKE)), "cc"),
            new Spec(
                    PartitionCalls.CREATE_MSGQUEUE,
                    2,
                    0,
                    List.of(
                            new Need(0, ObjectType.PARTITION, PartitionRights.OBJECT_CREATE),
                            new Need(1, CS, CSpaceRights.CAP_CREATE)),
                    "cc"),
            new Spec(
                    PartitionCalls.CREATE_DOORBELL,
                    2,
                    0,
                    List.of(
                            new Need(0, ObjectType.PARTITION, PartitionRights.OBJECT_CREATE),
                            new Need(1, CS, CSpaceRights.CAP_CREATE)),
                    "cc"),
            new Spec(
                    PartitionCalls.CREATE_VIRTIO_MMIO,
                    2,
                    0,
                    List.of(
                            new Need(0, ObjectType.PARTITION, PartitionRights.OBJECT_CREATE),
                            new Need(1, CS, CSpaceRights.CAP_CREATE)),
                    "cc"),
            // virtio-mmio: configure looks the memextent up first, then the object in any state
            new Spec(
                    VirtioMmioCalls.CONFIGURE,
                    NO_RESERVED,
                    0,
                    List.of(new Need(1, ME, MemExtentRights.ATTACH), new Need(0, VIO, ACT)),
                    "ccyfy"),
            new Spec(
                    VirtioMmioCalls.BACKEND_BIND_VIRQ,
                    3,
                    0,
                    List.of(
                            new Need(0, VIO, VirtioMmioRights.BIND_BACKEND_VIRQ),
                            new Need(1, VIC, VicRights.BIND_SOURCE)),
                    "ccv"),
            new Spec(
                    VirtioMmioCalls.FRONTEND_BIND_VIRQ,
                    3,
                    0,
                    List.of(
                            new Need(0, VIO, VirtioMmioRights.BIND_FRONTEND_VIRQ),
                            new Need(1, VIC, VicRights.BIND_SOURCE)),
                    "ccv"),
            new Spec(
                    VirtioMmioCalls.BACKEND_UNBIND_VIRQ,
                    1,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.BIND_BACKEND_VIRQ)),
                    "c"),
            new Spec(
                    VirtioMmioCalls.FRONTEND_UNBIND_VIRQ,
                    1,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.BIND_FRONTEND_VIRQ)),
                    "c"),
            new Spec(
                    VirtioMmioCalls.BACKEND_ASSERT_VIRQ,
                    2,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.ASSERT_VIRQ)),
                    "cf"),
            new Spec(
                    VirtioMmioCalls.BACKEND_SET_DEV_FEATURES,
                    3,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)),
                    "cyf"),
            new Spec(
                    VirtioMmioCalls.BACKEND_SET_QUEUE_NUM_MAX,
                    3,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)),
                    "cyf"),
            new Spec(
                    VirtioMmioCalls.BACKEND_GET_DRV_FEATURES,
                    2,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)),
                    "cy"),
            new Spec(
                    VirtioMmioCalls.BACKEND_GET_QUEUE_INFO,
                    2,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)),
                    "cy"),
            new Spec(
                    VirtioMmioCalls.BACKEND_GET_NOTIFICATION,
                    1,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)),
                    "c"),
            new Spec(
                    VirtioMmioCalls.BACKEND_ACKNOWLEDGE_RESET,
                    1,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)),
                    "c"),
            new Spec(
                    VirtioMmioCalls.BACKEND_UPDATE_STATUS,
                    2,
                    0,
                    List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)),
                    "cf"),
            new Spec(
                    VirtioMmioCalls.INPUT_CONFIGURE, 5, 0, List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)), "cffyy"),
            new Spec(
                    VirtioMmioCalls.INPUT_SET_DATA, 5, 0, List.of(new Need(0, VIO, VirtioMmioRights.CONFIG)), "cyysa"));

    /** A cap handed out at setup: VM {@code vm} gets object {@code object} with {@code rights}. */
    record Grant(int vm, int object, int rights) {}

    /** One generated call: caller, spec, a pick per input, whether the reserved input is set right. */
    record Op(int vm, int spec, List<Integer> picks, boolean reservedOk) {}

    static final int VMS = 3;
    static final int ROOT_OBJECTS = 8 + VMS * 2 + 7 + 3; // see world()

    @Provide
    Arbitrary<List<Grant>> grants() {
        Arbitrary<Grant> g = Combinators.combine(
                        Arbitraries.integers().between(0, VMS - 1),
                        Arbitraries.integers().between(0, ROOT_OBJECTS - 1),
                        Arbitraries.frequencyOf(
                                Tuple.of(1, Arbitraries.just(-1)), // all rights, ACTIVATE included
                                Tuple.of(
                                        2,
                                        Arbitraries.integers().between(0, 0x3FF).map(r -> r | (r & 0x10) << 27))))
                .as(Grant::new);
        return g.list().ofMinSize(10).ofMaxSize(50);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                        Arbitraries.integers().between(0, VMS - 1),
                        Arbitraries.integers().between(0, SPECS.size() - 1),
                        Arbitraries.integers().between(0, 1 << 20).list().ofSize(7),
                        Arbitraries.integers().between(0, 9).map(n -> n != 0))
                .as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    /** The world and the CapIDs root holds, in a fixed order the grants index into. */
    record World(Fixture f, List<Vm> vms, List<Long> rootCaps) {}

    static World world(long seed) {
        Fixture f = new Fixture(seed);
        List<Vm> vms = new ArrayList<>();
        List<Long> caps = new ArrayList<>();
        for (int i = 0; i < VMS; i++) {
            Vm vm = f.newVm("vm" + i);
            vms.add(vm);
            caps.add(vm.cspaceCap());
            caps.add(f.newVic());
        }
        caps.add(f.newMsgQueue(2, 8));
        caps.add(f.newMsgQueue(3, 4));
        long init = f.create(PartitionCalls.CREATE_MSGQUEUE);
        caps.add(init);
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        caps.add(db);
        caps.add(f.create(PartitionCalls.CREATE_DOORBELL)); // stays INIT
        caps.add(f.hv.rootPartitionCap());
        caps.add(f.hv.rootCSpaceCap());
        caps.add(f.create(PartitionCalls.CREATE_VIC)); // INIT VIC
        // memory: an addrspace, a BASIC extent, two SPARSE siblings (the first given two pages)
        long as = Builders.addrspace(f, 45);
        caps.add(as);
        long basic = Builders.extent(f, Hypervisor.DDR_BASE, 0x4000, Builders.RW, MemExtent.BASIC);
        caps.add(basic);
        long sparseA = Builders.extent(f, Hypervisor.DDR_BASE + 0x10000, 0x4000, Builders.RW, MemExtent.SPARSE);
        f.ok(MemoryCalls.MEMEXTENT_DONATE, 0, f.hv.rootPartitionCap(), sparseA, 0, 0x2000, 0);
        caps.add(sparseA);
        caps.add(Builders.extent(f, Hypervisor.DDR_BASE + 0x10000, 0x4000, Builders.RW, MemExtent.SPARSE));
        Builders.mapWhole(f, as, basic, 0, 0x4000);
        // vCPUs of vm0: one proxy-scheduled and powered on, one on CPU 0 (off), one left INIT
        long proxy = Builders.vcpu(
                f,
                vms.get(0).cspaceCap(),
                as,
                caps.get(1),
                0,
                Scheduler.CPU_INDEX_INVALID,
                0,
                Vcpu.OPTION_VCPU_RUN_SCHEDULED);
        f.ok(VcpuCalls.POWERON, proxy, 0, 0, 0);
        caps.add(proxy);
        caps.add(Builders.vcpu(f, vms.get(0).cspaceCap(), as, caps.get(1), 1, 0, 32, 0));
        caps.add(f.create(PartitionCalls.CREATE_THREAD));
        // virtio-mmio: one ACTIVE on its own page (whose extent is handed out too), one left INIT
        long page = Builders.extent(f, Hypervisor.DDR_BASE + 0x20000, 0x1000, Builders.RW, MemExtent.BASIC);
        caps.add(page);
        long vio = f.create(PartitionCalls.CREATE_VIRTIO_MMIO);
        f.ok(VirtioMmioCalls.CONFIGURE, vio, page, 1, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, vio, 0);
        caps.add(vio);
        caps.add(f.create(PartitionCalls.CREATE_VIRTIO_MMIO));
        assertEquals(ROOT_OBJECTS, caps.size());
        // every VM can at least see the queues' VICs bound: bind q0 send → vm0's VIC, receive → vm1's VIC
        f.ok(MsgQueueCalls.BIND_SEND_VIRQ, caps.get(2 * VMS), caps.get(1), 960, 0);
        f.ok(MsgQueueCalls.BIND_RECEIVE_VIRQ, caps.get(2 * VMS), caps.get(3), 961, 0);
        f.ok(DoorbellCalls.BIND_VIRQ, db, caps.get(5), 962, 0);
        return new World(f, vms, caps);
    }

    @Property(tries = 300)
    void noVmReachesWhatItHoldsNoRightFor(
            @ForAll long seed, @ForAll("grants") List<Grant> grants, @ForAll("ops") @Size(min = 1) List<Op> ops) {
        World w = world(seed);
        Fixture f = w.f;
        for (Grant g : grants) {
            f.grant(w.vms.get(g.vm), w.rootCaps.get(g.object), g.rights);
        }
        for (Vm vm : w.vms) {
            vm.caller().memory().write(0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        for (Op op : ops) {
            step(w, op);
        }
    }

    private static void step(World w, Op op) {
        Fixture f = w.f;
        Vm vm = w.vms.get(op.vm);
        CSpace cs = vm.caller().cspace();
        Spec spec = SPECS.get(op.spec);
        long[] in = new long[spec.kinds.length() + 1];
        List<Long> own = cs.validCapIds();
        List<Long> others = new ArrayList<>(w.rootCaps);
        for (Vm o : w.vms) {
            others.addAll(o.caller().cspace().validCapIds());
        }
        for (int i = 0; i < spec.kinds.length(); i++) {
            int p = op.picks.get(i);
            in[i] = switch (spec.kinds.charAt(i)) {
                case 'c' -> pickCap(cs, spec, i, p, own, others);
                case 'f' -> new long[] {0, 1, 2, 3, 0xF0, -1L, p}[p % 7];
                case 's' -> new long[] {0, 1, 4, 8, 9, 1024}[p % 6];
                case 'a' -> new long[] {0, 0x100, 0xFFFF_FFF0L}[p % 3];
                case 'v' -> new long[] {31, 960, 961, 963, 964, 1019, 1020, 5000}[p % 8];
                case 't' -> new long[] {-1L, 0xFFFF_FFFFL, 0xFFFF_FFFEL, 0, 1, 2, 3}[p % 7];
                case 'i' -> new long[] {MsgQueueCalls.createInfo(2, 8), 0, MsgQueueCalls.createInfo(256, 8)}[p % 3];
                case 'z' -> 0;
                case 'y' -> p % 3;
                case 'u' -> new long[] {0, 1, 7}[p % 3];
                case 'p' -> new long[] {0, 32, 62, 63}[p % 4];
                case 'n' -> new long[] {100_000, 5_000_000, 5}[p % 3];
                case 'g' -> new long[] {0, 0x1000, 0x2000, 0x4000, 0x10}[p % 5];
                case 'm' -> MemoryCalls.mapAttrs(new int[] {Builders.RW, 4, 3}[p % 3], 15);
                case 'e' -> MemoryCalls.extentAttrs(new int[] {Builders.RW, 4, 7}[p % 3], 0, p / 3 % 2);
                case 'w' -> 2;
                case 'x' -> new long[] {0x44, 0x66, 0x77, 0x22, 0}[p % 5];
                case 'k' -> new long[] {0, 1, 1L << 31}[p % 3];
                case 'o' -> new long[] {0, 1 | NO_SYNC, 2 | NO_SYNC, 3 | NO_SYNC, 255, 1, 255 | NO_SYNC}[p % 7];
                default -> throw new IllegalStateException();
            };
        }
        boolean reservedOk = spec.reservedInput == NO_RESERVED || op.reservedOk;
        if (spec.reservedInput != NO_RESERVED) {
            in[spec.reservedInput] = op.reservedOk ? spec.reservedValue : spec.reservedValue ^ 0x10;
        }

        // The oracle's view before the call: what each cap argument names in the caller's cspace.
        HypError expectedCapError = null;
        // A cap looked up for an operation is also checked ACTIVE before the next cap is looked up, so an
        // earlier cap naming a non-ACTIVE object may end the call with OBJECT_STATE first.
        boolean earlierNotActive = false;
        for (Need n : spec.needs) {
            long cap = in[n.input];
            if (expectedCapError == null && n != spec.needs.get(0)) {
                long prev = in[spec.needs.get(spec.needs.indexOf(n) - 1).input];
                earlierNotActive |= cs.lookup(prev, null, 0, false).object().state() != ObjectState.ACTIVE;
            }
            int rights = cs.rightsOf(cap);
            if (rights == -1) {
                expectedCapError = HypError.CSPACE_CAP_NULL; // stands for "not a VALID cap": one of three
                break;
            }
            ObjectType t = cs.lookup(cap, null, 0, false).object().type();
            if (n.type != null && t != n.type) {
                expectedCapError = HypError.CSPACE_WRONG_OBJECT_TYPE;
                break;
            }
            if ((rights & n.rights) != n.rights) {
                expectedCapError = HypError.CSPACE_INSUFFICIENT_RIGHTS;
                break;
            }
        }
        Set<KernelObject> held = heldObjects(cs);
        List<String> before = f.hv.snapshot();
        Map<KernelObject, String> unheldBefore = ipcObjectsNotIn(f.hv, held);

        HvcResult r = f.hv.call(vm.caller(), spec.number, in);
        HypError e = r.error();
        String what = f.hv.hypercallName(spec.number) + " by " + vm.name() + " → " + e;
        Statistics.collect(
                e == HypError.OK ? "OK" : expectedCapError != null ? "refused: cap/right" : "refused: other");

        if (!reservedOk) {
            assertEquals(HypError.ARGUMENT_INVALID, e, what);
        } else if (earlierNotActive && e == HypError.OBJECT_STATE) {
            Statistics.collect("refused: earlier cap's object not ACTIVE");
        } else if (expectedCapError == HypError.CSPACE_CAP_NULL) {
            assertTrue(
                    e == HypError.CSPACE_CAP_NULL || e == HypError.CSPACE_CAP_REVOKED || e == HypError.ARGUMENT_INVALID,
                    what);
        } else if (expectedCapError != null) {
            assertEquals(expectedCapError, e, what);
        }
        if (e != HypError.OK) {
            if (spec.number == ObjectCalls.ACTIVATE) {
                // a failed activation may mark its object FAILED (§2.2), and nothing else
                assertEquals(
                        initForFailed(before), initForFailed(f.hv.snapshot()), "a refused call changed state: " + what);
            } else {
                assertEquals(before, f.hv.snapshot(), "a refused call changed state: " + what);
            }
        } else if (expectedCapError != null || !reservedOk) {
            fail("allowed without the cap/right: " + what);
        }
        // Queues and doorbells the caller held no cap to are untouched, whatever the result.
        Map<KernelObject, String> unheldAfter = new HashMap<>();
        for (KernelObject o : unheldBefore.keySet()) {
            unheldAfter.put(o, f.hv.objects().contains(o) ? o.snapshot() : "destroyed");
        }
        assertEquals(unheldBefore, unheldAfter, "reached an unheld object: " + what);
    }

    private static List<String> initForFailed(List<String> snapshot) {
        return snapshot.stream().map(l -> l.replace("[FAILED]", "[INIT]")).toList();
    }

    /**
     * A cap argument: half the time one of the caller's caps of the type the call wants, else any of its
     * caps, a CapID from another cspace (meaningless or different here), or junk.
     */
    private static long pickCap(CSpace cs, Spec spec, int input, int p, List<Long> own, List<Long> others) {
        ObjectType want = null;
        for (Need n : spec.needs) {
            if (n.input == input) {
                want = n.type;
            }
        }
        ObjectType w = want;
        List<Long> typed = own.stream()
                .filter(id ->
                        w == null || cs.lookup(id, null, 0, false).object().type() == w)
                .toList();
        int k = p % 10;
        if (k < 5 && !typed.isEmpty()) {
            return typed.get(p / 10 % typed.size());
        }
        if (k < 7 && !own.isEmpty()) {
            return own.get(p / 10 % own.size());
        }
        return k < 9 ? others.get(p / 10 % others.size()) : (long) p * 0x9E3779B97F4A7C15L;
    }

    /**
     * Everything the caller has authority over: the objects its caps name and, through any cspace cap it
     * holds, the objects named in that cspace (transitively) — holding CAP_DELETE on a cspace legitimately
     * lets it delete another VM's last cap and so destroy an object.
     */
    private static Set<KernelObject> heldObjects(CSpace cs) {
        Set<KernelObject> out = new java.util.HashSet<>();
        java.util.ArrayDeque<CSpace> todo = new java.util.ArrayDeque<>(List.of(cs));
        while (!todo.isEmpty()) {
            CSpace c = todo.pop();
            for (long id : c.validCapIds()) {
                KernelObject o = c.lookup(id, null, 0, false).object();
                if (out.add(o) && o instanceof CSpace inner) {
                    todo.push(inner);
                }
            }
        }
        return out;
    }

    private static Map<KernelObject, String> ipcObjectsNotIn(Hypervisor hv, Set<KernelObject> held) {
        Map<KernelObject, String> out = new HashMap<>();
        for (KernelObject o : hv.objects()) {
            // vCPUs too: none can be powered, run, killed, bound or configured by a VM without a cap to it
            if ((o.type() == MQ || o.type() == DB || o.type() == TH || o.type() == VIO) && !held.contains(o)) {
                out.put(o, o.snapshot());
            }
        }
        return out;
    }
}
