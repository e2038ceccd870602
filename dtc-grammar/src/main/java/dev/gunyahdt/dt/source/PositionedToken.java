package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.SourceSpan;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;

/** A token that knows where it came from in the original (pre-preprocessor) file. */
final class PositionedToken extends CommonToken {

    private final SourceSpan span;

    PositionedToken(Token t, SourceSpan span) {
        super(t);
        this.span = span;
    }

    SourceSpan span() {
        return span;
    }
}
