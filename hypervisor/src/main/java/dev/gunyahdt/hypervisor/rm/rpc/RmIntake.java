package dev.gunyahdt.hypervisor.rm.rpc;

/**
 * What the RM does with a whole message a client sent it (reference §8.2, §8.3): it dispatches only REQUESTs;
 * a request whose ID has no handler (unknown, or defined but not implemented) is answered with
 * {@link RmError#UNIMPLEMENTED}; a client's NOTIFICATION goes to the platform hook (no answer); a REPLY sent to the
 * RM is dropped.
 */
public final class RmIntake {
    private RmIntake() {}

    public enum Action {
        /** A request with a handler: the RM's service code answers it. */
        DISPATCH,
        /** Answered at once with {@link Outcome#reply()} (UNIMPLEMENTED). */
        ERROR_REPLY,
        /** A client notification: passed to the platform hook, never answered. */
        PLATFORM_HOOK,
        /** Not a request or notification the RM takes: dropped silently. */
        DROP
    }

    /** The action, and the reply to send for ERROR_REPLY (null otherwise). */
    public record Outcome(Action action, MessageId id, RpcMessage reply) {}

    public static Outcome classify(RpcMessage m) {
        MessageId id = MessageId.of(m.messageId());
        return switch (m.type()) {
            case REQUEST ->
                id != null && id.kind() == MessageId.Kind.REQUEST && id.handling() == MessageId.Handling.HANDLED
                        ? new Outcome(Action.DISPATCH, id, null)
                        : new Outcome(Action.ERROR_REPLY, id, RpcMessage.reply(m, RmError.UNIMPLEMENTED));
            case NOTIFICATION -> new Outcome(Action.PLATFORM_HOOK, id, null);
            case REPLY, CONTINUED -> new Outcome(Action.DROP, id, null);
        };
    }
}
