package dev.gunyahdt.dt.diag;

import dev.gunyahdt.dt.SourceSpan;

/**
 * An input that cannot be processed: a syntax error, a corrupt blob, a missing include. It
 * carries the position and a message fit to print as-is; callers never show its stack trace.
 */
public class DtException extends RuntimeException {

    private final SourceSpan span;

    public DtException(SourceSpan span, String message) {
        super(message);
        this.span = span;
    }

    public DtException(String message) {
        this(null, message);
    }

    /** The position, or null when the input has none (a blob offset is part of the message). */
    public SourceSpan span() {
        return span;
    }

    /** "file:line:col: error: message" (or "error: message" without a position). */
    public String render() {
        return (span == null ? "" : span.toColonForm() + ": ") + "error: " + getMessage();
    }
}
