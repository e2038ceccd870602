package dev.gunyahdt.hypervisor.msgqueue;

import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Fixture.Vm;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.virq.VirqEvent;
import dev.gunyahdt.hypervisor.virq.VirqEvent.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A→B message queue wired as the RM wires it (§3.5): A holds SEND and gets the send VIRQ in its VIC, B holds
 * RECEIVE and gets the receive VIRQ in its VIC. Depth 3, 8-byte messages.
 */
class MsgQueueTest {
    static final int TX_VIRQ = 960;
    static final int RX_VIRQ = 961;
    Fixture f = new Fixture(3);
    Vm a;
    Vm b;
    long q;      // root's master cap
    long qa;     // A's SEND cap
    long qb;     // B's RECEIVE cap
    Vic vicA;
    Vic vicB;

    @BeforeEach
    void wire() {
        a = f.newVm("a");
        b = f.newVm("b");
        long va = f.newVic();
        long vb = f.newVic();
        vicA = f.root.cspace().lookup(va, null, 0, false).as(Vic.class);
        vicB = f.root.cspace().lookup(vb, null, 0, false).as(Vic.class);
        q = f.create(PartitionCalls.CREATE_MSGQUEUE);
        f.ok(CONFIGURE, q, createInfo(3, 8), 0);
        f.ok(BIND_SEND_VIRQ, q, va, TX_VIRQ, 0);
        f.ok(BIND_RECEIVE_VIRQ, q, vb, RX_VIRQ, 0);
        f.ok(ObjectCalls.ACTIVATE, q, 0);
        qa = f.grant(a, q, MsgQueueRights.SEND);
        qb = f.grant(b, q, MsgQueueRights.RECEIVE);
    }

    HvcResult send(String text, long flags) {
        byte[] m = text.getBytes();
        a.caller().memory().write(0x1000, m);
        return f.hv.call(a.caller(), SEND, qa, m.length, 0x1000, flags, 0);
    }

    HvcResult receive() {
        return f.hv.call(b.caller(), RECEIVE, qb, 0x2000, 8, 0);
    }

    String received(HvcResult r) {
        return new String(b.caller().memory().read(0x2000, (int) r.x1()));
    }

    @Test
    void fifoWithLengthsAndNotFullNotEmptyFlags() {
        assertEquals(List.of(1L, 1L, 0L), List.of(send("one", 0).x1(), send("two!", 0).x1(), send("3", 0).x1()));
        HvcResult r = receive();
        assertEquals(HypError.OK, r.error());
        assertEquals(3, r.x1());
        assertEquals(1, r.x2());
        assertEquals("one", received(r));
        assertEquals("two!", received(receive()));
        HvcResult last = receive();
        assertEquals("3", received(last));
        assertEquals(0, last.x2());
    }

    @Test
    void fullAndEmpty() {
        HvcResult empty = receive();
        assertEquals(HypError.MSGQUEUE_EMPTY, empty.error());
        assertEquals(0, empty.x1());
        assertEquals(0, empty.x2());
        send("a", 0);
        send("b", 0);
        send("c", 0);
        List<String> before = f.hv.snapshot();
        HvcResult full = send("d", 0);
        assertEquals(HypError.MSGQUEUE_FULL, full.error());
        assertEquals(0, full.x1());
        assertEquals(before, f.hv.snapshot());
    }

    @Test
    void receiveVirqOnEmptyToNonEmptyAndOnPush() {
        send("a", 0); // count 0→1 = not_empty threshold 1
        send("b", 0); // no event
        send("c", SEND_FLAG_PUSH); // push forces it
        assertEquals(List.of(new VirqEvent(RX_VIRQ, Kind.ASSERT), new VirqEvent(RX_VIRQ, Kind.ASSERT)),
                vicB.events());
        assertEquals(List.of(), vicA.events());
    }

    @Test
    void sendVirqOnFullToNotFull() {
        send("a", 0);
        send("b", 0);
        receive(); // 2→1: not_full threshold is depth−1 = 2, not reached from above
        assertEquals(List.of(), vicA.events());
        send("b", 0);
        send("c", 0); // full (3)
        receive(); // 3→2 = threshold → assert
        assertEquals(List.of(new VirqEvent(TX_VIRQ, Kind.ASSERT)), vicA.events());
        assertEquals(true, vicA.isPending(TX_VIRQ));
    }

    @Test
    void configuredThresholds() {
        long qa2 = f.grant(a, q, MsgQueueRights.SEND);
        long qb2 = f.grant(b, q, MsgQueueRights.RECEIVE);
        // receive threshold 2: one message raises nothing, the second does
        assertEquals(HypError.OK, f.hv.call(b.caller(), CONFIGURE_RECEIVE, qb2, 2, -1, -1).error());
        assertEquals(List.of(new VirqEvent(RX_VIRQ, Kind.CLEAR)), vicB.events()); // re-evaluated: 0 < 2
        send("a", 0);
        assertEquals(1, vicB.events().size());
        send("b", 0);
        assertEquals(new VirqEvent(RX_VIRQ, Kind.ASSERT), vicB.events().get(1));
        // send threshold 0: re-evaluated at once (count 2 > 0 → clear)
        assertEquals(HypError.OK, f.hv.call(a.caller(), CONFIGURE_SEND, qa2, 0, -1, -1).error());
        assertEquals(List.of(new VirqEvent(TX_VIRQ, Kind.CLEAR)), vicA.events());
        receive();
        receive(); // 1→0 = threshold 0
        assertEquals(new VirqEvent(TX_VIRQ, Kind.ASSERT), vicA.events().get(1));
    }

    @Test
    void thresholdArgumentErrors() {
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE_SEND, q, 3, -1, -1).error()); // ≥ depth
        assertEquals(HypError.UNIMPLEMENTED, f.call(CONFIGURE_SEND, q, 1, 5, -1).error()); // holdoff
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE_RECEIVE, q, 0, -1, -1).error());
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE_RECEIVE, q, 4, -1, -1).error()); // > depth
        assertEquals(HypError.UNIMPLEMENTED, f.call(CONFIGURE_RECEIVE, q, 1, 0, -1).error());
        assertEquals(HypError.OK, f.call(CONFIGURE_RECEIVE, q, 3, -1, -1).error()); // = depth is fine
        int events = vicB.events().size();
        assertEquals(HypError.OK, f.call(CONFIGURE_RECEIVE, q, 0xFFFF_FFFEL, -1, -1).error()); // -2: no re-eval
        assertEquals(events, vicB.events().size());
        // The receiver cannot tune the sender's side and vice versa.
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(b.caller(), CONFIGURE_SEND, qb, 1, -1, -1).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(a.caller(), CONFIGURE_RECEIVE, qa, 1, -1, -1).error());
    }

    @Test
    void flushEmptiesAssertsSendAndClearsReceive() {
        send("a", 0);
        send("b", 0);
        assertEquals(HypError.OK, f.hv.call(b.caller(), FLUSH, qb, 0).error());
        assertEquals(List.of(new VirqEvent(TX_VIRQ, Kind.ASSERT)), vicA.events());
        assertEquals(new VirqEvent(RX_VIRQ, Kind.CLEAR), vicB.events().get(vicB.events().size() - 1));
        assertEquals(HypError.MSGQUEUE_EMPTY, receive().error());
        // flushing an empty queue raises nothing
        f.hv.call(b.caller(), FLUSH, qb, 0);
        assertEquals(1, vicA.events().size());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(a.caller(), FLUSH, qa, 0).error());
    }

    @Test
    void rightsSeparateSenderAndReceiver() {
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(b.caller(), SEND, qb, 1, 0, 0, 0).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(a.caller(), RECEIVE, qa, 0, 8, 0).error());
        // A's CapID means nothing (or something else) in B's cspace
        HypError e = f.hv.call(b.caller(), RECEIVE, qa, 0, 8, 0).error();
        assertEquals(true, e == HypError.ARGUMENT_INVALID || e == HypError.CSPACE_CAP_NULL
                || e == HypError.CSPACE_INSUFFICIENT_RIGHTS || e == HypError.CSPACE_WRONG_OBJECT_TYPE, e.name());
    }

    @Test
    void configureLimitsAndState() {
        long n = f.create(PartitionCalls.CREATE_MSGQUEUE);
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE, n, createInfo(0, 8), 0).error());
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE, n, createInfo(256, 8), 0).error());
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE, n, createInfo(8, 0), 0).error());
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE, n, createInfo(8, 1024), 0).error());
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CONFIGURE, n, createInfo(8, 8) | 1L << 32, 0).error());
        assertEquals(HypError.OK, f.call(CONFIGURE, n, createInfo(255, 1023), 0).error());
        assertEquals(HypError.OBJECT_STATE, f.call(SEND, n, 1, 0, 0, 0).error()); // not active yet
        f.ok(ObjectCalls.ACTIVATE, n, 0);
        assertEquals(HypError.OBJECT_STATE, f.call(CONFIGURE, n, createInfo(1, 1), 0).error());
        // configure needs the activate right
        long weak = f.grant(a, n, MsgQueueRights.SEND | MsgQueueRights.RECEIVE);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(a.caller(), CONFIGURE, weak, createInfo(1, 1), 0).error());
    }

    @Test
    void bindErrors() {
        long q2 = f.create(PartitionCalls.CREATE_MSGQUEUE);
        long vic = f.newVic();
        assertEquals(HypError.VIRQ_BOUND, f.call(BIND_SEND_VIRQ, q, vic, 970, 0).error());
        long small = f.create(PartitionCalls.CREATE_VIC);
        f.ok(dev.gunyahdt.hypervisor.vic.VicCalls.CONFIGURE, small, 1, 10, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, small, 0);
        assertEquals(HypError.ARGUMENT_INVALID, f.call(BIND_SEND_VIRQ, q2, small, 42, 0).error()); // 42−32 ≥ 10
        assertEquals(HypError.ARGUMENT_INVALID, f.call(BIND_SEND_VIRQ, q2, small, 31, 0).error()); // a PPI
        assertEquals(HypError.OK, f.call(BIND_SEND_VIRQ, q2, small, 41, 0).error());
        assertEquals(HypError.BUSY, f.call(BIND_RECEIVE_VIRQ, q2, small, 41, 0).error());
        // B may not bind with only RECEIVE, nor into a VIC it holds no BIND_SOURCE for
        long vicInB = f.grant(b, vic, VicRights.ATTACH_VCPU);
        long qbBind = f.grant(b, q2, MsgQueueRights.BIND_RECEIVE);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(b.caller(), BIND_RECEIVE_VIRQ, qb, vicInB, 980, 0).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(b.caller(), BIND_RECEIVE_VIRQ, qbBind, vicInB, 980, 0).error());
        // unbind, then the SPI is free again; unbinding an unbound source is OK
        assertEquals(HypError.OK, f.call(UNBIND_SEND_VIRQ, q2, 0).error());
        assertEquals(HypError.OK, f.call(UNBIND_SEND_VIRQ, q2, 0).error());
        assertEquals(HypError.OK, f.call(BIND_RECEIVE_VIRQ, q2, small, 41, 0).error());
    }

    @Test
    void badBufferFollowsTheCodeByDefault() {
        // size 0, size > max, unmapped buffer: OK, not_full = true, nothing queued (§3.6)
        for (long[] args : new long[][] {{0, 0x1000}, {9, 0x1000}, {4, 0xFFFF_FFF0L}}) {
            List<String> before = f.hv.snapshot();
            HvcResult r = f.hv.call(a.caller(), SEND, qa, args[0], args[1], 0, 0);
            assertEquals(HypError.OK, r.error());
            assertEquals(1, r.x1());
            assertEquals(before, f.hv.snapshot());
        }
        send("abcd", 0);
        List<String> before = f.hv.snapshot();
        HvcResult small = f.hv.call(b.caller(), RECEIVE, qb, 0x2000, 3, 0);
        assertEquals(List.of(0L, 0L, 1L), List.of(small.x0(), small.x1(), small.x2()));
        assertEquals(before, f.hv.snapshot());
    }

    @Test
    void badBufferGivesDocumentedErrorsWhenAskedTo() {
        Fixture g = new Fixture(new Hypervisor(3, true));
        Vm s = g.newVm("s");
        long qq = g.newMsgQueue(2, 8);
        long cap = g.grant(s, qq, MsgQueueRights.SEND | MsgQueueRights.RECEIVE);
        assertEquals(HypError.ARGUMENT_SIZE, g.hv.call(s.caller(), SEND, cap, 9, 0, 0, 0).error());
        assertEquals(HypError.ADDR_INVALID, g.hv.call(s.caller(), SEND, cap, 4, 0xFFFF_FFF0L, 0, 0).error());
        assertEquals(HypError.OK, g.hv.call(s.caller(), SEND, cap, 4, 0, 0, 0).error());
        assertEquals(HypError.ARGUMENT_SIZE, g.hv.call(s.caller(), RECEIVE, cap, 0, 3, 0).error());
        assertEquals(HypError.ADDR_INVALID, g.hv.call(s.caller(), RECEIVE, cap, 0xFFFF_FFF0L, 8, 0).error());
        HvcResult r = g.hv.call(s.caller(), RECEIVE, cap, 0, 8, 0);
        assertEquals(HypError.OK, r.error());
        assertEquals(4, r.x1());
    }

    @Test
    void messageBytesArriveIntact() {
        byte[] m = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1, 2, 3, 4};
        GuestMemory mem = a.caller().memory();
        mem.write(0x10, m);
        f.hv.call(a.caller(), SEND, qa, 8, 0x10, 0, 0);
        HvcResult r = receive();
        assertArrayEquals(m, b.caller().memory().read(0x2000, (int) r.x1()));
    }
}
