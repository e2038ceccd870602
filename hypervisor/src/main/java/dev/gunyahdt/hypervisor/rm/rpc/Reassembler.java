package dev.gunyahdt.hypervisor.rm.rpc;

import java.io.ByteArrayOutputStream;

/**
 * The receiving side of one RPC link: turns fragments back into messages, treating every byte sequence as
 * untrusted (reference §8.2). Never throws on input; at most one message is in progress, so it holds at most
 * {@link RpcHeader#MAX_MESSAGE_PAYLOAD} bytes however much junk arrives.
 *
 * <ul>
 *   <li>fewer than 8 bytes, version ≠ 1, header words ≠ 2, count field > 62, or longer than 240 bytes: dropped,
 *       and the message in progress (if any) is kept;</li>
 *   <li>a REQUEST / REPLY / NOTIFICATION fragment starts a new message, discarding any partial one;</li>
 *   <li>a CONTINUED fragment is appended when its (message ID, sequence, count) equal the message in progress,
 *       and dropped when they differ or nothing is in progress.</li>
 * </ul>
 * Fragments need not be full: the payloads are concatenated whatever their lengths (the sender's 232-byte
 * split is a convention the receiver does not check — an assumption, the reference does not say).
 */
public final class Reassembler {
    private RpcHeader current;
    private int received;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    public Decoded accept(byte[] packet) {
        RpcHeader h = RpcHeader.read(packet);
        if (h == null) {
            return new Decoded.Dropped(DropReason.SHORT_PACKET);
        }
        DropReason bad = h.problem();
        if (bad == null && packet.length > RpcHeader.FRAGMENT_SIZE) {
            bad = DropReason.OVERSIZE_FRAGMENT;
        }
        if (bad != null) {
            return new Decoded.Dropped(bad);
        }
        if (h.type() == MessageType.CONTINUED) {
            return continuation(h, packet);
        }
        boolean abandoned = current != null;
        reset();
        current = h;
        return append(packet, abandoned);
    }

    private Decoded continuation(RpcHeader h, byte[] packet) {
        if (current == null) {
            return new Decoded.Dropped(DropReason.CONTINUATION_WITHOUT_MESSAGE);
        }
        if (h.messageId() != current.messageId()
                || h.sequence() != current.sequence()
                || h.additionalFragments() != current.additionalFragments()) {
            return new Decoded.Dropped(DropReason.CONTINUATION_MISMATCH);
        }
        return append(packet, false);
    }

    private Decoded append(byte[] packet, boolean abandoned) {
        buffer.write(packet, RpcHeader.SIZE, packet.length - RpcHeader.SIZE);
        received++;
        if (received < current.fragments()) {
            return new Decoded.Pending(received, current.fragments(), abandoned);
        }
        RpcMessage m = new RpcMessage(current.type(), current.sequence(), current.messageId(), buffer.toByteArray());
        reset();
        return new Decoded.Message(m, abandoned);
    }

    private void reset() {
        current = null;
        received = 0;
        buffer.reset();
    }

    /** Whether a message is partly received. */
    public boolean inProgress() {
        return current != null;
    }

    /** Payload bytes held for the message in progress (bounded by 62 × 232). */
    public int bufferedBytes() {
        return buffer.size();
    }
}
