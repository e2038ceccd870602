package dev.gunyahdt.hypervisor.vcpu;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.memory.VmmioCpu;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.VirqTarget;
import dev.gunyahdt.hypervisor.virq.Wakeable;
import java.util.Arrays;

/**
 * A vCPU — a {@code thread} object (§5). Created in INIT, powered off. Configured in INIT (options, priority,
 * timeslice, affinity, cspace/addrspace/VIC attachment), activated (needs a cspace and an addrspace, §2.2),
 * then powered on. The {@link Scheduler} runs it while it is ACTIVE, powered on, not killed, not waiting for an
 * interrupt, has a CPU affinity and is not proxy-scheduled; a proxy-scheduled vCPU runs only inside its
 * owner's {@code vcpu_run} (§5.3). Its operations follow [HYP] {@code hyp/vm/vcpu/aarch64/src/aarch64_init.c}
 * ({@code vcpu_configure}, {@code vcpu_poweron}, {@code vcpu_poweroff}), {@code reg_access.c}
 * ({@code vcpu_register_write}), {@code hyp/vm/vcpu/src/vcpu.c} ({@code vcpu_bind_virq}), {@code thread_kill} and
 * the FPRR scheduler's {@code scheduler_set_*} / {@code scheduler_yield_to}; {@link VcpuCalls} only decodes,
 * looks up and encodes.
 */
public final class Vcpu extends KernelObject implements Wakeable, VmmioCpu {
    /** vcpu_option_flags (code, §0): pinned, ras_error_handler, amu_counting_disabled, sve_allowed, debug, trace, critical, vcpu_run_scheduled, hlos_vm. */
    static final long OPTION_BITS = 0x3FL | 1L << 8 | 1L << 9 | 1L << 63;

    public static final long OPTION_VCPU_RUN_SCHEDULED = 1L << 9;

    private final Scheduler scheduler;
    private int priority = Scheduler.DEFAULT_PRIORITY;
    private long timeslice = Scheduler.TIMESLICE_DEFAULT;
    private int affinity = Scheduler.CPU_INDEX_INVALID;
    private long options;
    private CSpace cspace;
    private AddrSpace addrspace;
    private Vic vic;
    private int vicIndex = -1;
    private boolean poweredOn;
    private boolean killed;
    private boolean waiting;
    /** poweroff flags vcpu_run reports (bit 0: exited/killed). */
    private long poweroffFlags;

    private long pc;
    private final long[] x = new long[31];
    private final long[] spEl = new long[2];
    /** HALT (type 0) and VCPU_RUN_WAKEUP (type 1) VIRQ sources (§5.2, §5.3). */
    private final VirqSource haltVirq = new VirqSource(); // vcpu_halted: virq_assert(edge_only), no level check

    private final VirqSource wakeupVirq = new VirqSource();
    private boolean wakeupBound;
    /** Being run by a vcpu_run right now (a second one gets BUSY). */
    private boolean inRun;
    /** The scheduler's bookkeeping, kept on the thread as FPRR keeps it: remaining timeslice, where queued (-1: not). */
    long sliceLeft;

    int queuedCpu = -1;
    int queuedPriority = -1;
    private VcpuProgram program;
    /** The VPM group it was attached to with vpm_group_attach_vcpu, and its index there (§5.2). */
    private PowerGroup group;

    private int groupIndex = -1;
    /** A PSCI SYSTEM_RESET(2) this vCPU asked for: what vcpu_run reports once it is off (§5.3 state 0x100). */
    private long resetType;

    private long resetCookie;
    private boolean resetRequested;
    /** The VMMIO access it is blocked on (SCHEDULER_BLOCK_ADDRSPACE_VMMIO_ACCESS), or null. */
    private Vmmio vmmioBlocked;
    /** The access its owner's vcpu_run completed, until the program issues it again; or null. */
    private Vmmio vmmioDone;
    /** vcpu_run_last_state: the state the last vcpu_run reported, whose resume data the next one takes. */
    private long lastRunState = VcpuCalls.RUN_READY;

    /** A VMMIO access as [HYP] {@code addrspace.tc} keeps it on the thread: IPA, size, value, direction. */
    record Vmmio(long ipa, int size, long value, boolean write) {}

    Vcpu(long serial, Scheduler scheduler) {
        super(ObjectType.THREAD, serial);
        this.scheduler = scheduler;
    }

    /** The handle this vCPU makes hypercalls with: its cspace, and its address space as its memory. */
    public Caller caller() {
        return new Caller("vcpu#" + serial(), cspace, addrspace != null ? addrspace : GuestMemory.none(), this);
    }

    /**
     * Its own loads and stores: its address space as it sees it, with the VMMIO trap of a proxy-scheduled vCPU
     * ({@link AddrSpace#accessedBy}); unlike {@link #caller()}'s memory, which is what the hypervisor copies from.
     */
    public GuestMemory memory() {
        return addrspace != null ? addrspace.accessedBy(this) : GuestMemory.none();
    }

    /** Sets the guest code this vCPU runs (null: it does nothing when scheduled). */
    public void program(VcpuProgram p) {
        this.program = p;
    }

    VcpuProgram program() {
        return program;
    }

    // ---- configuration in INIT (vcpu_configure, *_attach_thread, vcpu_set_*) -------------------------

    /** cspace_attach_thread: the thread runs on {@code cs} from now on (it holds a reference). */
    HypError attachCSpace(CSpace cs) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (cspace != cs) {
            if (cspace != null) {
                cspace.detachThread();
            }
            cs.attachThread();
            cspace = cs;
        }
        return HypError.OK;
    }

    /** addrspace_attach_thread. */
    HypError attachAddrSpace(AddrSpace as) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        addrspace = as;
        return HypError.OK;
    }

    /** vic_attach_vcpu: index ≥ the VIC's max_vcpus → ARGUMENT_INVALID; an index held by another vCPU → BUSY (model choice). */
    HypError attachVic(Vic to, long index) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (index < 0 || index >= to.maxVcpus()) {
            return HypError.ARGUMENT_INVALID;
        }
        int i = (int) index;
        if (to.hasVcpu(i) && !(vic == to && vicIndex == i)) {
            return HypError.BUSY;
        }
        if (vic != null) {
            vic.detachVcpu(this);
        }
        to.attachVcpu(i, this);
        vic = to;
        vicIndex = i;
        return HypError.OK;
    }

    /**
     * vpm_group_attach_vcpu → [HYP] {@code vpm_attach}: INIT only (the call checks); an index that names no CPU →
     * ARGUMENT_INVALID. A second attach replaces the first group.
     */
    public HypError joinGroup(PowerGroup g, long index) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (index < 0 || index >= scheduler.cpus()) {
            return HypError.ARGUMENT_INVALID;
        }
        group = g;
        groupIndex = (int) index;
        return HypError.OK;
    }

    /** Its VPM group (PSCI calls are served only to a vCPU in one), or null. */
    public PowerGroup group() {
        return group;
    }

    /**
     * Its virtual MPIDR, set when it joins a VIC ([HYP] {@code vgic} attach: {@code platform_cpu_map_index_to_mpidr}
     * with the VIC's mapping — the QEMU one, Aff0 = index bits 2:0 and Aff1..3 = 0, unless vgic_set_mpidr_mapping
     * changed it); MPIDR_EL1's default (all affinities 0) before.
     */
    public long mpidr() {
        return vicIndex < 0 ? 0 : vic.mpidrMapping().mpidrOf(vicIndex);
    }

    /** vcpu_configure(options): INIT only (the option bits are checked by the call first). */
    HypError configure(long opts) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        options = opts;
        return HypError.OK;
    }

    /** scheduler_set_priority: above 62 → DENIED (code, §0), checked before the state; INIT only. */
    HypError setPriority(long prio) {
        if (Long.compareUnsigned(prio, Scheduler.MAX_VCPU_PRIORITY) > 0) {
            return HypError.DENIED;
        }
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        priority = (int) prio;
        return HypError.OK;
    }

    /** scheduler_set_timeslice: INIT only; 100 µs..100 ms else ARGUMENT_INVALID. */
    HypError setTimeslice(long ns) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (ns < Scheduler.TIMESLICE_MIN || ns > Scheduler.TIMESLICE_MAX) {
            return HypError.ARGUMENT_INVALID;
        }
        timeslice = ns;
        return HypError.OK;
    }

    /** scheduler_set_affinity: INIT or ACTIVE; the CPU was checked by the call. */
    HypError setAffinity(int cpu) {
        if (state() != ObjectState.INIT && state() != ObjectState.ACTIVE) {
            return HypError.OBJECT_STATE;
        }
        affinity = cpu;
        scheduler.update(this);
        return HypError.OK;
    }

    /**
     * vcpu_register_write(set, index, value): set 0 = X0..X30, 1 = PC (index 0), 2 = SP_EL0/1. Only while
     * powered off (§5.2): otherwise BUSY (model choice of error code).
     */
    HypError writeRegister(long set, long i, long value) {
        boolean valid = (set == 0 && i >= 0 && i < 31) || (set == 1 && i == 0) || (set == 2 && i >= 0 && i < 2);
        if (!valid) {
            return HypError.ARGUMENT_INVALID;
        }
        if (poweredOn) {
            return HypError.BUSY;
        }
        if (set == 0) {
            x[(int) i] = value;
        } else if (set == 1) {
            pc = value;
        } else {
            spEl[(int) i] = value;
        }
        return HypError.OK;
    }

    // ---- power and lifecycle ---------------------------------------------------------------------

    /**
     * vcpu_poweron(entry, context, flags): already on (or killed) → BUSY. Sets PC and X0 unless the preserve
     * flags (bit 0 entry, bit 1 context) say otherwise; a proxy-scheduled vCPU leaving POWERED_OFF raises its
     * wakeup VIRQ.
     */
    public HypError powerOn(long entry, long context, long flags) {
        if (poweredOn || killed) {
            return HypError.BUSY;
        }
        if ((flags & 1) == 0) {
            pc = entry;
        }
        if ((flags & 2) == 0) {
            x[0] = context;
        }
        poweredOn = true;
        waiting = false;
        poweroffFlags = 0;
        resetRequested = false;
        haltVirq.clear();
        scheduler.update(this);
        if (isProxy()) {
            wakeupVirq.assertLevel();
        }
        return HypError.OK;
    }

    /**
     * vcpu_poweroff: only the calling vCPU itself ({@code byItself}), powered on; else ARGUMENT_INVALID. Then
     * [HYP] {@code psci_handle_vcpu_poweroff}: outside a group {@code last} must be set; in an aggregating group it
     * must say whether this is the group's last powered-on vCPU; otherwise DENIED. Forced (PSCI stop-all) skips
     * that rule and halts the vCPU: only then is its HALT VIRQ raised ([HYP] {@code vcpu_poweroff} calls
     * {@code vcpu_halted} when forced; a plain CPU_OFF just blocks). The real call does not return on success; the
     * model returns OK to the guest program, whose vCPU is now off.
     */
    public HypError powerOff(boolean byItself, boolean last, boolean force) {
        if (!byItself || !poweredOn) {
            return HypError.ARGUMENT_INVALID;
        }
        if (!force) {
            boolean allowed = group == null ? last : !group.aggregates() || last == (group.online() == 1);
            if (!allowed) {
                return HypError.DENIED;
            }
        }
        stop(0, force);
        return HypError.OK;
    }

    /**
     * PSCI CPU_SUSPEND → [HYP] {@code vcpu_suspend}: with an interrupt deliverable it does not suspend (BUSY, which
     * PSCI reports as SUCCESS); else it waits like WFI. A powerdown state warm-resets it to {@code entry} with X0 =
     * {@code context} ({@code vcpu_warm_reset}).
     */
    public HypError suspend(boolean powerdown, long entry, long context) {
        boolean slept = waitForInterrupt();
        if (slept && powerdown) {
            pc = entry;
            x[0] = context;
        }
        return slept ? HypError.OK : HypError.BUSY;
    }

    /** PSCI SYSTEM_RESET / SYSTEM_RESET2 by this vCPU: what vcpu_run reports once it is off (§5.3 state 0x100). */
    public void requestReset(long type, long cookie) {
        resetRequested = true;
        resetType = type;
        resetCookie = cookie;
    }

    /** The reset this vCPU asked for before it stopped ({@code null}: none): {type word, cookie}. */
    long[] resetRequest() {
        return resetRequested ? new long[] {resetType, resetCookie} : null;
    }

    /** vcpu_kill (thread_kill): already killed → OBJECT_STATE. It never runs again. */
    public HypError kill() {
        if (killed) {
            return HypError.OBJECT_STATE;
        }
        killed = true;
        stop(1, false); // thread_kill: the thread exits, it does not halt (no HALT VIRQ)
        return HypError.OK;
    }

    /** Off with {@code flags}; {@code halted}: [HYP] {@code vcpu_halted}, which raises the HALT VIRQ for the RM. */
    private void stop(long flags, boolean halted) {
        poweredOn = false;
        waiting = false;
        // a kill (or a group stop) ends a VMMIO block: the killed thread unwinds and exits
        vmmioBlocked = null;
        vmmioDone = null;
        poweroffFlags = flags;
        scheduler.update(this);
        if (halted) {
            haltVirq.assertEdgeOnly();
        }
    }

    /** scheduler_yield: to the tail of its queue with a fresh timeslice. */
    void yield() {
        scheduler.yield(this);
    }

    /** scheduler_yield_to {@code target}: this yields and {@code target}, if ready, moves to the head of its queue. */
    void yieldTo(Vcpu target) {
        scheduler.yieldTo(this, target);
    }

    // ---- VIRQs and vcpu_run ----------------------------------------------------------------------

    /** vcpu_bind_virq(type) → vic_bind_shared: a wakeup VIRQ makes the vCPU proxy-scheduled. */
    HypError bindVirq(long type, VirqTarget target, int virq) {
        VirqSource src = source(type);
        if (src == null) {
            return HypError.ARGUMENT_INVALID;
        }
        HypError e = src.bind(target, virq);
        if (e == HypError.OK && src == wakeupVirq) {
            wakeupBound = true;
            scheduler.update(this);
        }
        return e;
    }

    /** vcpu_unbind_virq(type). */
    HypError unbindVirq(long type) {
        VirqSource src = source(type);
        if (src == null) {
            return HypError.ARGUMENT_INVALID;
        }
        src.unbind();
        if (src == wakeupVirq && wakeupBound) {
            wakeupBound = false;
            scheduler.update(this);
        }
        return HypError.OK;
    }

    private VirqSource source(long type) {
        return type == VcpuCalls.VIRQ_HALT ? haltVirq : type == VcpuCalls.VIRQ_RUN_WAKEUP ? wakeupVirq : null;
    }

    /**
     * vcpu_run by another thread ({@code byItself} false): not proxy-scheduled, or being run already → BUSY.
     * First the resume event of the state the last vcpu_run reported ([HYP] {@code addrspace_handle_vcpu_run_resume_*}):
     * after ADDRSPACE_VMMIO_READ {@code resume0} is the value read, after _WRITE nothing; either unblocks the
     * access. Then one step of the program unless the vCPU is off, waiting or still blocked.
     */
    HypError run(boolean byItself, long resume0) {
        if (!isProxy() || inRun || byItself) {
            return HypError.BUSY;
        }
        if (vmmioBlocked != null
                && (lastRunState == VcpuCalls.RUN_ADDRSPACE_VMMIO_READ
                        || lastRunState == VcpuCalls.RUN_ADDRSPACE_VMMIO_WRITE)) {
            Vmmio b = vmmioBlocked;
            vmmioDone = b.write() ? b : new Vmmio(b.ipa(), b.size(), resume0, false);
            vmmioBlocked = null;
        }
        if (poweredOn && !waiting && vmmioBlocked == null && program != null) {
            inRun = true;
            try {
                program.step(this);
            } finally {
                inRun = false;
            }
        }
        return HypError.OK;
    }

    /** What vcpu_run reported last (the state whose resume data the next call takes). */
    void ranWith(long state) {
        lastRunState = state;
    }

    /** The VMMIO access it is blocked on, or null. */
    Vmmio vmmioBlocked() {
        return vmmioBlocked;
    }

    /**
     * Whether its last load or store trapped to its owner and has not completed: the guest program's step ends
     * there and it issues the access again once resumed (see {@link VmmioCpu}); a blocked vCPU does not WFI.
     */
    public boolean accessUnfinished() {
        return vmmioBlocked != null;
    }

    @Override
    public boolean vcpuRunEnabled() {
        return isProxy();
    }

    @Override
    public void blockOnVmmio(long ipa, int size, long value, boolean write) {
        vmmioBlocked = new Vmmio(ipa, size, value, write);
        vmmioDone = null;
    }

    @Override
    public Long takeCompletedVmmio(long ipa, int size, long value, boolean write) {
        Vmmio d = vmmioDone;
        if (d == null || d.ipa() != ipa || d.size() != size || d.write() != write || (write && d.value() != value)) {
            return null;
        }
        vmmioDone = null;
        return d.value();
    }

    /**
     * WFI: unless an interrupt is deliverable to this vCPU already, it stops being runnable until a VIRQ
     * routed to it is asserted. Returns whether it now waits.
     */
    public boolean waitForInterrupt() {
        if (!poweredOn || vmmioBlocked != null || (vic != null && vic.hasDeliverable(vicIndex))) {
            return false;
        }
        waiting = true;
        scheduler.update(this);
        return true;
    }

    /** A VIRQ for this vCPU became deliverable: a WFI ends; a proxy-scheduled vCPU raises its owner's wakeup VIRQ. */
    @Override
    public void virqDeliverable() {
        if (waiting) {
            waiting = false;
            scheduler.update(this);
            if (isProxy()) {
                wakeupVirq.assertLevel();
            }
        }
    }

    public boolean proxyScheduled() {
        return isProxy();
    }

    private boolean isProxy() {
        return (options & OPTION_VCPU_RUN_SCHEDULED) != 0 || wakeupBound;
    }

    /** Runnable by the FPRR scheduler (not counting the proxy rule, which the scheduler checks too). */
    boolean runnable() {
        return state() == ObjectState.ACTIVE
                && poweredOn
                && !killed
                && !waiting
                && !isProxy()
                && affinity != Scheduler.CPU_INDEX_INVALID;
    }

    public boolean poweredOn() {
        return poweredOn;
    }

    public boolean waiting() {
        return waiting;
    }

    /** The poweroff flags vcpu_run reports once it is off (bit 0: killed). */
    long poweroffFlags() {
        return poweroffFlags;
    }

    public int priority() {
        return priority;
    }

    public int affinity() {
        return affinity;
    }

    /** The timeslice the scheduler refills with. */
    public long timeslice() {
        return timeslice;
    }

    /** The VIC this vCPU is attached to (for the guest's GIC CPU-interface accesses), or null. */
    public Vic vic() {
        return vic;
    }

    /** Its index in that VIC. */
    public int vicIndex() {
        return vicIndex;
    }

    /** PC and X0..X30 as set by poweron / register_write (what the guest program starts from). */
    public long pc() {
        return pc;
    }

    public long x(int i) {
        return x[i];
    }

    /** §2.2: an attached cspace and addrspace are required. */
    @Override
    protected HypError onActivate() {
        if (cspace == null || addrspace == null) {
            return HypError.OBJECT_CONFIG;
        }
        if (group != null) {
            HypError e = group.activate(this, groupIndex);
            if (e != HypError.OK) {
                return e;
            }
        }
        sliceLeft = timeslice;
        return HypError.OK;
    }

    @Override
    protected void onDestroy() {
        poweredOn = false;
        killed = true;
        scheduler.remove(this);
        if (group != null) {
            group.leave(this);
        }
        haltVirq.unbind();
        wakeupVirq.unbind();
        if (vic != null) {
            vic.detachVcpu(this);
        }
        if (cspace != null) {
            cspace.detachThread();
        }
    }

    @Override
    protected String describeState() {
        return " prio=" + priority + " slice=" + timeslice + " left=" + sliceLeft + " aff=" + affinity
                + " opts=" + Long.toHexString(options) + " cs=" + cspace + " as=" + addrspace + " vic=" + vic
                + "/" + vicIndex + (poweredOn ? " on" : " off") + (killed ? " killed" : "")
                + (waiting ? " wfi" : "") + " offflags=" + poweroffFlags + " pc=" + Long.toHexString(pc)
                + " x=" + Arrays.toString(x) + " sp=" + Arrays.toString(spEl) + " halt=" + haltVirq
                + " wakeup=" + wakeupVirq + " q=" + queuedCpu + "/" + queuedPriority
                + (group != null ? " vpm=" + group + "/" + groupIndex : "")
                + (resetRequested ? " reset=" + Long.toHexString(resetType) + "/" + resetCookie : "");
    }
}
