package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.DtException;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenFactory;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Feeds the parser tokens from a stack of lexers: it follows {@code /include/ "file"} by lexing
 * the included file in place (as dtc does, continuing in the lexer's current mode), and reads
 * the C preprocessor's {@code # line "file"} markers so every token carries its position in the
 * original file rather than in the preprocessed text.
 */
final class MappingTokenSource implements TokenSource {

    private static final Pattern MARKER =
            Pattern.compile("#\\s*(?:line\\s+)?(\\d+)\\s+\"((?:[^\"\\\\]|\\\\.)*)\".*", Pattern.DOTALL);
    private static final int MAX_INCLUDE_DEPTH = 100;

    /** One lexer with the position mapping in force for its text. */
    private static final class Frame {
        final DtsLexer lexer;
        String file;
        int lineOffset;   // original line = physical line + lineOffset
        final Path dir;   // where relative /include/ and /incbin/ paths start

        Frame(DtsLexer lexer, String file, Path dir) {
            this.lexer = lexer;
            this.file = file;
            this.dir = dir;
        }
    }

    private final Deque<Frame> frames = new ArrayDeque<>();
    private final IncludeResolver resolver;
    private Token pendingEof;
    private SourceSpan lastSpan;

    MappingTokenSource(String text, String fileName, IncludeResolver resolver) {
        this.resolver = resolver;
        push(text, fileName);
    }

    private void push(String text, String fileName) {
        if (frames.size() >= MAX_INCLUDE_DEPTH) {
            throw new DtException(lastSpan, "/include/ nested more than " + MAX_INCLUDE_DEPTH + " deep (include loop?)");
        }
        // The leading newline lets a line marker on the first line match (see DtsLexer.g4);
        // the frame's line offset of -1 takes it back out of every position.
        CharStream cs = CharStreams.fromString("\n" + text, fileName);
        DtsLexer lexer = new DtsLexer(cs);
        lexer.removeErrorListeners();
        Frame outer = frames.peek();
        if (outer != null) {
            // dtc keeps its start condition across an include boundary.
            lexer.mode(outer.lexer._mode);
        }
        Path parent = Path.of(fileName).getParent();
        Frame frame = new Frame(lexer, fileName, parent == null ? Path.of("") : parent);
        frame.lineOffset = -1;
        frames.push(frame);
    }

    /** The directory of the file currently being lexed (for /incbin/). */
    Path currentDir() {
        return frames.isEmpty() ? Path.of("") : frames.peek().dir;
    }

    @Override
    public Token nextToken() {
        while (true) {
            if (pendingEof != null) {
                return pendingEof;
            }
            Frame f = frames.peek();
            Token t = f.lexer.nextToken();
            if (t.getType() == Token.EOF) {
                if (frames.size() > 1) {
                    int mode = f.lexer._mode;
                    frames.pop();
                    frames.peek().lexer.mode(mode);
                    continue;
                }
                pendingEof = position(t, f);
                return pendingEof;
            }
            if (t.getType() == DtsLexer.LINEMARKER) {
                applyMarker(t, f);
                continue;
            }
            if (t.getType() == DtsLexer.INCLUDE) {
                include(t, f);
                continue;
            }
            PositionedToken pt = position(t, f);
            lastSpan = pt.span();
            return pt;
        }
    }

    private void applyMarker(Token t, Frame f) {
        Matcher m = MARKER.matcher(t.getText().strip());
        if (!m.matches()) {
            return;
        }
        int line = Integer.parseInt(m.group(1));
        f.file = SourceText.unescape(m.group(2));
        // The token starts with the newline before the marker; the marker names the line after it.
        f.lineOffset = line - (t.getLine() + 2);
    }

    private void include(Token includeTok, Frame f) {
        PositionedToken at = position(includeTok, f);
        Token name = f.lexer.nextToken();
        while (name.getType() == DtsLexer.LINEMARKER) {
            name = f.lexer.nextToken();
        }
        if (name.getType() != DtsLexer.STRING) {
            throw new DtException(at.span(), "/include/ must be followed by a quoted file name");
        }
        String raw = name.getText();
        String fileName = SourceText.unescape(raw.substring(1, raw.length() - 1));
        Path found = resolver.resolve(fileName, f.dir);
        if (found == null) {
            throw new DtException(position(name, f).span(), "Couldn't open \"" + fileName + "\": No such file or directory");
        }
        String text;
        try {
            text = Files.readString(found, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new DtException(position(name, f).span(), "Couldn't read \"" + fileName + "\": " + e.getMessage());
        }
        push(text, found.toString());
    }

    private PositionedToken position(Token t, Frame f) {
        int line = t.getLine() + f.lineOffset;
        int col = t.getCharPositionInLine() + 1;
        String text = t.getType() == Token.EOF ? "" : t.getText();
        int endLine = line;
        int endCol = col;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                endLine++;
                endCol = 1;
            } else {
                endCol++;
            }
        }
        return new PositionedToken(t, new SourceSpan(f.file, line, col, endLine, endCol));
    }

    @Override
    public int getLine() {
        return frames.peek().lexer.getLine();
    }

    @Override
    public int getCharPositionInLine() {
        return frames.peek().lexer.getCharPositionInLine();
    }

    @Override
    public CharStream getInputStream() {
        return frames.peek().lexer.getInputStream();
    }

    @Override
    public String getSourceName() {
        return frames.peek().file;
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
