package dev.gunyahdt.dt.cpp;

/**
 * Writes preprocessed text with GCC-style linemarkers. Spacing between tokens follows GCC's
 * rules (a space where the source had one, or where two tokens would otherwise lex as one);
 * tokens printed straight from the source keep their original blanks, so a line that is not
 * macro-expanded keeps its columns.
 */
final class Output {

    private final StringBuilder sb;
    private String file; // the presumed file name of the current output line
    private int srcLine; // the presumed line of the current output line
    private boolean printed; // something is on the current output line
    private Token prev; // last token printed on this line
    private Token source; // padding's stand-in whose spacing decides the next space
    private boolean avoidPaste;
    private boolean atLineStart;

    /** Writes into sb (emptied first): a run reuses its thread's buffer rather than growing a new one. */
    Output(StringBuilder sb) {
        this.sb = sb;
        sb.setLength(0);
    }

    String text() {
        if (printed) {
            sb.append('\n');
            printed = false;
        }
        return sb.toString();
    }

    int length() {
        return sb.length();
    }

    /** A marker for the start of the main file, entering (flag 1) or returning to (flag 2) a file. */
    void marker(int line, String name, String flag) {
        if (printed) sb.append('\n');
        printed = false;
        sb.append("# ").append(line).append(" \"");
        quote(name);
        sb.append('"');
        if (flag != null) sb.append(' ').append(flag);
        sb.append('\n');
        file = name;
        srcLine = line;
        prev = null;
        source = null;
        avoidPaste = false;
    }

    private void quote(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch == '\\' || ch == '"') sb.append('\\').append(ch);
            else if (ch < 0x20 || ch == 0x7f)
                sb.append('\\')
                        .append((char) ('0' + (ch >> 6)))
                        .append((char) ('0' + ((ch >> 3) & 7)))
                        .append((char) ('0' + (ch & 7)));
            else sb.append(ch);
        }
    }

    /** Whether the source line {@code line} of {@code name} is not the current output line. */
    boolean needsLine(String name, int line) {
        return line != srcLine || (name != file && !name.equals(file));
    }

    /** The source moves on to {@code line} of {@code name}: start a new output line there, indented. */
    void lineChange(String name, int line, Token first) {
        if (printed) {
            sb.append('\n');
            srcLine++;
            printed = false;
        }
        if (name.equals(file) && line >= srcLine && line < srcLine + 8) {
            while (srcLine < line) {
                sb.append('\n');
                srcLine++;
            }
        } else {
            marker(line, name, null);
        }
        if (first.has(Token.FIRST_ON_LINE) && first.lead != null) {
            sb.append(first.lead);
        } else {
            for (int i = 1; i < first.col; i++) sb.append(' ');
        }
        printed = true;
        prev = null;
        source = null;
        atLineStart = true;
    }

    void print(Token t, boolean fromSource) {
        if (t.kind == Token.PADDING) {
            avoidPaste = true;
            Token padSource = Token.sourceOf(t);
            if (source == null || (!source.has(Token.PREV_WHITE) && padSource == null)) source = padSource;
            return;
        }
        boolean space;
        if (atLineStart) {
            space = false;
        } else if (avoidPaste) {
            Token s = source == null ? t : source;
            space = s.has(Token.PREV_WHITE) || (prev != null && wouldPaste(prev, t)) || (prev == null && t.is("#"));
        } else {
            space = t.has(Token.PREV_WHITE);
        }
        if (space) {
            String lead = fromSource ? t.lead : null;
            if (lead == Lexer.ONE_SPACE || lead == null || lead.isEmpty()) sb.append(' ');
            else sb.append(lead);
        }
        // a char costs less than a String to append (calls cost under C1)
        if (t.single != 0) sb.append(t.single);
        else sb.append(t.text);
        printed = true;
        atLineStart = false;
        avoidPaste = false;
        source = null;
        prev = t;
    }

    /** Whether printing b right after a would make them one token (GCC's cpp_avoid_paste). */
    static boolean wouldPaste(Token a, Token b) {
        char c = b.kind == Token.PUNCT ? b.text.charAt(0) : 0;
        if (a.kind == Token.PUNCT) {
            String x = a.text;
            if (c == '='
                    && switch (x) {
                        case "=", "!", ">", "<", "+", "-", "*", "/", "%", "&", "|", "^", ">>", "<<" -> true;
                        default -> false;
                    }) {
                return true;
            }
            return switch (x) {
                case ">" -> c == '>';
                case "<" -> c == '<' || c == '%' || c == ':';
                case "+" -> c == '+';
                case "-" -> c == '-' || c == '>';
                case "/" -> c == '/' || c == '*';
                case "%" -> c == ':' || c == '%';
                case "&" -> c == '&';
                case "|" -> c == '|';
                case ":" -> c == ':' || c == '>';
                case "->" -> c == '*';
                case "." -> c == '.' || c == '%' || b.kind == Token.NUMBER;
                case "#" -> c == '#' || c == '%';
                default -> false;
            };
        }
        return switch (a.kind) {
            case Token.IDENT ->
                (b.kind == Token.NUMBER && isName(b.text))
                        || b.kind == Token.IDENT
                        || (b.kind == Token.CHAR && b.text.charAt(0) == '\'')
                        || (b.kind == Token.STRING && b.text.charAt(0) == '"');
            case Token.NUMBER ->
                b.kind == Token.NUMBER
                        || b.kind == Token.IDENT
                        || (b.kind == Token.CHAR && b.text.charAt(0) == '\'')
                        || c == '.'
                        || c == '+'
                        || c == '-';
            case Token.OTHER -> a.text.equals("\\") && b.kind == Token.IDENT;
            default -> false;
        };
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || !Lexer.isIdentStart(s.charAt(0))) return false;
        for (int i = 1; i < s.length(); i++) if (!Lexer.isIdentChar(s.charAt(i))) return false;
        return true;
    }
}
