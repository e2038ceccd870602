package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.GuestMemory;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.ThreadRights;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.doorbell.DoorbellRights;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueRights;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmConfigParser;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayGenerator;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayRefusedException;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayStyle;
import dev.gunyahdt.hypervisor.rm.overlay.QueuePair;
import dev.gunyahdt.hypervisor.rm.overlay.Vdevice;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import dev.gunyahdt.hypervisor.rm.overlay.VmOverlayInfo;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RmIntake;
import dev.gunyahdt.hypervisor.rm.rpc.RmLink;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The Resource Manager (reference §8, §9, §10, §11, §14) as a privileged VM on the hypervisor model: it holds
 * the root VM's caps and makes every object through hypercalls. {@link #boot} creates the primary VM from its
 * config and starts it; after that the RM only answers RPC: secondary VMs go through VM_ALLOCATE,
 * VM_CONFIG_IMAGE, VM_INIT, VM_START (and VM_STOP / VM_RESET / VM_DEALLOCATE / VM_EXIT) as their owner asks.
 *
 * <p>Every VM is built on the hypervisor's objects (§5.4, §7): vCPU threads, an addrspace with its RAM as an extent
 * derived from the RM's own, a VIC with the VIRQs the RM allocated bound in it. The RM runs on its own vCPU:
 * deterministic and single-threaded, it takes its VIRQs and {@link #step} serves every client link once (in VMID
 * order), then waits for an interrupt. Events (state changes, console output, failures) go to
 * {@link #events()} stamped with the simulation's clock.
 */
public final class ResourceManager {
    public static final int VMID_HLOS = 3;
    public static final int VMID_RM = 255;
    static final int FIRST_DYNAMIC_VMID = 0x80;
    static final int LAST_DYNAMIC_VMID = 0xBE;
    /** §13: HLOS's DT sits at 0x40F00000 with RAM at 0x40000000; the model uses RAM base + 0xF00000 for every VM. */
    public static final long DT_OFFSET = 0xF0_0000L;
    /** §13: HLOS enters at RAM base + 0x1000000 (0x41000000); the model uses that offset for every VM. */
    public static final long ENTRY_OFFSET = 0x100_0000L;
    /** Where lent memparcels show in the RM's own address space: the top 4 GiB of the 36-bit IPA space (§13). */
    static final long PARCEL_WINDOW = 0xF_0000_0000L;
    static final long PARCEL_WINDOW_END = 0x10_0000_0000L;
    /** §5.1: ROOTVM_PRIORITY, also HLOS's; a secondary's vCPUs run one below their owner's (model default). */
    static final int ROOT_PRIORITY = 32;
    /** vcpu_option_flags (§5.4): pinned bit 0, critical bit 8, vcpu_run_scheduled bit 9, hlos_vm bit 63. */
    static final long OPT_PINNED = 1;
    static final long OPT_HLOS = 1 | 1L << 8 | 1L << 63;
    private static final int PAGE = 4096;

    private final Hypervisor hv;
    private final HypCalls hyp;
    private final SystemConfig system;
    private final Platform platform;
    private final VcpuHost host;
    private final LongSupplier clock;
    private final OverlayStyle overlayStyle;
    private final List<RmEvent> events = new ArrayList<>();
    private final TreeMap<Integer, RmVm> vms = new TreeMap<>();
    private final Map<Integer, Memparcel> parcels = new TreeMap<>();
    private final RmLink.Counter notificationCounter = new RmLink.Counter();
    private final VirqAllocator rmVirqs = new VirqAllocator(VirqAllocator.RM_BASE);
    private final long rmVic;
    /** The RM's own: its address space (VMID 255), the extent over DDR every VM's RAM is derived from, its vCPU. */
    private final long rmAddrspace;
    /** The RM's RAM extents: DDR and system.dtb's /memory, merged; every VM's RAM and shm is derived from one. */
    private final List<long[]> rmRam = new ArrayList<>();
    private long nextParcelIpa = PARCEL_WINDOW;
    private final Vcpu rmVcpu;
    private final GuestMemory rmMemory;
    /** LEND/DONATE memparcels: per SGL entry {extent cap, where the RM maps it}. */
    private final Map<Integer, List<long[]>> parcelExtents = new TreeMap<>();
    private final Map<MessageId, Handler> handlers = new EnumMap<>(MessageId.class);
    private long nextVdeviceHandle;
    private int nextParcel = 1;
    private int internalFaults;

    @FunctionalInterface
    private interface Handler {
        /** The reply data after the OK error word; throws {@link RmFailure} to answer an error. */
        byte[] handle(RmVm caller, Wire.Reader in);
    }

    private ResourceManager(Hypervisor hv, SystemConfig system, Platform platform, VcpuHost host, LongSupplier clock,
                            OverlayStyle overlayStyle) {
        this.hv = hv;
        this.overlayStyle = overlayStyle;
        this.platform = platform;
        this.hyp = new HypCalls(hv);
        this.system = system;
        this.host = host;
        this.clock = clock;
        hv.call(hyp.rm(), 0); // hypervisor_identify, as the RM does first (§14 step 1)
        this.rmVic = hyp.vic();
        // the root VM's own objects: the hypervisor makes them at boot in Gunyah; here the RM makes them itself
        this.rmAddrspace = hyp.addrspace(VMID_RM);
        for (long[] r : ramRuns(system)) {
            try {
                rmRam.add(new long[] {r[0], r[1], hyp.extent(r[0], r[1])});
            } catch (RmFailure notGiven) {
                // RAM the hypervisor did not give the root VM: the RM cannot hand it out (a VM there fails)
            }
        }
        long t = hyp.vcpu(hv.rootCSpaceCap(), rmAddrspace, rmVic, 0, 0, ROOT_PRIORITY, Scheduler.TIMESLICE_DEFAULT,
                OPT_PINNED, "the RM's vCPU");
        hyp.activate(t);
        this.rmVcpu = hv.vcpu(hyp.rm(), t);
        this.rmMemory = rmVcpu.caller().memory();
        rmVcpu.program(this::runVcpu);
        hyp.powerOn(t, 0, 0);
        installHandlers();
    }

    /** DDR plus system.dtb's RAM ranges, sorted and merged into disjoint runs {base, size}. */
    private static List<long[]> ramRuns(SystemConfig system) {
        List<long[]> all = new ArrayList<>();
        all.add(new long[] {Hypervisor.DDR_BASE, Hypervisor.DDR_BASE + Hypervisor.DDR_SIZE});
        system.ram().forEach(r -> all.add(new long[] {r.base(), r.base() + r.size()}));
        all.sort(java.util.Comparator.comparingLong(r -> r[0]));
        List<long[]> runs = new ArrayList<>();
        for (long[] r : all) {
            long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && r[0] <= last[1]) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                runs.add(new long[] {r[0], r[1]});
            }
        }
        return runs.stream().map(r -> new long[] {r[0], r[1] - r[0]}).toList();
    }

    /** An extent of [pa, pa+size) derived from the RM's RAM extent that holds it all. */
    private long deriveRam(long pa, long size, String what) {
        for (long[] r : rmRam) {
            if (size > 0 && pa >= r[0] && pa - r[0] <= r[1] - size) {
                return hyp.derive(r[2], pa - r[0], size, what);
            }
        }
        throw new RmFailure(RmError.MEM_INVALID, what + ": 0x" + Long.toHexString(pa) + "+0x" + Long.toHexString(size)
                + " is not inside the RM's memory");
    }

    /**
     * The RM's vCPU: take every pending VIRQ (a VM's request arrived, a reply queue has room, a vCPU halted),
     * serve the links, end the VIRQs, and wait for the next one when nothing moved.
     */
    private void runVcpu(Vcpu self) {
        Vic vic = self.vic();
        List<Integer> taken = new ArrayList<>();
        for (int i = vic.acknowledge(self.vicIndex()); i != Vic.SPURIOUS; i = vic.acknowledge(self.vicIndex())) {
            taken.add(i);
        }
        boolean progress = step();
        for (int i : taken) {
            vic.endOfInterrupt(self.vicIndex(), i);
        }
        if (!progress) {
            self.waitForInterrupt();
        }
    }

    /**
     * Boots the RM: creates the primary VM named in {@code system} from {@code primaryDtb} (its vm/&lt;name&gt;.dtb),
     * applies its overlay (§10.5) and powers it on.
     *
     * @throws RmFailure when the primary cannot be created (the message names it and the cause)
     * @throws DtException when its DTB or config is malformed (positioned)
     */
    public static ResourceManager boot(Hypervisor hv, SystemConfig system, Platform platform, byte[] primaryDtb,
                                       VcpuHost host, LongSupplier clock) {
        return boot(hv, system, platform, primaryDtb, host, clock, OverlayStyle.RM);
    }

    /** {@link #boot(Hypervisor, SystemConfig, Platform, byte[], VcpuHost, LongSupplier)} writing overlays of a style. */
    public static ResourceManager boot(Hypervisor hv, SystemConfig system, Platform platform, byte[] primaryDtb,
                                       VcpuHost host, LongSupplier clock, OverlayStyle overlayStyle) {
        ResourceManager rm = new ResourceManager(hv, system, platform, host, clock, overlayStyle);
        rm.startPrimary(primaryDtb);
        return rm;
    }

    private void startPrimary(byte[] dtb) {
        SystemConfig.VmEntry e = system.primary().orElseThrow();
        RmVm vm = new RmVm(VMID_HLOS, VMID_RM, true, e.name());
        vm.blobName = "vm/" + e.name() + ".dtb";
        vm.baseDtb = dtb.clone();
        vms.put(vm.vmid, vm);
        try {
            // The primary's config may list vdevices (its halves of the secondaries' queues and doorbells). The
            // real RM has no DT config for HLOS: those halves belong to the secondaries' vdevices (§9.5 peer /
            // peer-default), the HLOS overlay carries only the RM-RPC node (§10.5) and HLOS learns of its halves by
            // VM_GET_HYP_RESOURCES about each secondary (§8.7), as crosvm does. So the RM makes them here (objects,
            // caps, VIRQs in the primary's VIC; the secondary joins at its VM_INIT) and never puts them in the
            // primary's overlay.
            vm.config = VmConfigParser.parse(vm.blobName, DtbReader.read(dtb, vm.blobName));
            vm.cspaceCap = hyp.cspace(1024);
            setUp(vm);
            byte[] merged = OverlayGenerator.apply(dtb, overlayInfo(vm), overlayStyle);
            vm.dtbo = OverlayGenerator.dtbo(overlayInfo(vm), overlayStyle);
            powerOn(vm, merged);
        } catch (RmFailure | DtException f) {
            failure(vm, f.getMessage());
            throw f;
        }
    }

    // ---- the RPC loop ------------------------------------------------------------------------------

    /**
     * Serves each client once: sends what waits for it, then takes its requests one at a time while its reply
     * slot is free (a client that does not read its replies only stalls itself). True when anything came in.
     */
    public boolean step() {
        boolean progress = false;
        for (RmVm vm : List.copyOf(vms.values())) {
            if (vm.link == null) {
                continue;
            }
            vm.link.pump();
            int drops = vm.rmEndpoint.drops().size();
            while (vm.link != null && !vm.link.replyWaiting()) {
                List<RpcMessage> in = vm.rmEndpoint.receive(1);
                if (in.isEmpty()) {
                    break;
                }
                progress = true;
                serve(vm, in.get(0));
            }
            progress |= vm.link != null && vm.rmEndpoint.drops().size() != drops;
        }
        return progress;
    }

    private void serve(RmVm vm, RpcMessage m) {
        RmIntake.Outcome o = RmIntake.classify(m);
        switch (o.action()) {
            case ERROR_REPLY -> vm.link.reply(o.reply());
            case DISPATCH -> {
                Handler h = handlers.get(o.id());
                RpcMessage reply;
                if (h == null) {
                    reply = RpcMessage.reply(m, RmError.UNIMPLEMENTED); // handled by the RM, not by this model
                } else {
                    try {
                        reply = RpcMessage.reply(m, RmError.OK, h.handle(vm, new Wire.Reader(m.payload())));
                    } catch (RmFailure f) {
                        reply = RpcMessage.reply(m, f.error());
                    } catch (RuntimeException bug) {
                        // never let one request take the RM down; counted so tests can insist on zero
                        internalFaults++;
                        note(vm.name, "internal fault serving " + o.id() + ": " + bug);
                        reply = RpcMessage.reply(m, RmError.MSG_INVALID);
                    }
                }
                if (vm.link != null) {
                    vm.link.reply(reply);
                }
            }
            case PLATFORM_HOOK, DROP -> {
                // §8.2: client notifications go to the platform hook (none on QEMU); replies are dropped
            }
        }
    }

    private void installHandlers() {
        handlers.put(MessageId.VM_ALLOCATE, this::vmAllocate);
        handlers.put(MessageId.VM_DEALLOCATE, this::vmDeallocate);
        handlers.put(MessageId.VM_CONFIG_IMAGE, this::vmConfigImage);
        handlers.put(MessageId.VM_INIT, this::vmInit);
        handlers.put(MessageId.VM_START, this::vmStart);
        handlers.put(MessageId.VM_STOP, this::vmStop);
        handlers.put(MessageId.VM_RESET, this::vmReset);
        handlers.put(MessageId.VM_EXIT, this::vmExit);
        handlers.put(MessageId.VM_GET_VMID, (c, in) -> Wire.writer().u32(c.vmid).build());
        handlers.put(MessageId.VM_GET_OWNER, (c, in) -> Wire.writer().u32(c.owner).build());
        handlers.put(MessageId.VM_GET_PEERS, this::vmGetPeers);
        handlers.put(MessageId.VM_GET_STATE, this::vmGetState);
        handlers.put(MessageId.VM_SET_STATUS, this::vmSetStatus);
        handlers.put(MessageId.VM_HOST_GET_TYPE, (c, in) -> Wire.writer().u32(0x0100_0164L).build());
        handlers.put(MessageId.VM_GET_HYP_RESOURCES, this::vmGetHypResources);
        handlers.put(MessageId.VM_CONSOLE_OPEN, (c, in) -> console(c, in, 0));
        handlers.put(MessageId.VM_CONSOLE_CLOSE, (c, in) -> console(c, in, 1));
        handlers.put(MessageId.VM_CONSOLE_WRITE, (c, in) -> console(c, in, 2));
        handlers.put(MessageId.VM_CONSOLE_FLUSH, (c, in) -> console(c, in, 3));
        handlers.put(MessageId.MEM_LEND, (c, in) -> memCreate(c, in, 1));
        handlers.put(MessageId.MEM_SHARE, (c, in) -> memCreate(c, in, 2));
        handlers.put(MessageId.MEM_DONATE, (c, in) -> memCreate(c, in, 0));
        handlers.put(MessageId.MEM_RECLAIM, this::memReclaim);
    }

    // ---- VM lifecycle (§8.6, §11.2) ------------------------------------------------------------------

    private byte[] vmAllocate(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int want = in.u16();
        in.u16();
        if (caller.vmid != VMID_HLOS) {
            throw new RmFailure(RmError.DENIED, "VM_ALLOCATE is for the primary VM only");
        }
        int vmid;
        if (want == 0) {
            vmid = FIRST_DYNAMIC_VMID;
            while (vmid <= LAST_DYNAMIC_VMID && vms.containsKey(vmid)) {
                vmid++;
            }
            if (vmid > LAST_DYNAMIC_VMID) {
                throw new RmFailure(RmError.NORESOURCE, "no free dynamic VMID");
            }
        } else if (want >= platform.firstSecondaryVmid() && want <= platform.lastSecondaryVmid()
                && !vms.containsKey(want)) {
            vmid = want; // the platform's secondary VMIDs (§8.4)
        } else {
            throw new RmFailure(RmError.NORESOURCE, "VMID " + want + " is not a free secondary VMID");
        }
        RmVm vm = new RmVm(vmid, caller.vmid, false, "vm 0x" + Integer.toHexString(vmid));
        vms.put(vmid, vm);
        vm.peers.add(caller.vmid);
        caller.peers.add(vmid);
        setState(vm, VmState.LOAD, false); // no status notification for allocation (§14 step 2)
        return want == 0 ? Wire.writer().u32(vmid).build() : new byte[0];
    }

    private RmVm owned(RmVm caller, int vmid, RmError notOwner) {
        RmVm vm = vms.get(vmid);
        if (vm == null || vm.primary) {
            throw new RmFailure(RmError.VMID_INVALID, "no VM 0x" + Integer.toHexString(vmid));
        }
        if (vm.owner != caller.vmid) {
            throw new RmFailure(notOwner, caller.name + " does not own " + vm);
        }
        return vm;
    }

    private byte[] vmConfigImage(RmVm caller, Wire.Reader in) {
        in.exactly(40);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        int auth = in.u16();
        int handle = (int) in.u32();
        in.u64(); // image offset
        in.u64(); // image size
        long dtOffset = in.u64();
        long dtSize = in.u64();
        if (vm.state != VmState.LOAD && vm.state != VmState.RESET) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        if (auth > 2) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "auth type " + auth);
        }
        Memparcel p = parcels.get(handle);
        if (p == null || p.owner() != caller.vmid) {
            throw new RmFailure(RmError.HANDLE_INVALID, "no memparcel " + handle + " of " + caller.name);
        }
        if (!p.grants(vm.vmid)) {
            throw new RmFailure(RmError.DENIED, "memparcel " + handle + " is not for " + vm);
        }
        if (dtSize <= 0 || dtSize > 1 << 24 || dtOffset < 0 || dtOffset > p.size() - dtSize) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "DT [" + dtOffset + ", +" + dtSize + ") outside the image");
        }
        byte[] dt = parcelBytes(p, dtOffset, (int) dtSize);
        vm.baseDtb = dt;
        try {
            DeviceTree t = DtbReader.read(dt, "image DT of " + vm);
            t.find("/qcom,vm-config").or(() -> t.find("/gunyah-vm-config"))
                    .flatMap(c -> c.node().property("image-name"))
                    .map(pr -> pr.value().asString()).filter(n -> !n.isEmpty())
                    .ifPresent(n -> vm.name = n);
        } catch (DtException unreadable) {
            // VM_INIT reports it, with the position
        }
        vm.blobName = "vm/" + vm.name + ".dtb";
        if (vm.cspaceCap < 0) {
            vm.cspaceCap = hyp.cspace(1024);
            vm.masterCaps.add(vm.cspaceCap);
        }
        setState(vm, auth == 1 ? VmState.AUTH : VmState.INIT, true);
        return new byte[0];
    }

    private byte[] vmInit(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        if (vm.state != VmState.INIT) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        try {
            vm.config = VmConfigParser.parse(vm.blobName, DtbReader.read(vm.baseDtb, vm.blobName));
            setUp(vm);
        } catch (DtException e) {
            failInit(vm, RmError.ARGUMENT_INVALID, "VM_INIT: " + e.getMessage());
        } catch (RmFailure f) {
            failInit(vm, f.error(), "VM_INIT: " + f.getMessage());
        }
        setState(vm, VmState.READY, true);
        return new byte[0];
    }

    private void failInit(RmVm vm, RmError error, String cause) {
        failure(vm, cause);
        setState(vm, VmState.INIT_FAILED, true);
        throw new RmFailure(error, cause);
    }

    private byte[] vmStart(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        if (vm.state != VmState.READY) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        byte[] merged;
        try {
            VmOverlayInfo info = overlayInfo(vm);
            vm.dtbo = OverlayGenerator.dtbo(info, overlayStyle);
            merged = OverlayGenerator.apply(vm.baseDtb, info, overlayStyle);
        } catch (OverlayRefusedException e) {
            failInit(vm, e.error(), "VM_START: " + e.getMessage());
            return null;
        } catch (DtException | IllegalArgumentException e) {
            failInit(vm, RmError.NORESOURCE, "VM_START: overlay: " + e.getMessage());
            return null;
        }
        if (merged.length > vm.ram.size() - DT_OFFSET) {
            failInit(vm, RmError.NORESOURCE, "VM_START: the merged DTB does not fit the VM's memory");
        }
        powerOn(vm, merged);
        return new byte[0];
    }

    /** §5.4 "VM start": the merged DTB into the VM's RAM (through the RM's mapping), boot vCPU on with X0 = its IPA. */
    private void powerOn(RmVm vm, byte[] merged) {
        long dtbIpa = vm.ram.ipa() + DT_OFFSET;
        if (!rmMemory.write(vm.ram.pa(dtbIpa), merged)) {
            throw new RmFailure(RmError.MEM_INVALID, "cannot write the DTB into the RAM of " + vm);
        }
        vm.guestDtb = merged;
        setState(vm, VmState.RUNNING, !vm.primary);
        RmVm.VcpuSlot boot = vm.vcpus.get(0);
        host.powerOn(new GuestSeat(vm.vmid, vm.name, vm.primary, hv.vcpu(hyp.rm(), boot.master()), vm.ram.ipa(),
                vm.ram.size(), dtbIpa));
        hyp.powerOn(boot.master(), vm.ram.ipa() + ENTRY_OFFSET, dtbIpa);
    }

    /** vcpu_kill on every vCPU of the VM (exit, stop, reset). */
    private void killVcpus(RmVm vm) {
        for (RmVm.VcpuSlot v : vm.vcpus) {
            hyp.kill(v.master());
        }
        host.powerOff(vm.vmid);
    }

    private byte[] vmStop(RmVm caller, Wire.Reader in) {
        in.exactly(8);
        RmVm vm = owned(caller, in.u16(), RmError.VMID_INVALID);
        int flags = in.u8();
        in.u8();
        long reason = in.u32();
        if ((vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) || vm.config.hasAttr("no-shutdown")) {
            throw new RmFailure(RmError.VM_STATE, vm + " cannot be stopped from " + vm.state);
        }
        if ((flags & 1) != 0) {
            exit(vm, 7, 0, 0);
        } else {
            vm.link.notify(MessageId.NOTIFY_VM_SHUTDOWN, Wire.writer().u32(reason).build());
        }
        return new byte[0];
    }

    private byte[] vmExit(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int flags = in.u16();
        int code = in.u8();
        if (code != 0 && code != 1 && code != 3 && code != 4) {
            throw new RmFailure(RmError.MSG_INVALID, "exit code " + code);
        }
        if (caller.primary || (caller.config != null && caller.config.hasAttr("crash-fatal"))) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, caller + " may not exit");
        }
        if (caller.state != VmState.RUNNING && caller.state != VmState.PAUSED) {
            throw new RmFailure(RmError.VM_STATE, caller + " is " + caller.state);
        }
        exit(caller, 0, flags, code);
        return new byte[0];
    }

    /** Kills the VM's vCPUs, EXITED, NOTIFY_VM_EXITED to the owner (§11.4). */
    private void exit(RmVm vm, int type, int flags, int code) {
        killVcpus(vm);
        setState(vm, VmState.EXITED, true);
        RmVm owner = vms.get(vm.owner);
        if (owner != null && owner.link != null) {
            owner.link.notify(MessageId.NOTIFY_VM_EXITED, Wire.writer().u16(vm.vmid).u16(type).u32(4)
                    .u32((flags & 0xFFFF) | (long) code << 16).build());
        }
    }

    private byte[] vmReset(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.VMID_INVALID);
        if (vm.config != null && vm.config.hasAttr("no-reset")) {
            throw new RmFailure(RmError.DENIED, vm + " has no-reset");
        }
        if (vm.state != VmState.EXITED && vm.state != VmState.READY && vm.state != VmState.INIT_FAILED) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        setState(vm, VmState.RESETTING, true);
        teardown(vm);
        setState(vm, VmState.RESET, true);
        return new byte[0];
    }

    /** The staged teardown of VM_RESET: vdevices, IRQs, the VM's objects, peers. */
    private void teardown(RmVm vm) {
        killVcpus(vm);
        RmVm owner0 = vms.get(vm.owner);
        for (RmVm.VcpuSlot v : vm.vcpus) {
            if (v.ownerCap() != v.master() && owner0 != null) {
                hv.call(hyp.rm(), CSpaceCalls.DELETE_CAP_FROM, owner0.cspaceCap, v.ownerCap(), 0);
            }
            if (v.wakeupVirq() >= 0 && owner0 != null) {
                owner0.virqs.release(v.wakeupVirq());
            }
            rmVirqs.release(v.haltVirq());
        }
        vm.vcpus.clear();
        for (Side s : vm.sides) {
            if (s.peer != null) {
                s.peer.peer = null;
            }
            for (RmVm other : vms.values()) {
                other.sides.removeIf(o -> o.cfg == null && o.peer == s);
            }
        }
        vm.sides.clear();
        deleteMasters(vm);
        vm.cspaceCap = -1;
        vm.vicCap = -1;
        vm.virqs = new VirqAllocator(VirqAllocator.VM_BASE);
        vm.link = null;
        vm.rmEndpoint = null;
        vm.rpcView = null;
        vm.addrspaceCap = -1;
        vm.ramExtent = -1;
        vm.ram = null;
        vm.selfOpened = false;
        vm.ownerOpened = false;
        for (int p : vm.peers) {
            RmVm other = vms.get(p);
            if (other != null) {
                other.peers.remove(vm.vmid);
            }
        }
        vm.peers.clear();
        vm.peers.add(vm.owner);
        RmVm owner = vms.get(vm.owner);
        if (owner != null) {
            owner.peers.add(vm.vmid);
        }
    }

    private byte[] vmDeallocate(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        if (vm.state != VmState.LOAD && vm.state != VmState.RESET) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        if (vm.state == VmState.RESET) {
            setState(vm, VmState.NONE, false);
        } else {
            event(vm.name, RmEvent.Kind.STATE, vm.state + " -> " + VmState.NONE);
        }
        deleteMasters(vm);
        vms.remove(vm.vmid);
        caller.peers.remove(vm.vmid);
        return new byte[0];
    }

    /** Deletes the RM's caps for the VM's objects, newest first (vCPUs before the addrspace and cspace they use). */
    private void deleteMasters(RmVm vm) {
        for (int i = vm.masterCaps.size() - 1; i >= 0; i--) {
            hyp.delete(vm.masterCaps.get(i));
        }
        vm.masterCaps.clear();
    }

    private byte[] vmGetPeers(RmVm caller, Wire.Reader in) {
        Wire.Writer w = Wire.writer().u32(caller.peers.size());
        caller.peers.forEach(w::u32);
        return w.build();
    }

    private byte[] vmGetState(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int id = in.u16();
        RmVm vm = id == 0 ? caller : vms.get(id);
        if (vm == null) {
            throw new RmFailure(RmError.VMID_INVALID, "no VM " + id);
        }
        if (vm != caller && vm.owner != caller.vmid && !vm.peers.contains(caller.vmid)) {
            throw new RmFailure(RmError.DENIED, caller + " may not see " + vm);
        }
        return Wire.writer().u32(vm.state.code | vm.osState << 8 | (long) vm.appStatus << 16).build();
    }

    private byte[] vmSetStatus(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        in.u8();
        int os = in.u8();
        int app = in.u16();
        if (caller.primary) {
            throw new RmFailure(RmError.DENIED, "VM_SET_STATUS is for secondary VMs");
        }
        if (os > 7) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "os state " + os);
        }
        if (os != 0) {
            caller.osState = os;
        }
        caller.appStatus = app;
        broadcastStatus(caller);
        return new byte[0];
    }

    // ---- VM_GET_HYP_RESOURCES (§8.7) -----------------------------------------------------------------

    private byte[] vmGetHypResources(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int id = in.u16();
        RmVm vm = vms.get(id);
        if (vm == null) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "no VM " + id);
        }
        if (vm.config == null) {
            throw new RmFailure(RmError.NORESOURCE, vm + " has no config yet");
        }
        List<byte[]> entries = new ArrayList<>();
        if (caller.vmid == vm.owner) {
            // the owner's copies (AFFINITY|YIELD_TO), label = the affinity index, the proxy wakeup VIRQ or none
            for (RmVm.VcpuSlot v : vm.vcpus) {
                entries.add(Wire.writer().u8(4).u8(0).u16(vm.vmid).u32(0).u32(v.label()).u64(v.ownerCap()).u32(0)
                        .u32(v.wakeupVirq() < 0 ? 0xFFFF_FFFFL : v.wakeupVirq()).u64(0).u64(0).build());
            }
        }
        // §8.7: the vdevices of V's config that involve C, with C's caps. The primary's halves belong to the
        // secondaries' vdevices (see startPrimary), so asking about itself lists none of them.
        List<Side> view = caller == vm ? (vm.primary ? List.of() : vm.sides)
                : caller.sides.stream().filter(s -> s.peer != null && s.peer.vm == vm).toList();
        for (Side s : view) {
            int partner = s.peer == null ? 0 : s.peer.vm.vmid;
            switch (s.kind) {
                case MESSAGE_QUEUE_PAIR -> {
                    entries.add(resource(2, partner, s.label, s.txCap, s.txVirq));
                    entries.add(resource(3, partner, s.label, s.rxCap, s.rxVirq));
                }
                case DOORBELL_SOURCE -> entries.add(resource(0, partner, s.label, s.txCap, null));
                case DOORBELL -> entries.add(resource(1, partner, s.label, s.txCap, s.rxVirq));
                case MESSAGE_QUEUE -> entries.add(resource(s.sender ? 2 : 3, partner, s.label, s.txCap, s.rxVirq));
                case SHM -> {
                    // not a hypervisor resource
                }
            }
        }
        Wire.Writer w = Wire.writer().u32(entries.size());
        entries.forEach(w::bytes);
        return w.build();
    }

    private static byte[] resource(int type, int partner, long label, long cap, Virq virq) {
        return Wire.writer().u8(type).u8(0).u16(partner).u32(0).u32(label).u64(cap).u32(0)
                .u32(virq == null ? 0 : virq.intid()).u64(0).u64(0).build();
    }

    // ---- console (§11.1) -----------------------------------------------------------------------------

    /** op 0 open, 1 close, 2 write, 3 flush. */
    private byte[] console(RmVm caller, Wire.Reader in, int op) {
        in.atLeast(4);
        int target = in.u16();
        int count = in.u16();
        if (op != 2) {
            in.exactly(4);
        }
        RmVm vm = target == 0 ? caller : vms.get(target);
        if (vm == null) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "no VM " + target);
        }
        if (target != 0 && vm.owner != caller.vmid) {
            throw new RmFailure(RmError.DENIED, caller + " does not own " + vm);
        }
        if (!vm.hasConsole) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, vm + " has no console (no console-dev)");
        }
        boolean self = target == 0;
        switch (op) {
            case 0 -> {
                if (self) {
                    vm.selfOpened = true;
                } else {
                    vm.ownerOpened = true;
                }
            }
            case 1 -> {
                if (self) {
                    vm.selfOpened = false;
                } else {
                    vm.ownerOpened = false;
                }
            }
            case 2 -> {
                if (in.remaining() != count) {
                    throw new RmFailure(RmError.MSG_INVALID, "VM_CONSOLE_WRITE of " + count + " bytes carries "
                            + in.remaining());
                }
                byte[] chars = in.bytes(count);
                if (!(self ? vm.selfOpened : vm.ownerOpened)) {
                    throw new RmFailure(RmError.DENIED, "console of " + vm + " is not open on that side");
                }
                deliverConsole(vm, self, chars);
            }
            default -> {
                if (!(self ? vm.selfOpened : vm.ownerOpened)) {
                    throw new RmFailure(RmError.DENIED, "console of " + vm + " is not open on that side");
                }
            }
        }
        return new byte[0];
    }

    private void deliverConsole(RmVm vm, boolean fromSelf, byte[] chars) {
        String text = new String(chars, StandardCharsets.ISO_8859_1);
        if (fromSelf && vm.primary) {
            // the primary's owner is the RM itself: its console goes to the RM's own log (the platform UART)
            event(vm.name, RmEvent.Kind.CONSOLE, text);
            return;
        }
        if (!(fromSelf ? vm.ownerOpened : vm.selfOpened)) {
            return; // the other side is not open: dropped, and the writer still gets OK
        }
        RmVm to = fromSelf ? vms.get(vm.owner) : vm;
        if (to == null || to.link == null) {
            return;
        }
        to.link.notify(MessageId.NOTIFY_VM_CONSOLE_CHARS, Wire.writer().u16(fromSelf ? vm.vmid : 0)
                .u16(chars.length).bytes(chars).build());
        if (fromSelf) {
            event(vm.name, RmEvent.Kind.CONSOLE, text);
        }
    }

    // ---- memparcels (§7.2) ---------------------------------------------------------------------------

    private byte[] memCreate(RmVm caller, Wire.Reader in, int transaction) {
        int memType = in.u8();
        in.u8();
        int flags = in.u8();
        in.u8();
        long label = in.u32();
        if (memType > 1 || (flags & ~0x3) != 0) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "mem type " + memType + " flags " + flags);
        }
        List<int[]> acl = new ArrayList<>();
        int n = listCount(in);
        for (int i = 0; i < n; i++) {
            int vmid = in.u16();
            int rights = in.u8();
            in.u8();
            if (rights < 4 || rights > 7) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "ACL rights " + rights);
            }
            acl.add(new int[] {vmid, rights});
        }
        List<long[]> sgl = new ArrayList<>();
        n = listCount(in);
        for (int i = 0; i < n; i++) {
            long ipa = in.u64();
            long size = in.u64();
            if (ipa % PAGE != 0 || size % PAGE != 0 || size == 0 || ipa >>> 44 != 0 || (ipa + size) >>> 44 != 0) {
                throw new RmFailure(RmError.MEM_INVALID, "SGL entry 0x" + Long.toHexString(ipa) + "+0x"
                        + Long.toHexString(size) + " not page aligned or beyond 2^44");
            }
            if (caller.ram == null || !caller.ram.contains(ipa, size)) {
                throw new RmFailure(RmError.MEM_INVALID, "SGL entry outside " + caller.name + "'s memory");
            }
            sgl.add(new long[] {ipa, size});
        }
        if (in.remaining() > 0) {
            int attrs = listCount(in);
            for (int i = 0; i < attrs; i++) {
                in.u32();
            }
        }
        if (acl.isEmpty() || sgl.isEmpty()) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "empty ACL or SGL");
        }
        int handle = nextParcel++;
        if (transaction != 2) {
            parcelExtents.put(handle, takePages(caller, sgl, handle));
        }
        parcels.put(handle, new Memparcel(handle, caller.vmid, transaction, memType, label, acl, sgl));
        return Wire.writer().u32(handle).build();
    }

    private static int listCount(Wire.Reader in) {
        int n = in.u16();
        in.u16();
        if (n > 512) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "list of " + n + " entries (max 512)");
        }
        return n;
    }

    /**
     * LEND / DONATE (§7.2): each SGL range becomes an extent derived from the owner's RAM extent, so its pages
     * leave the owner (it can no longer touch them); the RM sees them at PA + {@link #PARCEL_WINDOW}. A SHARE
     * keeps the pages where they are (the owner keeps its access) and the RM reads them through its RAM mapping.
     */
    private List<long[]> takePages(RmVm owner, List<long[]> sgl, int handle) {
        long total = sgl.stream().mapToLong(e -> e[1]).sum();
        if (total > PARCEL_WINDOW_END - nextParcelIpa) {
            throw new RmFailure(RmError.NORESOURCE, "memparcel " + handle + ": no room left in the RM's window");
        }
        List<long[]> made = new ArrayList<>();
        try {
            for (long[] e : sgl) {
                long me = hyp.derive(owner.ramExtent, e[0] - owner.ram.ipa(), e[1], "memparcel " + handle);
                made.add(new long[] {me, nextParcelIpa});
                hyp.map(rmAddrspace, me, nextParcelIpa, e[1], 6, "memparcel " + handle);
                nextParcelIpa += e[1];
            }
        } catch (RmFailure f) {
            made.forEach(m -> hyp.delete(m[0]));
            throw f;
        }
        return made;
    }

    private byte[] memReclaim(RmVm caller, Wire.Reader in) {
        in.exactly(8);
        int handle = (int) in.u32();
        Memparcel p = parcels.get(handle);
        if (p == null || p.owner() != caller.vmid) {
            throw new RmFailure(RmError.HANDLE_INVALID, "no memparcel " + handle + " of " + caller.name);
        }
        parcels.remove(handle);
        // the derived extents go: their pages return to the owner's RAM extent, and the owner's access with them
        parcelExtents.getOrDefault(handle, List.of()).forEach(m -> hyp.delete(m[0]));
        parcelExtents.remove(handle);
        return new byte[0];
    }

    private byte[] parcelBytes(Memparcel p, long offset, int len) {
        RmVm owner = vms.get(p.owner());
        byte[] out = new byte[len];
        int done = 0;
        long skip = offset;
        List<long[]> lent = parcelExtents.get(p.handle());
        for (int k = 0; k < p.sgl().size(); k++) {
            long[] e = p.sgl().get(k);
            if (done == len) {
                break;
            }
            if (skip >= e[1]) {
                skip -= e[1];
                continue;
            }
            int n = (int) Math.min(len - done, e[1] - skip);
            long at = lent != null ? lent.get(k)[1] + skip : owner.ram.pa(e[0] + skip);
            byte[] part = rmMemory.read(at, n);
            if (part == null) {
                throw new RmFailure(RmError.MEM_INVALID, "memparcel " + p.handle() + " is not readable");
            }
            System.arraycopy(part, 0, out, done, n);
            done += n;
            skip = 0;
        }
        return out;
    }

    // ---- VM set-up: cspace, VIC, RM-RPC, vdevices (§6.3, §8.1, §9.5) ---------------------------------

    private void setUp(RmVm vm) {
        VmConfig cfg = vm.config;
        vm.vicCap = hyp.vic();
        vm.masterCaps.add(vm.vicCap);
        setUpMemory(vm);
        setUpVcpus(vm);
        vm.hasConsole = vm.primary || cfg.rmRpc().console();
        setUpRmRpc(vm);
        for (VmConfig.Vdevice d : cfg.vdevices()) {
            setUpVdevice(vm, d);
        }
    }

    /**
     * §7.1: the VM's RAM is an extent derived from the RM's (so its pages leave the RM and no other VM can have
     * them), mapped RWX in a new addrspace for the VM's VMID at the config's IPA, and RW in the RM's own
     * addrspace at its PA (where the RM writes the DTB and reads memparcels). PA = system.dtb's assignment.
     */
    private void setUpMemory(RmVm vm) {
        VmConfig cfg = vm.config;
        long size = Math.max(cfg.memory().sizeMin(), cfg.memory().sizeMax());
        Optional<SystemConfig.VmEntry> entry = vm.primary ? system.primary() : system.vm(vm.name);
        if (vm.primary) {
            size = entry.map(SystemConfig.VmEntry::memorySize).orElse(size);
        }
        long ipa = cfg.memory().baseAddress();
        long pa = entry.map(SystemConfig.VmEntry::memoryBase).orElse(ipa);
        vm.ramExtent = deriveRam(pa, size, "RAM of " + vm);
        vm.masterCaps.add(vm.ramExtent);
        vm.addrspaceCap = hyp.addrspace(vm.vmid);
        vm.masterCaps.add(vm.addrspaceCap);
        hyp.map(vm.addrspaceCap, vm.ramExtent, ipa, size, 7, "RAM of " + vm);
        hyp.map(rmAddrspace, vm.ramExtent, pa, size, 6, "the RM's view of the RAM of " + vm);
        vm.ram = new RmVm.Ram(ipa, pa, size);
    }

    /**
     * §5.4: one vCPU per enabled CPU of the config. pinned / static / sticky: affinity = affinity-map[i] (pinned
     * also sets the pinned option), priority 32 for the primary (with hlos_vm, critical, pinned), else the owner's
     * minus one (sched-priority / sched-timeslice are not read: a model default), 5 ms. proxy: priority 0, 100 µs,
     * no affinity, vcpu_run_scheduled, and a VCPU_RUN_WAKEUP VIRQ allocated in and bound to the owner's VIC. Each
     * gets a HALT VIRQ in the RM's VIC; the owner gets a copy with AFFINITY|YIELD_TO. No POWER cap goes into the
     * VM's own cspace: the model treats every VM as PSCI-managed (§5.4), so the RM-RPC caps stay 0x1/0x2.
     */
    private void setUpVcpus(RmVm vm) {
        VmConfig.Vcpus c = vm.config.vcpus();
        boolean proxy = !vm.primary && "proxy".equals(c.affinity());
        RmVm owner = vm.primary ? null : vms.get(vm.owner);
        List<Long> made = new ArrayList<>();
        for (int i = 0; i < c.count(); i++) {
            String what = "vCPU " + i + " of " + vm;
            int affinity = proxy ? Scheduler.CPU_INDEX_INVALID : (int) (long) c.affinityMap().get(i);
            if (!proxy && (affinity < 0 || affinity >= hv.scheduler().cpus())) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": affinity " + affinity + " is not a CPU");
            }
            int priority = vm.primary ? ROOT_PRIORITY : proxy ? 0 : ROOT_PRIORITY - 1;
            long slice = proxy ? Scheduler.TIMESLICE_MIN : Scheduler.TIMESLICE_DEFAULT;
            long options = vm.primary ? OPT_HLOS : proxy ? Vcpu.OPTION_VCPU_RUN_SCHEDULED
                    : "pinned".equals(c.affinity()) ? OPT_PINNED : 0;
            long t = hyp.vcpu(vm.cspaceCap, vm.addrspaceCap, vm.vicCap, i, affinity, priority, slice, options, what);
            vm.masterCaps.add(t);
            made.add(t);
        }
        for (int i = 0; i < made.size(); i++) { // §5.4's second loop
            String what = "vCPU " + i + " of " + vm;
            long t = made.get(i);
            hyp.activate(t);
            int halt = rmVirq();
            hyp.bindVcpuVirq(t, rmVic, halt, 0);
            int wakeup = -1;
            if (proxy) {
                wakeup = virq(owner, List.of(), 0, what + " (wakeup)").intid();
                hyp.bindVcpuVirq(t, owner.vicCap, wakeup, 1);
            }
            long ownerCap = owner == null ? t : hyp.grant(owner.cspaceCap, t, ThreadRights.AFFINITY
                    | ThreadRights.YIELD_TO);
            int label = proxy ? i : (int) (long) c.affinityMap().get(i);
            vm.vcpus.add(new RmVm.VcpuSlot(t, ownerCap, label, wakeup, halt));
        }
    }

    private Virq virq(RmVm vm, List<Virq> given, int index, String what) {
        if (!given.isEmpty()) {
            Virq v = given.get(index);
            if (!vm.virqs.reserve(v.intid())) {
                throw new RmFailure(RmError.IRQ_INUSE, what + ": VIRQ " + v.intid() + " is already used in " + vm);
            }
            return v;
        }
        int n = vm.virqs.allocate();
        if (n < 0) {
            throw new RmFailure(RmError.NORESOURCE, what + ": no free VIRQ for " + vm + " ("
                    + VirqAllocator.VM_BASE + ".." + VirqAllocator.LAST_SPI + " are all taken)");
        }
        return Virq.edge(n);
    }

    /** A VIRQ in the RM's own VIC; the RM's vCPU takes it edge-triggered, as the RM records every VIRQ (§6.3). */
    private int rmVirq() {
        int n = rmVirqs.allocate();
        if (n < 0) {
            throw new RmFailure(RmError.NORESOURCE, "the RM is out of VIRQs");
        }
        rmVcpu.vic().configureEdge(rmVcpu.vicIndex(), n, true);
        return n;
    }

    private void setUpRmRpc(RmVm vm) {
        VmConfig.RmRpc r = vm.config.rmRpc();
        String what = "rm-rpc " + r.path();
        int rmTx = rmVirq();
        int rmRx = rmVirq();
        Virq tx = virq(vm, r.interrupts(), 0, what);
        Virq rx = virq(vm, r.interrupts(), 1, what);
        long toRm = hyp.msgqueue(r.queueDepth(), r.messageSize());
        vm.masterCaps.add(toRm);
        long toVm = hyp.msgqueue(r.queueDepth(), r.messageSize());
        vm.masterCaps.add(toVm);
        hyp.bindSend(toRm, vm.vicCap, tx.intid());
        hyp.bindReceive(toRm, rmVic, rmRx);
        hyp.bindSend(toVm, rmVic, rmTx);
        hyp.bindReceive(toVm, vm.vicCap, rx.intid());
        hyp.activate(toRm);
        hyp.activate(toVm);
        // TX first: in a fresh cspace the VM's caps come out in this order (0x1, 0x2 with plain CapIDs, §10.6)
        long txCap = hyp.grant(vm.cspaceCap, toRm, MsgQueueRights.SEND);
        long rxCap = hyp.grant(vm.cspaceCap, toVm, MsgQueueRights.RECEIVE);
        vm.rpcView = new QueuePair(txCap, rxCap, tx, rx, r.messageSize(), r.messageSize(), r.queueDepth(),
                r.queueDepth());
        vm.rmEndpoint = new RpcEndpoint(hv, hyp.rm(), toVm, toRm, 0);
        vm.link = new RmLink(vm.rmEndpoint, notificationCounter);
    }

    private void setUpVdevice(RmVm vm, VmConfig.Vdevice d) {
        String what = d.kind().dtName + " " + d.path();
        boolean sender = switch (d.kind()) {
            case MESSAGE_QUEUE_PAIR, DOORBELL_SOURCE -> true;
            case MESSAGE_QUEUE -> d.sender();
            default -> false;
        };
        long handle = d.kind() == VmConfig.Kind.SHM ? 0 : nextVdeviceHandle++;
        Side s = new Side(vm, d, d.kind(), d.label(), handle, sender);
        allocateVirqs(s, d.interrupts(), what);
        RmVm peerVm;
        Side join = null;
        if (d.peer().peerDefault()) {
            peerVm = vms.get(vm.owner);
            if (peerVm == null || peerVm.config == null) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": peer-default: the owner has no config");
            }
        } else {
            String id = d.peer().peerId().orElseThrow();
            if (id.equals(vm.name)) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": cannot be its own peer");
            }
            peerVm = vms.values().stream().filter(v -> v.config != null && v.name.equals(id)).findFirst()
                    .orElse(null);
            if (peerVm == null && system.vm(id).isEmpty()) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": peer '" + id + "' is not a VM of this system");
            }
            s.peerName = id;
            if (peerVm != null) {
                for (Side o : peerVm.sides) {
                    if (o.peer == null && vm.name.equals(o.peerName) && o.complements(s.kind, s.sender, s.label)) {
                        join = o;
                        break;
                    }
                }
                vm.peers.add(peerVm.vmid);
                peerVm.peers.add(vm.vmid);
            }
        }
        if (join != null) {
            joinObjects(s, join);
        } else {
            createObjects(s);
            if (d.peer().peerDefault()) {
                // the owner's side: no vdevice node of its own, seen only through VM_GET_HYP_RESOURCES
                Side o = new Side(peerVm, null, complement(s.kind), s.label, 0, !s.sender || s.kind
                        == VmConfig.Kind.MESSAGE_QUEUE_PAIR);
                allocateVirqs(o, List.of(), what + " (owner side)");
                joinObjects(o, s);
                peerVm.sides.add(o);
            }
        }
        vm.sides.add(s);
    }

    private static VmConfig.Kind complement(VmConfig.Kind k) {
        return switch (k) {
            case DOORBELL -> VmConfig.Kind.DOORBELL_SOURCE;
            case DOORBELL_SOURCE -> VmConfig.Kind.DOORBELL;
            default -> k;
        };
    }

    private void allocateVirqs(Side s, List<Virq> given, String what) {
        switch (s.kind) {
            case MESSAGE_QUEUE_PAIR -> {
                s.txVirq = virq(s.vm, given, 0, what);
                s.rxVirq = virq(s.vm, given, 1, what);
            }
            case DOORBELL, MESSAGE_QUEUE -> s.rxVirq = virq(s.vm, given, 0, what);
            default -> {
            }
        }
    }

    /** The first side of a vdevice: the RM makes the objects and gives this VM its caps and VIRQ bindings. */
    private void createObjects(Side s) {
        VmConfig.Vdevice d = s.cfg;
        RmVm vm = s.vm;
        switch (s.kind) {
            case MESSAGE_QUEUE_PAIR -> {
                s.masterA = hyp.msgqueue(d.queueDepth(), d.messageSize()); // this VM -> peer
                vm.masterCaps.add(s.masterA);
                s.masterB = hyp.msgqueue(d.queueDepth(), d.messageSize()); // peer -> this VM
                vm.masterCaps.add(s.masterB);
                hyp.bindSend(s.masterA, vm.vicCap, s.txVirq.intid());
                hyp.bindReceive(s.masterB, vm.vicCap, s.rxVirq.intid());
                hyp.activate(s.masterA);
                hyp.activate(s.masterB);
                s.txCap = hyp.grant(vm.cspaceCap, s.masterA, MsgQueueRights.SEND);
                s.rxCap = hyp.grant(vm.cspaceCap, s.masterB, MsgQueueRights.RECEIVE);
            }
            case MESSAGE_QUEUE -> {
                s.masterA = hyp.msgqueue(d.queueDepth(), d.messageSize());
                vm.masterCaps.add(s.masterA);
                wireQueueEnd(s, s.masterA);
                hyp.activate(s.masterA);
            }
            case DOORBELL, DOORBELL_SOURCE -> {
                s.masterA = hyp.doorbell();
                vm.masterCaps.add(s.masterA);
                wireDoorbellEnd(s, s.masterA);
                hyp.activate(s.masterA);
            }
            case SHM -> shareRegion(s);
        }
    }

    /** The second side: caps to the objects the first side's VM already has, VIRQs bound in this VM's VIC. */
    private void joinObjects(Side s, Side first) {
        RmVm vm = s.vm;
        switch (s.kind) {
            case MESSAGE_QUEUE_PAIR -> {
                s.masterA = first.masterB;
                s.masterB = first.masterA;
                hyp.bindSend(s.masterA, vm.vicCap, s.txVirq.intid());
                hyp.bindReceive(s.masterB, vm.vicCap, s.rxVirq.intid());
                s.txCap = hyp.grant(vm.cspaceCap, s.masterA, MsgQueueRights.SEND);
                s.rxCap = hyp.grant(vm.cspaceCap, s.masterB, MsgQueueRights.RECEIVE);
            }
            case MESSAGE_QUEUE -> {
                s.masterA = first.masterA;
                wireQueueEnd(s, s.masterA);
            }
            case DOORBELL, DOORBELL_SOURCE -> {
                s.masterA = first.masterA;
                wireDoorbellEnd(s, s.masterA);
            }
            case SHM -> {
                s.memparcel = first.memparcel;
                s.masterA = first.masterA;
                mapShared(s);
            }
        }
        s.peer = first;
        first.peer = s;
    }

    private void wireQueueEnd(Side s, long queue) {
        if (s.sender) {
            hyp.bindSend(queue, s.vm.vicCap, s.rxVirq.intid());
            s.txCap = hyp.grant(s.vm.cspaceCap, queue, MsgQueueRights.SEND);
        } else {
            hyp.bindReceive(queue, s.vm.vicCap, s.rxVirq.intid());
            s.txCap = hyp.grant(s.vm.cspaceCap, queue, MsgQueueRights.RECEIVE);
        }
    }

    /** §4: the source gets SEND (+RECEIVE with source-can-clear), the receiver RECEIVE and the VIRQ. */
    private void wireDoorbellEnd(Side s, long doorbell) {
        if (s.kind == VmConfig.Kind.DOORBELL_SOURCE) {
            boolean canClear = s.cfg != null && s.cfg.sourceCanClear();
            s.txCap = hyp.grant(s.vm.cspaceCap, doorbell, DoorbellRights.SEND | (canClear ? DoorbellRights.RECEIVE : 0));
        } else {
            hyp.bindDoorbell(doorbell, s.vm.vicCap, s.rxVirq.intid());
            s.txCap = hyp.grant(s.vm.cspaceCap, doorbell, DoorbellRights.RECEIVE);
        }
    }

    /**
     * shm: the RM shares the region the system config assigned (declared by either VM with this label) with both
     * VMs through a SHARE memparcel (§7.2). Not emitted into the overlay (see README).
     */
    private void shareRegion(Side s) {
        String other = s.peerName != null ? s.peerName : vms.get(s.vm.owner).name;
        Optional<SystemConfig.SharedRegion> region = system.shared().stream()
                .filter(r -> r.label() == s.label && (r.declaredBy().equals(s.vm.name) || r.declaredBy().equals(other)))
                .findFirst();
        OptionalLong base = s.cfg.shmBase();
        long ipa = region.map(SystemConfig.SharedRegion::base).orElse(base.orElse(-1));
        long size = region.map(SystemConfig.SharedRegion::size).orElse((long) PAGE);
        if (ipa < 0) {
            throw new RmFailure(RmError.MEM_INVALID, "shm " + s.cfg.path() + ": no region (no memory/base and none "
                    + "in system.dtb)");
        }
        int handle = nextParcel++;
        RmVm peer = vms.values().stream().filter(v -> v.name.equals(other)).findFirst().orElse(null);
        List<int[]> acl = new ArrayList<>();
        acl.add(new int[] {s.vm.vmid, 6});
        if (peer != null) {
            acl.add(new int[] {peer.vmid, 6});
        }
        parcels.put(handle, new Memparcel(handle, VMID_RM, 2, 0, s.label, acl, List.of(new long[] {ipa, size})));
        s.memparcel = handle;
        // the pages: an extent derived from the RM's DDR, mapped RW in each sharer at the region's address
        s.masterA = deriveRam(ipa, size, "shm " + s.cfg.path());
        s.vm.masterCaps.add(s.masterA);
        mapShared(s);
    }

    private void mapShared(Side s) {
        Memparcel p = parcels.get(s.memparcel);
        long[] range = p.sgl().get(0);
        hyp.map(s.vm.addrspaceCap, s.masterA, range[0], range[1], 6, "shm label " + s.label + " in " + s.vm);
    }

    // ---- the overlay (§10) ---------------------------------------------------------------------------

    private VmOverlayInfo overlayInfo(RmVm vm) {
        if (vm.primary) {
            return VmOverlayInfo.primary(vm.vmid, vm.rpcView);
        }
        VmConfig c = vm.config;
        List<Vdevice> out = new ArrayList<>();
        for (Side s : vm.sides) {
            if (s.cfg == null) {
                continue;
            }
            VmConfig.Vdevice d = s.cfg;
            switch (s.kind) {
                case MESSAGE_QUEUE_PAIR -> {
                    boolean peerNode = s.peer != null && s.peer.cfg != null;
                    out.add(new Vdevice.MessageQueuePair(d.generate(), d.pushCompatibles(),
                            new QueuePair(s.txCap, s.rxCap, s.txVirq, s.rxVirq, d.messageSize(), d.messageSize(),
                                    d.queueDepth(), d.queueDepth()),
                            s.handle, peerNode ? d.peer().peerId() : Optional.empty(),
                            peerNode ? OptionalLong.of(s.peer.vm.vmid) : OptionalLong.empty(), s.label));
                }
                case MESSAGE_QUEUE -> out.add(new Vdevice.MessageQueue(d.generate(), d.pushCompatibles(), s.txCap,
                        s.rxVirq, s.sender, d.messageSize(), d.queueDepth(), s.label));
                case DOORBELL, DOORBELL_SOURCE -> out.add(new Vdevice.Doorbell(d.generate(), d.pushCompatibles(),
                        s.txCap, Optional.ofNullable(s.rxVirq), s.label));
                case SHM -> {
                    // the shm node needs reserved-memory fragments the generator does not build yet
                }
            }
        }
        return new VmOverlayInfo(vm.vmid, vm.owner, c.imageName(), c.uri(), c.guid(), false,
                c.rmRpc().generate(), c.rmRpc().pushCompatibles(), vm.rpcView, out);
    }

    // ---- state, notifications, events ------------------------------------------------------------------

    private void setState(RmVm vm, VmState to, boolean notify) {
        VmState from = vm.state;
        if (!to.allowedFrom().contains(from) && !(vm.primary && to == VmState.RUNNING)) {
            throw new IllegalStateException(vm + ": " + from + " -> " + to + " is not a VM transition");
        }
        vm.state = to;
        event(vm.name, RmEvent.Kind.STATE, from + " -> " + to);
        if (notify) {
            broadcastStatus(vm);
        }
    }

    /** NOTIFY_VM_STATUS to every peer that is RUNNING and has an RPC link (§8.5). */
    private void broadcastStatus(RmVm vm) {
        byte[] payload = Wire.writer().u16(vm.vmid).u16(0).u8(vm.state.code).u8(vm.osState).u16(vm.appStatus)
                .build();
        for (int p : vm.peers) {
            RmVm peer = vms.get(p);
            if (peer != null && peer.state == VmState.RUNNING && peer.link != null) {
                peer.link.notify(MessageId.NOTIFY_VM_STATUS, payload);
            }
        }
    }

    private void failure(RmVm vm, String cause) {
        event(vm.name, RmEvent.Kind.FAILURE, cause);
    }

    private void note(String vm, String text) {
        event(vm, RmEvent.Kind.NOTE, text);
    }

    private void event(String vm, RmEvent.Kind kind, String text) {
        events.add(new RmEvent(clock.getAsLong(), vm, kind, text));
    }

    // ---- queries ---------------------------------------------------------------------------------------

    public List<RmEvent> events() {
        return List.copyOf(events);
    }

    /** Requests that hit a bug in a handler (answered MSG_INVALID instead of crashing); 0 in a healthy RM. */
    public int internalFaults() {
        return internalFaults;
    }

    public SystemConfig system() {
        return system;
    }

    /** Every VM the RM knows, by VMID. */
    public List<VmView> vms() {
        return vms.values().stream().map(ResourceManager::view).toList();
    }

    public Optional<VmView> vm(String name) {
        return vms.values().stream().filter(v -> v.name.equals(name)).findFirst().map(ResourceManager::view);
    }

    public Optional<VmView> vm(int vmid) {
        return Optional.ofNullable(vms.get(vmid)).map(ResourceManager::view);
    }

    /** Memparcels alive now, by handle. */
    public List<Memparcel> memparcels() {
        return List.copyOf(parcels.values());
    }

    private static VmView view(RmVm v) {
        return new VmView(v.name, v.vmid, v.primary, v.state, Optional.ofNullable(v.baseDtb).map(byte[]::clone),
                Optional.ofNullable(v.dtbo).map(byte[]::clone), Optional.ofNullable(v.guestDtb).map(byte[]::clone));
    }

    /** The RM's VIRQ of the VM→RM "message available" source etc. are in this VIC (for tests). */
    long rmVic() {
        return rmVic;
    }

    public Hypervisor hypervisor() {
        return hv;
    }
}
