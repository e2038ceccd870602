package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.hypervisor.guest.GuestDt.Range;
import dev.gunyahdt.hypervisor.guest.GuestDt.RmLink;
import dev.gunyahdt.hypervisor.guest.GuestDt.SharedMemory;
import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.Vic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a Linux guest does with Gunyah, reduced to its contract with the RM (reference §12, §14 step 7): it reads
 * the DTB at X0 and nothing else ({@link GuestDtReader}), and then, over RPC only ({@link ActionLoop}): opens its
 * console and writes a banner, checks VM_GET_HYP_RESOURCES against its DT ({@link HypResources}), sends and
 * receives on each message-queue pair and rings / takes each doorbell ({@link Peers}), reports VM_SET_STATUS RUN
 * (secondary VMs) and writes a closing line. The primary first launches its secondaries as crosvm would
 * ({@link Vmm}).
 *
 * <p>Interrupt-driven, as a Linux driver is: at boot it configures each VIRQ of its DT in its vGIC (edge or level
 * from the specifier's flags); each turn it acknowledges every pending VIRQ, reads only the sources whose VIRQ
 * fired, ends the VIRQs, and executes WFI when nothing moved.
 */
public final class LinuxProbe implements GuestProgram {
    private static final long RPC_BUFFER = 0x1000;

    private final String program;
    private GuestContext ctx;
    private ProbeLog log;
    private boolean started;
    private String name = "?";
    private int vmid;
    private boolean consoleOpen;
    private Peers peers;
    private ActionLoop loop;
    private HypResources resources;
    private Vmm vmm;
    private SecondaryCpus cpus;
    /** shm regions whose half I wrote; their peer's half is read at the end. */
    private final List<SharedMemory> shms = new ArrayList<>();

    LinuxProbe(String program) {
        this.program = program;
    }

    @Override
    public void start(GuestContext ctx) {
        this.ctx = ctx;
        this.log = new ProbeLog(ctx.log());
        this.peers = new Peers(ctx, log, List.of(), List.of());
        started = true;
        name = ctx.seat().name(); // for the report; the DT's qcom,image-name replaces it when there is one
        GuestDt dt;
        DeviceTree tree;
        try {
            tree = GuestDtReader.readAtX0(ctx.seat());
            dt = GuestDtReader.read(tree);
            cpus = SecondaryCpus.bringUp(ctx, log, program, tree); // smp_init: other CPUs first, before the drivers
        } catch (DtException e) {
            log.problem("my DTB at X0 does not read: " + e.getMessage());
            return;
        }
        vmid = dt.vmid();
        name = dt.imageName().orElse(name);
        peers = new Peers(ctx, log, dt.queues(), dt.doorbells());
        dt.lines().forEach(l -> ActionLoop.configure(ctx, l));
        dt.problems().forEach(log::problem);
        if (dt.rm().isEmpty()) {
            return;
        }
        RmLink rm = dt.rm().get();
        loop = new ActionLoop(
                log,
                new RpcClient(new RpcEndpoint(
                        ctx.hv(),
                        ctx.seat().caller(),
                        rm.txCap(),
                        rm.rxCap(),
                        ctx.seat().ramBase() + RPC_BUFFER)),
                rm.txVirq(),
                rm.rxVirq());
        resources = new HypResources(ctx, log, loop, peers, dt.listsVdevices());
        vmm = new Vmm(ctx, log, loop, resources);
        log.note(program + ": found " + rm.path() + " (tx 0x" + Long.toHexString(rm.txCap()) + ", rx 0x"
                + Long.toHexString(rm.rxCap()) + "), vmid "
                + (vmid == 0 ? "not in the DT" : "0x" + Integer.toHexString(vmid))
                + ", " + dt.queues().size() + " queue pair(s), "
                + dt.doorbells().size() + " doorbell(s)");
        checkMemory(dt.memory());
        writeSharedMemory(dt);
        script(tree);
    }

    /** The actions, in order: who am I, console, resources, (primary) launches, peers, status, shm, summary. */
    private void script(DeviceTree tree) {
        boolean primary = ctx.seat().primary();
        if (vmid == 0) {
            // no qcom,gunyah-vm node (the dt-schema overlay style): ask the RM who I am
            loop.add(loop.call(MessageId.VM_GET_VMID, new byte[0], r -> {
                if (ActionLoop.error(r) == 0 && r.replyData().length >= 4) {
                    vmid = (int) new Wire.Reader(r.replyData()).u32();
                } else {
                    log.problem("VM_GET_VMID -> " + ActionLoop.error(r));
                }
            }));
        }
        loop.add(loop.call(
                MessageId.VM_CONSOLE_OPEN, Wire.writer().u16(0).u16(0).build(), r -> {
                    consoleOpen = ActionLoop.error(r) == 0;
                    if (!consoleOpen) {
                        log.note("no console (VM_CONSOLE_OPEN -> " + ActionLoop.error(r) + ")");
                    }
                }));
        loop.add(whenConsoleOpen(loop.consoleWrite(this::banner)));
        if (primary) {
            resources.checkOwn(() -> vmid);
            vmm.launchSecondaries();
        } else {
            resources.checkByPartner(() -> vmid);
        }
        loop.add(() -> peers.sendHellos(name));
        loop.add(peers::ringDoorbells);
        loop.add(peers::await);
        UartProbe.addTo(ctx, log, loop, tree); // passed-through UARTs
        LentIrqs.borrower(ctx, log, loop, tree); // their SPIs, when the owner lends them
        if (!primary) {
            // the RM takes VM_SET_STATUS from static secondary VMIDs only (below 64); a dynamic one is denied
            loop.add(loop.call(
                    MessageId.VM_SET_STATUS, Wire.writer().u8(0).u8(4).u16(0).build(), r -> {
                        boolean allowed = vmid > 0 && vmid < 64;
                        if ((ActionLoop.error(r) == 0) != allowed) {
                            log.problem("VM_SET_STATUS -> " + ActionLoop.error(r)
                                    + (allowed
                                            ? ""
                                            : " (the RM denies it to VMID 0x" + Integer.toHexString(vmid) + ")"));
                        }
                    }));
        }
        loop.run(this::readSharedMemory);
        loop.add(whenConsoleOpen(loop.consoleWrite(this::summary)));
    }

    private java.util.function.BooleanSupplier whenConsoleOpen(java.util.function.BooleanSupplier write) {
        return () -> !consoleOpen || write.getAsBoolean();
    }

    // ---- memory and shared memory (§10.2 step 4, §10.4 "Shared memory") --------------------------------

    /** /memory must cover the RAM the RM gave me and be mapped: the first and last byte of each range read. */
    private void checkMemory(List<Range> memory) {
        long base = ctx.seat().ramBase();
        if (memory.stream().noneMatch(r -> r.covers(base, ctx.seat().ramSize()))) {
            log.problem("/memory does not cover my RAM 0x" + Long.toHexString(base) + "+0x"
                    + Long.toHexString(ctx.seat().ramSize()));
        }
        for (Range r : memory) {
            if (ctx.seat().memory().read(r.base(), 1) == null
                    || ctx.seat().memory().read(r.base() + r.size() - 1, 1) == null) {
                log.problem("/memory range 0x" + Long.toHexString(r.base()) + "+0x" + Long.toHexString(r.size())
                        + " is not mapped for me");
            }
        }
        log.note(program + ": /memory has " + memory.size() + " range(s), my RAM among them");
    }

    /** Each shm buffer must lie in /memory; I write my greeting into my half (the lower VMID takes the first). */
    private void writeSharedMemory(GuestDt dt) {
        long me = ctx.seat().vmid();
        for (SharedMemory shm : dt.shms()) {
            if (shm.problem() != null) {
                log.problem(shm.problem());
                continue;
            }
            if (dt.memory().stream().noneMatch(r -> r.covers(shm.ipa(), shm.size()))) {
                log.problem(shm.path() + ": its buffer is not in /memory");
            }
            if (!ctx.seat().memory().write(shm.slot(me, shm.peer()), greeting(me))) {
                log.problem(shm.path() + ": cannot write my half of 0x" + Long.toHexString(shm.ipa()));
                continue;
            }
            shms.add(shm);
        }
    }

    private static byte[] greeting(long vmid) {
        return String.format("shm hello from vmid 0x%x\0", vmid).getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads the peer's half of each shm region; a peer without a shm node of its own (HLOS) writes nothing. */
    private void readSharedMemory() {
        for (SharedMemory shm : shms) {
            byte[] want = greeting(shm.peer());
            byte[] got =
                    ctx.seat().memory().read(shm.slot(shm.peer(), ctx.seat().vmid()), want.length);
            if (got == null) {
                log.problem(shm.path() + ": my shared memory is no longer readable");
            } else {
                log.note(program + ": " + shm.path() + " at 0x" + Long.toHexString(shm.ipa()) + ": "
                        + (Arrays.equals(got, want)
                                ? "read the peer's \"" + new String(want, 0, want.length - 1, StandardCharsets.US_ASCII)
                                        + "\""
                                : "nothing from the peer yet"));
            }
        }
    }

    // ---- stepping -------------------------------------------------------------------------------------

    /**
     * One turn: acknowledge every pending VIRQ, note which sources fired, run the action loop and the proxied
     * vCPUs, end the VIRQs; WFI when nothing moved (a VIRQ wakes the vCPU again).
     */
    @Override
    public boolean step(GuestContext ctx) {
        Vcpu self = ctx.seat().vcpu();
        Vic vic = self.vic();
        List<Integer> taken = new ArrayList<>();
        for (int i = vic.acknowledge(self.vicIndex()); i != Vic.SPURIOUS; i = vic.acknowledge(self.vicIndex())) {
            taken.add(i);
            if (cpus != null) {
                cpus.onVirq(i);
            }
            if (loop != null) {
                loop.onVirq(i);
                vmm.onVirq(i);
            }
            peers.onVirq(i);
        }
        boolean progress = loop != null && (loop.turn() | vmm.runProxied());
        if (cpus != null) {
            cpus.checkSecondaries();
        }
        for (int i : taken) {
            vic.endOfInterrupt(self.vicIndex(), i);
        }
        if (!progress) {
            self.waitForInterrupt();
        }
        return progress;
    }

    @Override
    public void secondaryStep(GuestContext ctx, Vcpu self) {
        cpus.secondaryStep(self); // only cpus' CPU_ON powers a secondary on, so cpus exists
    }

    @Override
    public boolean done() {
        return started && (loop == null || loop.idle());
    }

    private String banner() {
        return "gunyah-dt " + program + " on " + name + " (vmid 0x" + Integer.toHexString(vmid)
                + "): /hypervisor found, " + "RM reached over RPC";
    }

    private String summary() {
        return program + ": " + peers.exchanged() + "/" + peers.queues().size() + " queue pairs exchanged, "
                + peers.exercised() + "/" + peers.bells().size() + " doorbells exercised, hyp resources "
                + (resourcesMatch() ? "match" : "DIFFER")
                + (log.problemCount() == 0 ? "; OK" : "; " + log.problemCount() + " problem(s)");
    }

    private boolean resourcesMatch() {
        return resources != null && resources.match();
    }

    @Override
    public GuestReport report() {
        boolean none = log == null;
        return new GuestReport(
                name,
                program,
                done(),
                consoleOpen,
                resourcesMatch(),
                none ? 0 : peers.queues().size(),
                none ? 0 : peers.exchanged(),
                none ? 0 : peers.bells().size(),
                none ? 0 : peers.exercised(),
                none ? List.of() : log.problems(),
                loop == null ? List.of() : loop.consoleSeen(),
                vmm == null ? 0 : vmm.vcpusChecked(),
                vmm == null ? 0 : vmm.proxyRuns(),
                cpus == null ? 0 : cpus.total(),
                cpus == null ? 0 : cpus.online());
    }
}
