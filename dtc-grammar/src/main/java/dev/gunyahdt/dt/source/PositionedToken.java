package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.SourceSpan;
import java.nio.charset.StandardCharsets;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;
import org.antlr.v4.runtime.misc.Pair;

/**
 * A token that knows where it came from in the original (pre-preprocessor) file: the file and
 * line offset in force (from the last line marker) when it was lexed. The span is worked out
 * only when someone asks, since most tokens never need one.
 */
final class PositionedToken extends CommonToken {

    private final String file;
    private final int lineOffset;
    private SourceSpan span;

    private PositionedToken(
            Pair<TokenSource, CharStream> source,
            int type,
            int channel,
            int start,
            int stop,
            String file,
            int lineOffset) {
        // CommonToken(type), not (source, type, …): that one asks the token source for its
        // line and column, which the factory sets anyway — two calls per token for nothing
        super(type);
        this.source = source == null ? EMPTY_SOURCE : source;
        this.channel = channel;
        this.start = start;
        this.stop = stop;
        this.file = file;
        this.lineOffset = lineOffset;
    }

    /**
     * The source bytes this token's start and stop index into, or null when its text was set
     * apart from them (the token's chars are then only in {@link #getText()}).
     */
    byte[] bytes() {
        return text == null && getInputStream() instanceof ByteCharStream in ? in.text() : null;
    }

    SourceSpan span() {
        if (span == null) {
            int line = getLine() + lineOffset;
            int col = getCharPositionInLine() + 1;
            int endLine = line;
            int endCol = col;
            if (getType() != EOF) {
                // The token's chars, scanned in place when they are a slice of the text (as
                // getText() would return them) rather than copied out for the scan.
                byte[] chars;
                int from;
                int to;
                if (text == null
                        && getInputStream() instanceof ByteCharStream in
                        && start < in.size()
                        && stop < in.size()) {
                    chars = in.text();
                    from = start;
                    to = stop + 1;
                } else {
                    chars = getText().getBytes(StandardCharsets.ISO_8859_1);
                    from = 0;
                    to = chars.length;
                }
                for (int i = from; i < to; i++) {
                    if (chars[i] == '\n') {
                        endLine++;
                        endCol = 1;
                    } else {
                        endCol++;
                    }
                }
            }
            span = new SourceSpan(file, line, col, endLine, endCol);
        }
        return span;
    }

    /** Makes the tokens of one lexer, stamping each with where its line came from. */
    static final class Factory implements TokenFactory<PositionedToken> {
        private final LineMap.Cursor lines;

        Factory(LineMap map) {
            this.lines = map.cursor();
        }

        String fileAt(int line) {
            return lines.file(line);
        }

        @Override
        public PositionedToken create(
                Pair<TokenSource, CharStream> source,
                int type,
                String text,
                int channel,
                int start,
                int stop,
                int line,
                int charPositionInLine) {
            LineMap.Entry from = lines.at(line);
            PositionedToken t = new PositionedToken(source, type, channel, start, stop, from.file(), from.offset());
            t.setLine(line);
            t.setCharPositionInLine(charPositionInLine);
            if (text != null) {
                t.setText(text);
            }
            return t;
        }

        @Override
        public PositionedToken create(int type, String text) {
            PositionedToken t = new PositionedToken(null, type, DEFAULT_CHANNEL, -1, -1, lines.file(1), 0);
            t.setText(text);
            return t;
        }
    }
}
