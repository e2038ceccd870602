package dev.gunyahdt.hypervisor.rm.rpc;

import java.util.Arrays;

/**
 * One whole RPC message: its type (never CONTINUED), sequence number, message ID and payload (everything
 * after the header of each fragment, concatenated). Immutable: the payload is copied in and out.
 */
public record RpcMessage(MessageType type, int sequence, int messageId, byte[] payload) {

    public RpcMessage {
        if (type == null || type == MessageType.CONTINUED) {
            throw new IllegalArgumentException("a message has type REQUEST, REPLY or NOTIFICATION");
        }
        if ((sequence & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("sequence is a u16: " + sequence);
        }
        if (payload.length > RpcHeader.MAX_MESSAGE_PAYLOAD) {
            throw new IllegalArgumentException("payload " + payload.length + " > " + RpcHeader.MAX_MESSAGE_PAYLOAD);
        }
        payload = payload.clone();
    }

    public static RpcMessage request(MessageId id, int sequence, byte[] payload) {
        return new RpcMessage(MessageType.REQUEST, sequence, id.id(), payload);
    }

    public static RpcMessage notification(MessageId id, int sequence, byte[] payload) {
        return new RpcMessage(MessageType.NOTIFICATION, sequence, id.id(), payload);
    }

    /** The reply to {@code request}: same message ID, the request's sequence number, u32 error then data (§8.3). */
    public static RpcMessage reply(RpcMessage request, RmError error, byte[] data) {
        byte[] p = new byte[4 + data.length];
        Le.put32(p, 0, error.code());
        System.arraycopy(data, 0, p, 4, data.length);
        return new RpcMessage(MessageType.REPLY, request.sequence, request.messageId, p);
    }

    /** A reply that is the bare error. */
    public static RpcMessage reply(RpcMessage request, RmError error) {
        return reply(request, error, new byte[0]);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** A reply's leading u32 error as sent (-1 for UNIMPLEMENTED); only meaningful for a reply of ≥ 4 bytes. */
    public int replyErrorCode() {
        if (type != MessageType.REPLY || payload.length < 4) {
            throw new IllegalStateException("not a reply with an error word");
        }
        return Le.u32(payload, 0);
    }

    /** A reply's data after the error word. */
    public byte[] replyData() {
        replyErrorCode();
        return Arrays.copyOfRange(payload, 4, payload.length);
    }

    /** The number of fragments this message takes: ceil(L / 232), and 1 for an empty payload. */
    public int fragmentCount() {
        return Math.max(1, (payload.length + RpcHeader.FRAGMENT_PAYLOAD - 1) / RpcHeader.FRAGMENT_PAYLOAD);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RpcMessage m
                && m.type == type
                && m.sequence == sequence
                && m.messageId == messageId
                && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type.hashCode() * 31 + sequence) * 31 + messageId) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return type + " " + MessageId.nameOf(messageId) + " seq " + sequence + " (" + payload.length + " bytes)";
    }
}
