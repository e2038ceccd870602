package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayStyle;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RmIntake;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.Vic;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>Like Gunyah's RM, one unit per service: {@link VmLifecycle}, {@link HypResources}, {@link ConsoleService},
 * {@link Memparcels}, {@link IrqManager}, {@link VmFirmware}, {@link VmTimeBase}, {@link VmSetup} with {@link Vdevices}, and {@link OverlayInputs}; they share one
 * {@link RmContext}. This class keeps the public surface and the dispatch table from message ID to service.
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
    static final int PAGE = 4096;

    private final RmContext ctx;
    private final Memparcels memparcels;
    private final VmLifecycle lifecycle;
    private final HypResources hypResources;
    private final ConsoleService console;
    private final IrqManager irqs;
    private final VmFirmware firmware;
    private final Map<MessageId, Handler> handlers = new EnumMap<>(MessageId.class);
    private int internalFaults;

    @FunctionalInterface
    private interface Handler {
        /** The reply data after the OK error word; throws {@link RmFailure} to answer an error. */
        byte[] handle(RmVm caller, Wire.Reader in);
    }

    private ResourceManager(
            Hypervisor hv,
            SystemConfig system,
            Platform platform,
            VcpuHost host,
            LongSupplier clock,
            OverlayStyle overlayStyle) {
        this.ctx = new RmContext(hv, system, platform, host, clock);
        this.memparcels = new Memparcels(ctx);
        OverlayInputs overlays = new OverlayInputs(ctx, memparcels, overlayStyle);
        VmSetup setup = new VmSetup(ctx, new Vdevices(ctx));
        this.irqs = new IrqManager(ctx);
        this.firmware = new VmFirmware(ctx, memparcels);
        this.lifecycle = new VmLifecycle(ctx, memparcels, setup, overlays, irqs, firmware);
        this.hypResources = new HypResources(ctx);
        this.console = new ConsoleService(ctx);
        ctx.startRmVcpu(this::runVcpu);
        installHandlers();
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
        taken.forEach(lifecycle::vcpuHalted); // a HALT VIRQ: vcpu_halt_callback; others are the links'
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
    public static ResourceManager boot(
            Hypervisor hv,
            SystemConfig system,
            Platform platform,
            byte[] primaryDtb,
            VcpuHost host,
            LongSupplier clock) {
        return boot(hv, system, platform, primaryDtb, host, clock, OverlayStyle.RM);
    }

    /** {@link #boot(Hypervisor, SystemConfig, Platform, byte[], VcpuHost, LongSupplier)} writing overlays of a style. */
    public static ResourceManager boot(
            Hypervisor hv,
            SystemConfig system,
            Platform platform,
            byte[] primaryDtb,
            VcpuHost host,
            LongSupplier clock,
            OverlayStyle overlayStyle) {
        ResourceManager rm = new ResourceManager(hv, system, platform, host, clock, overlayStyle);
        rm.lifecycle.startPrimary(primaryDtb);
        return rm;
    }

    // ---- the RPC loop ------------------------------------------------------------------------------

    /**
     * Serves each client once: sends what waits for it, then takes its requests one at a time while its reply
     * slot is free (a client that does not read its replies only stalls itself). True when anything came in.
     */
    public boolean step() {
        boolean progress = false;
        for (RmVm vm : List.copyOf(ctx.vms.values())) {
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
                        reply = RpcMessage.reply(m, f.error(), f.data());
                    } catch (RuntimeException bug) {
                        // never let one request take the RM down; counted so tests can insist on zero
                        internalFaults++;
                        ctx.note(vm.name, "internal fault serving " + o.id() + ": " + bug);
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
        handlers.put(MessageId.VM_ALLOCATE, lifecycle::vmAllocate);
        handlers.put(MessageId.VM_DEALLOCATE, lifecycle::vmDeallocate);
        handlers.put(MessageId.VM_CONFIG_IMAGE, lifecycle::vmConfigImage);
        handlers.put(MessageId.VM_INIT, lifecycle::vmInit);
        handlers.put(MessageId.VM_START, lifecycle::vmStart);
        handlers.put(MessageId.VM_STOP, lifecycle::vmStop);
        handlers.put(MessageId.VM_RESET, lifecycle::vmReset);
        handlers.put(MessageId.VM_EXIT, lifecycle::vmExit);
        handlers.put(MessageId.VM_GET_VMID, (c, in) -> Wire.writer().u32(c.vmid).build());
        handlers.put(
                MessageId.VM_GET_OWNER, (c, in) -> Wire.writer().u32(c.owner).build());
        handlers.put(MessageId.VM_GET_PEERS, lifecycle::vmGetPeers);
        VmIdentity identity = new VmIdentity(ctx);
        handlers.put(MessageId.VM_GET_ID, identity::getId);
        handlers.put(MessageId.VM_LOOKUP_URI, identity::lookupUri);
        handlers.put(MessageId.VM_LOOKUP_GUID, identity::lookupGuid);
        handlers.put(MessageId.VM_LOOKUP_NAME, identity::lookupName);
        handlers.put(MessageId.VM_SET_CRASH_MSG, identity::setCrashMsg);
        handlers.put(MessageId.VM_GET_CRASH_MSG, identity::getCrashMsg);
        handlers.put(MessageId.VM_GET_STATE, lifecycle::vmGetState);
        handlers.put(MessageId.VM_SET_STATUS, lifecycle::vmSetStatus);
        handlers.put(
                MessageId.VM_HOST_GET_TYPE,
                (c, in) -> Wire.writer().u32(0x0100_0164L).build());
        handlers.put(MessageId.VM_GET_HYP_RESOURCES, hypResources::vmGetHypResources);
        handlers.put(MessageId.VM_CONSOLE_OPEN, (c, in) -> console.console(c, in, 0));
        handlers.put(MessageId.VM_CONSOLE_CLOSE, (c, in) -> console.console(c, in, 1));
        handlers.put(MessageId.VM_CONSOLE_WRITE, (c, in) -> console.console(c, in, 2));
        handlers.put(MessageId.VM_CONSOLE_FLUSH, (c, in) -> console.console(c, in, 3));
        handlers.put(MessageId.MEM_LEND, (c, in) -> memparcels.memCreate(c, in, 1));
        handlers.put(MessageId.MEM_SHARE, (c, in) -> memparcels.memCreate(c, in, 2));
        handlers.put(MessageId.MEM_DONATE, (c, in) -> memparcels.memCreate(c, in, 0));
        handlers.put(MessageId.MEM_RECLAIM, memparcels::memReclaim);
        handlers.put(MessageId.MEM_ACCEPT, memparcels::memAccept);
        handlers.put(MessageId.MEM_RELEASE, memparcels::memRelease);
        handlers.put(MessageId.MEM_NOTIFY, memparcels::memNotify);
        handlers.put(MessageId.MEM_APPEND, memparcels::memAppend);
        handlers.put(MessageId.MEM_QCOM_LOOKUP_SGL, memparcels::memLookupSgl);
        handlers.put(MessageId.VM_IRQ_LEND, irqs::lend);
        handlers.put(MessageId.VM_IRQ_ACCEPT, irqs::accept);
        handlers.put(MessageId.VM_IRQ_RELEASE, irqs::release);
        handlers.put(MessageId.VM_IRQ_RECLAIM, irqs::reclaim);
        handlers.put(MessageId.VM_IRQ_NOTIFY, irqs::notify);
        handlers.put(MessageId.VM_AUTH_IMAGE, lifecycle::vmAuthImage);
        handlers.put(MessageId.FW_MILESTONE, firmware::milestone);
        handlers.put(MessageId.FW_SET_VM_FIRMWARE, firmware::setVmFirmware);
        handlers.put(MessageId.VM_SET_FIRMWARE_MEM, firmware::setFirmwareMem);
        handlers.put(MessageId.VM_SET_TIME_BASE, new VmTimeBase(ctx)::set);
        handlers.put(MessageId.IPA_RESERVE, new IpaReservations(ctx)::reserve);
    }

    // ---- queries ---------------------------------------------------------------------------------------

    public List<RmEvent> events() {
        return List.copyOf(ctx.events);
    }

    /** Requests that hit a bug in a handler (answered MSG_INVALID instead of crashing); 0 in a healthy RM. */
    public int internalFaults() {
        return internalFaults;
    }

    public SystemConfig system() {
        return ctx.system;
    }

    /** Every VM the RM knows, by VMID. */
    public List<VmView> vms() {
        return ctx.vms.values().stream().map(ResourceManager::view).toList();
    }

    public Optional<VmView> vm(String name) {
        return ctx.vms.values().stream()
                .filter(v -> v.name.equals(name))
                .findFirst()
                .map(ResourceManager::view);
    }

    public Optional<VmView> vm(int vmid) {
        return Optional.ofNullable(ctx.vms.get(vmid)).map(ResourceManager::view);
    }

    /** Memparcels alive now, by handle. */
    public List<Memparcel> memparcels() {
        return memparcels.all();
    }

    private static VmView view(RmVm v) {
        return new VmView(
                v.name,
                v.vmid,
                v.primary,
                v.state,
                Optional.ofNullable(v.baseDtb).map(byte[]::clone),
                Optional.ofNullable(v.dtbo).map(byte[]::clone),
                Optional.ofNullable(v.guestDtb).map(byte[]::clone));
    }

    /** The RM's VIRQ of the VM→RM "message available" source etc. are in this VIC (for tests). */
    long rmVic() {
        return ctx.rmVic;
    }

    public Hypervisor hypervisor() {
        return ctx.hv;
    }
}
