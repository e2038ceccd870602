package dev.gunyahdt.dt.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.Interval;
import org.junit.jupiter.api.Test;

/** TokenArrayStream must answer the parser as ANTLR's CommonTokenStream does over the same tokens. */
class TokenArrayStreamTest {

    private static final String TEXT = "/dts-v1/;\n/ {\n\tl: p = <1 &l>, \"s\";\n\tn@1 { };\n};\n";

    private static TokenStream ours() {
        return new TokenArrayStream(new MappingTokenSource(TEXT, "t.dts", new IncludeResolver(List.of())), 2);
    }

    private static TokenStream antlr() {
        return new CommonTokenStream(new MappingTokenSource(TEXT, "t.dts", new IncludeResolver(List.of())));
    }

    private static String describe(Token t) {
        return t == null ? "null" : t.getType() + ":" + t.getText() + "@" + t.getTokenIndex() + ":" + t.getLine();
    }

    @Test
    void lookAheadBehindAndIndexAsCommonTokenStream() {
        TokenStream a = antlr();
        TokenStream b = ours();
        a.seek(0); // as the parser's constructor does
        b.seek(0);
        while (true) {
            for (int k : new int[] {-2, -1, 1, 2, 3, 40}) {
                assertEquals(describe(a.LT(k)), describe(b.LT(k)), "LT(" + k + ") at " + a.index());
            }
            assertEquals(a.LA(1), b.LA(1));
            assertEquals(a.index(), b.index());
            if (a.LA(1) == Token.EOF) {
                break;
            }
            a.consume();
            b.consume();
        }
        assertThrows(IllegalStateException.class, b::consume, "consuming EOF");
        assertEquals(a.size(), b.size());
        assertEquals(a.getText(), b.getText());
        assertEquals(a.getText(Interval.of(3, 9)), b.getText(Interval.of(3, 9)));
        assertEquals(a.getText(a.get(2), a.get(6)), b.getText(b.get(2), b.get(6)));
        a.seek(0);
        b.seek(0);
        assertEquals(describe(a.LT(1)), describe(b.LT(1)));
        a.seek(1000);
        b.seek(1000);
        assertEquals(a.index(), b.index(), "a seek past the end stops at EOF");
    }
}
