package dev.gunyahdt.hypervisor.vcpu;

import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.ThreadRights;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.cspace.CSpace;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

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
    /** [HYP] {@code hyp/mem/addrspace/aarch64/addrspace.tc}: a load / store in a VMMIO range waits for its owner. */
    public static final int RUN_ADDRSPACE_VMMIO_READ = 4;

    public static final int RUN_ADDRSPACE_VMMIO_WRITE = 5;
    /** vcpu_run_state fault: an unrecoverable fault halted the vCPU (the RM reads it as a software error). */
    public static final int RUN_FAULT = 6;

    public static final int RUN_PSCI_SYSTEM_RESET = 0x100;
    /** poweron flags: preserve entry point, preserve context. */
    static final long POWERON_FLAG_BITS = 0x3;
    /** poweroff flags: last_vcpu. */
    static final long POWEROFF_FLAG_BITS = 0x1;
    /** scheduler_yield control: hint 15:0, impl_def 31. */
    static final int YIELD = 0;

    static final int YIELD_TO_THREAD = 1;
    static final int YIELD_LOWER = 2;

    private VcpuCalls() {}

    /** Defines the vCPU calls and registers the thread factory; new vCPUs are scheduled by {@code scheduler}. */
    public static void install(HypercallTable t, ObjectFactories types, Scheduler scheduler) {
        types.register(ObjectType.THREAD, (serial, partition) -> new Vcpu(serial, scheduler));
        t.define(CSPACE_ATTACH_THREAD, "cspace_attach_thread", Reserved.res0(2), VcpuCalls::cspaceAttach);
        t.define(ADDRSPACE_ATTACH_THREAD, "addrspace_attach_thread", Reserved.res0(2), VcpuCalls::addrspaceAttach);
        t.define(VIC_ATTACH_VCPU, "vic_attach_vcpu", Reserved.res0(3), VcpuCalls::vicAttach);
        t.define(CONFIGURE, "vcpu_configure", Reserved.res0(2), VcpuCalls::configure);
        t.define(POWERON, "vcpu_poweron", Reserved.NONE, VcpuCalls::poweron);
        t.define(POWEROFF, "vcpu_poweroff", Reserved.NONE, VcpuCalls::poweroff);
        t.define(KILL, "vcpu_kill", Reserved.res0(1), VcpuCalls::kill);
        t.define(SCHEDULER_YIELD, "scheduler_yield", Reserved.res0(2), VcpuCalls::yield);
        t.define(
                SET_AFFINITY,
                "vcpu_set_affinity",
                Reserved.res1(2),
                (ctx, in) -> setAffinity(ctx, in, scheduler.cpus()));
        t.define(SET_PRIORITY, "vcpu_set_priority", Reserved.NONE, VcpuCalls::setPriority);
        t.define(SET_TIMESLICE, "vcpu_set_timeslice", Reserved.NONE, VcpuCalls::setTimeslice);
        t.define(BIND_VIRQ, "vcpu_bind_virq", Reserved.res0(4), VcpuCalls::bindVirq);
        t.define(UNBIND_VIRQ, "vcpu_unbind_virq", Reserved.res0(2), VcpuCalls::unbindVirq);
        t.define(REGISTER_WRITE, "vcpu_register_write", Reserved.res0(4), VcpuCalls::registerWrite);
        t.define(RUN, "vcpu_run", Reserved.res0(4), VcpuCalls::run);
        // Code: X1 reserved (the doc says X4, §0).
        t.define(RUN_CHECK, "vcpu_run_check", Reserved.res0(1), VcpuCalls::runCheck);
    }

    /** The thread argument of attach/configure calls: any state, OBJECT_ACTIVATE (§2.4); INIT is the vCPU's check. */
    private static Lookup initThread(CallContext ctx, long cap) {
        return ctx.forConfigure(cap, ObjectType.THREAD);
    }

    /** The calling vCPU, or null for a thread without one. */
    private static Vcpu self(CallContext ctx) {
        return ctx.thread() instanceof Vcpu v ? v : null;
    }

    /** Attach rules (§2.2): the container ACTIVE with its ATTACH right, the thread still INIT. */
    private static HvcResult cspaceAttach(CallContext ctx, HvcArgs in) {
        Lookup c = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.ATTACH);
        if (!c.ok()) {
            return HvcResult.error(c.error());
        }
        Lookup t = initThread(ctx, in.x1());
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).attachCSpace(c.as(CSpace.class)) : t.error());
    }

    private static HvcResult addrspaceAttach(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.active(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.ATTACH);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup t = initThread(ctx, in.x1());
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).attachAddrSpace(a.as(AddrSpace.class)) : t.error());
    }

    private static HvcResult vicAttach(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.VIC, VicRights.ATTACH_VCPU);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Lookup t = initThread(ctx, in.x1());
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).attachVic(l.as(Vic.class), in.x2()) : t.error());
    }

    /** vcpu_configure(vcpu, options): unknown option bits → ARGUMENT_INVALID before the lookup. */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        if ((in.x1() & ~Vcpu.OPTION_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = initThread(ctx, in.x0());
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).configure(in.x1()) : t.error());
    }

    /** vcpu_poweron(vcpu, entry, context, flags): unknown flags first, then POWER on an ACTIVE vCPU. */
    private static HvcResult poweron(CallContext ctx, HvcArgs in) {
        if ((in.x3() & ~POWERON_FLAG_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.POWER);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).powerOn(in.x1(), in.x2(), in.x3()) : t.error());
    }

    /** vcpu_poweroff(vcpu, flags): bit 0 last_vcpu, checked against the vCPU's VPM group (§5.2). */
    private static HvcResult poweroff(CallContext ctx, HvcArgs in) {
        if ((in.x1() & ~POWEROFF_FLAG_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.POWER);
        return HvcResult.error(
                t.ok() ? t.as(Vcpu.class).powerOff(t.object() == ctx.thread(), (in.x1() & 1) != 0, false) : t.error());
    }

    /** vcpu_kill(vcpu): LIFECYCLE, ACTIVE. */
    private static HvcResult kill(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.LIFECYCLE);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).kill() : t.error());
    }

    /** scheduler_yield(control, arg1): hint 0 yield, 1 yield to a thread cap (YIELD_TO), 2 yield to lower priority. */
    private static HvcResult yield(CallContext ctx, HvcArgs in) {
        long control = in.x0();
        int hint = (int) (control & 0xFFFF);
        if ((control & ~(0xFFFFL | 1L << 31)) != 0 || hint > YIELD_LOWER) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Vcpu self = self(ctx);
        if (hint == YIELD_TO_THREAD) {
            Lookup t = ctx.active(in.x1(), ObjectType.THREAD, ThreadRights.YIELD_TO);
            if (!t.ok()) {
                return HvcResult.error(t.error());
            }
            if (self != null) {
                self.yieldTo(t.as(Vcpu.class));
            }
        } else if (self != null) {
            // yield_lower is modelled as a plain yield: the caller goes behind its equals.
            self.yield();
        }
        return HvcResult.ok();
    }

    /** CPU_INDEX_INVALID needs AFFINITY|DISABLE; a CPU that does not exist → ARGUMENT_INVALID before the lookup. */
    private static HvcResult setAffinity(CallContext ctx, HvcArgs in, int cpus) {
        long cpu = in.x1();
        int rights = ThreadRights.AFFINITY;
        if (cpu == Scheduler.CPU_INDEX_INVALID) {
            rights |= ThreadRights.DISABLE;
        } else if (cpu < 0 || cpu >= cpus) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, rights, false);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).setAffinity((int) cpu) : t.error());
    }

    /** vcpu_set_priority(vcpu, priority): PRIORITY, any state (the vCPU checks INIT). */
    private static HvcResult setPriority(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, ThreadRights.PRIORITY, false);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).setPriority(in.x1()) : t.error());
    }

    /** vcpu_set_timeslice(vcpu, ns): TIMESLICE, any state (the vCPU checks INIT). */
    private static HvcResult setTimeslice(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, ThreadRights.TIMESLICE, false);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).setTimeslice(in.x1()) : t.error());
    }

    /** vcpu_bind_virq(vcpu, vic, virq, type): BIND_VIRQ on an ACTIVE vCPU, BIND_SOURCE on the VIC. */
    private static HvcResult bindVirq(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.BIND_VIRQ);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Lookup vic = VicCalls.bindTarget(ctx, in.x1());
        if (!vic.ok()) {
            return HvcResult.error(vic.error());
        }
        return HvcResult.error(t.as(Vcpu.class).bindVirq(in.x3(), vic.as(VirqTarget.class), VicCalls.virq(in.x2())));
    }

    /** vcpu_unbind_virq(vcpu, type). */
    private static HvcResult unbindVirq(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.BIND_VIRQ);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).unbindVirq(in.x1()) : t.error());
    }

    /** vcpu_register_write(vcpu, set, index, value): WRITE_CONTEXT, any state. */
    private static HvcResult registerWrite(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.cspace().lookup(in.x0(), ObjectType.THREAD, ThreadRights.WRITE_CONTEXT, false);
        return HvcResult.error(t.ok() ? t.as(Vcpu.class).writeRegister(in.x1(), in.x2(), in.x3()) : t.error());
    }

    /**
     * vcpu_run(vcpu, resume0..2): AFFINITY|YIELD_TO on an ACTIVE vCPU (code); runs it one step, then reports its
     * state: X1 run state, X2..X4 state data (§5.3).
     */
    private static HvcResult run(CallContext ctx, HvcArgs in) {
        Lookup t = ctx.active(in.x0(), ObjectType.THREAD, ThreadRights.AFFINITY | ThreadRights.YIELD_TO);
        if (!t.ok()) {
            return HvcResult.error(t.error());
        }
        Vcpu v = t.as(Vcpu.class);
        HypError e = v.run(v == ctx.thread(), in.x1());
        if (e != HypError.OK) {
            return HvcResult.error(e);
        }
        HvcResult r = runState(v);
        v.ranWith(r.x1());
        return r;
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
        Vcpu.Vmmio a = v.vmmioBlocked();
        if (a != null) {
            // [HYP] addrspace_handle_vcpu_run_check: IPA, size and (a write's) value
            return HvcResult.ok(
                    a.write() ? RUN_ADDRSPACE_VMMIO_WRITE : RUN_ADDRSPACE_VMMIO_READ, a.ipa(), a.size(), a.value());
        }
        long[] reset = v.resetRequest();
        if (!v.poweredOn() && reset != null) {
            // [HYP] psci_handle_vcpu_run_check: a stopped vCPU that asked for a reset reports it
            return HvcResult.ok(RUN_PSCI_SYSTEM_RESET, reset[0], reset[1], 0);
        }
        if (!v.poweredOn()) {
            return HvcResult.ok(RUN_POWERED_OFF, v.poweroffFlags(), 0, 0);
        }
        if (v.waiting()) {
            // sleep type 0 = WFI, woken from 1 = WFI
            return HvcResult.ok(RUN_EXPECTS_WAKEUP, 0, 1, 0);
        }
        return HvcResult.ok(RUN_READY, 0, 0, 0);
    }
}
