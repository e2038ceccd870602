package dev.gunyahdt.dt.source;

import java.util.Arrays;
import org.antlr.v4.runtime.RuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenSource;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.WritableToken;
import org.antlr.v4.runtime.misc.Interval;

/**
 * The parser's token stream: the file's tokens read on demand into one array, as
 * {@code CommonTokenStream} buffers them, without its channel filtering — every DTS token is on
 * the default channel (comments and blanks never become tokens), so each look-ahead is an array
 * read instead of a walk through a List checking channels (about a fifth of the parse's CPU under
 * C1). Positions and errors are those of CommonTokenStream: tokens are numbered as read, look-ahead
 * past the end answers the EOF token, and the stream seeks back for the parser's second (LL) stage.
 */
final class TokenArrayStream implements TokenStream {

    private final TokenSource source;
    private Token[] tokens;
    private int n; // tokens read so far
    private int p; // index of the current token
    private boolean sawEof;

    TokenArrayStream(TokenSource source, int expected) {
        this.source = source;
        this.tokens = new Token[Math.max(16, expected)];
    }

    /** Reads tokens until index {@code i} is read, or the EOF token is. */
    private void fill(int i) {
        while (n <= i && !sawEof) {
            Token t = source.nextToken();
            if (t instanceof WritableToken w) {
                w.setTokenIndex(n);
            }
            if (n == tokens.length) {
                tokens = Arrays.copyOf(tokens, n * 2);
            }
            tokens[n++] = t;
            sawEof = t.getType() == Token.EOF;
        }
    }

    @Override
    public Token LT(int k) {
        if (k == 0) {
            return null;
        }
        if (k < 0) {
            return p + k < 0 ? null : tokens[p + k];
        }
        int i = p + k - 1;
        fill(i);
        return tokens[Math.min(i, n - 1)];
    }

    @Override
    public int LA(int i) {
        return LT(i).getType();
    }

    @Override
    public void consume() {
        if (LA(1) == Token.EOF) {
            throw new IllegalStateException("cannot consume EOF");
        }
        p++;
    }

    @Override
    public Token get(int index) {
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException("token index " + index + " out of range 0.." + (n - 1));
        }
        return tokens[index];
    }

    @Override
    public int index() {
        return p;
    }

    @Override
    public void seek(int index) {
        fill(index);
        p = Math.min(index, n - 1);
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int mark() {
        return 0; // everything stays buffered
    }

    @Override
    public void release(int marker) {}

    @Override
    public TokenSource getTokenSource() {
        return source;
    }

    @Override
    public String getSourceName() {
        return source.getSourceName();
    }

    @Override
    public String getText() {
        fill(Integer.MAX_VALUE - 1);
        return getText(Interval.of(0, n - 1));
    }

    @Override
    public String getText(Interval interval) {
        int start = interval.a;
        int stop = interval.b;
        if (start < 0 || stop < 0) {
            return "";
        }
        fill(stop);
        StringBuilder sb = new StringBuilder();
        for (int i = start; i <= stop && i < n; i++) {
            Token t = tokens[i];
            if (t.getType() == Token.EOF) {
                break;
            }
            sb.append(t.getText());
        }
        return sb.toString();
    }

    @Override
    public String getText(RuleContext ctx) {
        return getText(ctx.getSourceInterval());
    }

    @Override
    public String getText(Token start, Token stop) {
        return start == null || stop == null ? "" : getText(Interval.of(start.getTokenIndex(), stop.getTokenIndex()));
    }
}
