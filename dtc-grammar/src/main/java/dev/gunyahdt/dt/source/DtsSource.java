package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.DtException;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The DTS front end: source text in, unresolved DeviceTree out. The text may carry the C
 * preprocessor's line markers; positions in the result point into the original files.
 * Throws {@link DtException} with a position for any error.
 */
public final class DtsSource {

    private DtsSource() {}

    /**
     * Parses {@code text}, named {@code fileName} in positions; {@code /include/} and
     * {@code /incbin/} files are found through {@code resolver}.
     */
    public static DeviceTree parse(String text, String fileName, IncludeResolver resolver) {
        MappingTokenSource source = new MappingTokenSource(text, fileName, resolver);
        // sized for the whole text up front (about one token per 6 chars in real boards), so a
        // large board's tokens are not copied over and over as the array grows
        TokenArrayStream stream = new TokenArrayStream(source, text.length() / 6);
        DtsParser parser = new DtsParser(stream);
        parser.removeErrorListeners();
        // Two-stage parse: SLL with bail-out is fast and almost always enough; only if it
        // fails is the input re-parsed in full LL mode, where a failure is a real syntax error.
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        parser.setErrorHandler(new BailErrorStrategy());
        DtsParser.DtsFileContext file;
        try {
            file = parser.dtsFile();
        } catch (ParseCancellationException sllFailed) {
            stream.seek(0);
            parser.reset();
            parser.setErrorHandler(new DefaultErrorStrategy());
            parser.addErrorListener(new BaseErrorListener() {
                @Override
                public void syntaxError(
                        Recognizer<?, ?> r, Object offending, int line, int col, String msg, RecognitionException e) {
                    throw new DtException(spanOf(offending), describe((Token) offending));
                }
            });
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            file = parser.dtsFile();
        }
        return new TreeBuilder(resolver).build(file);
    }

    private static SourceSpan spanOf(Object token) {
        return token instanceof PositionedToken p ? p.span() : null;
    }

    private static String describe(Token t) {
        if (t.getType() == Token.EOF) {
            return "syntax error: unexpected end of input";
        }
        if (t.getType() == DtsLexer.BAD_CHAR) {
            return "syntax error: unexpected character '" + printable(t.getText()) + "'";
        }
        return "syntax error at '" + printable(t.getText()) + "'";
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        String out = sb.toString();
        return out.length() > 40 ? out.substring(0, 40) + "…" : out;
    }
}
