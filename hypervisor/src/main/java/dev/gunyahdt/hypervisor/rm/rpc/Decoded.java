package dev.gunyahdt.hypervisor.rm.rpc;

/** What one incoming fragment did to a {@link Reassembler}. Every byte sequence gives exactly one of these. */
public sealed interface Decoded {

    /**
     * A whole message is ready. {@code abandonedPartial}: a message in progress was discarded because this
     * fragment started a new one (§8.2).
     */
    record Message(RpcMessage message, boolean abandonedPartial) implements Decoded {}

    /** The fragment was taken; {@code received} of {@code expected} fragments are in. */
    record Pending(int received, int expected, boolean abandonedPartial) implements Decoded {}

    /** The fragment was dropped silently; the reassembler's state is unchanged. */
    record Dropped(DropReason reason) implements Decoded {}
}
