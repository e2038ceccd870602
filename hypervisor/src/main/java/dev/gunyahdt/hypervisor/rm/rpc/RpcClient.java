package dev.gunyahdt.hypervisor.rm.rpc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A VM's side of the RPC: numbers its requests and pairs replies with them by sequence number (a reply echoes the
 * request's sequence, §8.2). Replies that match no outstanding request (or a different message ID) are dropped;
 * notifications are handed over as they come. Sequence numbers count up from 0 and wrap at 16 bits (the reference
 * does not say where a client starts; an assumption).
 */
public final class RpcClient {
    private final RpcEndpoint endpoint;
    private final Map<Integer, Integer> outstanding = new HashMap<>();
    private int nextSequence;
    private int strayReplies;

    public RpcClient(RpcEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Sends a request and returns its sequence number. */
    public int request(MessageId id, byte[] payload) {
        int seq = nextSequence;
        nextSequence = (nextSequence + 1) & 0xFFFF;
        outstanding.put(seq, id.id());
        endpoint.send(RpcMessage.request(id, seq, payload));
        return seq;
    }

    /** A reply matched to its request, or a notification. */
    public record Incoming(RpcMessage message, boolean isReply) {}

    /** Retries queued fragments, then receives everything waiting. */
    public List<Incoming> poll() {
        endpoint.flush();
        List<Incoming> out = new ArrayList<>();
        for (RpcMessage m : endpoint.receive()) {
            switch (m.type()) {
                case REPLY -> {
                    Integer id = outstanding.get(m.sequence());
                    if (id != null && id == m.messageId()) {
                        outstanding.remove(m.sequence());
                        out.add(new Incoming(m, true));
                    } else {
                        strayReplies++;
                    }
                }
                case NOTIFICATION -> out.add(new Incoming(m, false));
                default -> strayReplies++; // a REQUEST sent to a VM: nothing here answers it
            }
        }
        return out;
    }

    public boolean awaiting(int sequence) {
        return outstanding.containsKey(sequence);
    }

    /** Replies (and requests) received that matched nothing and were dropped. */
    public int strayReplies() {
        return strayReplies;
    }

    public RpcEndpoint endpoint() {
        return endpoint;
    }
}
