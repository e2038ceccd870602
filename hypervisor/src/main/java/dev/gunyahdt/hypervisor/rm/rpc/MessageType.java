package dev.gunyahdt.hypervisor.rm.rpc;

/** The 2-bit message type in header byte 1, bits 1:0 (reference §8.2). */
public enum MessageType {
    /** A second or later fragment of a message; it carries no type of its own. */
    CONTINUED(0),
    REQUEST(1),
    REPLY(2),
    NOTIFICATION(3);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Total over the two bits: every value 0..3 is a type. */
    public static MessageType of(int twoBits) {
        return values()[twoBits & 0x3];
    }
}
