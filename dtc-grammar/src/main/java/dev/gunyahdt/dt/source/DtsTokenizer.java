package dev.gunyahdt.dt.source;

import static dev.gunyahdt.dt.source.DtsLexer.*;

import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenSource;
import org.antlr.v4.runtime.misc.Pair;

/**
 * A hand-written scanner producing exactly the tokens {@code DtsLexer.g4} defines — same
 * types, texts, positions, modes and longest-match choices — several times faster than the
 * generated lexer on real boards (where lexing was a third of all parse time). The grammar
 * stays the definition: {@code DtsTokenizerTest} runs both over every test source and checks
 * the token streams are identical, and the corpus check does the same over the kernel tree.
 */
final class DtsTokenizer {

    private final byte[] s; // ISO-8859-1: one byte per char, read as (char) (b & 0xff)
    private final int n;
    private final CharStream stream;
    private final Pair<TokenSource, CharStream> source;
    private final PositionedToken.Factory factory;
    private int pos;
    private int line = 1;
    private int lineStart; // index of the first char of the current line
    private int mode = DEFAULT_MODE;
    private int pushedMode = -1;

    DtsTokenizer(byte[] text, String name, PositionedToken.Factory factory, TokenSource owner) {
        this.s = text;
        this.n = text.length;
        this.stream = new ByteCharStream(text, name);
        this.source = new Pair<>(owner, stream);
        this.factory = factory;
    }

    int mode() {
        return mode;
    }

    void mode(int m) {
        mode = m;
    }

    int line() {
        return line;
    }

    int column() {
        return pos - lineStart;
    }

    CharStream stream() {
        return stream;
    }

    /** The next token of the default channel; skipped text never becomes a token. */
    Token next() {
        while (true) {
            skipBlanksAndComments();
            if (pos >= n) {
                return make(Token.EOF, pos, pos - 1, line, pos - lineStart);
            }
            int start = pos;
            int startLine = line;
            int startCol = pos - lineStart;
            int type = switch (mode) {
                case NAME -> nameToken();
                case BYTES -> bytesToken();
                default -> defaultToken();
            };
            // advance, counting lines inside multi-line tokens (strings, plain cell lists)
            for (int i = start; i < pos; i++) {
                if (at(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            return make(type, start, pos - 1, startLine, startCol);
        }
    }

    /** The char at {@code i} (bytes are ISO-8859-1, so each is its own code point). */
    private char at(int i) {
        return (char) (s[i] & 0xff);
    }

    /** Whether {@code word} (ASCII) starts at {@code i}. */
    private boolean startsWith(String word, int i) {
        if (i + word.length() > n) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (s[i + k] != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private Token make(int type, int start, int stop, int tokLine, int col) {
        return factory.create(source, type, null, Token.DEFAULT_CHANNEL, start, stop, tokLine, col);
    }

    private void skipBlanksAndComments() {
        while (pos < n) {
            char c = at(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == '\n') {
                pos++;
                line++;
                lineStart = pos;
            } else if (c == '/' && pos + 1 < n && at(pos + 1) == '*') {
                int end = pos + 2;
                while (end + 1 < n && !(s[end] == '*' && s[end + 1] == '/')) {
                    end++;
                }
                if (end + 1 >= n) {
                    return; // unterminated: '/' and '*' become tokens, as in the grammar
                }
                for (int i = pos; i < end; i++) {
                    if (at(i) == '\n') {
                        line++;
                        lineStart = i + 1;
                    }
                }
                pos = end + 2;
            } else if (c == '/' && pos + 1 < n && at(pos + 1) == '/') {
                while (pos < n && at(pos) != '\n' && at(pos) != '\r') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    // ---- DEFAULT mode ----------------------------------------------------------------------

    private int defaultToken() {
        char c = at(pos);
        int kw = keyword(true);
        if (kw != 0) {
            return kw;
        }
        if (isLabelStart(c)) {
            int end = labelEnd(pos);
            if (end < n && at(end) == ':') {
                pos = end + 1;
                return LABEL;
            }
            pos++;
            return BAD_CHAR;
        }
        if (c == '&') {
            if (ref()) {
                return REF;
            }
            if (pos + 1 < n && at(pos + 1) == '&') {
                pos += 2;
                return AND;
            }
            pos++;
            return AMP;
        }
        if (c >= '0' && c <= '9') {
            pos = intEnd(pos);
            return INT_LITERAL;
        }
        switch (c) {
            case '\'': {
                int end = charLiteralEnd(pos);
                if (end > 0) {
                    pos = end;
                    return CHAR_LITERAL;
                }
                pos++;
                return BAD_CHAR;
            }
            case '"':
                return string();
            case '<': {
                int end = plainCellsEnd(pos);
                if (end > 0) {
                    pos = end;
                    return PLAIN_CELLS;
                }
                return two('<', LSHIFT, '=', LE, LT);
            }
            case '>':
                return two('>', RSHIFT, '=', GE, GT);
            case '=':
                return two('=', EQ, '\0', 0, EQUALS);
            case '!':
                return two('=', NE, '\0', 0, BANG);
            case '|':
                return two('|', OR, '\0', 0, PIPE);
            case '{':
                pos++;
                mode = NAME;
                return LBRACE;
            case ';':
                pos++;
                mode = NAME;
                return SEMI;
            case '[':
                pos++;
                pushedMode = mode;
                mode = BYTES;
                return LBRACKET;
            default:
                pos++;
                return switch (c) {
                    case '}' -> RBRACE;
                    case '(' -> LPAREN;
                    case ')' -> RPAREN;
                    case ',' -> COMMA;
                    case '/' -> SLASH;
                    case '+' -> PLUS;
                    case '-' -> MINUS;
                    case '*' -> STAR;
                    case '%' -> PERCENT;
                    case '^' -> CARET;
                    case '~' -> TILDE;
                    case '?' -> QUESTION;
                    case ':' -> COLON;
                    default -> BAD_CHAR;
                };
        }
    }

    /** One char, or two when the next is {@code a} or {@code b}. */
    private int two(char a, int typeA, char b, int typeB, int single) {
        char next = pos + 1 < n ? at(pos + 1) : '\0';
        if (next == a) {
            pos += 2;
            return typeA;
        }
        if (b != '\0' && next == b) {
            pos += 2;
            return typeB;
        }
        pos++;
        return single;
    }

    private static final String[] KEYWORDS = {
        "/dts-v1/",
        "/plugin/",
        "/memreserve/",
        "/bits/",
        "/delete-property/",
        "/delete-node/",
        "/omit-if-no-ref/",
        "/incbin/",
        "/include/"
    };
    private static final int[] KEYWORD_TYPES = {
        DTS_V1, PLUGIN, MEMRESERVE, BITS, DELETE_PROPERTY, DELETE_NODE, OMIT_IF_NO_REF, INCBIN, INCLUDE
    };

    /** A /keyword/ at pos (with its mode change), or 0. {@code bitsAndIncbin}: only in DEFAULT mode. */
    private int keyword(boolean bitsAndIncbin) {
        if (at(pos) != '/') {
            return 0;
        }
        for (int i = 0; i < KEYWORDS.length; i++) {
            int type = KEYWORD_TYPES[i];
            if (!bitsAndIncbin && (type == BITS || type == INCBIN)) {
                continue;
            }
            if (startsWith(KEYWORDS[i], pos)) {
                pos += KEYWORDS[i].length();
                switch (type) {
                    case DELETE_PROPERTY, DELETE_NODE, OMIT_IF_NO_REF -> mode = NAME;
                    case DTS_V1, MEMRESERVE -> mode = DEFAULT_MODE;
                    default -> {}
                }
                return type;
            }
        }
        return 0;
    }

    private static boolean isLabelStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isLabelChar(char c) {
        return isLabelStart(c) || (c >= '0' && c <= '9');
    }

    private static boolean isPropNodeChar(char c) {
        return isLabelChar(c)
                || c == ','
                || c == '.'
                || c == '+'
                || c == '*'
                || c == '#'
                || c == '?'
                || c == '@'
                || c == '-';
    }

    private int labelEnd(int from) {
        int i = from;
        while (i < n && isLabelChar(at(i))) {
            i++;
        }
        return i;
    }

    /** {@code &label} or {@code &{/path}} at pos; advances and returns true when it is one. */
    private boolean ref() {
        if (pos + 1 < n && isLabelStart(at(pos + 1))) {
            pos = labelEnd(pos + 1);
            return true;
        }
        if (startsWith("&{/", pos)) {
            int i = pos + 3;
            while (i < n && (isPropNodeChar(at(i)) || at(i) == '/')) {
                i++;
            }
            if (i < n && at(i) == '}') {
                pos = i + 1;
                return true;
            }
        }
        return false;
    }

    /** End of an integer literal at {@code from}: decimal digits, or 0x and hex digits, then [uUlL]*. */
    private int intEnd(int from) {
        int i = from;
        if (at(i) == '0' && i + 2 < n && (at(i + 1) == 'x' || at(i + 1) == 'X') && isHex(at(i + 2))) {
            i += 2;
            while (i < n && isHex(at(i))) {
                i++;
            }
        } else {
            while (i < n && at(i) >= '0' && at(i) <= '9') {
                i++;
            }
        }
        while (i < n && (s[i] == 'u' || s[i] == 'U' || s[i] == 'l' || s[i] == 'L')) {
            i++;
        }
        return i;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    }

    /** End of a PLAIN_CELLS token at {@code from} ('<' literals '>'), or -1. */
    private int plainCellsEnd(int from) {
        int i = from + 1;
        int literals = 0;
        while (true) {
            while (i < n && isBlank(at(i))) {
                i++;
            }
            if (i >= n) {
                return -1;
            }
            char c = at(i);
            if (c == '>') {
                return literals > 0 ? i + 1 : -1;
            }
            if (c < '0' || c > '9') {
                return -1;
            }
            i = intEnd(i);
            literals++;
        }
    }

    private int charLiteralEnd(int from) {
        int i = from + 1;
        while (i < n) {
            char c = at(i);
            if (c == '\'') {
                return i + 1;
            }
            if (c == '\\') {
                if (i + 1 >= n) {
                    return -1;
                }
                i += 2;
            } else {
                i++;
            }
        }
        return -1;
    }

    /** A string literal, or a BAD_CHAR quote when it never closes. */
    private int string() {
        int i = pos + 1;
        while (i < n) {
            char c = at(i);
            if (c == '"') {
                pos = i + 1;
                return STRING;
            }
            i += (c == '\\' && i + 1 < n) ? 2 : 1;
        }
        pos++;
        return BAD_CHAR;
    }

    // ---- NAME mode --------------------------------------------------------------------------

    private int nameToken() {
        char c = at(pos);
        int kw = keyword(false);
        if (kw != 0) {
            return kw;
        }
        int labelEnd = isLabelStart(c) ? labelEnd(pos) : pos;
        boolean label = labelEnd > pos && labelEnd < n && at(labelEnd) == ':';
        // dtc's PROPNODENAME is \\?{PROPNODECHAR}+: a leading backslash escapes a name that
        // would read as something else ("\\#size-cells"); the parser drops it
        int nameStart = c == '\\' && pos + 1 < n && isPropNodeChar(at(pos + 1)) ? pos + 1 : pos;
        int nameEnd = nameStart;
        while (nameEnd < n && isPropNodeChar(at(nameEnd))) {
            nameEnd++;
        }
        if (label && labelEnd + 1 >= nameEnd) {
            pos = labelEnd + 1;
            return LABEL;
        }
        if (nameEnd > nameStart) {
            pos = nameEnd;
            mode = DEFAULT_MODE;
            return PROPNODENAME;
        }
        if (c == '&' && ref()) {
            return REF;
        }
        pos++;
        switch (c) {
            case '"':
                pos--;
                return string();
            case '{':
                return LBRACE;
            case ';':
                return SEMI;
            case '}':
                return RBRACE;
            case '/':
                return SLASH;
            case '=':
                mode = DEFAULT_MODE;
                return EQUALS;
            default:
                return BAD_CHAR;
        }
    }

    // ---- BYTES mode -------------------------------------------------------------------------

    private int bytesToken() {
        char c = at(pos);
        if (isLabelStart(c)) {
            int end = labelEnd(pos);
            if (end < n && at(end) == ':') {
                pos = end + 1;
                return LABEL;
            }
        }
        if (isHex(c) && pos + 1 < n && isHex(at(pos + 1))) {
            pos += 2;
            return BYTE;
        }
        pos++;
        if (c == ']') {
            mode = pushedMode < 0 ? DEFAULT_MODE : pushedMode;
            pushedMode = -1;
            return RBRACKET;
        }
        return BAD_CHAR;
    }
}
