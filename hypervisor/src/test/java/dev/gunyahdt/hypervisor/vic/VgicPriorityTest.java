package dev.gunyahdt.hypervisor.vic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import org.junit.jupiter.api.Test;

/**
 * What a multi-vCPU guest needs of the vGIC ([HYP] hyp/vm/vgic): enable bits with their reset value (disabled; a
 * disabled line stays pending), priorities (lowest value wins, ties by lowest INTID, 5 bits kept), the priority
 * mask (reset 0: everything masked), and SGIs between a VM's vCPUs by ICC_SGI1R_EL1 (target list, RS, IRM).
 */
class VgicPriorityTest extends VicFixture {
    final Vcpu v0 = vcpu(0);
    final Vcpu v1 = vcpu(1);
    final Vcpu v2 = vcpu(2);

    /** A doorbell bound to SPI {@code virq}, rung once (a level assertion: its enable mask is all ones). */
    private void ring(int virq) {
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        f.ok(DoorbellCalls.BIND_VIRQ, db, vicCap, virq, 0);
        f.ok(DoorbellCalls.SEND, db, 1, 0);
    }

    @Test
    void atResetEveryLineIsDisabledAndTheMaskHidesEverything() {
        ring(960);
        assertTrue(vic.isPending(960));
        assertFalse(vic.isEnabled(0, 960));
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0)); // disabled
        vic.enable(0, 960, true);
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0)); // enabled, but PMR 0 masks priority 0
        assertTrue(v0.waitForInterrupt(), "nothing it can take: WFI waits");
        vic.setPriorityMask(0, 0x10);
        assertFalse(v0.waiting(), "lowering the mask's bar makes the pending line deliverable: woken");
        assertEquals(960, vic.acknowledge(0));
    }

    @Test
    void aDisabledLineStaysPendingAndIsDeliveredWhenEnabled() {
        vic.setPriorityMask(1, 0xF0);
        vic.route(961, 1);
        assertTrue(v1.waitForInterrupt());
        ring(961);
        assertTrue(v1.waiting(), "disabled: no wake-up");
        assertTrue(vic.isPending(961));
        vic.enable(1, 961, true); // GICD_ISENABLER
        assertFalse(v1.waiting(), "enabled while pending: delivered, the vCPU woken");
        vic.enable(1, 961, false); // GICD_ICENABLER
        assertEquals(Vic.SPURIOUS, vic.acknowledge(1));
        assertTrue(vic.isPending(961), "still pending while disabled");
        vic.enable(1, 961, true);
        assertEquals(961, vic.acknowledge(1));
    }

    @Test
    void theHighestPriorityWinsThenTheLowestIntidAndTheMaskFilters() {
        vic.setPriorityMask(0, 0xF0);
        for (int virq : new int[] {962, 963, 964}) {
            ring(virq);
            vic.enable(0, virq, true);
        }
        vic.setPriority(0, 962, 0xA0);
        vic.setPriority(0, 963, 0x40); // highest priority: taken first though its INTID is higher
        vic.setPriority(0, 964, 0x9F); // 5 bits kept: 0x98, above 962's 0xA0
        vic.enable(0, 27, true);
        vic.setPriority(0, 27, 0xE0);
        vic.assertPrivate(0, 27);
        assertEquals(963, vic.acknowledge(0));
        assertEquals(964, vic.acknowledge(0));
        vic.setPriorityMask(0, 0xA0); // 962 (0xA0) and 27 (0xE0) are not below the mask now
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0));
        vic.setPriorityMask(0, 0xFF);
        vic.setPriority(0, 27, 0xA0); // a tie with 962: the lower INTID wins
        assertEquals(27, vic.acknowledge(0));
        assertEquals(962, vic.acknowledge(0));
        assertThrows(IllegalArgumentException.class, () -> vic.setPriority(0, 962, 256));
    }

    @Test
    void sgisReachTheTargetListedVcpusOrEveryOtherOneWithIrm() {
        for (int i = 0; i < 3; i++) {
            vic.setPriorityMask(i, 0xF0);
            vic.enable(i, 3, true);
        }
        assertTrue(v2.waitForInterrupt());
        vic.generateSgi(0, 3L << 24 | 0b100); // TargetList: Aff0 2
        assertFalse(v2.waiting(), "the SGI woke its target");
        assertEquals(Vic.SPURIOUS, vic.acknowledge(1));
        assertEquals(3, vic.acknowledge(2));
        vic.endOfInterrupt(2, 3);
        assertEquals(Vic.SPURIOUS, vic.acknowledge(2), "SGIs are edge: no re-pend at EOI");

        vic.generateSgi(1, 3L << 24 | 1L << 40); // IRM: every vCPU but the sender
        assertEquals(3, vic.acknowledge(0));
        assertEquals(3, vic.acknowledge(2));
        assertEquals(Vic.SPURIOUS, vic.acknowledge(1));
        vic.endOfInterrupt(0, 3);
        vic.endOfInterrupt(2, 3);

        vic.generateSgi(0, 3L << 24 | 1L << 16 | 0b10); // Aff1 = 1: no such vCPU with the QEMU mapping, ignored
        vic.generateSgi(0, 3L << 24 | 1L << 44 | 0b1); // RS 1: Aff0 16, beyond the VIC's vCPUs, ignored
        assertEquals(Vic.SPURIOUS, vic.acknowledge(1));
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0));

        vic.generateSgi(0, 3L << 24 | 0b1); // to itself
        assertEquals(3, vic.acknowledge(0));
    }

    @Test
    void anSgiIsAlwaysEdgeAndADisabledOneStaysPending() {
        vic.setPriorityMask(1, 0xF0);
        vic.configureEdge(1, 5, false); // GICR_ICFGR0 is read-only for SGIs
        vic.generateSgi(0, 5L << 24 | 0b10);
        vic.generateSgi(0, 5L << 24 | 0b10); // a second one while pending: one pending bit (no per-source state)
        assertTrue(vic.isPending(1, 5));
        assertEquals(Vic.SPURIOUS, vic.acknowledge(1));
        vic.enable(1, 5, true);
        assertEquals(5, vic.acknowledge(1));
        vic.endOfInterrupt(1, 5);
        assertEquals(Vic.SPURIOUS, vic.acknowledge(1));
    }
}
