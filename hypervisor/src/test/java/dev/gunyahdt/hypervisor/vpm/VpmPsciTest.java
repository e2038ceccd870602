package dev.gunyahdt.hypervisor.vpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.VpmGroupRights;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import org.junit.jupiter.api.Test;

/**
 * VPM groups and their hypercalls, and PSCI as their vCPUs see it: the return codes of [HYP]
 * {@code hyp/vm/psci/src/psci_common.c} for each refusal, and the error codes of {@code vpm_base/src/hypercalls.c}.
 */
class VpmPsciTest {
    final Fixture f = new Fixture(11);
    final long cs = f.newCSpace(64);
    final long as = Builders.addrspace(f, 46);
    final long vic = f.newVic();
    final long group = newGroup();

    long newGroup() {
        long g = f.create(PartitionCalls.CREATE_VPM_GROUP);
        f.ok(ObjectCalls.ACTIVATE, g, 0);
        return g;
    }

    /** A vCPU on CPU {@code index}, in the group and the VIC at {@code index}, activated (powered off). */
    long member(int index) {
        long t = f.create(PartitionCalls.CREATE_THREAD);
        f.ok(VcpuCalls.SET_AFFINITY, t, index, -1L);
        f.ok(VcpuCalls.CSPACE_ATTACH_THREAD, cs, t, 0);
        f.ok(VcpuCalls.ADDRSPACE_ATTACH_THREAD, as, t, 0);
        f.ok(VpmCalls.ATTACH_VCPU, group, t, index, 0);
        f.ok(VcpuCalls.VIC_ATTACH_VCPU, vic, t, index, 0);
        f.ok(ObjectCalls.ACTIVATE, t, 0);
        return t;
    }

    /** A thread in INIT, for calls that must fail on the group before they look at it. */
    long active0() {
        return f.create(PartitionCalls.CREATE_THREAD);
    }

    Vcpu obj(long cap) {
        return f.hv.vcpu(f.root, cap);
    }

    /** An SMCCC call by {@code v}; returns X0. */
    long smc(Vcpu v, long... regs) {
        return f.hv.smc(v.caller(), HvcArgs.of(regs)).x0();
    }

    static long fn32(int fn) {
        return Psci.FN32 | fn;
    }

    static long fn64(int fn) {
        return (Psci.FN64 | fn) & 0xFFFF_FFFFL;
    }

    /** An SMC32 call's X0 is its 32-bit PSCI code, zero-extended. */
    static long w(int psciRet) {
        return psciRet & 0xFFFF_FFFFL;
    }

    @Test
    void versionFeaturesAndCpuOnWithItsRefusals() {
        long t0 = member(0);
        long t1 = member(1);
        Vcpu boot = obj(t0);
        Vcpu second = obj(t1);
        f.ok(VcpuCalls.POWERON, t0, 0x8000_0000L, 0, 0);
        assertEquals(Psci.VERSION_1_1, smc(boot, fn32(Psci.PSCI_VERSION)));
        assertEquals(-1L, smc(boot, fn64(Psci.PSCI_VERSION))); // PSCI_FUNCTION32 only: SMC64 is unknown
        assertEquals(0, smc(boot, fn32(Psci.PSCI_FEATURES), fn64(Psci.CPU_ON)));
        assertEquals(2, smc(boot, fn32(Psci.PSCI_FEATURES), fn32(Psci.CPU_SUSPEND)));
        assertEquals(w(Psci.NOT_SUPPORTED), smc(boot, fn32(Psci.PSCI_FEATURES), fn32(0x5))); // MIGRATE
        assertEquals(0, smc(boot, fn32(Psci.PSCI_FEATURES), 0x8000_0000L)); // SMCCC_VERSION
        assertEquals(Psci.AFFINITY_OFF, smc(boot, fn64(Psci.AFFINITY_INFO), 1, 0));
        assertEquals(Psci.INVALID_PARAMETERS, smc(boot, fn64(Psci.AFFINITY_INFO), 1, 1)); // level 1
        assertEquals(Psci.INVALID_PARAMETERS, smc(boot, fn64(Psci.AFFINITY_INFO), 7, 0)); // no such vCPU

        assertEquals(Psci.SUCCESS, smc(boot, fn64(Psci.CPU_ON), 1, 0x8008_0000L, 0x1234));
        assertTrue(second.poweredOn());
        assertEquals(0x8008_0000L, second.pc());
        assertEquals(0x1234, second.x(0));
        assertEquals(Psci.ALREADY_ON, smc(boot, fn64(Psci.CPU_ON), 1, 0, 0));
        assertEquals(Psci.ALREADY_ON, smc(boot, fn64(Psci.CPU_ON), 0, 0, 0)); // itself
        assertEquals(Psci.INVALID_PARAMETERS, smc(boot, fn64(Psci.CPU_ON), 0x100, 0, 0)); // Aff1: not a QEMU MPIDR
        assertEquals(Psci.INVALID_PARAMETERS, smc(boot, fn64(Psci.CPU_ON), 8, 0, 0)); // Aff0 beyond the mask
        assertEquals(Psci.INTERNAL_FAILURE, smc(boot, fn64(Psci.CPU_ON), 5, 0, 0)); // valid, but no vCPU
        assertEquals(w(Psci.INTERNAL_FAILURE), smc(boot, fn32(Psci.CPU_ON), 5, 0, 0));
        assertEquals(Psci.AFFINITY_ON, smc(boot, fn64(Psci.AFFINITY_INFO), 1, 0));
        assertEquals(VpmGroup.STATE_RUNNING, f.ok(VpmCalls.GET_STATE, group, 0));
    }

    @Test
    void cpuOffIsDeniedToTheLastAndPoweroffChecksLastVcpu() {
        long t0 = member(0);
        long t1 = member(1);
        Vcpu boot = obj(t0);
        Vcpu second = obj(t1);
        f.ok(VcpuCalls.POWERON, t0, 0, 0, 0);
        assertEquals(w(Psci.DENIED), smc(boot, fn32(Psci.CPU_OFF))); // the last one on
        assertTrue(boot.poweredOn());
        smc(boot, fn64(Psci.CPU_ON), 1, 0, 0);
        assertEquals(Psci.SUCCESS, smc(second, fn32(Psci.CPU_OFF)));
        assertFalse(second.poweredOn());
        assertEquals(Psci.AFFINITY_OFF, smc(boot, fn64(Psci.AFFINITY_INFO), 1, 0));
        // vcpu_poweroff's last_vcpu flag must tell the truth in an aggregating group
        long own = f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), t0, cs, 0x1, 0);
        assertEquals(
                HypError.DENIED,
                f.hv.call(boot.caller(), VcpuCalls.POWEROFF, own, 0).error());
        assertEquals(
                HypError.OK,
                f.hv.call(boot.caller(), VcpuCalls.POWEROFF, own, 1).error());
        assertEquals(VpmGroup.STATE_CPUS_SUSPENDED, f.ok(VpmCalls.GET_STATE, group, 0));
    }

    @Test
    void suspendResetAndOff() {
        long t0 = member(0);
        long t1 = member(1);
        Vcpu boot = obj(t0);
        f.ok(VcpuCalls.POWERON, t0, 0, 0, 0);
        assertEquals(Psci.INVALID_PARAMETERS, smc(boot, fn64(Psci.CPU_SUSPEND), 1L << 31, 0, 0));
        assertEquals(Psci.SUCCESS, smc(boot, fn64(Psci.CPU_SUSPEND), 1L << 30, 0x9000, 7));
        assertTrue(boot.waiting());
        assertEquals(0x9000, boot.pc()); // powerdown: warm reset to the entry point
        boot.virqDeliverable();
        smc(boot, fn64(Psci.CPU_ON), 1, 0, 0);
        assertEquals(Psci.SUCCESS, smc(boot, fn32(Psci.SYSTEM_RESET)));
        assertFalse(boot.poweredOn());
        assertFalse(obj(t1).poweredOn()); // killed
        var r = f.call(VcpuCalls.RUN_CHECK, t0, 0);
        assertEquals(VcpuCalls.RUN_PSCI_SYSTEM_RESET, r.x1());
        assertEquals(1L << 63, r.x2());
    }

    /**
     * CPU_DEFAULT_SUSPEND (a powerdown suspend: back at the entry point with the context id) and SYSTEM_RESET2 (the
     * type and cookie vcpu_run reports; SMC64 marks the type with bit 62), in SMC32 and SMC64; SYSTEM_SUSPEND and
     * PSCI_SET_SUSPEND_MODE are commented out of psci.ev: unknown, and NOT_SUPPORTED to PSCI_FEATURES.
     */
    @Test
    void defaultSuspendReset2AndTheTwoUnservedCalls() {
        long t0 = member(0);
        long t1 = member(1);
        Vcpu boot = obj(t0);
        f.ok(VcpuCalls.POWERON, t0, 0, 0, 0);
        for (int fn : new int[] {Psci.CPU_DEFAULT_SUSPEND, Psci.SYSTEM_RESET2}) {
            assertEquals(0, smc(boot, fn32(Psci.PSCI_FEATURES), fn32(fn)));
            assertEquals(0, smc(boot, fn32(Psci.PSCI_FEATURES), fn64(fn)));
        }
        for (int fn : new int[] {Psci.SYSTEM_SUSPEND, Psci.PSCI_SET_SUSPEND_MODE}) {
            assertEquals(w(Psci.NOT_SUPPORTED), smc(boot, fn32(Psci.PSCI_FEATURES), fn32(fn)));
            assertEquals(w(Psci.NOT_SUPPORTED), smc(boot, fn32(Psci.PSCI_FEATURES), fn64(fn)));
            assertEquals(-1L, smc(boot, fn32(fn), 0x9000, 1));
            assertEquals(-1L, smc(boot, fn64(fn), 0x9000, 1));
        }
        assertEquals(Psci.SUCCESS, smc(boot, fn64(Psci.CPU_DEFAULT_SUSPEND), 0xA000, 9));
        assertTrue(boot.waiting());
        assertEquals(0xA000, boot.pc());
        assertEquals(9, boot.x(0));
        assertEquals(Psci.SUCCESS, smc(boot, fn32(Psci.CPU_DEFAULT_SUSPEND), 0x1_0000_B000L, 3));
        assertEquals(0xB000, boot.pc(), "SMC32: the entry point cut to 32 bits");
        boot.virqDeliverable();
        smc(boot, fn64(Psci.CPU_ON), 1, 0, 0);
        smc(boot, fn64(Psci.SYSTEM_RESET2), 0xFFFF_FFFF_8000_0001L, 0x55);
        assertFalse(boot.poweredOn());
        assertFalse(obj(t1).poweredOn()); // killed
        var r = f.call(VcpuCalls.RUN_CHECK, t0, 0);
        assertEquals(VcpuCalls.RUN_PSCI_SYSTEM_RESET, r.x1());
        assertEquals(0x8000_0001L | 1L << 62, r.x2());
        assertEquals(0x55, r.x3());
    }

    @Test
    void aVcpuOutsideAGroupHasNoPsci() {
        long t = Builders.vcpu(f, cs, as, vic, 3, 3, 32, 0);
        f.ok(VcpuCalls.POWERON, t, 0, 0, 0);
        Vcpu v = obj(t);
        assertEquals(-1L, smc(v, fn32(Psci.PSCI_VERSION)));
        assertEquals(-1L, smc(v, fn64(Psci.CPU_ON), 0, 0, 0));
        assertEquals(w(Psci.NOT_SUPPORTED), smc(v, fn32(Psci.PSCI_FEATURES), fn32(Psci.CPU_ON)));
        assertEquals(0, smc(v, fn32(Psci.PSCI_FEATURES), 0x8000_0000L));
        long own = f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), t, cs, 0x1, 0);
        assertEquals(
                HypError.DENIED,
                f.hv.call(v.caller(), VcpuCalls.POWEROFF, own, 0).error()); // not last_vcpu
    }

    @Test
    void groupCallsAndTheirErrors() {
        assertEquals("partition_create_vpm_group", f.hv.hypercallName(PartitionCalls.CREATE_VPM_GROUP));
        assertEquals(
                HypError.OBJECT_STATE, f.call(VpmCalls.CONFIGURE, group, 1, 0).error()); // ACTIVE already
        long fresh = f.create(PartitionCalls.CREATE_VPM_GROUP);
        assertEquals(
                HypError.UNIMPLEMENTED, f.call(VpmCalls.CONFIGURE, fresh, 2, 0).error());
        assertEquals(HypError.OK, f.call(VpmCalls.CONFIGURE, fresh, 1, 0).error());
        assertEquals(
                HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.call(VpmCalls.CONFIGURE, vic, 0, 0).error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VpmCalls.CONFIGURE, group, 0, 1).error()); // res0
        assertEquals(
                HypError.OBJECT_STATE,
                f.call(VpmCalls.ATTACH_VCPU, fresh, active0(), 0, 0).error());
        long t = f.create(PartitionCalls.CREATE_THREAD);
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VpmCalls.ATTACH_VCPU, group, t, 8, 0).error());
        long active = member(0);
        assertEquals(
                HypError.OBJECT_STATE,
                f.call(VpmCalls.ATTACH_VCPU, group, active, 1, 0).error());
        long queryOnly = f.ok(
                CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), group, f.hv.rootCSpaceCap(), VpmGroupRights.QUERY, 0);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.call(VpmCalls.ATTACH_VCPU, queryOnly, t, 1, 0).error());
        assertEquals(VpmGroup.STATE_CPUS_SUSPENDED, f.ok(VpmCalls.GET_STATE, queryOnly, 0));
        // two vCPUs at one index: the second activation is DENIED (psci_handle_object_activate_thread)
        f.ok(VcpuCalls.CSPACE_ATTACH_THREAD, cs, t, 0);
        f.ok(VcpuCalls.ADDRSPACE_ATTACH_THREAD, as, t, 0);
        f.ok(VpmCalls.ATTACH_VCPU, group, t, 0, 0);
        assertEquals(HypError.DENIED, f.call(ObjectCalls.ACTIVATE, t, 0).error());
        // the suspend VIRQ binds once, unbinds
        assertEquals(HypError.OK, f.call(VpmCalls.BIND_VIRQ, group, vic, 40, 0).error());
        assertEquals(
                HypError.VIRQ_BOUND,
                f.call(VpmCalls.BIND_VIRQ, group, vic, 41, 0).error());
        assertEquals(HypError.OK, f.call(VpmCalls.UNBIND_VIRQ, group, 0).error());
        assertEquals(HypError.OK, f.call(VpmCalls.BIND_VIRQ, group, vic, 41, 0).error());
    }
}
