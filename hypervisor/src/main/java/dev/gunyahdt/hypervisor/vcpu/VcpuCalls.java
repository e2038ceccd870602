package dev.gunyahdt.hypervisor.vcpu;

import dev.gunyahdt.hypervisor.call.ThreadRights;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.cspace.Lookup;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.virq.VirqSource;

/**
 * The vCPU hypercalls (§1.4, §5) and the three calls that attach a thread to its containers. Where the code
 * checks an argument before the cap lookup (poweron/poweroff/configure flags, an affinity that names no CPU)
 * so does the model, as in [HYP] {@code hyp/vm/vcpu/aarch64/src/hypercalls.c}.
 */
public final class VcpuCalls {
    public static final int VIC_ATTACH_VCPU = 0x29;
    public static final int ADDRSPACE_ATTACH_THREAD = 0x2A;
    public static final int CONFIGURE = 0x34;
    public static final int POWERON = 0x38;
    public static final int POWEROFF = 0x39;
    public static final int KILL = 0x3A;
    public static final int SCHEDULER_YIELD = 0x3B;
    public static final int SET_AFFINITY = 0x3D;
    public static final int CSPACE_ATTACH_THREAD = 0x3E;
    public static final int SET_PRIORITY = 0x46;
    public static final int SET_TIMESLICE = 0x47;
    public static final int BIND_VIRQ = 0x5C;
    public static final int UNBIND_VIRQ = 0x5D;
    public static final int REGISTER_WRITE = 0x64;
    public static final int RUN = 0x65;
    public static final int RUN_CHECK = 0x68;

    /** vcpu_virq_type (§1.5). */
    public static final int VIRQ_HALT = 0;
    public static final int VIRQ_RUN_WAKEUP = 1;
    /** vcpu_run states (§5.3). */
    public static final int RUN_READY = 0;
    public static final int RUN_EXPECTS_WAKEUP = 1;
    public static final int RUN_POWERED_OFF = 2;
    /** poweron flags: preserve entry point, preserve context. */
    static final long POWERON_FLAG_BITS = 0x3;
    /** poweroff flags: last_vcpu. */
    static final long POWEROFF_FLAG_BITS = 0x1;
    /** scheduler_yield control: hint 15:0, impl_def 31. */
    static final int YIELD = 0;
    static final int YIELD_TO_THREAD = 1;
    static final int YIELD_LOWER = 2;

    private VcpuCalls() {
    }

    public static void install(HypercallTable t) {
        t.define(CSPACE_ATTACH_THREAD, "cspace_attach_thread", Reserved.res0(2), VcpuCalls::cspaceAttach);
        t.define(ADDRSPACE_ATTACH_THREAD, "addrspace_attach_thread", Reserved.res0(2), VcpuCalls::addrspaceAttach);
        t.define(VIC_ATTACH_VCPU, "vic_attach_vcpu", Reserved.res0(3), VcpuCalls::vicAttach);
        t.define(CONFIGURE, "vcpu_configure", Reserved.res0(2), VcpuCalls::configure);
        t.define(POWERON, "vcpu_poweron", Reserved.NONE, VcpuCalls::poweron);
        t.define(POWEROFF, "vcpu_poweroff", Reserved.NONE, VcpuCalls::poweroff);
        t.define(KILL, "vcpu_kill", Reserved.res0(1), VcpuCalls::kill);
        t.define(SCHEDULER_YIELD, "scheduler_yield", Reserved.res0(2), VcpuCalls::yield);
        t.define(SET_AFFINITY, "vcpu_set_affinity", Reserved.res1(2), VcpuCalls::setAffinity);
        t.define(SET_PRIORITY, "vcpu_set_priority", Reserved.NONE, VcpuCalls::setPriority);
        t.define(SET_TIMESLICE, "vcpu_set_timeslice", Reserved.NONE, VcpuCalls::setTimeslice);
        t.define(BIND_VIRQ, "vcpu_bind_virq", Reserved.res0(4), VcpuCalls::bindVirq);
        t.define(UNBIND_VIRQ, "vcpu_unbind_virq", Reserved.res0(2), VcpuCalls::unbindVirq);
        t.define(REGISTER_WRITE, "vcpu_register_write", Reserved.res0(4), VcpuCalls::registerWrite);
        t.define(RUN, "vcpu_run", Reserved.res0(4), VcpuCalls::run);
        // Code: X1 reserved (the doc says X4, §0).
        t.define(RUN_CHECK, "vcpu_run_check", Reserved.res0(1), VcpuCalls::runCheck);
    }

    /** The thread argument of attach/configure calls: any state, OBJECT_ACTIVATE (§2.4); then INIT only. */
    private static Lookup initThread(CallContext ctx, long cap) {
        return ctx.forConfigure(cap, ObjectType.THREAD);
    }

    private static HvcResult notInit(Vcpu v) {
        return v.state() != ObjectState.INIT ? HvcResult.error(HypError.OBJECT_STATE) : null;
    }

    /** Attach rules (§2.2): the container ACTIVE with its ATTACH right, the thread still INIT. */
    private static HvcResult cspaceAttach(CallContext ctx, HvcArgs in) {
        Lookup c = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.ATTACH);
        if (!c.ok()) {
            return HvcResult.error(c.error());
        }
        Lookup t = initThread(ctx, in.x1());
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        HvcResult bad = notInit(v);
        if (bad != null) {
            return bad;
        }
        CSpace cs = c.as(CSpace.class);
        if (v.cspace != cs) {
            if (v.cspace != null) {
                v.cspace.detachThread();
            }
            cs.attachThread();
            v.cspace = cs;
        }
        return HvcResult.ok();
    }

    private static HvcResult addrspaceAttach(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.active(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.ATTACH);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup t = initThread(ctx, in.x1());
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        HvcResult bad = notInit(v);
        if (bad != null) {
            return bad;
        }
        v.addrspace = a.as(AddrSpace.class);
        return HvcResult.ok();
    }

    /** index ≥ the VIC's max_vcpus → ARGUMENT_INVALID; an index held by another vCPU → BUSY (model choice). */
    private static HvcResult vicAttach(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.VIC, VicRights.ATTACH_VCPU);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Lookup t = initThread(ctx, in.x1());
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        HvcResult bad = notInit(v);
        if (bad != null) {
            return bad;
        }
        Vic vic = l.as(Vic.class);
        long index = in.x2();
        if (index < 0 || index >= vic.maxVcpus()) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        int i = (int) index;
        if (vic.hasVcpu(i) && !(v.vic == vic && v.vicIndex == i)) {
            return HvcResult.error(HypError.BUSY);
        }
        if (v.vic != null) {
            v.vic.detachVcpu(v);
        }
        vic.attachVcpu(i, v);
        v.vic = vic;
        v.vicIndex = i;
        return HvcResult.ok();
    }

    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        if ((in.x1() & ~Vcpu.OPTION_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = initThread(ctx, in.x0());
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        HvcResult bad = notInit(v);
        if (bad != null) {
            return bad;
        }
        v.options = in.x1();
        return HvcResult.ok();
    }

    /**
     * vcpu_poweron(vcpu, entry, context, flags): POWER, ACTIVE; already on (or killed) → BUSY. Sets PC and X0
     * unless the preserve flags say otherwise; a proxy-scheduled vCPU leaving POWERED_OFF raises its wakeup VIRQ.
     */
    private static HvcResult poweron(CallContext ctx, HvcArgs in) {
        if ((in.x3() & ~POWERON_FLAG_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.POWER);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        if (v.poweredOn || v.killed) {
            return HvcResult.error(HypError.BUSY);
        }
        if ((in.x3() & 1) == 0) {
            v.pc = in.x1();
        }
        if ((in.x3() & 2) == 0) {
            v.x[0] = in.x2();
        }
        v.poweredOn = true;
        v.waiting = false;
        v.poweroffFlags = 0;
        v.haltVirq.clear();
        v.scheduler.update(v);
        if (v.isProxy()) {
            v.wakeupVirq.assertLevel();
        }
        return HvcResult.ok();
    }

    /**
     * vcpu_poweroff(vcpu, flags): only the calling vCPU itself (else ARGUMENT_INVALID). The real call does not
     * return on success; the model returns OK to the guest program, whose vCPU is now off and halted (HALT
     * VIRQ raised). VPM groups are not built, so the last_vcpu flag is accepted either way.
     */
    private static HvcResult poweroff(CallContext ctx, HvcArgs in) {
        if ((in.x1() & ~POWEROFF_FLAG_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.POWER);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        if (v != ctx.vcpu() || !v.poweredOn) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        halt(v, 0);
        return HvcResult.ok();
    }

    /** vcpu_kill: LIFECYCLE, ACTIVE; already killed → OBJECT_STATE. It never runs again. */
    private static HvcResult kill(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.LIFECYCLE);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        if (v.killed) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        v.killed = true;
        halt(v, 1);
        return HvcResult.ok();
    }

    private static void halt(Vcpu v, long flags) {
        v.poweredOn = false;
        v.waiting = false;
        v.poweroffFlags = flags;
        v.scheduler.update(v);
        v.haltVirq.assertLevel();
    }

    /** scheduler_yield(control, arg1): hint 0 yield, 1 yield to a thread cap (YIELD_TO), 2 yield to lower priority. */
    private static HvcResult yield(CallContext ctx, HvcArgs in) {
        long control = in.x0();
        int hint = (int) (control & 0xFFFF);
        if ((control & ~(0xFFFFL | 1L << 31)) != 0 || hint > YIELD_LOWER) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Vcpu self = ctx.vcpu();
        if (hint == YIELD_TO_THREAD) {
            Lookup t = ctx.active(in.x1(), ObjectType.THREAD, ThreadRights.YIELD_TO);
            if (!t.ok()) {
                return HvcResult.error(t.error());
            }
            if (self != null) {
                self.scheduler.yieldTo(self, t.as(Vcpu.class));
            }
        } else if (self != null) {
            // yield_lower is modelled as a plain yield: the caller goes behind its equals.
            self.scheduler.yield(self);
        }
        return HvcResult.ok();
    }

    /** CPU_INDEX_INVALID needs AFFINITY|DISABLE; a CPU that does not exist → ARGUMENT_INVALID before the lookup. */
    private static HvcResult setAffinity(CallContext ctx, HvcArgs in) {
        long cpu = in.x1();
        int rights = ThreadRights.AFFINITY;
        if (cpu == Scheduler.CPU_INDEX_INVALID) {
            rights |= ThreadRights.DISABLE;
        } else if (cpu < 0 || cpu >= ctx.scheduler().cpus()) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, rights, false);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        if (v.state() != ObjectState.INIT && v.state() != ObjectState.ACTIVE) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        v.affinity = (int) cpu;
        v.scheduler.update(v);
        return HvcResult.ok();
    }

    /** PRIORITY, INIT only; above 62 → DENIED (code, §0), checked before the state. */
    private static HvcResult setPriority(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, ThreadRights.PRIORITY, false);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        if (Long.compareUnsigned(in.x1(), Scheduler.MAX_VCPU_PRIORITY) > 0) {
            return HvcResult.error(HypError.DENIED);
        }
        Vcpu v = t.as(Vcpu.class);
        HvcResult bad = notInit(v);
        if (bad != null) {
            return bad;
        }
        v.priority = (int) in.x1();
        return HvcResult.ok();
    }

    /** TIMESLICE, INIT only; 100 µs..100 ms else ARGUMENT_INVALID. */
    private static HvcResult setTimeslice(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, ThreadRights.TIMESLICE, false);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        HvcResult bad = notInit(v);
        if (bad != null) {
            return bad;
        }
        if (in.x1() < Scheduler.TIMESLICE_MIN || in.x1() > Scheduler.TIMESLICE_MAX) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        v.timeslice = in.x1();
        return HvcResult.ok();
    }

    /** vcpu_bind_virq(vcpu, vic, virq, type): BIND_VIRQ on an ACTIVE vCPU, BIND_SOURCE on the VIC. A wakeup VIRQ makes it proxy-scheduled. */
    private static HvcResult bindVirq(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.BIND_VIRQ);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Lookup vic = VicCalls.bindTarget(ctx, in.x1());
        if (!vic.ok()) {
            return HvcResult.error(vic.error());
        }
        Vcpu v = t.as(Vcpu.class);
        VirqSource src = source(v, in.x3());
        if (src == null) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        HypError e = src.bind(vic.as(Vic.class), VicCalls.virq(in.x2()));
        if (e == HypError.OK && src == v.wakeupVirq) {
            v.wakeupBound = true;
            v.scheduler.update(v);
        }
        return HvcResult.error(e);
    }

    private static HvcResult unbindVirq(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.BIND_VIRQ);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        VirqSource src = source(v, in.x1());
        if (src == null) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        src.unbind();
        if (src == v.wakeupVirq && v.wakeupBound) {
            v.wakeupBound = false;
            v.scheduler.update(v);
        }
        return HvcResult.ok();
    }

    private static VirqSource source(Vcpu v, long type) {
        return type == VIRQ_HALT ? v.haltVirq : type == VIRQ_RUN_WAKEUP ? v.wakeupVirq : null;
    }

    /**
     * vcpu_register_write(vcpu, set, index, value): WRITE_CONTEXT, any state; set 0 = X0..X30, 1 = PC (index
     * 0), 2 = SP_EL0/1. Only while powered off (§5.2): otherwise BUSY (model choice of error code).
     */
    private static HvcResult registerWrite(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, ThreadRights.WRITE_CONTEXT, false);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        long set = in.x1();
        long i = in.x2();
        boolean valid = (set == 0 && i >= 0 && i < 31) || (set == 1 && i == 0) || (set == 2 && i >= 0 && i < 2);
        if (!valid) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        if (v.poweredOn) {
            return HvcResult.error(HypError.BUSY);
        }
        if (set == 0) {
            v.x[(int) i] = in.x3();
        } else if (set == 1) {
            v.pc = in.x3();
        } else {
            v.spEl[(int) i] = in.x3();
        }
        return HvcResult.ok();
    }

    /**
     * vcpu_run(vcpu, resume0..2): AFFINITY|YIELD_TO on an ACTIVE vCPU (code); not proxy-scheduled, or being
     * run already → BUSY. Runs one step of the target's program unless it is off or waiting, then reports its
     * state: X1 run state, X2..X4 state data (§5.3). Resume data only matters after VMMIO states, which are
     * not modelled, so it is ignored.
     */
    private static HvcResult run(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.AFFINITY | ThreadRights.YIELD_TO);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        if (!v.isProxy() || v.inRun || v == ctx.vcpu()) {
            return HvcResult.error(HypError.BUSY);
        }
        if (v.poweredOn && !v.waiting && v.program() != null) {
            v.inRun = true;
            try {
                v.program().step(v);
            } finally {
                v.inRun = false;
            }
        }
        return runState(v);
    }

    /** vcpu_run_check(vcpu): the state vcpu_run would report, without running (STATE right — an assumption). */
    private static HvcResult runCheck(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.STATE);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        return runState(t.as(Vcpu.class));
    }

    private static HvcResult runState(Vcpu v) {
        if (!v.poweredOn) {
            return HvcResult.ok(RUN_POWERED_OFF, v.poweroffFlags, 0, 0);
        }
        if (v.waiting) {
            // sleep type 0 = WFI, woken from 1 = WFI
            return HvcResult.ok(RUN_EXPECTS_WAKEUP, 0, 1, 0);
        }
        return HvcResult.ok(RUN_READY, 0, 0, 0);
    }
}
