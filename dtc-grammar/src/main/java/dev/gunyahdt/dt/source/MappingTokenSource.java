package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.diag.DtException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonTokenFactory;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * Feeds the parser tokens from a stack of lexers: it follows {@code /include/ "file"} by lexing
 * the included file in place (as dtc does, continuing in the lexer's current mode), and has
 * every token stamped (through {@link LineMap}) with its position in the original file rather
 * than in the preprocessed text.
 */
final class MappingTokenSource implements TokenSource {

    private static final int MAX_INCLUDE_DEPTH = 100;
    /** Deeper brace or parenthesis nesting than any real tree has; the parser recurses per level. */
    static final int MAX_NESTING = 1000;

    /** One lexer; its token factory holds the position mapping in force for its text. */
    private static final class Frame {
        final DtsTokenizer lexer;
        final PositionedToken.Factory mapping; // original line = physical line + lineOffset
        final Path dir; // where relative /include/ and /incbin/ paths start

        Frame(DtsTokenizer lexer, PositionedToken.Factory mapping, Path dir) {
            this.lexer = lexer;
            this.mapping = mapping;
            this.dir = dir;
        }
    }

    private final Deque<Frame> frames = new ArrayDeque<>();
    private final IncludeResolver resolver;
    private Token pendingEof;
    private int nesting;
    private PositionedToken lastToken;

    MappingTokenSource(String text, String fileName, IncludeResolver resolver) {
        this.resolver = resolver;
        push(text, fileName);
    }

    private void push(String text, String fileName) {
        if (frames.size() >= MAX_INCLUDE_DEPTH) {
            throw new DtException(
                    lastToken == null ? null : lastToken.span(),
                    "/include/ nested more than " + MAX_INCLUDE_DEPTH + " deep (include loop?)");
        }
        LineMap lines = LineMap.of(text, fileName);
        PositionedToken.Factory mapping = new PositionedToken.Factory(lines);
        DtsTokenizer lexer = new DtsTokenizer(lines.text(), fileName, mapping, this);
        Frame outer = frames.peek();
        if (outer != null) {
            // dtc keeps its start condition across an include boundary.
            lexer.mode(outer.lexer.mode());
        }
        Path parent = Path.of(fileName).getParent();
        frames.push(new Frame(lexer, mapping, parent == null ? Path.of("") : parent));
    }

    @Override
    public Token nextToken() {
        while (true) {
            if (pendingEof != null) {
                return pendingEof;
            }
            Frame f = frames.peek();
            Token t = f.lexer.next();
            if (t.getType() == Token.EOF) {
                if (frames.size() > 1) {
                    int mode = f.lexer.mode();
                    frames.pop();
                    frames.peek().lexer.mode(mode);
                    continue;
                }
                pendingEof = t;
                return pendingEof;
            }
            if (t.getType() == DtsLexer.INCLUDE) {
                include(t, f);
                continue;
            }
            PositionedToken pt = (PositionedToken) t;
            lastToken = pt;
            track(pt);
            return pt;
        }
    }

    private void track(PositionedToken t) {
        switch (t.getType()) {
            case DtsLexer.LBRACE, DtsLexer.LPAREN -> {
                if (++nesting > MAX_NESTING) {
                    throw new DtException(t.span(), "nesting deeper than " + MAX_NESTING + " levels");
                }
            }
            case DtsLexer.RBRACE, DtsLexer.RPAREN -> nesting--;
            default -> {}
        }
    }

    private void include(Token includeTok, Frame f) {
        PositionedToken at = (PositionedToken) includeTok;
        Token name = f.lexer.next();
        if (name.getType() != DtsLexer.STRING) {
            throw new DtException(at.span(), "/include/ must be followed by a quoted file name");
        }
        String raw = name.getText();
        String fileName = SourceText.unescape(raw.substring(1, raw.length() - 1));
        Path found = resolver.resolve(fileName, f.dir);
        if (found == null) {
            throw new DtException(
                    ((PositionedToken) name).span(),
                    "Couldn't open \"" + SourceText.printable(fileName) + "\": "
                            + resolver.whyNotFound(fileName, f.dir));
        }
        String text;
        try {
            text = Files.readString(found, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new DtException(
                    ((PositionedToken) name).span(), "Couldn't read \"" + fileName + "\": " + e.getMessage());
        }
        push(text, found.toString());
    }

    @Override
    public int getLine() {
        return frames.peek().lexer.line();
    }

    @Override
    public int getCharPositionInLine() {
        return frames.peek().lexer.column();
    }

    @Override
    public CharStream getInputStream() {
        return frames.peek().lexer.stream();
    }

    @Override
    public String getSourceName() {
        return frames.peek().mapping.fileAt(frames.peek().lexer.line());
    }

    @Override
    public void setTokenFactory(TokenFactory<?> factory) {
        // tokens are always PositionedTokens
    }

    @Override
    public TokenFactory<?> getTokenFactory() {
        return CommonTokenFactory.DEFAULT;
    }
}
