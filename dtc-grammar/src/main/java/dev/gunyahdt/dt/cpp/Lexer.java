package dev.gunyahdt.dt.cpp;

import java.nio.file.Path;
import java.util.ArrayList;
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

    private static final String[] EMPTY_LEADS = {"", " ", "  ", "   ", "    ", "\t", "\t\t", "\t\t\t"};

    private final char[] c; // the text with splices removed and line ends made '\n'
    private final int[] lineOf; // physical line of each char of c (and one past the end)
    private final int[] colOf; // physical column of each char of c
    private final int n;
    private final Map<String, String> leads = new HashMap<>();
    /**
     * One String per distinct token text of the file: the lexed tokens of every header stay
     * cached for a whole batch, and a copy per token made that cache most of the live heap (the
     * batch's garbage collections copied it until it was promoted).
     */
    private final Map<String, String> texts = new HashMap<>();

    private SourceFile.LexError error;

    private Lexer(String content) {
        int len = content.length();
        c = new char[len];
        lineOf = new int[len + 1];
        colOf = new int[len + 1];
        int line = 1, col = 1, m = 0;
        for (int i = 0; i < len; ) {
            char ch = content.charAt(i);
            if (ch == '\\') {
                int j = i + 1;
                while (j < len && (content.charAt(j) == ' ' || content.charAt(j) == '\t')) j++;
                if (j < len && (content.charAt(j) == '\n' || content.charAt(j) == '\r')) {
                    if (content.charAt(j) == '\r' && j + 1 < len && content.charAt(j + 1) == '\n') j++;
                    i = j + 1;
                    line++;
                    col = 1;
                    continue;
                }
            }
            if (ch == '\r') {
                ch = '\n';
                if (i + 1 < len && content.charAt(i + 1) == '\n') i++;
            }
            c[m] = ch;
            lineOf[m] = line;
            colOf[m] = col;
            m++;
            if (ch == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
            i++;
        }
        lineOf[m] = line;
        colOf[m] = col;
        n = m;
        for (String s : EMPTY_LEADS) leads.put(s, s);
    }

    static SourceFile lex(Path path, String content) {
        Lexer lx = new Lexer(content);
        SourceFile.Line[] lines = lx.lines();
        return new SourceFile(path, lines, guardOf(lines), lx.error);
    }

    /** Tokens of a single line of text (for -D values and ## re-lexing); null on a lexing problem. */
    static Token[] lexLine(String text) {
        Lexer lx = new Lexer(text);
        SourceFile.Line[] lines = lx.lines();
        if (lx.error != null || lines.length > 1) return null;
        return lines.length == 0 ? new Token[0] : lines[0].tokens;
    }

    private SourceFile.Line[] lines() {
        List<SourceFile.Line> out = new ArrayList<>();
        List<Token> toks = new ArrayList<>();
        int p = 0;
        while (p < n) {
            int start = p;
            int wsStart = p;
            int lastTokLine = -1;
            toks.clear();
            while (true) {
                // blanks and comments
                while (p < n) {
                    char ch = c[p];
                    if (ch == ' ' || ch == '\t' || ch == '\f' || ch == 0x0b) {
                        p++;
                    } else if (ch == '/' && p + 1 < n && c[p + 1] == '*') {
                        int e = p + 2;
                        while (e + 1 < n && !(c[e] == '*' && c[e + 1] == '/')) e++;
                        if (e + 1 >= n) {
                            if (error == null)
                                error = new SourceFile.LexError(lineOf[p], colOf[p], "unterminated comment");
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
                    int end = Math.min(p, n);
                    Token[] arr = toks.toArray(new Token[0]);
                    boolean dir = arr.length > 0 && arr[0].is("#");
                    out.add(new SourceFile.Line(
                            lineOf[start],
                            p < n ? lineOf[p] : lineOf[n],
                            arr,
                            dir ? new String(c, start, end - start) : null));
                    p++;
                    break;
                }
                int flags = p > wsStart ? Token.PREV_WHITE : 0;
                if (lineOf[p] != lastTokLine) flags |= Token.FIRST_ON_LINE;
                String lead = lead(wsStart, p);
                int q = scan(p);
                String text = new String(c, p, q - p);
                String known = texts.putIfAbsent(text, text);
                toks.add(new Token(
                        this.kind, known == null ? text : known, flags, lineOf[p], colOf[p], lead, p - start, 0, null));
                lastTokLine = lineOf[q - 1];
                p = q;
                wsStart = p;
            }
        }
        return out.toArray(new SourceFile.Line[0]);
    }

    /** The blanks before a token as they look on its own physical line; comments become spaces. */
    private String lead(int from, int to) {
        if (from == to) return "";
        if (to - from == 1 && c[from] == ' ' && lineOf[from] == lineOf[to]) return " ";
        StringBuilder sb = new StringBuilder(to - from);
        int line = lineOf[to];
        for (int i = from; i < to; i++) {
            // only what is on the token's own physical line (comments and splices may span lines)
            if (lineOf[i] != line || c[i] == '\n') continue;
            sb.append(c[i] == '\t' ? '\t' : ' ');
        }
        String s = sb.toString();
        String known = leads.putIfAbsent(s, s);
        return known == null ? s : known;
    }

    private int kind;

    /** Scans one token at p; sets {@link #kind} and returns its end. */
    private int scan(int p) {
        char ch = c[p];
        if (isIdentStart(ch)) {
            if (ch == 'L' && p + 1 < n && (c[p + 1] == '\'' || c[p + 1] == '"')) {
                return quoted(p, p + 1);
            }
            int q = p + 1;
            while (q < n && isIdentChar(c[q])) q++;
            kind = Token.IDENT;
            return q;
        }
        if (isDigit(ch) || (ch == '.' && p + 1 < n && isDigit(c[p + 1]))) {
            int q = p + 1;
            while (q < n) {
                char d = c[q];
                if (isIdentChar(d) || d == '.') {
                    q++;
                } else if ((d == '+' || d == '-')
                        && (c[q - 1] == 'e' || c[q - 1] == 'E' || c[q - 1] == 'p' || c[q - 1] == 'P')) {
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
        char d = p + 1 < n ? c[p + 1] : 0;
        char e = p + 2 < n ? c[p + 2] : 0;
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
        char term = c[q];
        int i = q + 1;
        while (i < n) {
            char d = c[i];
            if (d == '\n') break;
            if (d == '\\' && i + 1 < n && c[i + 1] != '\n') {
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
