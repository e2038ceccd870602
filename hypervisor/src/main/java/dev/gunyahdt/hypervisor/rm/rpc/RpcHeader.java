package dev.gunyahdt.hypervisor.rm.rpc;

/**
 * The 8-byte little-endian fragment header (reference §8.2):
 * <pre>
 * byte 0     bits 3:0 API version (1), bits 7:4 header words (2)  -> 0x21
 * byte 1     bits 1:0 message type, bits 7:2 number of additional fragments (0..62)
 * bytes 2-3  sequence number (u16)
 * bytes 4-7  message ID (u32)
 * </pre>
 * The record holds the raw field values so any 8 bytes can be read back; {@link #problem()} says whether the RM
 * would accept them.
 */
public record RpcHeader(
        int version, int headerWords, MessageType type, int additionalFragments, int sequence, int messageId) {

    public static final int SIZE = 8;
    public static final int API_VERSION = 1;
    public static final int HEADER_WORDS = 2;
    /** The fragment-count field is 6 bits wide, but the RM accepts at most 62 additional fragments. */
    public static final int MAX_ADDITIONAL_FRAGMENTS = 62;

    public static final int MAX_FRAGMENTS = MAX_ADDITIONAL_FRAGMENTS + 1;
    /** One message-queue message: RM_RPC_MESSAGE_SIZE, the size the RM configures its RPC queues with (§3.1). */
    public static final int FRAGMENT_SIZE = 240;

    public static final int FRAGMENT_PAYLOAD = FRAGMENT_SIZE - SIZE;
    /** 63 × 232 = 14616 bytes. */
    public static final int MAX_MESSAGE_PAYLOAD = MAX_FRAGMENTS * FRAGMENT_PAYLOAD;

    public RpcHeader {
        if ((version & ~0xF) != 0
                || (headerWords & ~0xF) != 0
                || (additionalFragments & ~0x3F) != 0
                || (sequence & ~0xFFFF) != 0
                || type == null) {
            throw new IllegalArgumentException("header field out of its bit range");
        }
    }

    /** A well-formed header (version 1, 2 header words). */
    public static RpcHeader of(MessageType type, int additionalFragments, int sequence, int messageId) {
        return new RpcHeader(API_VERSION, HEADER_WORDS, type, additionalFragments, sequence, messageId);
    }

    /** Writes the 8 header bytes at {@code at}. */
    public void encode(byte[] out, int at) {
        out[at] = (byte) (headerWords << 4 | version);
        out[at + 1] = (byte) (additionalFragments << 2 | type.code());
        Le.put16(out, at + 2, sequence);
        Le.put32(out, at + 4, messageId);
    }

    public byte[] encode() {
        byte[] b = new byte[SIZE];
        encode(b, 0);
        return b;
    }

    /** Reads the header of a packet; null when it is shorter than 8 bytes. Never validates (see {@link #problem()}). */
    public static RpcHeader read(byte[] packet) {
        if (packet == null || packet.length < SIZE) {
            return null;
        }
        return new RpcHeader(
                packet[0] & 0xF,
                packet[0] >>> 4 & 0xF,
                MessageType.of(packet[1]),
                packet[1] >>> 2 & 0x3F,
                Le.u16(packet, 2),
                Le.u32(packet, 4));
    }

    /** Why the RM would silently drop a fragment with this header, or null when it would not. */
    public DropReason problem() {
        if (version != API_VERSION) {
            return DropReason.BAD_VERSION;
        }
        if (headerWords != HEADER_WORDS) {
            return DropReason.BAD_HEADER_WORDS;
        }
        if (additionalFragments > MAX_ADDITIONAL_FRAGMENTS) {
            return DropReason.BAD_FRAGMENT_COUNT;
        }
        return null;
    }

    /** The number of fragments the message is made of (the field + 1). */
    public int fragments() {
        return additionalFragments + 1;
    }
}
