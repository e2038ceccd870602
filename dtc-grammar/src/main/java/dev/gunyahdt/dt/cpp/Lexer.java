package dev.gunyahdt.dt.cpp;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a file into logical lines of preprocessing tokens, the way GCC's cpp does in
 * assembler-with-cpp mode: backslash-newline (even with blanks between) joins lines, block and
 * line comments become whitespace, an unterminated quote takes the rest of the line as one
 * opaque token (no error), {@code $} is no identifier character, no digraphs.
 * One forward pass; no regular expressions.
 */
final class Lexer {

    private static final Token[] NO_TOKENS = new Token[0];
    /** The lead of most tokens: one String, which output recognizes by identity. */
    static final String ONE_SPACE = " ";

    private static final boolean[] IDENT_CHAR = new boolean[256]; // isIdentChar by table: a load, not four tests

    private static final String[] ONE_CHAR = new String[256]; // the texts of one char

    static {
        for (int ch = 0; ch < 256; ch++) {
            IDENT_CHAR[ch] = isIdentChar((char) ch);
            ONE_CHAR[ch] = String.valueOf((char) ch);
        }
    }

    /**
     * The text with splices removed and line ends made '\n', one byte per char (files are read
     * as ISO-8859-1, so a byte is the char's value); the file's own bytes when it has neither.
     */
    private final byte[] c;
    /** The same text as chars, only for a line of text with chars above 0xFF (those bytes read 0xFF). */
    private final char[] wide;

    private int n; // length of the text in c
    /** Offsets in c where a physical line starts, ascending (a splice after a newline repeats one). */
    private int[] lineStarts;

    private int lineCount;
    private int cursor; // index in lineStarts of the last position looked up: lookups move little

    /** The texts of the files lexed on this thread, for a file; null for a line of text. */
    private final Texts texts;

    private final Map<String, String> leads = new HashMap<>(); // leads that are not a run of c's bytes

    private SourceFile.LexError error;

    private Lexer(byte[] src, char[] wideSrc, Texts texts) {
        this.texts = texts;
        this.wide = wideSrc;
        this.lineStarts = new int[src.length / 32 + 16]; // grows when lines are shorter than that
        byte[] text = wideSrc == null ? plainLines(src) : null;
        if (text == null) {
            lineCount = 0;
            text = splice(src, wideSrc);
        }
        this.c = text;
        if (texts != null) texts.startFile(text);
    }

    /** The line starts of a text that needs no splicing, and the text itself; null when it does. */
    private byte[] plainLines(byte[] src) {
        int len = src.length;
        addLineStart(0);
        for (int i = 0; i < len; i++) {
            byte ch = src[i];
            if (ch == '\n') {
                addLineStart(i + 1);
            } else if (ch == '\r') {
                return null;
            } else if (ch == '\\') {
                int j = i + 1;
                while (j < len && (src[j] == ' ' || src[j] == '\t')) j++;
                if (j < len && (src[j] == '\n' || src[j] == '\r')) return null;
            }
        }
        n = len;
        return src;
    }

    /** A copy without backslash-newlines (blanks between allowed) and with '\n' line ends. */
    private byte[] splice(byte[] src, char[] wideSrc) {
        int len = src.length;
        byte[] out = new byte[len];
        char[] wideOut = wideSrc; // spliced in place: the copy runs behind the reading
        int m = 0;
        addLineStart(0);
        for (int i = 0; i < len; ) {
            byte ch = src[i];
            if (ch == '\\') {
                int j = i + 1;
                while (j < len && (src[j] == ' ' || src[j] == '\t')) j++;
                if (j < len && (src[j] == '\n' || src[j] == '\r')) {
                    if (src[j] == '\r' && j + 1 < len && src[j + 1] == '\n') j++;
                    i = j + 1;
                    addLineStart(m);
                    continue;
                }
            }
            char w = wideSrc != null ? wideSrc[i] : 0;
            if (ch == '\r') {
                ch = '\n';
                w = '\n';
                if (i + 1 < len && src[i + 1] == '\n') i++;
            }
            out[m] = ch;
            if (wideOut != null) wideOut[m] = w;
            m++;
            if (ch == '\n') addLineStart(m);
            i++;
        }
        n = m;
        return out;
    }

    private void addLineStart(int at) {
        if (lineCount == lineStarts.length) lineStarts = Arrays.copyOf(lineStarts, lineCount * 2);
        lineStarts[lineCount++] = at;
    }

    /** Moves the cursor to the last line start at or before p. */
    private void seek(int p) {
        int i = cursor;
        while (i + 1 < lineCount && lineStarts[i + 1] <= p) i++;
        while (lineStarts[i] > p) i--;
        cursor = i;
    }

    /** The physical line (1-based) of c[p]. */
    private int lineOf(int p) {
        seek(p);
        return cursor + 1;
    }

    /** The physical column (1-based) of c[p]. */
    private int colOf(int p) {
        seek(p);
        return p - lineStarts[cursor] + 1;
    }

    /** A file's lines with tokens (the others are of no use to a run); texts shares their Strings. */
    static SourceFile lex(Path path, byte[] content, Texts texts) {
        Lexer lx = new Lexer(content, null, texts);
        SourceFile.Line[] lines = lx.lines();
        texts.endFile();
        return new SourceFile(path, lines, guardOf(lines), lx.error);
    }

    /** Tokens of a single line of text (for -D values and ## re-lexing); null on a lexing problem. */
    static Token[] lexLine(String text) {
        int len = text.length();
        byte[] bytes = new byte[len];
        char[] wide = null;
        for (int i = 0; i < len; i++) {
            char ch = text.charAt(i);
            if (ch > 0xff) {
                if (wide == null) wide = text.toCharArray();
                ch = 0xff; // lexes like any char above 0xff: an OTHER token, or part of a literal
            }
            bytes[i] = (byte) ch;
        }
        Lexer lx = new Lexer(bytes, wide, null);
        SourceFile.Line[] lines = lx.lines();
        if (lx.error != null || lines.length > 1) return null;
        return lines.length == 0 ? NO_TOKENS : lines[0].tokens;
    }

    private SourceFile.Line[] lines() {
        List<SourceFile.Line> out = new ArrayList<>(lineCount);
        Token[] toks = new Token[64];
        int p = 0;
        while (p < n) {
            int wsStart = p;
            int lastTokLine = -1;
            int count = 0;
            int angledAt = -1; // a '<' third token: where "#include <name>" has its name
            while (true) {
                // blanks and comments
                while (p < n) {
                    byte ch = c[p];
                    if (ch == ' ' || ch == '\t' || ch == '\f' || ch == 0x0b) {
                        p++;
                    } else if (ch == '/' && p + 1 < n && c[p + 1] == '*') {
                        int e = p + 2;
                        while (e + 1 < n && !(c[e] == '*' && c[e + 1] == '/')) e++;
                        if (e + 1 >= n) {
                            if (error == null)
                                error = new SourceFile.LexError(lineOf(p), colOf(p), "unterminated comment");
                            p = n;
                            break;
                        }
                        p = e + 2;
                    } else if (ch == '/' && p + 1 < n && c[p + 1] == '/') {
                        while (p < n && c[p] != '\n') p++;
                    } else {
                        break;
                    }
                }
                if (p >= n || c[p] == '\n') {
                    if (count > 0) {
                        Token[] arr = Arrays.copyOf(toks, count);
                        boolean dir = arr[0].is("#");
                        out.add(new SourceFile.Line(lineOf(p), arr, dir && angledAt >= 0 ? string(angledAt, p) : null));
                    } else if (texts == null) {
                        out.add(new SourceFile.Line(lineOf(p), NO_TOKENS, null));
                    }
                    p++;
                    break;
                }
                int flags = p > wsStart ? Token.PREV_WHITE : 0;
                seek(p);
                int line = cursor + 1;
                int lineStart = lineStarts[cursor];
                int col = p - lineStart + 1;
                if (line != lastTokLine) flags |= Token.FIRST_ON_LINE;
                String lead = p == wsStart ? "" : lead(wsStart, p, lineStart);
                int q = scan(p);
                if (count == 2 && q == p + 1 && c[p] == '<') angledAt = p;
                if (count == toks.length) toks = Arrays.copyOf(toks, count * 2);
                toks[count++] = new Token(this.kind, text(p, q), flags, line, col, lead);
                lastTokLine = lineOf(q - 1);
                p = q;
                wsStart = p;
            }
        }
        return out.toArray(new SourceFile.Line[0]);
    }

    /**
     * The blanks before a token as they look on its own physical line (which starts at
     * lineStart); comments become spaces.
     */
    private String lead(int from, int to, int lineStart) {
        boolean blanks = lineStart <= from;
        for (int i = from; blanks && i < to; i++) blanks = c[i] == ' ' || c[i] == '\t';
        if (blanks) {
            // the usual case: as they are
            if (to - from == 1) return c[from] == ' ' ? ONE_SPACE : "\t";
            return texts != null ? texts.of(from, to) : string(from, to);
        }
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = Math.max(from, lineStart); i < to; i++) {
            // only what is on the token's own physical line (comments and splices may span lines)
            if (c[i] == '\n') continue;
            sb.append(c[i] == '\t' ? '\t' : ' ');
        }
        String s = sb.toString();
        String known = leads.putIfAbsent(s, s);
        return known == null ? s : known;
    }

    /** The text of c[from, to). */
    private String string(int from, int to) {
        return wide != null
                ? new String(wide, from, to - from)
                : new String(c, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** A token's text: shared with earlier tokens of the same text in a file. */
    private String text(int from, int to) {
        if (wide != null) return string(from, to);
        if (to - from == 1) return ONE_CHAR[c[from] & 0xff]; // punctuators: most tokens
        return texts != null ? texts.of(from, to) : string(from, to);
    }

    private int kind;

    /** Scans one token at p; sets {@link #kind} and returns its end. */
    private int scan(int p) {
        char ch = at(p);
        if (isIdentStart(ch)) {
            if (ch == 'L' && p + 1 < n && (at(p + 1) == '\'' || at(p + 1) == '"')) {
                return quoted(p, p + 1);
            }
            int q = p + 1;
            while (q < n && IDENT_CHAR[c[q] & 0xff]) q++;
            kind = Token.IDENT;
            return q;
        }
        if (isDigit(ch) || (ch == '.' && p + 1 < n && isDigit(at(p + 1)))) {
            int q = p + 1;
            while (q < n) {
                char d = at(q);
                if (isIdentChar(d) || d == '.') {
                    q++;
                } else if ((d == '+' || d == '-')
                        && (at(q - 1) == 'e' || at(q - 1) == 'E' || at(q - 1) == 'p' || at(q - 1) == 'P')) {
                    q++;
                } else {
                    break;
                }
            }
            kind = Token.NUMBER;
            return q;
        }
        if (ch == '\'' || ch == '"') return quoted(p, p);
        kind = Token.PUNCT;
        char d = p + 1 < n ? at(p + 1) : 0;
        char e = p + 2 < n ? at(p + 2) : 0;
        switch (ch) {
            case '=', '!', '*', '/', '%', '^':
                return d == '=' ? p + 2 : p + 1;
            case '>', '<':
                if (d == ch) return e == '=' ? p + 3 : p + 2;
                return d == '=' ? p + 2 : p + 1;
            case '+', '&', '|':
                return d == ch || d == '=' ? p + 2 : p + 1;
            case '-':
                return d == '-' || d == '=' || d == '>' ? p + 2 : p + 1;
            case '.':
                return d == '.' && e == '.' ? p + 3 : p + 1;
            case '#':
                return d == '#' ? p + 2 : p + 1;
            case '~', '?', ';', ',', '(', ')', '[', ']', '{', '}', ':':
                return p + 1;
            default:
                kind = Token.OTHER;
                return p + 1;
        }
    }

    /** A char or string literal whose quote is at q; unterminated: the rest of the line, opaque. */
    private int quoted(int p, int q) {
        char term = at(q);
        int i = q + 1;
        while (i < n) {
            char d = at(i);
            if (d == '\n') break;
            if (d == '\\' && i + 1 < n && at(i + 1) != '\n') {
                i += 2;
                continue;
            }
            if (d == term) {
                kind = term == '"' ? Token.STRING : Token.CHAR;
                return i + 1;
            }
            i++;
        }
        kind = Token.OTHER;
        return i;
    }

    private char at(int i) {
        return (char) (c[i] & 0xff);
    }

    static boolean isIdentStart(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
    }

    static boolean isIdentChar(char ch) {
        return isIdentStart(ch) || isDigit(ch);
    }

    static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    /** The include guard: first and last directives are a matching "#ifndef G" / "#endif" around everything. */
    private static String guardOf(SourceFile.Line[] lines) {
        int first = 0;
        while (first < lines.length && lines[first].tokens.length == 0) first++;
        if (first == lines.length) return null;
        Token[] t = lines[first].tokens;
        String guard = null;
        if (t.length == 3 && t[0].is("#") && t[1].text.equals("ifndef") && t[2].kind == Token.IDENT) {
            guard = t[2].text;
        } else if (t.length >= 5
                && t[0].is("#")
                && t[1].text.equals("if")
                && t[2].is("!")
                && t[3].text.equals("defined")) {
            if (t.length == 5 && t[4].kind == Token.IDENT) guard = t[4].text;
            else if (t.length == 7 && t[4].is("(") && t[5].kind == Token.IDENT && t[6].is(")")) guard = t[5].text;
        }
        if (guard == null) return null;
        int depth = 0;
        for (int i = first; i < lines.length; i++) {
            SourceFile.Line l = lines[i];
            if (l.tokens.length == 0) continue;
            if (depth == 0 && i != first) return null; // something outside the guard
            if (!l.directive || l.tokens.length < 2) continue;
            String d = l.tokens[1].text;
            switch (d) {
                case "if", "ifdef", "ifndef" -> depth++;
                case "endif" -> depth--;
                case "else", "elif", "elifdef", "elifndef" -> {
                    if (depth == 1) return null;
                }
                default -> {}
            }
        }
        return depth == 0 ? guard : null;
    }
}
