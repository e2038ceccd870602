package dev.gunyahdt.dt.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.SourceSpan;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.junit.jupiter.api.Test;

/** ByteCharStream must answer as ANTLR's own stream over the same text does. */
class ByteCharStreamTest {

    private static final String TEXT = "/ {\n\tp = \"a\\nb\u00e9\";\n};\n";

    @Test
    void textAndLookaheadAsCharStreams() {
        CharStream ref = CharStreams.fromString(TEXT, "t");
        CharStream ours = new ByteCharStream(TEXT.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "t");
        assertEquals(ref.size(), ours.size());
        for (int a = -1; a <= TEXT.length() + 1; a++) {
            for (int b = a - 1; b <= TEXT.length() + 2; b++) {
                if (a < 0) {
                    continue; // ANTLR's stream throws there; tokens never ask
                }
                Interval i = Interval.of(a, b);
                assertEquals(ref.getText(i), ours.getText(i), "interval " + i);
            }
        }
        for (int step = 0; step <= TEXT.length(); step++) {
            for (int la = -2; la <= 3; la++) {
                assertEquals(ref.LA(la), ours.LA(la), "LA(" + la + ") at " + step);
            }
            assertEquals(ref.index(), ours.index());
            if (step < TEXT.length()) {
                ref.consume();
                ours.consume();
            }
        }
    }

    @Test
    void spanOfAMultiLineTokenCountsItsLines() {
        String text = "/ {\n\tp = \"a\nb\";\n};\n";
        PositionedToken.Factory f = new PositionedToken.Factory(LineMap.of(text, "t.dts"));
        DtsTokenizer tok =
                new DtsTokenizer(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "t.dts", f, null);
        SourceSpan string = null;
        for (Token t = tok.next(); t.getType() != Token.EOF; t = tok.next()) {
            if (t.getText().startsWith("\"")) {
                string = ((PositionedToken) t).span();
            }
        }
        assertEquals(new SourceSpan("t.dts", 2, 6, 3, 3), string);
    }
}
