package dev.gunyahdt.hypervisor.vcpu;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.Wakeable;

import java.util.Arrays;

/**
 * A vCPU — a {@code thread} object (§5). Created in INIT, powered off. Configured in INIT (options, priority,
 * timeslice, affinity, cspace/addrspace/VIC attachment), activated (needs a cspace and an addrspace, §2.2),
 * then powered on. The {@link Scheduler} runs it while it is ACTIVE, powered on, not killed, not waiting for an
 * interrupt, has a CPU affinity and is not proxy-scheduled; a proxy-scheduled vCPU runs only inside its
 * owner's {@code vcpu_run} (§5.3).
 */
public final class Vcpu extends KernelObject implements Wakeable {
    /** vcpu_option_flags (code, §0): pinned, ras_error_handler, amu_counting_disabled, sve_allowed, debug, trace, critical, vcpu_run_scheduled, hlos_vm. */
    static final long OPTION_BITS = 0x3FL | 1L << 8 | 1L << 9 | 1L << 63;
    public static final long OPTION_VCPU_RUN_SCHEDULED = 1L << 9;

    final Scheduler scheduler;
    int priority = Scheduler.DEFAULT_PRIORITY;
    long timeslice = Scheduler.TIMESLICE_DEFAULT;
    int affinity = Scheduler.CPU_INDEX_INVALID;
    long options;
    CSpace cspace;
    AddrSpace addrspace;
    Vic vic;
    int vicIndex = -1;
    boolean poweredOn;
    boolean killed;
    boolean waiting;
    /** poweroff flags vcpu_run reports (bit 0: exited/killed). */
    long poweroffFlags;
    long pc;
    final long[] x = new long[31];
    final long[] spEl = new long[2];
    /** HALT (type 0) and VCPU_RUN_WAKEUP (type 1) VIRQ sources (§5.2, §5.3). */
    final VirqSource haltVirq = new VirqSource(() -> !poweredOn);
    final VirqSource wakeupVirq = new VirqSource();
    boolean wakeupBound;
    /** Being run by a vcpu_run right now (a second one gets BUSY). */
    boolean inRun;
    /** Scheduler bookkeeping: remaining timeslice, and where it is queued (-1: not queued). */
    long sliceLeft;
    int queuedCpu = -1;
    int queuedPriority = -1;
    private VcpuProgram program;

    public Vcpu(long serial, Scheduler scheduler) {
        super(ObjectType.THREAD, serial);
        this.scheduler = scheduler;
    }

    /** The handle this vCPU makes hypercalls with: its cspace, and its address space as its memory. */
    public Caller caller() {
        return new Caller("vcpu#" + serial(), cspace, addrspace != null ? addrspace : GuestMemory.none(), this);
    }

    /** Sets the guest code this vCPU runs (null: it does nothing when scheduled). */
    public void program(VcpuProgram p) {
        this.program = p;
    }

    VcpuProgram program() {
        return program;
    }

    /**
     * WFI: unless an interrupt is deliverable to this vCPU already, it stops being runnable until a VIRQ
     * routed to it is asserted. Returns whether it now waits.
     */
    public boolean waitForInterrupt() {
        if (!poweredOn || (vic != null && vic.hasDeliverable(vicIndex))) {
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

    boolean isProxy() {
        return (options & OPTION_VCPU_RUN_SCHEDULED) != 0 || wakeupBound;
    }

    /** Runnable by the FPRR scheduler (not counting the proxy rule, which the scheduler checks too). */
    boolean runnable() {
        return state() == ObjectState.ACTIVE && poweredOn && !killed && !waiting && !isProxy()
                && affinity != Scheduler.CPU_INDEX_INVALID;
    }

    public boolean poweredOn() {
        return poweredOn;
    }

    public boolean waiting() {
        return waiting;
    }

    public int priority() {
        return priority;
    }

    public int affinity() {
        return affinity;
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
        sliceLeft = timeslice;
        return HypError.OK;
    }

    @Override
    protected void onDestroy() {
        poweredOn = false;
        killed = true;
        scheduler.remove(this);
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
                + " wakeup=" + wakeupVirq + " q=" + queuedCpu + "/" + queuedPriority;
    }
}
