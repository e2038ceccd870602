package dev.gunyahdt.hypervisor.doorbell;

import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Fixture.Vm;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.virq.VirqEvent;
import dev.gunyahdt.hypervisor.virq.VirqEvent.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.gunyahdt.hypervisor.doorbell.DoorbellCalls.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Doorbell flag and mask semantics (§4). S rings, R receives; R's VIC gets VIRQ 970. */
class DoorbellTest {
    static final int VIRQ = 970;
    final Fixture f = new Fixture(11);
    Vm s;
    Vm r;
    long db;
    long sCap;
    long rCap;
    Vic vic;

    @BeforeEach
    void wire() {
        s = f.newVm("s");
        r = f.newVm("r");
        long v = f.newVic();
        vic = f.root.cspace().lookup(v, null, 0, false).as(Vic.class);
        db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(BIND_VIRQ, db, v, VIRQ, 0);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        sCap = f.grant(s, db, DoorbellRights.SEND);
        rCap = f.grant(r, db, DoorbellRights.RECEIVE);
    }

    HvcResult ring(long flags) {
        return f.hv.call(s.caller(), SEND, sCap, flags, 0);
    }

    HvcResult take(long clear) {
        return f.hv.call(r.caller(), RECEIVE, rCap, clear, 0);
    }

    HvcResult mask(long enable, long ack) {
        return f.hv.call(r.caller(), MASK, rCap, enable, ack, 0);
    }

    @Test
    void sendOrsFlagsAndReturnsTheOldValue() {
        assertEquals(0, ring(0x1).x1());
        assertEquals(0x1, ring(0x4).x1());
        assertEquals(0x5, ring(0x1).x1());
        assertEquals(List.of(new VirqEvent(VIRQ, Kind.ASSERT), new VirqEvent(VIRQ, Kind.ASSERT),
                new VirqEvent(VIRQ, Kind.ASSERT)), vic.events());
    }

    @Test
    void receiveReturnsThenClearsOnlyTheGivenFlags() {
        ring(0b1011);
        HvcResult got = take(0b0011);
        assertEquals(HypError.OK, got.error());
        assertEquals(0b1011, got.x1());
        assertEquals(0b1000, take(-1).x1());
        assertEquals(0, take(-1).x1());
        // Code: receive leaves the VIRQ alone (the doc says it may de-assert it)
        assertEquals(List.of(new VirqEvent(VIRQ, Kind.ASSERT)), vic.events());
        assertEquals(HypError.ARGUMENT_INVALID, take(0).error());
    }

    @Test
    void disabledFlagsRaiseOnlyAnEdgeAndAreNotAcked() {
        assertEquals(HypError.OK, mask(0xF0, 0xF0).error());
        ring(0x01);
        assertEquals(List.of(new VirqEvent(VIRQ, Kind.ASSERT_EDGE_ONLY)), vic.events());
        assertEquals(0x01, take(0x1).x1()); // not auto-acked
    }

    @Test
    void enabledFlagsInTheAckMaskAreClearedOnAssertion() {
        mask(-1L, 0x2);
        ring(0x3);
        assertEquals(0x1, take(-1).x1()); // 0x2 auto-acked when the VIRQ was raised
        assertEquals(List.of(new VirqEvent(VIRQ, Kind.ASSERT)), vic.events());
    }

    @Test
    void maskTransitions() {
        mask(0x0, 0x0);
        ring(0x6);                   // edge only: 0x6 & 0 == 0
        assertEquals(HypError.OK, mask(0x2, 0x2).error()); // not→now: assert, then ack 0x2
        assertEquals(new VirqEvent(VIRQ, Kind.ASSERT), vic.events().get(1));
        assertEquals(true, vic.isPending(VIRQ));
        assertEquals(0x4, take(0x8).x1());
        mask(0x4, 0x0);              // was (0x4&0x2=0)? no: flags 0x4, old enable 0x2 → was false; now true
        assertEquals(new VirqEvent(VIRQ, Kind.ASSERT), vic.events().get(2));
        mask(0x4, 0x4);              // was ∧ now: ack 0x4, no VIRQ change
        assertEquals(3, vic.events().size());
        assertEquals(0, take(-1).x1());
        ring(0x8);                   // 0x8 not enabled → edge only
        mask(0x8, 0x0);              // ¬was ∧ now → assert
        mask(0x0, 0x0);              // was ∧ ¬now → clear
        assertEquals(List.of(new VirqEvent(VIRQ, Kind.ASSERT_EDGE_ONLY), new VirqEvent(VIRQ, Kind.ASSERT),
                new VirqEvent(VIRQ, Kind.CLEAR)), vic.events().subList(3, 6));
        assertEquals(false, vic.isPending(VIRQ));
    }

    @Test
    void resetRestoresCreationStateAndClearsTheVirq() {
        mask(0x1, 0x0);
        ring(0x3);
        assertEquals(HypError.OK, f.hv.call(r.caller(), RESET, rCap, 0).error());
        assertEquals(new VirqEvent(VIRQ, Kind.CLEAR), vic.events().get(vic.events().size() - 1));
        assertEquals(0, ring(0x2).x1());        // flags were zeroed
        assertEquals(0x2, take(-1).x1());       // enable all ones again: 0x2 raised it, ack 0 kept it
    }

    @Test
    void rightsPerCall() {
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(r.caller(), SEND, rCap, 1, 0).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(s.caller(), RECEIVE, sCap, 1, 0).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(s.caller(), RESET, sCap, 0).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(s.caller(), MASK, sCap, 0, 0, 0).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(r.caller(), UNBIND_VIRQ, rCap, 0).error());
        assertEquals(HypError.VIRQ_BOUND, f.call(BIND_VIRQ, db, f.newVic(), VIRQ, 0).error());
    }

    @Test
    void unboundDoorbellRingsSilently() {
        f.ok(UNBIND_VIRQ, db, 0);
        int n = vic.events().size();
        assertEquals(HypError.OK, ring(1).error());
        assertEquals(n, vic.events().size());
        assertEquals(1, take(1).x1());
    }
}
