package dev.gunyahdt.hypervisor.rm.rpc;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The RM's sending side towards one client VM (reference §8.1, §8.2): at most one reply waiting to go out, up to
 * 256 notifications queued (MAX_NOTIFICATION_PENDING), and a waiting reply always goes before queued
 * notifications. A message already handed to the endpoint finishes before the next starts, so fragments of two
 * messages never interleave on the wire. A message is handed over whenever the endpoint has sent everything
 * before it; if the queue turns out to be full it waits there "in flight" (the RM's retry on the send VIRQ), and
 * only messages behind it are subject to the reply-first rule and the 256 limit. Notification sequence numbers come from one {@link Counter} the RM shares
 * across all its links, starting at 0.
 *
 * <p>The reference does not say what the RM does with a second reply while one is waiting, or a 257th
 * notification; here both are refused ({@code false}) and nothing changes — in particular a refused notification
 * does not consume a sequence number (assumptions).
 */
public final class RmLink {
    public static final int MAX_NOTIFICATION_PENDING = 256;

    /** The RM-global notification sequence counter (u16, wraps). */
    public static final class Counter {
        private int next;

        int take() {
            int s = next;
            next = (next + 1) & 0xFFFF;
            return s;
        }

        public int peek() {
            return next;
        }
    }

    private final RpcEndpoint endpoint;
    private final Counter counter;
    private RpcMessage reply;
    private final Deque<RpcMessage> notifications = new ArrayDeque<>();

    public RmLink(RpcEndpoint endpoint, Counter counter) {
        this.endpoint = endpoint;
        this.counter = counter;
    }

    /** Buffers a reply (type REPLY) and sends what the queue takes; false when a reply is already waiting. */
    public boolean reply(RpcMessage m) {
        if (m.type() != MessageType.REPLY) {
            throw new IllegalArgumentException("not a reply: " + m);
        }
        if (reply != null) {
            return false;
        }
        reply = m;
        pump();
        return true;
    }

    /** Queues a notification with the next global sequence number; false when 256 are already pending. */
    public boolean notify(MessageId id, byte[] payload) {
        if (notifications.size() >= MAX_NOTIFICATION_PENDING) {
            return false;
        }
        notifications.addLast(RpcMessage.notification(id, counter.take(), payload));
        pump();
        return true;
    }

    /** Sends as much as the queue takes (call when the send VIRQ says there is space). */
    public void pump() {
        endpoint.flush();
        while (endpoint.pendingFragments() == 0 && (reply != null || !notifications.isEmpty())) {
            RpcMessage next;
            if (reply != null) {
                next = reply;
                reply = null;
            } else {
                next = notifications.removeFirst();
            }
            endpoint.send(next);
        }
    }

    public boolean replyWaiting() {
        return reply != null;
    }

    public int notificationsPending() {
        return notifications.size();
    }

    public RpcEndpoint endpoint() {
        return endpoint;
    }
}
