package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.guest.GuestDt.Range;
import dev.gunyahdt.hypervisor.guest.GuestDt.RmLink;
import dev.gunyahdt.hypervisor.guest.GuestDt.SharedMemory;
import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.Vic;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

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
    /** The RM's VMID: VM_GET_OWNER answers it to the VM the RM itself owns, the primary (vm_mgnt_init). */
    static final int VMID_RM = 255;

    private final String program;
    private GuestContext ctx;
    private ProbeLog log;
    private boolean started;
    /** What I call myself: my DT's qcom,image-name, else my VMID. */
    private String name;
    /** My VMID: the RM's VM_GET_VMID answer (until it comes, my DT's qcom,vmid; 0 when neither). */
    private int vmid;

    private boolean primary;
    /** My owner's VMID, as VM_GET_OWNER answers it. */
    private int owner = -1;

    private boolean consoleOpen;
    private Peers peers;
    private ActionLoop loop;
    private HypResources resources;
    private Vmm vmm;
    private SecondaryCpus cpus;
    private GuestRam ram;
    /** shm regions whose half I wrote, with their peer; the peer's half is checked at the end. */
    private final List<SharedMemory> shms = new ArrayList<>();

    private final List<Long> shmPeers = new ArrayList<>();

    LinuxProbe(String program) {
        this.program = program;
    }

    @Override
    public void start(GuestContext ctx) {
        this.ctx = ctx;
        this.log = new ProbeLog(ctx.log());
        this.peers = new Peers(ctx, log, 0, () -> vmid, () -> owner, List.of(), List.of());
        started = true;
        byte[] blob;
        GuestDt dt;
        DeviceTree tree;
        try {
            blob = GuestDtReader.blobAtX0(ctx);
            tree = DtbReader.read(blob, "DTB at X0");
            dt = GuestDtReader.read(tree);
            cpus = SecondaryCpus.bringUp(ctx, log, program, tree); // smp_init: other CPUs first, before the drivers
        } catch (DtException e) {
            log.problem("my DTB at X0 does not read: " + e.getMessage());
            return;
        }
        vmid = dt.vmid();
        name = dt.imageName().orElse(null);
        dt.lines().forEach(l -> ActionLoop.configure(ctx, l));
        dt.problems().forEach(log::problem);
        ram = GuestRam.of(dt, ctx.boot().x(0), blob.length, ctx.boot().pc());
        checkMemory(dt, blob.length);
        OptionalLong rpcBuffer = ram.alloc(GuestRam.PAGE);
        OptionalLong messageBuffer = ram.alloc(GuestRam.PAGE);
        if (rpcBuffer.isEmpty() || messageBuffer.isEmpty()) {
            log.problem("no free RAM for my buffers in /memory less /reserved-memory");
            return;
        }
        peers = new Peers(ctx, log, messageBuffer.getAsLong(), () -> vmid, () -> owner, dt.queues(), dt.doorbells());
        if (dt.rm().isEmpty()) {
            return;
        }
        RmLink rm = dt.rm().get();
        loop = new ActionLoop(
                log,
                new RpcClient(new RpcEndpoint(ctx.hv(), ctx.caller(), rm.txCap(), rm.rxCap(), rpcBuffer.getAsLong())),
                rm.txVirq(),
                rm.rxVirq());
        resources = new HypResources(ctx, log, loop, peers, dt.listsVdevices());
        vmm = new Vmm(ctx, log, loop, resources, () -> vmid);
        log.note(program + ": found " + rm.path() + " (tx 0x" + Long.toHexString(rm.txCap()) + ", rx 0x"
                + Long.toHexString(rm.rxCap()) + "), vmid "
                + (vmid == 0 ? "not in the DT" : "0x" + Integer.toHexString(vmid))
                + ", " + dt.queues().size() + " queue pair(s), "
                + dt.doorbells().size() + " doorbell(s)");
        script(tree, dt);
    }

    /**
     * Who am I (VM_GET_VMID, checked against my DT's qcom,vmid; VM_GET_OWNER: the RM owns only the primary), then
     * the rest, which depends on the answers.
     */
    private void script(DeviceTree tree, GuestDt dt) {
        // the SPIs of my passed-through devices, when the owner lends them: its NOTIFY_VM_IRQ_LENT may come as soon
        // as I run, so the handler is there before my first call
        LentIrqs.borrower(ctx, log, loop, tree);
        int dtVmid = dt.vmid();
        loop.add(loop.call(MessageId.VM_GET_VMID, new byte[0], r -> {
            if (ActionLoop.error(r) == 0 && r.replyData().length >= 4) {
                vmid = (int) new Wire.Reader(r.replyData()).u32();
                if (dtVmid != 0 && dtVmid != vmid) {
                    log.problem("VM_GET_VMID says 0x" + Integer.toHexString(vmid) + ", my DT's qcom,vmid 0x"
                            + Integer.toHexString(dtVmid));
                }
            } else {
                log.problem("VM_GET_VMID -> " + ActionLoop.error(r));
            }
        }));
        loop.add(loop.call(MessageId.VM_GET_OWNER, new byte[0], r -> {
            if (ActionLoop.error(r) == 0 && r.replyData().length >= 4) {
                owner = (int) new Wire.Reader(r.replyData()).u32();
                primary = owner == VMID_RM;
            } else {
                log.problem("VM_GET_OWNER -> " + ActionLoop.error(r));
            }
        }));
        loop.add(loop.call(MessageId.VM_GET_ID, Wire.writer().u16(0).u16(0).build(), r -> {
            // VM_GET_ID about myself: the RM's name for me must be my DT's qcom,image-name when it has one
            Optional<String> rmName = ActionLoop.error(r) == 0 ? VmIds.name(r.replyData()) : Optional.empty();
            if (ActionLoop.error(r) != 0) {
                log.problem("VM_GET_ID -> " + ActionLoop.error(r));
            } else if (name != null && !rmName.equals(Optional.of(name))) {
                log.problem("VM_GET_ID names me " + rmName.orElse("(no name)") + ", my DT's qcom,image-name " + name);
            } else if (name == null) {
                name = rmName.orElse(null);
            }
        }));
        loop.run(() -> rest(tree, dt));
    }

    /** The actions once I know who I am: console, resources, (primary) launches, peers, status, shm, summary. */
    private void rest(DeviceTree tree, GuestDt dt) {
        if (name == null) {
            name = "vmid 0x" + Integer.toHexString(vmid);
        }
        loop.add(loop.call(
                MessageId.VM_CONSOLE_OPEN, Wire.writer().u16(0).u16(0).build(), r -> {
                    consoleOpen = ActionLoop.error(r) == 0;
                    if (!consoleOpen) {
                        log.note("no console (VM_CONSOLE_OPEN -> " + ActionLoop.error(r) + ")");
                    }
                }));
        loop.add(whenConsoleOpen(loop.consoleWrite(this::banner)));
        loop.run(() -> writeSharedMemory(dt));
        if (primary) {
            resources.checkOwn(() -> vmid);
            vmm.launchSecondaries();
        } else {
            resources.checkByPartner(() -> vmid);
        }
        loop.add(peers::sendHellos);
        loop.add(peers::ringDoorbells);
        loop.add(peers::await);
        UartProbe.addTo(ctx, log, loop, tree, primary); // passed-through UARTs: a primary's must be mapped
        VirtioFrontend.addTo(ctx, log, loop, tree); // virtio-mmio devices the RM wrote under /hypervisor
        VmmRegsProbe.addTo(ctx, log, loop, tree, 0x5600_0000L | vmid); // a register file my owner emulates
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
        if (primary) {
            loop.add(vmm::awaitSharedMemory);
        }
        loop.add(whenConsoleOpen(loop.consoleWrite(this::summary)));
    }

    private java.util.function.BooleanSupplier whenConsoleOpen(java.util.function.BooleanSupplier write) {
        return () -> !consoleOpen || write.getAsBoolean();
    }

    // ---- memory and shared memory (§10.2 step 4, §10.4 "Shared memory") --------------------------------

    /**
     * What my DT says of my RAM must hold: there is memory, my DTB lies in it, and each range is mapped for me
     * (its first and last byte read through my addrspace).
     */
    private void checkMemory(GuestDt dt, long dtbSize) {
        List<Range> memory = dt.memory();
        if (memory.isEmpty()) {
            log.problem("no device_type = \"memory\" node in my DT");
        }
        if (!ram.inMemory(ctx.boot().x(0), dtbSize)) {
            log.problem("my DTB at 0x" + Long.toHexString(ctx.boot().x(0)) + " is not in /memory");
        }
        long total = 0;
        for (Range r : memory) {
            total += r.size();
            if (ctx.memory().read(r.base(), 1) == null || ctx.memory().read(r.base() + r.size() - 1, 1) == null) {
                log.problem("/memory range 0x" + Long.toHexString(r.base()) + "+0x" + Long.toHexString(r.size())
                        + " is not mapped for me");
            }
        }
        log.note(program + ": /memory has " + memory.size() + " range(s), " + (total >> 20) + " MiB, "
                + dt.reserved().size() + " reserved region(s); " + (ram.freeBytes() >> 20)
                + " MiB free for me after the DTB and the image");
    }

    /** Each shm buffer must lie in /memory; I write my greeting into my half (the lower VMID takes the first). */
    private void writeSharedMemory(GuestDt dt) {
        for (SharedMemory shm : dt.shms()) {
            if (shm.problem() != null) {
                log.problem(shm.problem());
                continue;
            }
            if (!ram.inMemory(shm.ipa(), shm.size())) {
                log.problem(shm.path() + ": its buffer is not in /memory");
            }
            List<Long> others =
                    shm.peers().stream().filter(p -> p != vmid).distinct().toList();
            if (others.size() != 1 || !shm.peers().contains((long) vmid)) {
                log.problem(shm.path() + ": peers " + shm.peers() + " are not me (0x" + Integer.toHexString(vmid)
                        + ") and one other VM");
                continue;
            }
            long peer = others.get(0);
            long at = SharedMemory.slot(shm.ipa(), vmid, peer);
            if (!ctx.memory().write(at, new Greeting("shm", vmid, peer, 0, 1).inMemory())) {
                log.problem(shm.path() + ": cannot write my half of 0x" + Long.toHexString(shm.ipa()));
                continue;
            }
            shms.add(shm);
            shmPeers.add(peer);
        }
    }

    /**
     * Checks the peer's half of each shm region. The peer is my owner (the RM builds shm only between a VM and
     * its owner), which wrote its half before it started me, so it must be there now.
     */
    private void readSharedMemory() {
        for (int i = 0; i < shms.size(); i++) {
            SharedMemory shm = shms.get(i);
            long peer = shmPeers.get(i);
            Greeting want = new Greeting("shm", peer, vmid, 0, 1);
            byte[] got = ctx.memory().read(SharedMemory.slot(shm.ipa(), peer, vmid), want.inMemory().length);
            Optional<String> wrong = got == null ? Optional.of("no longer readable") : Greeting.check(got, want);
            if (wrong.isPresent()) {
                log.problem(shm.path() + ": the peer's half at 0x" + Long.toHexString(shm.ipa()) + ": " + wrong.get());
            } else {
                log.note(program + ": " + shm.path() + " at 0x" + Long.toHexString(shm.ipa()) + ": read the peer's \""
                        + want.text() + "\": checked");
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
        Vcpu self = ctx.boot();
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

    /** What I call myself in the report before I know (my DT did not read): the VMID I was given, if any. */
    private String reportName() {
        return name != null ? name : "vmid 0x" + Integer.toHexString(vmid);
    }

    private String summary() {
        return program + ": " + peers.exchanged() + "/" + peers.queues().size() + " queue pairs exchanged, "
                + peers.exercised() + "/" + peers.bells().size() + " doorbells exercised, hyp resources "
                + (resourcesMatch() ? "match" : "DIFFER")
                + (log.problemCount() == 0 ? "; OK" : "; FAILED: " + log.problemCount() + " check(s) failed");
    }

    private boolean resourcesMatch() {
        return resources != null && resources.match();
    }

    /**
     * Every failed check, and — when the run ended before my script did — what I was still waiting for: an
     * unfinished step is a failed one.
     */
    private List<String> problemsAtEnd() {
        List<String> out = new ArrayList<>(log.problems());
        if (!done()) {
            List<String> pending = peers.outstanding();
            out.add("unfinished: "
                    + (pending.isEmpty() ? "my script stopped waiting for the RM" : String.join("; ", pending)));
        }
        return out;
    }

    @Override
    public GuestReport report() {
        boolean none = log == null;
        return new GuestReport(
                reportName(),
                program,
                done(),
                consoleOpen,
                resourcesMatch(),
                none ? 0 : peers.queues().size(),
                none ? 0 : peers.exchanged(),
                none ? 0 : peers.bells().size(),
                none ? 0 : peers.exercised(),
                none ? List.of() : problemsAtEnd(),
                loop == null ? List.of() : loop.consoleSeen(),
                vmm == null ? 0 : vmm.vcpusChecked(),
                vmm == null ? 0 : vmm.proxyRuns(),
                cpus == null ? 0 : cpus.total(),
                cpus == null ? 0 : cpus.online());
    }
}
