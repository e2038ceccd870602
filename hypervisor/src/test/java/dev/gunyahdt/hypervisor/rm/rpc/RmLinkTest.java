package dev.gunyahdt.hypervisor.rm.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RM's outgoing order and limits (§8.1) over the same queue pair as {@link EndpointOverMsgQueueTest}. */
class RmLinkTest {

    @Test
    void replyOvertakesQueuedNotificationsAndSequenceIsGlobal() {
        EndpointOverMsgQueueTest t = new EndpointOverMsgQueueTest();
        t.link();
        RmLink.Counter global = new RmLink.Counter();
        RmLink link = new RmLink(t.rmEp, global);
        // fill the RM→VM queue (8 slots) with one 8-fragment notification, then queue two more
        byte[] eightFragments = new byte[8 * RpcHeader.FRAGMENT_PAYLOAD];
        assertTrue(link.notify(MessageId.NOTIFY_VM_CONSOLE_CHARS, eightFragments));
        assertTrue(link.notify(MessageId.NOTIFY_VM_STATUS, new byte[8]));
        assertTrue(link.notify(MessageId.NOTIFY_VM_STATUS, new byte[8]));
        // the second went to the endpoint (found the queue full, in flight); the third waits in the link
        assertEquals(1, link.notificationsPending());
        assertEquals(1, t.rmEp.pendingFragments());
        int seq = t.client.request(MessageId.VM_GET_VMID, new byte[0]);
        RpcMessage req = t.rmEp.receive().get(0);
        assertTrue(link.reply(RpcMessage.reply(req, RmError.OK, new byte[] {45, 0, 0, 0})));
        assertFalse(link.reply(RpcMessage.reply(req, RmError.OK)), "only one reply is buffered");

        List<RpcMessage> seen = new ArrayList<>();
        for (int i = 0; i < 5 && seen.size() < 4; i++) {
            t.client.poll().forEach(in -> seen.add(in.message()));
            link.pump();
        }
        // the reply overtakes the waiting notification, not the one in flight
        assertEquals(
                List.of(
                        MessageType.NOTIFICATION,
                        MessageType.NOTIFICATION,
                        MessageType.REPLY,
                        MessageType.NOTIFICATION),
                seen.stream().map(RpcMessage::type).toList());
        assertEquals(seq, seen.get(2).sequence());
        assertEquals(
                List.of(0, 1, 2),
                List.of(
                        seen.get(0).sequence(),
                        seen.get(1).sequence(),
                        seen.get(3).sequence()));
        assertEquals(3, global.peek());
    }

    @Test
    void atMost256NotificationsWait() {
        EndpointOverMsgQueueTest t = new EndpointOverMsgQueueTest();
        t.link();
        RmLink.Counter global = new RmLink.Counter();
        RmLink link = new RmLink(t.rmEp, global);
        int accepted = 0;
        while (link.notify(MessageId.NOTIFY_VM_STATUS, new byte[8])) {
            accepted++;
        }
        // 8 went straight into the queue (one fragment each), 1 is in flight in the endpoint, 256 wait
        assertEquals(8 + 1 + 256, accepted);
        assertEquals(256, link.notificationsPending());
        assertEquals(265, global.peek());
        int received = 0;
        for (int i = 0; i < 100 && received < 265; i++) {
            received += t.client.poll().size();
            link.pump();
        }
        assertEquals(265, received);
        assertEquals(0, link.notificationsPending());
    }
}
