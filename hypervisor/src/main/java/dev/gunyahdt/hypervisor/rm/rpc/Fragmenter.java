package dev.gunyahdt.hypervisor.rm.rpc;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a message into message-queue-sized fragments (reference §8.2): F = ceil(L / 232) fragments, 1 for an
 * empty payload; every fragment but the last carries 232 payload bytes. The first fragment has the message's
 * type; the others are CONTINUED and repeat the message ID, the sequence number and the count field F − 1.
 */
public final class Fragmenter {
    private Fragmenter() {}

    public static List<byte[]> fragments(RpcMessage m) {
        byte[] payload = m.payload();
        int count = m.fragmentCount();
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * RpcHeader.FRAGMENT_PAYLOAD;
            int len = Math.min(RpcHeader.FRAGMENT_PAYLOAD, payload.length - from);
            byte[] f = new byte[RpcHeader.SIZE + len];
            MessageType type = i == 0 ? m.type() : MessageType.CONTINUED;
            RpcHeader.of(type, count - 1, m.sequence(), m.messageId()).encode(f, 0);
            System.arraycopy(payload, from, f, RpcHeader.SIZE, len);
            out.add(f);
        }
        return out;
    }
}
