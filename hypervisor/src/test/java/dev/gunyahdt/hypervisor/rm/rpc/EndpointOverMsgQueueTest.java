package dev.gunyahdt.hypervisor.rm.rpc;

import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.gunyahdt.hypervisor.rm.rpc.FragmentationTest.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest and an "RM" VM talking over the RM-RPC queue pair of the model: VM→RM and RM→VM queues of depth 8 and
 * 240-byte messages (what the RM creates, §3.1), each side holding only the SEND or RECEIVE cap it needs.
 * Everything moves through msgqueue_send / msgqueue_receive hypercalls.
 */
class EndpointOverMsgQueueTest {
    Fixture fx;
    Fixture.Vm rm;
    Fixture.Vm guest;
    RpcEndpoint rmEp;
    RpcEndpoint guestEp;
    RpcClient client;
    long rmRxCap;

    @BeforeEach
    void link() {
        fx = new Fixture(42);
        rm = fx.newVm("rm");
        guest = fx.newVm("guest");
        long toRm = fx.newMsgQueue(8, RpcHeader.FRAGMENT_SIZE);
        long toVm = fx.newMsgQueue(8, RpcHeader.FRAGMENT_SIZE);
        long guestTx = fx.grant(guest, toRm, MsgQueueRights.SEND);
        long guestRx = fx.grant(guest, toVm, MsgQueueRights.RECEIVE);
        rmRxCap = fx.grant(rm, toRm, MsgQueueRights.RECEIVE);
        long rmTx = fx.grant(rm, toVm, MsgQueueRights.SEND);
        rmEp = new RpcEndpoint(fx.hv, rm.caller(), rmTx, rmRxCap, 0x1000);
        guestEp = new RpcEndpoint(fx.hv, guest.caller(), guestTx, guestRx, 0x1000);
        client = new RpcClient(guestEp);
    }

    @Test
    void theWireCarriesTheDocumentedHeaderBytes() {
        client.request(MessageId.VM_GET_VMID, new byte[0]);
        HvcResult r = fx.hv.call(rm.caller(), MsgQueueCalls.RECEIVE, rmRxCap, 0x4000, 240, 0);
        assertTrue(r.isOk());
        assertEquals(8, r.x1());
        assertArrayEquals(new byte[] {0x21, 0x01, 0x00, 0x00, 0x24, 0x00, 0x00, 0x56},
                rm.caller().memory().read(0x4000, 8));
    }

    @Test
    void requestGetsTheReplyWithItsSequenceNumber() {
        int s0 = client.request(MessageId.VM_GET_VMID, new byte[0]);
        int s1 = client.request(MessageId.VM_GET_OWNER, new byte[0]);
        assertEquals(List.of(0, 1), List.of(s0, s1));
        List<RpcMessage> got = rmEp.receive();
        assertEquals(2, got.size());
        // answer in reverse order: the client pairs by sequence number, not by arrival
        for (int i = got.size() - 1; i >= 0; i--) {
            RpcMessage req = got.get(i);
            assertEquals(RmIntake.Action.DISPATCH, RmIntake.classify(req).action());
            int answer = req.messageId() == MessageId.VM_GET_VMID.id() ? 45 : 3;
            assertEquals(HypError.OK, rmEp.send(RpcMessage.reply(req, RmError.OK, new byte[] {(byte) answer, 0, 0, 0})));
        }
        List<RpcClient.Incoming> in = client.poll();
        assertEquals(2, in.size());
        assertTrue(in.get(0).isReply() && in.get(1).isReply());
        assertEquals(s1, in.get(0).message().sequence());
        assertEquals(MessageId.VM_GET_OWNER.id(), in.get(0).message().messageId());
        assertArrayEquals(new byte[] {3, 0, 0, 0}, in.get(0).message().replyData());
        assertEquals(s0, in.get(1).message().sequence());
        assertArrayEquals(new byte[] {45, 0, 0, 0}, in.get(1).message().replyData());
        assertFalse(client.awaiting(s0) || client.awaiting(s1));
    }

    @Test
    void notificationReachesTheGuest() {
        byte[] chars = {45, 0, 5, 0, 'h', 'e', 'l', 'l', 'o'}; // from vmid 45, 5 bytes (§8.9)
        rmEp.send(RpcMessage.notification(MessageId.NOTIFY_VM_CONSOLE_CHARS, 0, chars));
        List<RpcClient.Incoming> in = client.poll();
        assertEquals(1, in.size());
        assertFalse(in.get(0).isReply());
        assertEquals(RpcMessage.notification(MessageId.NOTIFY_VM_CONSOLE_CHARS, 0, chars), in.get(0).message());
    }

    @Test
    void aMaximalMessageCrossesAnEightDeepQueueInTurns() {
        byte[] p = payload(RpcHeader.MAX_MESSAGE_PAYLOAD, 7);
        client.request(MessageId.VM_CONSOLE_WRITE, p);
        assertEquals(HypError.MSGQUEUE_FULL, guestEp.lastError());
        assertEquals(63 - 8, guestEp.pendingFragments());
        List<RpcMessage> got = new java.util.ArrayList<>();
        int turns = 0;
        while (got.isEmpty() && turns < 100) {
            got.addAll(rmEp.receive());
            guestEp.flush();
            turns++;
        }
        assertEquals(8, turns); // 63 fragments, 8 per turn
        assertEquals(List.of(RpcMessage.request(MessageId.VM_CONSOLE_WRITE, 0, p)), got);
        assertEquals(0, guestEp.pendingFragments());
        assertTrue(rmEp.drops().isEmpty());
    }

    @Test
    void unknownIdIsAnsweredUnimplementedAndMalformedInputIsDroppedSilently() {
        guestEp.sendRaw(new byte[] {0x21, 0x01, 0x00}); // short
        guestEp.sendRaw(new byte[] {0x22, 0x01, 0, 0, 0x24, 0, 0, 0x56}); // version 2
        guestEp.sendRaw(new byte[] {0x21, 0x00, 0, 0, 0x24, 0, 0, 0x56}); // continuation, nothing in progress
        int seq = client.request(MessageId.VM_GET_HYP_CAPIDS, new byte[0]); // defined, not implemented
        List<RpcMessage> got = rmEp.receive();
        assertEquals(List.of(DropReason.SHORT_PACKET, DropReason.BAD_VERSION, DropReason.CONTINUATION_WITHOUT_MESSAGE),
                rmEp.drops().stream().map(Decoded.Dropped::reason).toList());
        assertEquals(1, got.size());
        RmIntake.Outcome o = RmIntake.classify(got.get(0));
        assertEquals(RmIntake.Action.ERROR_REPLY, o.action());
        rmEp.send(o.reply());
        List<RpcClient.Incoming> in = client.poll();
        assertEquals(1, in.size());
        assertEquals(seq, in.get(0).message().sequence());
        assertEquals(RmError.UNIMPLEMENTED, RmError.of(in.get(0).message().replyErrorCode()));
    }

    @Test
    void aReplyMatchingNoRequestIsDropped() {
        int seq = client.request(MessageId.VM_GET_VMID, new byte[0]);
        RpcMessage req = rmEp.receive().get(0);
        rmEp.send(new RpcMessage(MessageType.REPLY, seq + 1, req.messageId(), new byte[4]));
        rmEp.send(new RpcMessage(MessageType.REPLY, seq, MessageId.VM_GET_OWNER.id(), new byte[4]));
        assertTrue(client.poll().isEmpty());
        assertEquals(2, client.strayReplies());
        assertTrue(client.awaiting(seq));
    }

    @Test
    void anEndpointWithoutTheSendCapGetsTheHypercallError() {
        // the RM's receive cap on the VM→RM queue used as a send cap
        RpcEndpoint wrong = new RpcEndpoint(fx.hv, rm.caller(), rmRxCap, rmRxCap, 0x1000);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                wrong.send(RpcMessage.request(MessageId.VM_GET_VMID, 0, new byte[0])));
        assertEquals(1, wrong.pendingFragments());
    }
}
