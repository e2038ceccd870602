package dev.gunyahdt.hypervisor.rm.ipa;

/** An allocator request refused, with the hypervisor-style error the real code returns for it. */
public final class IpaRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The {@code error_t} of the refusal. */
    public enum Why {
        ARGUMENT_INVALID,
        NORESOURCES,
        DENIED
    }

    private final Why why;

    IpaRefused(Why why, String message) {
        super(message);
        this.why = why;
    }

    public Why why() {
        return why;
    }
}
