package dev.gunyahdt.hypervisor.rm.rpc;

/**
 * Why an incoming fragment was dropped without any answer (reference §8.2: every framing fault is dropped
 * silently; the only fault that is answered is an unknown message ID in a complete request, see
 * {@link RmIntake}).
 */
public enum DropReason {
    /** Fewer than 8 bytes. */
    SHORT_PACKET,
    /** Header bits 3:0 of byte 0 are not 1. */
    BAD_VERSION,
    /** Header bits 7:4 of byte 0 are not 2. */
    BAD_HEADER_WORDS,
    /** More than 62 additional fragments (the 6-bit field can say 63). */
    BAD_FRAGMENT_COUNT,
    /**
     * Longer than one RPC message-queue message (240 bytes). A 240-byte queue cannot deliver one; the model
     * drops it so a reassembled message never exceeds 63 × 232 bytes, whatever the transport hands in.
     */
    OVERSIZE_FRAGMENT,
    /** A CONTINUED fragment with no message in progress (including one after the last fragment). */
    CONTINUATION_WITHOUT_MESSAGE,
    /** A CONTINUED fragment whose (message ID, sequence, fragment count) differ from the message in progress. */
    CONTINUATION_MISMATCH
}
