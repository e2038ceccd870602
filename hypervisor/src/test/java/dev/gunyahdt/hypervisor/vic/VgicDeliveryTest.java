package dev.gunyahdt.hypervisor.vic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import org.junit.jupiter.api.Test;

/** VIRQ delivery (§6): routing to a vCPU, wake from WFI, edge vs level, acknowledge, EOI with level re-check. */
class VgicDeliveryTest extends VicFixture {
    final Vcpu v0 = vcpu(0);
    final Vcpu v1 = vcpu(1);

    @Override
    Vcpu vcpu(int index) {
        Vcpu v = super.vcpu(index);
        vic.setPriorityMask(index, 0xF0); // the guest's GIC CPU interface set-up (everything is masked at reset)
        return v;
    }

    @Test
    void messageQueueVirqReachesTheRoutedVcpuAndWakesIt() {
        long q = f.newMsgQueue(2, 8);
        f.ok(MsgQueueCalls.BIND_RECEIVE_VIRQ, q, vicCap, 961, 0);
        vic.route(961, 1);
        vic.enable(0, 961, true);
        assertTrue(v1.waitForInterrupt());
        assertTrue(v0.waitForInterrupt());
        f.hv.root().memory().write(0, new byte[] {9});
        f.ok(MsgQueueCalls.SEND, q, 1, 0, 0, 0);
        assertFalse(v1.waiting());
        assertTrue(v0.waiting()); // not routed to it
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0));
        assertEquals(961, vic.acknowledge(1));
        assertTrue(vic.isActive(1, 961));
        // level re-check at EOI: the message is still queued (count 1 ≥ not_empty 1) → pending again
        vic.endOfInterrupt(1, 961);
        assertTrue(vic.isPending(961));
        assertEquals(961, vic.acknowledge(1));
        f.ok(MsgQueueCalls.RECEIVE, q, 0x100, 8, 0);
        vic.endOfInterrupt(1, 961); // now empty: not pending
        assertFalse(vic.isPending(961));
        assertEquals(Vic.SPURIOUS, vic.acknowledge(1));
    }

    @Test
    void edgeOnlyAssertionNeedsAnEdgeLineAndReassertionSurvivesEoi() {
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        f.ok(DoorbellCalls.BIND_VIRQ, db, vicCap, 970, 0);
        f.ok(DoorbellCalls.MASK, db, 0, 0, 0); // nothing enabled: sends are edge-only
        f.ok(DoorbellCalls.SEND, db, 1, 0);
        assertFalse(vic.isPending(970)); // level line (default): an edge-only assertion is lost
        vic.configureEdge(0, 970, true);
        vic.enable(0, 970, true);
        f.ok(DoorbellCalls.SEND, db, 2, 0);
        assertTrue(vic.isPending(970));
        assertEquals(970, vic.acknowledge(0));
        f.ok(DoorbellCalls.SEND, db, 4, 0); // while active: pending again
        vic.endOfInterrupt(0, 970);
        assertEquals(970, vic.acknowledge(0));
        vic.endOfInterrupt(0, 970);
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0));
    }

    @Test
    void privateInterruptsStayOnTheirVcpuAndLowestIntidWins() {
        vic.assertPrivate(1, 27);
        vic.enable(1, 27, true);
        f.ok(DoorbellCalls.BIND_VIRQ, activeDoorbell(), vicCap, 990, 0);
        vic.route(990, 1);
        vic.enable(1, 990, true);
        assertEquals(Vic.SPURIOUS, vic.acknowledge(0));
        assertFalse(v1.waitForInterrupt()); // something is deliverable: WFI returns at once
        assertEquals(27, vic.acknowledge(1));
        assertTrue(vic.isActive(1, 27));
        assertFalse(vic.isActive(0, 27));
    }

    private long activeDoorbell() {
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        return db;
    }
}
