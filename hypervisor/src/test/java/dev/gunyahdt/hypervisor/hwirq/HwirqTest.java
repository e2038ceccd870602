package dev.gunyahdt.hypervisor.hwirq;

import static dev.gunyahdt.hypervisor.hwirq.HwirqCalls.BIND_VIRQ;
import static dev.gunyahdt.hypervisor.hwirq.HwirqCalls.UNBIND_VIRQ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Fixture.Vm;
import dev.gunyahdt.hypervisor.call.HwirqRights;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.virq.VirqEvent;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * hwirq objects ([HYP] hyp/vm/vic_base/src/hypercalls.c, hyp/vm/vgic/src/distrib.c): bind and unbind with the
 * codes the real calls return, and a physical SPI reaching the guest's vGIC through the bound VIRQ.
 */
class HwirqTest {
    static final int UART_SPI = 33; // QEMU virt's PL011: SPI 1
    final Fixture f = new Fixture(5);
    long vicCap;
    Vic vic;
    long hw;

    @BeforeEach
    void setUp() {
        vicCap = f.newVic();
        vic = f.root.cspace().lookup(vicCap, null, 0, false).as(Vic.class);
        hw = f.hv.hwirqCap(UART_SPI);
    }

    @Test
    void theRootGetsOneCapPerPlatformSpiAndNoneForOtherIntids() {
        assertEquals(hw, f.hv.hwirqCap(UART_SPI));
        assertEquals(-1, f.hv.hwirqCap(27)); // a PPI: forwarded by vic_base, not a vgic SPI hwirq
        assertEquals(-1, f.hv.hwirqCap(1020));
    }

    @Test
    void aBoundSpiIsDeliveredAsItsVirqAndLevelRecheckFollowsTheLine() {
        f.ok(BIND_VIRQ, hw, vicCap, 40, 0);
        vic.setPriorityMask(0, 0xF0);
        vic.enable(0, 40, true);
        assertTrue(f.hv.spi(UART_SPI, true));
        assertEquals(List.of(new VirqEvent(40, VirqEvent.Kind.ASSERT)), vic.events());
        assertEquals(40, vic.acknowledge(0));
        // the line is still high: EOI re-pends the level VIRQ (vgic's level re-check)
        vic.endOfInterrupt(0, 40);
        assertEquals(40, vic.acknowledge(0));
        f.hv.spi(UART_SPI, false);
        vic.endOfInterrupt(0, 40);
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0));
    }

    @Test
    void anUnboundSpiIsNotDelivered() {
        assertFalse(f.hv.spi(UART_SPI, true));
        f.ok(BIND_VIRQ, hw, vicCap, 40, 0);
        f.ok(UNBIND_VIRQ, hw, 0);
        assertFalse(f.hv.spi(UART_SPI, true));
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0));
        assertFalse(f.hv.spi(99, true)); // no hwirq object for that SPI yet: unhandled
    }

    @Test
    void bindRefusalsCarryTheRealCodes() {
        // vgic_bind_hwirq_spi: the VIRQ must be an SPI
        assertEquals(
                HypError.ARGUMENT_INVALID, f.call(BIND_VIRQ, hw, vicCap, 31, 0).error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(BIND_VIRQ, hw, vicCap, 1020, 0).error());
        // vic_bind_shared: the VIRQ is taken by another source → BUSY
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(DoorbellCalls.BIND_VIRQ, db, vicCap, 41, 0);
        assertEquals(HypError.BUSY, f.call(BIND_VIRQ, hw, vicCap, 41, 0).error());
        // the hwirq is already bound → VIRQ_BOUND
        f.ok(BIND_VIRQ, hw, vicCap, 40, 0);
        assertEquals(HypError.VIRQ_BOUND, f.call(BIND_VIRQ, hw, vicCap, 42, 0).error());
        // reserved X3 must be zero
        assertEquals(
                HypError.ARGUMENT_INVALID, f.call(BIND_VIRQ, hw, vicCap, 42, 1).error());
    }

    @Test
    void unbindOfAnUnboundHwirqIsVirqNotBoundAsTheCodeSays() {
        assertEquals(HypError.VIRQ_NOT_BOUND, f.call(UNBIND_VIRQ, hw, 0).error());
        f.ok(BIND_VIRQ, hw, vicCap, 40, 0);
        f.ok(UNBIND_VIRQ, hw, 0);
        // the VIRQ is free again for another source
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(DoorbellCalls.BIND_VIRQ, db, vicCap, 40, 0);
    }

    @Test
    void capLookupRefusals() {
        Vm vm = f.newVm("vm");
        // a copy without BIND_VIC
        long noRight = f.ok(
                CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), hw, vm.cspaceCap(), ObjectType.OBJECT_ACTIVATE, 0);
        long vmVic = f.grant(vm, vicCap, dev.gunyahdt.hypervisor.call.VicRights.BIND_SOURCE);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(vm.caller(), BIND_VIRQ, noRight, vmVic, 40, 0).error());
        long withRight = f.grant(vm, hw, HwirqRights.BIND_VIC);
        assertEquals(
                HypError.OK,
                f.hv.call(vm.caller(), BIND_VIRQ, withRight, vmVic, 40, 0).error());
        // a VIC cap where the hwirq cap belongs
        assertEquals(
                HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.call(BIND_VIRQ, vicCap, vicCap, 40, 0).error());
    }
}
