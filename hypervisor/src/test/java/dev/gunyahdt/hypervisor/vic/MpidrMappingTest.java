package dev.gunyahdt.hypervisor.vic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import dev.gunyahdt.hypervisor.vpm.VpmCalls;
import org.junit.jupiter.api.Test;

/**
 * vgic_set_mpidr_mapping (0x6067) and vic_bind_msi_source (0x6056), as [HYP] 36ca3a2a {@code vgic/src/distrib.c}
 * and {@code vic_base/src/hypercalls.c} do them; a mapping set on the VIC decides its vCPUs' MPIDRs, PSCI's
 * CPU_ON targets and SGI targets.
 */
class MpidrMappingTest {
    static final long PSCI_CPU_ON64 = 0xC400_0003L;
    static final int SUCCESS = 0;
    static final long INVALID_PARAMETERS = -2;
    static final long INTERNAL_FAILURE = -6;

    final Fixture f = new Fixture(3);
    final long cs = f.newCSpace(64);
    final long as = Builders.addrspace(f, 46);
    final long vic = f.create(PartitionCalls.CREATE_VIC);
    final long group = f.create(PartitionCalls.CREATE_VPM_GROUP);

    HypError set(long cap, long mask, long s0, long s1, long s2, long s3, long mt) {
        return f.call(VicCalls.SET_MPIDR_MAPPING, cap, mask, s0, s1, s2, s3, mt).error();
    }

    /** A vCPU at VIC and group index {@code index}, activated. */
    Vcpu member(int index) {
        long t = f.create(PartitionCalls.CREATE_THREAD);
        f.ok(VcpuCalls.SET_AFFINITY, t, index % 8, -1L);
        f.ok(VcpuCalls.CSPACE_ATTACH_THREAD, cs, t, 0);
        f.ok(VcpuCalls.ADDRSPACE_ATTACH_THREAD, as, t, 0);
        f.ok(VpmCalls.ATTACH_VCPU, group, t, index, 0);
        f.ok(VcpuCalls.VIC_ATTACH_VCPU, vic, t, index, 0);
        f.ok(ObjectCalls.ACTIVATE, t, 0);
        return f.hv.vcpu(f.root, t);
    }

    Vic vicObject() {
        return f.root.cspace().lookup(vic, ObjectType.VIC, 0, false).as(Vic.class);
    }

    void configureAndActivate() {
        f.ok(VicCalls.CONFIGURE, vic, 8, 988, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, vic, 0);
        f.ok(ObjectCalls.ACTIVATE, group, 0);
    }

    @Test
    void aTwoLevelMappingGivesTheVcpusTheirMpidrsForPsciAndSgis() {
        // Aff0 = index bits 1:0, Aff1 = index bits 3:2 (a 2-cluster, 4-core layout)
        assertEquals(HypError.OK, set(vic, 0x0303, 0, 2, 0, 0, 0));
        configureAndActivate();
        Vcpu boot = member(0);
        Vcpu fifth = member(5);
        assertEquals(0x0, boot.mpidr());
        assertEquals(0x101, fifth.mpidr(), "index 5 = cluster 1, core 1");
        f.ok(VcpuCalls.POWERON, capOf(boot), 0, 0, 0);
        // PSCI CPU_ON names the secondary by the mapped MPIDR
        assertEquals(INVALID_PARAMETERS, psci(boot, PSCI_CPU_ON64, 5), "Aff0 5 is outside the mapping");
        assertEquals(INTERNAL_FAILURE, psci(boot, PSCI_CPU_ON64, 0x200), "index 8: the code lets it through");
        assertEquals(INVALID_PARAMETERS, psci(boot, PSCI_CPU_ON64, 0x300), "index 12 > PLATFORM_MAX_CORES");
        assertEquals(SUCCESS, psci(boot, PSCI_CPU_ON64, 0x101));
        assertTrue(fifth.poweredOn());
        // an SGI to Aff1 1, TargetList bit 1 reaches index 5; to Aff0 5 (bit 5) it reaches nobody
        Vic v = vicObject();
        v.generateSgi(0, 3L << 24 | 1L << 16 | 0b10);
        assertTrue(v.isPending(5, 3));
        v.generateSgi(0, 4L << 24 | 0b10_0000);
        assertFalse(v.isPending(5, 4));
    }

    @Test
    void theMappingsChecksAndItsCapLookup() {
        // shifts of 32 or more
        assertEquals(HypError.ARGUMENT_INVALID, set(vic, 0x7, 32, 0, 0, 0, 0));
        // count_t: the upper half of the register is dropped, so 1 << 32 is a shift of 0
        assertEquals(HypError.OK, set(vic, 0x7, 1L << 32, 0, 0, 0, 0));
        // overlapping output bits
        assertEquals(HypError.ARGUMENT_INVALID, set(vic, 0x0303, 0, 1, 0, 0, 0));
        // sparse: not contiguous from bit 0
        assertEquals(HypError.ARGUMENT_INVALID, set(vic, 0x0303, 0, 3, 0, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, set(vic, 0x6, 0, 0, 0, 0, 0));
        // 16 index bits could produce CPU_INDEX_INVALID
        assertEquals(HypError.ARGUMENT_INVALID, set(vic, 0xFFFF, 0, 8, 0, 0, 0));
        assertEquals(HypError.OK, set(vic, 0x7FFF, 0, 8, 0, 0, 0));
        // all masks zero: a uniprocessor mapping, U set in the MPIDR; MT from the last argument (any non-zero)
        assertEquals(HypError.OK, set(vic, 0, 0, 0, 0, 0, 2));
        configureAndActivate();
        assertEquals(1L << 30 | 1L << 24, member(0).mpidr());
        // only in INIT
        assertEquals(HypError.OBJECT_STATE, set(vic, 0x7, 0, 0, 0, 0, 0));
        // the cap: OBJECT_ACTIVATE (any state), rights checked before the type
        long noActivate = f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), vic, f.hv.rootCSpaceCap(), 0x7, 0);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, set(noActivate, 0x7, 0, 0, 0, 0, 0));
        long groupNoActivate =
                f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), group, f.hv.rootCSpaceCap(), 0x1, 0);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, set(groupNoActivate, 0x7, 0, 0, 0, 0, 0));
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, set(group, 0x7, 0, 0, 0, 0, 0));
    }

    @Test
    void bindMsiSourceFindsNoMsiSourceInTheOpenSources() {
        configureAndActivate();
        // nothing handles vic_bind_msi_source (no virtual ITS on QEMU): its default, whatever the source cap
        assertEquals(
                HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.call(VicCalls.BIND_MSI_SOURCE, vic, group, 0).error());
        assertEquals(
                HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.call(VicCalls.BIND_MSI_SOURCE, vic, 0x1234, 0).error());
        // the VIC: BIND_SOURCE, ACTIVE; then the res0 input
        long attachOnly = f.ok(
                CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), vic, f.hv.rootCSpaceCap(), VicRights.ATTACH_VCPU, 0);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.call(VicCalls.BIND_MSI_SOURCE, attachOnly, group, 0).error());
        long initVic = f.create(PartitionCalls.CREATE_VIC);
        assertEquals(
                HypError.OBJECT_STATE,
                f.call(VicCalls.BIND_MSI_SOURCE, initVic, group, 0).error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VicCalls.BIND_MSI_SOURCE, vic, group, 1).error());
    }

    long capOf(Vcpu v) {
        for (long id : f.root.cspace().validCapIds()) {
            if (f.root.cspace().lookup(id, null, 0, false).object() == v) {
                return id;
            }
        }
        throw new AssertionError("no cap to " + v);
    }

    long psci(Vcpu v, long fn, long mpidr) {
        return f.hv.smc(v.caller(), HvcArgs.of(fn, mpidr, 0x8000_0000L, 0)).x0();
    }
}
