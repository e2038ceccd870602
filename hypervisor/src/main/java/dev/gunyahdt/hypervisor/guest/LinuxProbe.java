package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.Vic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What a Linux guest does with Gunyah, reduced to its contract with the RM (reference §12, §14 step 7): it reads
 * the DTB at X0 and nothing else, finds {@code /hypervisor}, the RM node (compatible "gunyah-resource-manager" or
 * "qcom,resource-manager": reg = TX, RX CapIDs; interrupts = TX, RX VIRQs) and {@code qcom,gunyah-vm}'s vmid, and
 * then, over RPC only: opens its console and writes a banner, checks VM_GET_HYP_RESOURCES against its DT, sends
 * and receives on each message-queue pair, rings / takes each doorbell, reports VM_SET_STATUS RUN (secondary VMs)
 * and writes a closing line. The primary first launches its secondaries as crosvm would: VM_ALLOCATE, MEM_LEND of
 * the image DT, VM_CONFIG_IMAGE, VM_INIT, VM_GET_HYP_RESOURCES, VM_CONSOLE_OPEN of the owner side, then VM_START
 * for each.
 *
 * <p>The program is a queue of actions run one per turn of its vCPU; an action that waits (for a reply, a message,
 * a doorbell) stays at the head. Interrupt-driven, as a Linux driver is: at boot it configures each VIRQ of its DT
 * in its vGIC (edge or level from the specifier's flags); each turn it acknowledges every pending VIRQ, reads only
 * the sources whose VIRQ fired (the RM link, a pair's receive queue, a doorbell), ends the VIRQs, and executes WFI
 * when nothing moved. A NOTIFY_VM_SHUTDOWN is answered with VM_EXIT.
 */
public final class LinuxProbe implements GuestProgram {

    private static final long RPC_BUFFER = 0x1000;
    private static final long PAIR_BUFFER = 0x2000;
    private static final long IMAGE_AREA = 0x1000_0000L;

    private final String program;
    private final Deque<BooleanSupplier> script = new ArrayDeque<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> consoleSeen = new ArrayList<>();
    private final Map<Integer, Consumer<RpcMessage>> waiting = new HashMap<>();
    private GuestContext ctx;
    private RpcClient rpc;
    private int rpcTxVirq = -1;
    private int rpcRxVirq = -1;
    /** The RM link's VIRQs fired (or boot): poll it. */
    private boolean rpcReady = true;
    private String name = "?";
    private int vmid;
    /** Whether the DT lists vdevice nodes; if not (the primary, §10.5; the dt-schema overlay style), the RM's
     *  VM_GET_HYP_RESOURCES answers are the vdevice list. */
    private boolean dtListsVdevices;
    private boolean consoleOpen;
    private boolean resourcesMatch;
    private boolean started;
    private final List<Pair> pairs = new ArrayList<>();
    private final List<Bell> bells = new ArrayList<>();
    private final List<Proxied> proxied = new ArrayList<>();
    private int vcpusChecked;

    /** A proxy-scheduled vCPU of a VM this primary launched: run through vcpu_run, as crosvm's vCPU threads do. */
    private static final class Proxied {
        final String vm;
        final long cap;
        final int wakeupVirq;
        boolean started;
        boolean runnable;
        int runs;

        Proxied(String vm, long cap, int wakeupVirq) {
            this.vm = vm;
            this.cap = cap;
            this.wakeupVirq = wakeupVirq;
        }
    }

    /**
     * A message-queue pair (tx and rx) or one direction of a one-way queue (tx or rx only): the caps and VIRQs of
     * the VM's own side, from its DT or from a VM_GET_HYP_RESOURCES answer. (CapIDs are any 64-bit value.)
     */
    private static final class Pair {
        boolean hasTx;
        boolean hasRx;
        long tx;
        long rx;
        int txVirq;
        int rxVirq;
        long label;
        int partner;
        boolean sent;
        boolean received;
        /** Its receive VIRQ fired since the queue was last drained (true at boot: look once). */
        boolean rxReady = true;
        String path;

        boolean exchanged() {
            return (!hasTx || sent) && (!hasRx || received);
        }
    }

    private static final class Bell {
        long cap;
        int virq;
        boolean source;
        long label;
        boolean exercised;
        boolean ready = true;
        String path;
    }

    LinuxProbe(String program) {
        this.program = program;
    }

    @Override
    public void start(GuestContext ctx) {
        this.ctx = ctx;
        started = true;
        name = ctx.seat().name(); // for the report; the DT's qcom,image-name replaces it when there is one
        DeviceTree dt;
        try {
            dt = readDtb(ctx.seat().vcpu().x(0)); // X0 = the DTB's IPA (§5.4)
        } catch (DtException e) {
            problem("my DTB at X0 does not read: " + e.getMessage());
            return;
        }
        if (!findHypervisor(dt)) {
            return;
        }
        checkMemory(dt);
        findSharedMemory(dt);
        if (vmid == 0) {
            // no qcom,gunyah-vm node (the dt-schema overlay style): ask the RM who I am
            script.add(call(MessageId.VM_GET_VMID, new byte[0], r -> {
                if (error(r) == 0 && r.replyData().length >= 4) {
                    vmid = (int) new Wire.Reader(r.replyData()).u32();
                } else {
                    problem("VM_GET_VMID -> " + error(r));
                }
            }));
        }
        script.add(call(MessageId.VM_CONSOLE_OPEN, Wire.writer().u16(0).u16(0).build(), r -> {
            consoleOpen = error(r) == 0;
            if (!consoleOpen) {
                ctx.log().accept("no console (VM_CONSOLE_OPEN -> " + error(r) + ")");
            }
        }));
        script.add(() -> !consoleOpen || run(consoleWrite(banner())));
        if (ctx.seat().primary()) {
            script.add(deferred(() -> call(MessageId.VM_GET_HYP_RESOURCES, Wire.writer().u16(vmid).u16(0).build(),
                    this::checkResources)));
        } else {
            checkResourcesByPartner();
        }
        if (ctx.seat().primary()) {
            launchSecondaries();
        }
        script.add(this::sendHellos);
        script.add(this::ringDoorbells);
        script.add(this::awaitPeers);
        if (!ctx.seat().primary()) {
            // the RM takes VM_SET_STATUS from static secondary VMIDs only (below 64); a dynamic one is denied
            script.add(deferred(() -> call(MessageId.VM_SET_STATUS, Wire.writer().u8(0).u8(4).u16(0).build(), r -> {
                boolean allowed = vmid > 0 && vmid < 64;
                if ((error(r) == 0) != allowed) {
                    problem("VM_SET_STATUS -> " + error(r) + (allowed ? "" : " (the RM denies it to VMID 0x"
                            + Integer.toHexString(vmid) + ")"));
                }
            })));
        }
        script.add(() -> {
            readSharedMemory();
            return true;
        });
        script.add(() -> !consoleOpen || run(consoleWrite(summary())));
    }

    // ---- memory and shared memory (§10.2 step 4, §10.4 "Shared memory") --------------------------------

    /** A shm node: its buffer's range, and the text this VM and its peer write at the start and the middle. */
    private record Shm(String path, long ipa, long size, long peer) {
        long slot(long writerVmid, long otherVmid) {
            return writerVmid < otherVmid ? ipa : ipa + size / 2;
        }
    }

    private final List<Shm> shms = new ArrayList<>();
    private final List<long[]> memoryRanges = new ArrayList<>();

    /**
     * Every {@code device_type = "memory"} node's ranges must cover the RAM the RM gave this VM (its seat) and be
     * mapped: the first and last byte of each range read through my own address space.
     */
    private void checkMemory(DeviceTree dt) {
        int ac = (int) dt.root().property("#address-cells").map(p -> p.value().asCell()).orElse(2L).longValue();
        int sc = (int) dt.root().property("#size-cells").map(p -> p.value().asCell()).orElse(1L).longValue();
        for (NodeCursor c : dt.rootCursor().children()) {
            if (!strings(c, "device_type").contains("memory")) {
                continue;
            }
            long[] reg = cells(c, "reg");
            for (int i = 0; ac + sc > 0 && i + ac + sc <= reg.length; i += ac + sc) {
                memoryRanges.add(new long[] {join(reg, i, ac), join(reg, i + ac, sc)});
            }
        }
        long base = ctx.seat().ramBase();
        long end = base + ctx.seat().ramSize();
        if (memoryRanges.stream().noneMatch(r -> r[0] <= base && end <= r[0] + r[1])) {
            problem("/memory does not cover my RAM 0x" + Long.toHexString(base) + "+0x"
                    + Long.toHexString(ctx.seat().ramSize()));
        }
        for (long[] r : memoryRanges) {
            if (ctx.seat().memory().read(r[0], 1) == null || ctx.seat().memory().read(r[0] + r[1] - 1, 1) == null) {
                problem("/memory range 0x" + Long.toHexString(r[0]) + "+0x" + Long.toHexString(r[1])
                        + " is not mapped for me");
            }
        }
        ctx.log().accept(program + ": /memory has " + memoryRanges.size() + " range(s), my RAM among them");
    }

    private static long join(long[] cells, int at, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 32 | cells[at + i];
        }
        return v;
    }

    /**
     * shm nodes under /hypervisor: memory-region must name a reserved-memory node whose range lies in /memory;
     * I write my greeting into my half of it (the lower VMID takes the first half).
     */
    private void findSharedMemory(DeviceTree dt) {
        Optional<NodeCursor> hyp = dt.find("/hypervisor");
        if (hyp.isEmpty()) {
            return;
        }
        Map<Long, NodeCursor> byPhandle = dt.phandles();
        Optional<NodeCursor> resmem = dt.find("/reserved-memory");
        int ac = resmem.map(r -> (int) r.node().property("#address-cells").map(p -> p.value().asCell()).orElse(2L)
                .longValue()).orElse(2);
        int sc = resmem.map(r -> (int) r.node().property("#size-cells").map(p -> p.value().asCell()).orElse(1L)
                .longValue()).orElse(2);
        for (NodeCursor c : hyp.get().children()) {
            if (!strings(c, "compatible").contains("qcom,shared-memory")) {
                continue;
            }
            long[] region = cells(c, "memory-region");
            NodeCursor buffer = region.length == 1 ? byPhandle.get(region[0]) : null;
            long[] reg = buffer == null ? new long[0] : cells(buffer, "reg");
            if (buffer == null || reg.length < ac + sc) {
                problem(c.path() + ": memory-region does not name a reserved-memory node with a reg");
                continue;
            }
            Shm shm = new Shm(c.path(), join(reg, 0, ac), join(reg, ac, sc),
                    c.node().property("peer").map(p -> p.value().asCell()).orElse(-1L));
            if (memoryRanges.stream().noneMatch(r -> r[0] <= shm.ipa() && shm.ipa() + shm.size() <= r[0] + r[1])) {
                problem(c.path() + ": its buffer is not in /memory");
            }
            if (!ctx.seat().memory().write(shm.slot(ctx.seat().vmid(), shm.peer()), greeting(ctx.seat().vmid()))) {
                problem(c.path() + ": cannot write my half of 0x" + Long.toHexString(shm.ipa()));
                continue;
            }
            shms.add(shm);
        }
    }

    private static byte[] greeting(long vmid) {
        return String.format("shm hello from vmid 0x%x\0", vmid).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Reads the peer's half of each shm region; a peer without a shm node of its own (HLOS) writes nothing. */
    private void readSharedMemory() {
        for (Shm shm : shms) {
            byte[] want = greeting(shm.peer());
            byte[] got = ctx.seat().memory().read(shm.slot(shm.peer(), ctx.seat().vmid()), want.length);
            if (got == null) {
                problem(shm.path() + ": my shared memory is no longer readable");
            } else {
                ctx.log().accept(program + ": " + shm.path() + " at 0x" + Long.toHexString(shm.ipa()) + ": "
                        + (java.util.Arrays.equals(got, want) ? "read the peer's \"" + new String(want, 0,
                        want.length - 1, java.nio.charset.StandardCharsets.US_ASCII) + "\"" : "nothing from the peer yet"));
            }
        }
    }

    // ---- finding the hypervisor in the DT (§12) -------------------------------------------------------

    private DeviceTree readDtb(long ipa) {
        byte[] head = ctx.seat().memory().read(ipa, 8);
        if (head == null) {
            throw new DtException("X0 = 0x" + Long.toHexString(ipa) + " is outside my memory");
        }
        long total = (head[4] & 0xFFL) << 24 | (head[5] & 0xFF) << 16 | (head[6] & 0xFF) << 8 | (head[7] & 0xFF);
        byte[] blob = ctx.seat().memory().read(ipa, (int) Math.min(total, 1 << 24));
        if (blob == null) {
            throw new DtException("the DTB's totalsize runs past my memory");
        }
        return DtbReader.read(blob, "DTB at X0");
    }

    private boolean findHypervisor(DeviceTree dt) {
        Optional<NodeCursor> hyp = dt.find("/hypervisor");
        if (hyp.isEmpty()) {
            problem("no /hypervisor in my DT");
            return false;
        }
        NodeCursor rm = null;
        for (NodeCursor c : hyp.get().children()) {
            List<String> compat = strings(c, "compatible");
            if (c.node().name().equals("qcom,gunyah-vm")) {
                vmid = (int) (long) c.node().property("qcom,vmid").map(p -> p.value().asCell()).orElse(0L);
                name = c.node().property("qcom,image-name").map(p -> p.value().asString()).orElse(ctx.seat().name());
            } else if (compat.contains("gunyah-resource-manager") || compat.contains("qcom,resource-manager")) {
                rm = c;
            } else if (compat.contains("qcom,gunyah-message-queue")) {
                long[] reg = u64s(c, "reg");
                long[] irq = cells(c, "interrupts");
                Pair p = new Pair();
                p.path = c.path();
                boolean duplex = c.node().hasProperty("qcom,is-full-duplex");
                if (duplex && reg.length == 2 && irq.length == 6) {
                    p.hasTx = p.hasRx = true;
                    p.tx = reg[0];
                    p.rx = reg[1];
                    p.txVirq = intid(irq, 0);
                    p.rxVirq = intid(irq, 3);
                    configureLine(irq, 0);
                    configureLine(irq, 3);
                } else if (!duplex && reg.length == 1 && irq.length == 3 && c.node().hasProperty("is-sender")) {
                    p.hasTx = true;
                    p.tx = reg[0];
                    p.txVirq = intid(irq, 0);
                    configureLine(irq, 0);
                } else if (!duplex && reg.length == 1 && irq.length == 3 && c.node().hasProperty("is-receiver")) {
                    p.hasRx = true;
                    p.rx = reg[0];
                    p.rxVirq = intid(irq, 0);
                    configureLine(irq, 0);
                } else {
                    problem(c.path() + ": reg/interrupts/direction do not describe a queue pair or a one-way queue");
                }
                p.label = c.node().property("qcom,label").map(x -> x.value().asCell()).orElse(0L);
                pairs.add(p);
            } else if (compat.contains("qcom,gunyah-doorbell") || compat.contains("qcom,gunyah-doorbell-source")) {
                Bell b = new Bell();
                b.path = c.path();
                b.source = compat.contains("qcom,gunyah-doorbell-source");
                long[] reg = u64s(c, "reg");
                b.cap = reg.length > 0 ? reg[0] : -1;
                long[] irq = cells(c, "interrupts");
                b.virq = irq.length == 3 ? intid(irq, 0) : 0;
                if (irq.length == 3) {
                    configureLine(irq, 0);
                }
                b.label = c.node().property("qcom,label").map(x -> x.value().asCell()).orElse(0L);
                bells.add(b);
            }
        }
        dtListsVdevices = !pairs.isEmpty() || !bells.isEmpty();
        if (rm == null) {
            problem("no RM node (compatible gunyah-resource-manager) under /hypervisor");
            return false;
        }
        long[] reg = u64s(rm, "reg");
        if (reg.length != 2) {
            problem(rm.path() + ": reg is not <tx rx>");
            return false;
        }
        long[] irq = cells(rm, "interrupts");
        if (irq.length == 6) {
            rpcTxVirq = intid(irq, 0);
            rpcRxVirq = intid(irq, 3);
            configureLine(irq, 0);
            configureLine(irq, 3);
        } else {
            problem(rm.path() + ": interrupts are not <tx rx>");
        }
        long base = ctx.seat().ramBase();
        rpc = new RpcClient(new RpcEndpoint(ctx.hv(), ctx.seat().caller(), reg[0], reg[1], base + RPC_BUFFER));
        ctx.log().accept(program + ": found " + rm.path() + " (tx 0x" + Long.toHexString(reg[0]) + ", rx 0x"
                + Long.toHexString(reg[1]) + "), vmid " + (vmid == 0 ? "not in the DT" : "0x" + Integer.toHexString(vmid))
                + ", " + pairs.size()
                + " queue pair(s), " + bells.size() + " doorbell(s)");
        return true;
    }

    /** GICD_ICFGR for the VIRQ of a 3-cell specifier: flags 1 = edge rising, 4 = level high (§6.4). */
    private void configureLine(long[] cells, int at) {
        configureLine(intid(cells, at), (cells[at + 2] & 0xF) == 1);
    }

    private void configureLine(int intid, boolean edge) {
        Vcpu self = ctx.seat().vcpu();
        if (intid >= 32 && intid < 1020) {
            self.vic().configureEdge(self.vicIndex(), intid, edge);
        }
    }

    private static int intid(long[] cells, int at) {
        long base = switch ((int) cells[at]) {
            case 0 -> 32;
            case 1 -> 16;
            case 2 -> 4096;
            default -> 1056;
        };
        return (int) (base + cells[at + 1]);
    }

    private static List<String> strings(NodeCursor c, String prop) {
        return c.node().property(prop).map(p -> p.value().asStrings()).orElse(List.of());
    }

    private static long[] cells(NodeCursor c, String prop) {
        return c.node().property(prop).map(p -> p.value().cells()).orElse(new long[0]);
    }

    private static long[] u64s(NodeCursor c, String prop) {
        long[] cells = cells(c, prop);
        long[] out = new long[cells.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = cells[2 * i] << 32 | cells[2 * i + 1];
        }
        return out;
    }

    // ---- stepping -------------------------------------------------------------------------------------

    /**
     * One turn: acknowledge every pending VIRQ, note which sources fired, poll the RM link if it did, run the head
     * of the script, end the VIRQs; WFI when nothing moved (a VIRQ wakes the vCPU again).
     */
    @Override
    public boolean step(GuestContext ctx) {
        Vcpu self = ctx.seat().vcpu();
        Vic vic = self.vic();
        List<Integer> taken = new ArrayList<>();
        for (int i = vic.acknowledge(self.vicIndex()); i != Vic.SPURIOUS; i = vic.acknowledge(self.vicIndex())) {
            taken.add(i);
            rpcReady |= i == rpcTxVirq || i == rpcRxVirq;
            for (Pair p : pairs) {
                p.rxReady |= i == p.rxVirq;
            }
            for (Bell b : bells) {
                b.ready |= !b.source && i == b.virq;
            }
            for (Proxied v : proxied) {
                v.runnable |= v.started && i == v.wakeupVirq;
            }
        }
        boolean progress = turn() | runProxied();
        for (int i : taken) {
            vic.endOfInterrupt(self.vicIndex(), i);
        }
        if (!progress) {
            self.waitForInterrupt();
        }
        return progress;
    }

    /**
     * vcpu_run on each proxied vCPU that is runnable: READY keeps it runnable (and this vCPU busy); EXPECTS_WAKEUP
     * or POWERED_OFF parks it until its wakeup VIRQ fires here.
     */
    private boolean runProxied() {
        boolean ran = false;
        for (Proxied v : proxied) {
            if (!v.runnable) {
                continue;
            }
            HvcResult r = ctx.call(VcpuCalls.RUN, v.cap, 0, 0, 0);
            if (!r.isOk()) {
                problem("vcpu_run of " + v.vm + " -> " + r.error());
                v.runnable = false;
                continue;
            }
            v.runs++;
            ran = true;
            v.runnable = r.x1() == VcpuCalls.RUN_READY;
        }
        return ran;
    }

    private boolean turn() {
        if (rpc == null) {
            return false;
        }
        boolean progress = false;
        List<RpcClient.Incoming> incoming = rpcReady ? rpc.poll() : List.of();
        rpcReady = false;
        for (RpcClient.Incoming in : incoming) {
            progress = true;
            if (in.isReply()) {
                Consumer<RpcMessage> k = waiting.remove(in.message().sequence());
                if (k != null) {
                    k.accept(in.message());
                }
            } else {
                notification(in.message());
            }
        }
        if (!script.isEmpty() && script.peekFirst().getAsBoolean()) {
            script.removeFirst();
            progress = true;
        }
        return progress;
    }

    @Override
    public boolean done() {
        return started && script.isEmpty() && waiting.isEmpty();
    }

    private void notification(RpcMessage m) {
        byte[] p = m.payload();
        Wire.Reader r = new Wire.Reader(p);
        try {
            if (m.messageId() == MessageId.NOTIFY_VM_CONSOLE_CHARS.id()) {
                int from = r.u16();
                int n = r.u16();
                consoleSeen.add("0x" + Integer.toHexString(from) + ": "
                        + new String(r.bytes(n), StandardCharsets.ISO_8859_1));
            } else if (m.messageId() == MessageId.NOTIFY_VM_SHUTDOWN.id()) {
                ctx.log().accept("shutdown requested; VM_EXIT");
                rpc.request(MessageId.VM_EXIT, Wire.writer().u16(0).u8(0).u8(0).build());
            }
        } catch (RuntimeException malformed) {
            problem("malformed notification " + m);
        }
    }

    /** An action that sends a request once and completes when its reply came and {@code then} ran. */
    private BooleanSupplier call(MessageId id, byte[] payload, Consumer<RpcMessage> then) {
        boolean[] sent = {false};
        boolean[] answered = {false};
        return () -> {
            if (!sent[0]) {
                sent[0] = true;
                int seq = rpc.request(id, payload);
                waiting.put(seq, m -> {
                    answered[0] = true;
                    then.accept(m);
                });
            }
            return answered[0];
        };
    }

    private boolean run(BooleanSupplier action) {
        return action.getAsBoolean();
    }

    private BooleanSupplier pendingWrite;

    private BooleanSupplier consoleWrite(String line) {
        if (pendingWrite == null) {
            byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
            pendingWrite = call(MessageId.VM_CONSOLE_WRITE, Wire.writer().u16(0).u16(b.length).bytes(b).build(), r -> {
                if (error(r) != 0) {
                    problem("VM_CONSOLE_WRITE -> " + error(r));
                }
            });
        }
        BooleanSupplier w = pendingWrite;
        return () -> {
            boolean ok = w.getAsBoolean();
            if (ok) {
                pendingWrite = null;
            }
            return ok;
        };
    }

    private String banner() {
        return "gunyah-dt " + program + " on " + name + " (vmid 0x" + Integer.toHexString(vmid) + "): /hypervisor found, "
                + "RM reached over RPC";
    }

    private String summary() {
        long pairsOk = pairs.stream().filter(Pair::exchanged).count();
        long bellsOk = bells.stream().filter(b -> b.exercised).count();
        return program + ": " + pairsOk + "/" + pairs.size() + " queue pairs exchanged, " + bellsOk + "/"
                + bells.size() + " doorbells exercised, hyp resources " + (resourcesMatch ? "match" : "DIFFER")
                + (problems.isEmpty() ? "; OK" : "; " + problems.size() + " problem(s)");
    }

    private static int error(RpcMessage reply) {
        return reply.payloadLength() < 4 ? -2 : reply.replyErrorCode();
    }

    private void problem(String text) {
        problems.add(text);
        if (ctx != null) {
            ctx.log().accept("PROBLEM: " + text);
        }
    }

    // ---- VM_GET_HYP_RESOURCES against the DT (§8.7) -------------------------------------------------------

    /** One 44-byte entry of §8.7, the fields the probe uses. */
    private record Resource(int type, int partner, long label, long cap, long virq) {
    }

    /** The entries of a VM_GET_HYP_RESOURCES reply, or null (problem noted) when it is an error or malformed. */
    private List<Resource> resources(RpcMessage r, String what) {
        if (error(r) != 0) {
            problem(what + " -> RM error " + error(r));
            return null;
        }
        Wire.Reader in = new Wire.Reader(r.replyData());
        long n = in.u32();
        if (in.remaining() != n * 44) {
            problem(what + ": " + n + " entries in " + in.remaining() + " bytes");
            return null;
        }
        List<Resource> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int type = in.u8();
            in.u8();
            int partner = in.u16();
            in.u32();
            long label = in.u32();
            long cap = in.u64();
            in.u32();
            long virq = in.u32();
            in.u64();
            in.u64();
            entries.add(new Resource(type, partner, label, cap, virq));
        }
        return entries;
    }

    /**
     * A secondary learns or checks its vdevices the way the RM answers: about itself VM_GET_HYP_RESOURCES lists
     * nothing, so it asks about its owner and each of its peers (VM_GET_OWNER, VM_GET_PEERS) and compares the union
     * with its DT, or adopts it when its DT lists none (the dt-schema overlay style).
     */
    private void checkResourcesByPartner() {
        List<Integer> partners = new ArrayList<>();
        List<Resource> union = new ArrayList<>();
        script.add(deferred(() -> call(MessageId.VM_GET_HYP_RESOURCES, Wire.writer().u16(vmid).u16(0).build(), r -> {
            List<Resource> self = resources(r, "VM_GET_HYP_RESOURCES(self)");
            if (self != null && self.stream().anyMatch(e -> e.type() <= 3)) {
                problem("VM_GET_HYP_RESOURCES(self) lists " + self.size() + " entries; the RM lists none about a VM"
                        + " itself");
            }
        })));
        script.add(call(MessageId.VM_GET_OWNER, new byte[0], r -> {
            if (error(r) == 0 && r.replyData().length >= 4) {
                partners.add((int) new Wire.Reader(r.replyData()).u32());
            } else {
                problem("VM_GET_OWNER -> " + error(r));
            }
        }));
        script.add(call(MessageId.VM_GET_PEERS, new byte[0], r -> {
            if (error(r) != 0 || r.replyData().length < 4) {
                problem("VM_GET_PEERS -> " + error(r));
                return;
            }
            Wire.Reader in = new Wire.Reader(r.replyData());
            long n = in.u32();
            for (long i = 0; i < n && in.remaining() >= 4; i++) {
                int p = (int) in.u32();
                if (!partners.contains(p)) {
                    partners.add(p);
                }
            }
        }));
        script.add(deferred(() -> {
            List<BooleanSupplier> calls = new ArrayList<>();
            for (int p : partners) {
                calls.add(call(MessageId.VM_GET_HYP_RESOURCES, Wire.writer().u16(p).u16(0).build(), r -> {
                    List<Resource> got = resources(r, "VM_GET_HYP_RESOURCES(0x" + Integer.toHexString(p) + ")");
                    if (got != null) {
                        union.addAll(got);
                    }
                }));
            }
            return () -> {
                while (!calls.isEmpty() && calls.get(0).getAsBoolean()) {
                    calls.remove(0);
                }
                return calls.isEmpty();
            };
        }));
        script.add(() -> {
            compareWithDt(union);
            return true;
        });
    }

    /** My own VM_GET_HYP_RESOURCES: checked entry for entry against my DT's vdevices, or adopted if it lists none. */
    private void checkResources(RpcMessage r) {
        List<Resource> all = resources(r, "VM_GET_HYP_RESOURCES");
        if (all == null) {
            return;
        }
        compareWithDt(all);
    }

    private void compareWithDt(List<Resource> all) {
        List<Resource> entries = all.stream().filter(e -> e.type() != 4).toList(); // no vCPUs of my own: the RM owns them
        if (!dtListsVdevices) {
            adopt(entries, "VM_GET_HYP_RESOURCES(self)");
            resourcesMatch = true;
            return;
        }
        int before = problems.size();
        int expected = 0;
        for (Pair p : pairs) {
            if (p.hasTx) {
                expect(entries, 2, p.label, p.tx, p.txVirq, p.path + " (send)");
                expected++;
            }
            if (p.hasRx) {
                expect(entries, 3, p.label, p.rx, p.rxVirq, p.path + " (receive)");
                expected++;
            }
        }
        for (Bell b : bells) {
            expect(entries, b.source ? 0 : 1, b.label, b.cap, b.source ? 0 : b.virq, b.path);
            expected++;
        }
        long listed = entries.stream().filter(e -> e.type() <= 3).count(); // queues and doorbells
        if (listed != expected) {
            problem("VM_GET_HYP_RESOURCES lists " + listed + " queue/doorbell entries, my DT has " + expected);
        }
        resourcesMatch = problems.size() == before;
    }

    private void expect(List<Resource> entries, int type, long label, long cap, long virq, String what) {
        boolean found = entries.stream().anyMatch(e -> e.type() == type && e.label() == label && e.cap() == cap
                && e.virq() == virq);
        if (!found) {
            problem("VM_GET_HYP_RESOURCES has no type-" + type + " entry for " + what + " (cap 0x"
                    + Long.toHexString(cap) + ", VIRQ " + virq + ")");
        }
    }

    /**
     * Takes the doorbells and queues of a resources answer as mine, as a Linux/crosvm host does when its DT does
     * not list them: a SEND and a RECV entry with the same partner and label are one pair. The RM allocates edge
     * VIRQs (§6.3), so the receive lines are configured edge.
     */
    private void adopt(List<Resource> entries, String from) {
        Map<String, Pair> byKey = new java.util.LinkedHashMap<>();
        for (Resource e : entries) {
            if (e.type() == 2 || e.type() == 3) {
                Pair p = byKey.computeIfAbsent(e.partner() + "/" + e.label(), k -> new Pair());
                p.label = e.label();
                p.partner = e.partner();
                p.path = from + " vmid 0x" + Integer.toHexString(e.partner()) + " label " + e.label();
                if (e.type() == 2) {
                    p.hasTx = true;
                    p.tx = e.cap();
                    p.txVirq = (int) e.virq();
                } else {
                    p.hasRx = true;
                    p.rx = e.cap();
                    p.rxVirq = (int) e.virq();
                }
                configureLine((int) e.virq(), true);
            } else if (e.type() == 0 || e.type() == 1) {
                Bell b = new Bell();
                b.source = e.type() == 0;
                b.cap = e.cap();
                b.virq = (int) e.virq();
                b.label = e.label();
                b.path = from + " doorbell" + (b.source ? "-source" : "") + " vmid 0x"
                        + Integer.toHexString(e.partner()) + " label " + e.label();
                if (!b.source) {
                    configureLine(b.virq, true);
                }
                bells.add(b);
            }
        }
        pairs.addAll(byKey.values());
    }

    // ---- the primary launches its secondaries (crosvm's part) ------------------------------------------------

    private void launchSecondaries() {
        List<GuestContext.Launch> launches = ctx.launches();
        int[] vmids = new int[launches.size()];
        for (int i = 0; i < launches.size(); i++) {
            GuestContext.Launch l = launches.get(i);
            int index = i;
            int want = l.vmid() < 64 ? l.vmid() : 0;
            script.add(call(MessageId.VM_ALLOCATE, Wire.writer().u16(want).u16(0).build(), r -> {
                vmids[index] = want != 0 ? want : r.payloadLength() >= 8 ? (int) new Wire.Reader(r.replyData()).u32() : 0;
                if (error(r) != 0) {
                    problem("VM_ALLOCATE for " + l.name() + " -> " + error(r));
                } else if (vmids[index] != l.vmid()) {
                    problem("VM_ALLOCATE gave " + l.name() + " vmid 0x" + Integer.toHexString(vmids[index])
                            + ", the plan says 0x" + Integer.toHexString(l.vmid()));
                }
            }));
            long ipa = ctx.seat().ramBase() + IMAGE_AREA + (long) i * 0x10_0000;
            byte[] dtb = l.dtb();
            long size = (dtb.length + 0xFFFL) & ~0xFFFL;
            int[] handle = {-1};
            script.add(() -> {
                if (!ctx.seat().memory().write(ipa, dtb)) {
                    problem("no room for " + l.name() + "'s image");
                }
                return true;
            });
            script.add(deferred(() -> call(MessageId.MEM_LEND, Wire.writer().u8(0).u8(0).u8(0).u8(0).u32(0)
                    .u16(1).u16(0).u16(vmids[index]).u8(6).u8(0)
                    .u16(1).u16(0).u64(ipa).u64(size)
                    .u16(0).u16(0).build(), r -> {
                        if (error(r) != 0) {
                            problem("MEM_LEND of " + l.name() + "'s image -> " + error(r));
                        } else {
                            handle[0] = (int) new Wire.Reader(r.replyData()).u32();
                        }
                    })));
            script.add(deferred(() -> call(MessageId.VM_CONFIG_IMAGE, Wire.writer().u16(vmids[index]).u16(0)
                    .u32(handle[0]).u64(0).u64(0).u64(0).u64(dtb.length).build(),
                    r -> expectOk(r, "VM_CONFIG_IMAGE " + l.name()))));
            script.add(deferred(() -> call(MessageId.VM_INIT, Wire.writer().u16(vmids[index]).u16(0).build(),
                    r -> expectOk(r, "VM_INIT " + l.name()))));
            script.add(deferred(() -> call(MessageId.VM_GET_HYP_RESOURCES, Wire.writer().u16(vmids[index]).u16(0)
                    .build(), r -> {
                        // §10.5: my DT carries only the RM-RPC node, so my halves of this VM's vdevices come from
                        // here (§8.7), with its vCPUs
                        List<Resource> entries = resources(r, "VM_GET_HYP_RESOURCES " + l.name());
                        if (entries != null) {
                            checkVcpus(l, entries.stream().filter(e -> e.type() == 4).toList());
                            adopt(entries, l.name());
                        }
                    })));
            script.add(deferred(() -> call(MessageId.VM_CONSOLE_OPEN, Wire.writer().u16(vmids[index]).u16(0).build(),
                    r -> ctx.log().accept("console of " + l.name() + ": " + (error(r) == 0 ? "opened (owner side)"
                            : "none (" + error(r) + ")")))));
        }
        for (int i = 0; i < launches.size(); i++) {
            int index = i;
            String n = launches.get(i).name();
            script.add(deferred(() -> call(MessageId.VM_START, Wire.writer().u16(vmids[index]).u16(0).build(),
                    r -> {
                        expectOk(r, "VM_START " + n);
                        if (error(r) == 0) {
                            for (Proxied v : proxied) {
                                if (v.vm.equals(n)) {
                                    v.started = true;
                                    v.runnable = true;
                                }
                            }
                        }
                    })));
        }
    }

    /**
     * §8.7 as the owner sees it: one VIRTUAL_CPU entry per enabled CPU of the launched VM's /cpus, labelled with
     * its affinity-map entry (proxy: its index) and carrying the wakeup VIRQ only when proxy-scheduled. Proxy
     * vCPUs are kept to be run through vcpu_run; their wakeup VIRQs are configured edge here.
     */
    private void checkVcpus(GuestContext.Launch l, List<Resource> vcpus) {
        DeviceTree dt;
        try {
            dt = DtbReader.read(l.dtb(), "vm/" + l.name() + ".dtb");
        } catch (DtException e) {
            problem(l.name() + "'s DT does not read: " + e.getMessage());
            return;
        }
        Optional<NodeCursor> vc = dt.find("/qcom,vm-config/vcpus");
        String cpusPath = vc.flatMap(c -> c.node().property("config")).map(p -> p.value().asString()).orElse("/cpus");
        boolean proxy = vc.flatMap(c -> c.node().property("affinity")).map(p -> p.value().asString())
                .filter("proxy"::equals).isPresent();
        long[] map = vc.map(c -> cells(c, "affinity-map")).orElse(new long[0]);
        int cpus = 0;
        for (NodeCursor c : dt.find(cpusPath).map(NodeCursor::children).orElse(List.of())) {
            List<String> status = strings(c, "status");
            if (strings(c, "device_type").contains("cpu") && (status.isEmpty() || status.get(0).startsWith("ok"))) {
                cpus++;
            }
        }
        int before = problems.size();
        if (vcpus.size() != cpus) {
            problem(l.name() + ": VM_GET_HYP_RESOURCES lists " + vcpus.size() + " VIRTUAL_CPU entries, its "
                    + cpusPath + " has " + cpus + " CPUs");
        }
        for (int i = 0; i < vcpus.size(); i++) {
            Resource e = vcpus.get(i);
            long label = proxy ? i : i < map.length ? map[i] : -1;
            boolean virqOk = proxy ? e.virq() >= 960 && e.virq() <= 1019 : e.virq() == 0xFFFF_FFFFL;
            if (e.label() != label || e.cap() == 0 || !virqOk) {
                problem(l.name() + ": VIRTUAL_CPU entry " + i + " (label " + e.label() + ", VIRQ 0x"
                        + Long.toHexString(e.virq()) + ") does not match " + cpusPath
                        + (proxy ? " (proxy)" : " and affinity-map"));
            } else if (proxy) {
                proxied.add(new Proxied(l.name(), e.cap(), (int) e.virq()));
                configureLine((int) e.virq(), true);
            }
        }
        if (problems.size() == before) {
            vcpusChecked += vcpus.size();
            ctx.log().accept(l.name() + ": " + vcpus.size() + " vCPU(s) as its " + cpusPath + " says"
                    + (proxy ? ", proxy-scheduled: run through vcpu_run" : ""));
        }
    }

    /** An action whose request is built when it reaches the head of the script (it needs earlier replies). */
    private static BooleanSupplier deferred(java.util.function.Supplier<BooleanSupplier> make) {
        BooleanSupplier[] made = {null};
        return () -> {
            if (made[0] == null) {
                made[0] = make.get();
            }
            return made[0].getAsBoolean();
        };
    }

    private void expectOk(RpcMessage r, String what) {
        if (error(r) != 0) {
            problem(what + " -> RM error " + error(r));
        }
    }

    // ---- peers: queue pairs and doorbells ------------------------------------------------------------------

    private boolean sendHellos() {
        boolean all = true;
        for (Pair p : pairs) {
            if (p.hasTx && !p.sent) {
                p.sent = send(p, "hello from " + name + " (label " + p.label + ")");
            }
            all &= !p.hasTx || p.sent;
        }
        return all;
    }

    private boolean send(Pair p, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        long va = ctx.seat().ramBase() + PAIR_BUFFER;
        ctx.seat().memory().write(va, b);
        HvcResult r = ctx.call(MsgQueueCalls.SEND, p.tx, b.length, va, MsgQueueCalls.SEND_FLAG_PUSH);
        if (r.error() == HypError.MSGQUEUE_FULL) {
            return false;
        }
        if (!r.isOk()) {
            problem(p.path + ": msgqueue_send -> " + r.error());
        }
        return true;
    }

    private boolean ringDoorbells() {
        for (Bell b : bells) {
            if (b.source && !b.exercised) {
                HvcResult r = ctx.call(DoorbellCalls.SEND, b.cap, 1);
                if (!r.isOk()) {
                    problem(b.path + ": doorbell_send -> " + r.error());
                }
                b.exercised = true;
                ctx.log().accept("rang " + b.path);
            }
        }
        return true;
    }

    private boolean awaitPeers() {
        long va = ctx.seat().ramBase() + PAIR_BUFFER + 0x400;
        boolean all = true;
        for (Pair p : pairs) {
            while (p.hasRx && p.rxReady) { // drain: the VIRQ is edge-triggered, so nothing left would raise it again
                HvcResult r = ctx.call(MsgQueueCalls.RECEIVE, p.rx, va, 1024, 0);
                p.rxReady = r.isOk() && r.x2() != 0;
                if (r.isOk() && r.x1() > 0) {
                    String text = new String(ctx.seat().memory().read(va, (int) r.x1()), StandardCharsets.ISO_8859_1);
                    ctx.log().accept("got \"" + text + "\" on " + p.path);
                    p.received = true;
                } else if (!r.isOk() && r.error() != HypError.MSGQUEUE_EMPTY) {
                    problem(p.path + ": msgqueue_receive -> " + r.error());
                    p.received = true;
                }
            }
            all &= p.exchanged();
        }
        for (Bell b : bells) {
            if (!b.source && !b.exercised && b.ready) {
                b.ready = false;
                HvcResult r = ctx.call(DoorbellCalls.RECEIVE, b.cap, ~0L);
                if (!r.isOk()) {
                    problem(b.path + ": doorbell_receive -> " + r.error());
                    b.exercised = true;
                } else if (r.x1() != 0) {
                    b.exercised = true;
                    ctx.log().accept("doorbell " + b.path + " rang (flags 0x" + Long.toHexString(r.x1()) + ")");
                }
            }
            all &= b.exercised;
        }
        return all;
    }

    @Override
    public GuestReport report() {
        int pairsOk = (int) pairs.stream().filter(Pair::exchanged).count();
        int bellsOk = (int) bells.stream().filter(b -> b.exercised).count();
        return new GuestReport(name, program, done(), consoleOpen, resourcesMatch, pairs.size(), pairsOk,
                bells.size(), bellsOk, problems, consoleSeen,
                vcpusChecked, proxied.stream().mapToInt(v -> v.runs).sum());
    }
}
