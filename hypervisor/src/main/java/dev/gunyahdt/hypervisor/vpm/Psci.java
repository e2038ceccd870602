package dev.gunyahdt.hypervisor.vpm;

import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.MpidrMapping;
import dev.gunyahdt.hypervisor.vic.Vic;

/**
 * PSCI 1.1 as Gunyah serves it to the vCPUs of a VPM group ([HYP] {@code hyp/vm/psci/psci.ev},
 * {@code hyp/vm/psci/src/psci_common.c}): SMCCC fast calls of the STANDARD owner, function IDs 0x84000000 + n
 * (SMC32) and 0xC4000000 + n (SMC64). A vCPU outside a group gets SMCCC_UNKNOWN for all but PSCI_FEATURES, as
 * the real handlers report "not handled". Results are PSCI return codes in X0: an SMC32 call's X0 is the 32-bit
 * code zero-extended, X1..X3 its inputs cut to 32 bits ({@code smccc_handle_call}); an SMC64 call's X0 is the
 * code sign-extended, X1..X3 its inputs.
 */
public final class Psci {
    public static final int FN32 = 0x8400_0000;
    public static final int FN64 = 0xC400_0000;
    /** psci_function. */
    public static final int PSCI_VERSION = 0x0;

    public static final int CPU_SUSPEND = 0x1;
    public static final int CPU_OFF = 0x2;
    public static final int CPU_ON = 0x3;
    public static final int AFFINITY_INFO = 0x4;
    public static final int SYSTEM_OFF = 0x8;
    public static final int SYSTEM_RESET = 0x9;
    public static final int PSCI_FEATURES = 0xA;
    public static final int CPU_DEFAULT_SUSPEND = 0xC;
    /**
     * SYSTEM_SUSPEND and PSCI_SET_SUSPEND_MODE: commented out in [HYP] {@code psci.ev}, so the real hypervisor does
     * not serve them (SMCCC unknown; PSCI_FEATURES says NOT_SUPPORTED), and neither does the model.
     */
    public static final int SYSTEM_SUSPEND = 0xE;

    public static final int PSCI_SET_SUSPEND_MODE = 0xF;
    public static final int SYSTEM_RESET2 = 0x12;
    /** PSCI_VERSION's answer: 1.1 ([HYP] {@code hyp/vm/psci/psci.tc} PSCI_VER). */
    public static final long VERSION_1_1 = 0x10001;
    /** psci_ret. */
    public static final int SUCCESS = 0;

    public static final int NOT_SUPPORTED = -1;
    public static final int INVALID_PARAMETERS = -2;
    public static final int DENIED = -3;
    public static final int ALREADY_ON = -4;
    public static final int INTERNAL_FAILURE = -6;
    /** psci_ret_affinity_info. */
    public static final int AFFINITY_ON = 0;

    public static final int AFFINITY_OFF = 1;
    /** PSCI_FEATURES of CPU_SUSPEND ({@code psci_cpu_suspend_features}, psci_pc): platform-coordinated, extended StateID. */
    static final int CPU_SUSPEND_FEATURES = 2;
    /** psci_suspend_powerstate (extended format): 27:0 StateID, 30 StateType (1 = powerdown); 29:28, 31 reserved. */
    static final long POWERSTATE_RESERVED = 0xB000_0000L;

    static final long POWERSTATE_POWERDOWN = 1L << 30;
    /** Arch function SMCCC_VERSION, which PSCI_FEATURES reports as present. */
    static final int SMCCC_VERSION_FID = 0x8000_0000;
    /** PSCI_REQUEST_SYSTEM_RESET: the reset type word of a plain SYSTEM_RESET (bit 63). */
    static final long REQUEST_SYSTEM_RESET = 1L << 63;
    /** PSCI_REQUEST_SYSTEM_RESET2_64: set in the recorded reset type of an SMC64 SYSTEM_RESET2. */
    static final long REQUEST_SYSTEM_RESET2_64 = 1L << 62;

    private Psci() {}

    /** An SMCCC STANDARD-owner call with its raw registers (X0 = function ID). */
    static HvcResult call(CallContext ctx, HvcArgs regs) {
        int fid = (int) regs.x0();
        boolean fast = (fid & 0x8000_0000) != 0;
        boolean smc64 = (fid & 0x4000_0000) != 0;
        int fn = fid & 0xFFFF;
        Vcpu self = ctx.thread() instanceof Vcpu v ? v : null;
        VpmGroup group = self != null && self.group() instanceof VpmGroup g ? g : null;
        if (!fast || (group == null && fn != PSCI_FEATURES)) {
            return unknown();
        }
        long a1 = smc64 ? regs.x1() : regs.x1() & 0xFFFF_FFFFL;
        long a2 = smc64 ? regs.x2() : regs.x2() & 0xFFFF_FFFFL;
        long a3 = smc64 ? regs.x3() : regs.x3() & 0xFFFF_FFFFL;
        Long ret = switch (fn) {
            case PSCI_VERSION -> smc64 ? null : VERSION_1_1;
            case CPU_SUSPEND -> (long) cpuSuspend(self, a1, a2, a3);
            case CPU_OFF -> smc64 ? null : (long) cpuOff(self);
            case CPU_ON -> (long) cpuOn(self, group, a1, a2, a3);
            case AFFINITY_INFO -> (long) affinityInfo(group, a1, a2);
            case SYSTEM_OFF -> smc64 ? null : (long) stopAll(self, group);
            case SYSTEM_RESET -> smc64 ? null : (long) systemReset(self, group);
            case CPU_DEFAULT_SUSPEND -> (long) cpuDefaultSuspend(self, a1, a2);
            case SYSTEM_RESET2 ->
                (long) systemReset2(self, group, smc64 ? (a1 & 0xFFFF_FFFFL) | REQUEST_SYSTEM_RESET2_64 : a1, a2);
            case PSCI_FEATURES -> smc64 ? null : (long) features(group != null, (int) a1);
            default -> null;
        };
        if (ret == null) {
            return unknown();
        }
        return smc64 ? HvcResult.raw(ret, a1, a2, a3) : HvcResult.raw(ret & 0xFFFF_FFFFL, a1, a2, a3);
    }

    /**
     * psci_cpu_on: no member with that MPIDR → INVALID_PARAMETERS when the caller has no VIC or its VIC's MPIDR
     * mapping cannot give it (an affinity bit outside the mapping, or an index above PLATFORM_MAX_CORES — the code
     * lets index 8 through), else INTERNAL_FAILURE; a member that is on → ALREADY_ON; else vcpu_poweron at
     * {@code entry} with X0 = {@code context} → SUCCESS (a killed one → INVALID_PARAMETERS).
     */
    static int cpuOn(Vcpu self, VpmGroup group, long mpidr, long entry, long context) {
        Vcpu target = group.byMpidr(mpidr);
        if (target == null) {
            Vic vic = self.vic();
            if (vic == null) {
                return INVALID_PARAMETERS;
            }
            MpidrMapping m = vic.mpidrMapping();
            boolean valid = m.valid(mpidr) && m.indexOf(mpidr) <= group.maxCores();
            return valid ? INTERNAL_FAILURE : INVALID_PARAMETERS;
        }
        if (target.poweredOn()) {
            return ALREADY_ON;
        }
        HypError e = target.powerOn(entry, context, 0);
        return e == HypError.OK ? SUCCESS : INVALID_PARAMETERS;
    }

    /** psci_cpu_off → vcpu_poweroff(last = false): the group's last powered-on vCPU is DENIED. */
    static int cpuOff(Vcpu self) {
        HypError e = self.powerOff(true, false, false);
        // the real call does not return on success; the model hands SUCCESS back to the now-off vCPU's program
        return e == HypError.OK ? SUCCESS : DENIED;
    }

    /**
     * psci_cpu_suspend → psci_suspend → vcpu_suspend: reserved power-state bits → INVALID_PARAMETERS (a reduced
     * {@code platform_psci_suspend_state_validation}); otherwise SUCCESS, also when a pending interrupt kept the
     * vCPU awake.
     */
    static int cpuSuspend(Vcpu self, long powerState, long entry, long context) {
        if ((powerState & POWERSTATE_RESERVED) != 0 || powerState > 0xFFFF_FFFFL) {
            return INVALID_PARAMETERS;
        }
        self.suspend((powerState & POWERSTATE_POWERDOWN) != 0, entry, context);
        return SUCCESS;
    }

    /**
     * psci_cpu_default_suspend: CPU_SUSPEND to the deepest CPU-level state, a powerdown (the caller resumes at
     * {@code entry} with X0 = {@code context}); no power state to refuse, so SUCCESS.
     */
    static int cpuDefaultSuspend(Vcpu self, long entry, long context) {
        self.suspend(true, entry, context);
        return SUCCESS;
    }

    /**
     * psci_system_reset2: the reset type (an SMC64 call's low 32 bits with PSCI_REQUEST_SYSTEM_RESET2_64) and cookie
     * are recorded for the proxy / RM ({@code vcpu_run} state 0x100), then psci_stop_all_vcpus. A critical (HLOS)
     * vCPU's request goes to firmware on the real hypervisor; the model stops the group the same way, as for
     * SYSTEM_RESET.
     */
    static int systemReset2(Vcpu self, VpmGroup group, long type, long cookie) {
        self.requestReset(type, cookie);
        return stopAll(self, group);
    }

    /** psci_affinity_info: unknown MPIDR or a level above 0 → INVALID_PARAMETERS; else ON or OFF. */
    static int affinityInfo(VpmGroup group, long mpidr, long lowestLevel) {
        Vcpu target = group.byMpidr(mpidr);
        if (target == null || (lowestLevel & 0xFFFF_FFFFL) != 0) {
            return INVALID_PARAMETERS;
        }
        return target.poweredOn() ? AFFINITY_ON : AFFINITY_OFF;
    }

    /**
     * psci_system_reset: the reset type is recorded for the proxy / RM ({@code vcpu_run} state 0x100), then
     * psci_stop_all_vcpus. For a critical (HLOS) vCPU the real call goes to firmware and resets the device; the
     * model stops the group the same way.
     */
    static int systemReset(Vcpu self, VpmGroup group) {
        self.requestReset(REQUEST_SYSTEM_RESET, 0);
        return stopAll(self, group);
    }

    /** psci_stop_all_vcpus (SYSTEM_OFF too): every other member killed, then a forced poweroff of the caller. */
    static int stopAll(Vcpu self, VpmGroup group) {
        for (Vcpu v : group.members()) {
            if (v != self) {
                v.kill();
            }
        }
        self.powerOff(true, false, true);
        return SUCCESS; // not reached on the real hypervisor
    }

    /**
     * psci_features: a PSCI function this handler serves → 0 (CPU_SUSPEND: its feature flags); SMCCC_VERSION → 0;
     * anything else → NOT_SUPPORTED (SMCCC_UNKNOWN_FUNCTION32). PSCI functions need the caller in a group.
     */
    static int features(boolean hasPsci, int fid) {
        boolean fast = (fid & 0x8000_0000) != 0;
        boolean smc64 = (fid & 0x4000_0000) != 0;
        int owner = fid >>> 24 & 0x3F;
        boolean res0 = (fid >>> 17 & 0x7F) == 0;
        int fn = fid & 0xFFFF;
        if (hasPsci && owner == 4 && fast && res0) {
            return switch (fn) {
                case CPU_SUSPEND -> CPU_SUSPEND_FEATURES;
                case CPU_ON, AFFINITY_INFO, CPU_DEFAULT_SUSPEND, SYSTEM_RESET2 -> SUCCESS;
                case PSCI_VERSION, CPU_OFF, SYSTEM_OFF, SYSTEM_RESET, PSCI_FEATURES -> smc64 ? NOT_SUPPORTED : SUCCESS;
                default -> NOT_SUPPORTED;
            };
        }
        if (owner == 0 && fast && !smc64 && res0 && fid == SMCCC_VERSION_FID) {
            return SUCCESS;
        }
        return NOT_SUPPORTED;
    }

    private static HvcResult unknown() {
        return HvcResult.raw(-1L, 0, 0, 0);
    }
}
