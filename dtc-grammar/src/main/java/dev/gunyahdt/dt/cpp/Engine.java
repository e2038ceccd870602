package dev.gunyahdt.dt.cpp;

import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.DtException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One run of the preprocessor over one main file. Macro expansion works like GCC's: a stack of
 * token contexts, a macro is disabled while its own expansion is being read, and a name met
 * while disabled is painted so it never expands later; arguments are expanded before
 * substitution except next to # and ##; padding tokens carry the spacing information GCC uses
 * to print.
 */
final class Engine {

    private static final int MAX_INCLUDE_DEPTH = 200;
    private static final long MAX_TOKENS = 20_000_000L; // a large real DTS needs about 1M
    private static final int MAX_INCLUDES = 100_000;
    private static final int MAX_ARG_NESTING = 400;
    private static final Token[] NONE = new Token[0];
    private static final Token AVOID_PASTE = Token.padding(null);
    private static final Token PEEK_STOP = Token.synth(Token.EOF, "", 0);
    private static final Token ONE = Token.synth(Token.NUMBER, "1", 0);
    private static final Token ZERO = Token.synth(Token.NUMBER, "0", 0);

    private final Preprocessor pp;
    private final Output out;
    private final MacroTable macros;
    private final Set<Macro> disabled = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Path, Path> deps = new LinkedHashMap<>(); // real path -> path as opened
    private final Set<Path> once = new java.util.HashSet<>();
    private final ArrayList<Frame> frames = new ArrayList<>();
    private Frame current; // the last of frames: read for every token

    private Context ctx;
    private Context free; // popped contexts, linked by prev: a run pushes about one per macro use
    private int contextDepth;
    private int preventExpansion;
    private int parsingArgs; // 0, 1 while looking for '(', 2 while collecting arguments
    private boolean inDirective;
    private boolean lastFromSource;
    private boolean skipping;
    private long budget;
    private int includes;
    private int argNesting;
    private int counter;
    private int lastSrcLine;
    private int lastSrcCol;
    private String baseName;

    /** A file being read. */
    private static final class Frame {
        final SourceFile sf;
        final Path opened;
        final int dirIndex; // include dir it was found in, -1 otherwise
        String name; // presumed file name (changes with #line)
        int delta; // presumed line minus physical line
        int li = -1;
        Token[] toks = NONE;
        int ti;
        final ArrayList<Cond> conds = new ArrayList<>();

        Frame(SourceFile sf, Path opened, String name, int dirIndex) {
            this.sf = sf;
            this.opened = opened;
            this.name = name;
            this.dirIndex = dirIndex;
        }
    }

    private static final class Cond {
        final boolean wasSkipping;
        boolean taken;
        boolean sawElse;
        String kind;
        final int line;
        final int col;

        Cond(boolean wasSkipping, boolean taken, String kind, int line, int col) {
            this.wasSkipping = wasSkipping;
            this.taken = taken;
            this.kind = kind;
            this.line = line;
            this.col = col;
        }
    }

    /** Tokens being read: a macro's expansion, an argument, a pasted token. Reused once popped. */
    private static final class Context {
        Token[] toks;
        int pos;
        int end;
        Macro macro;
        Context prev;
        final Token[] one = new Token[1]; // toks of a one-token context
    }

    private static final class Arg {
        final Token[] raw;
        final boolean omitted;
        Token[] expanded;

        Arg(Token[] raw, boolean omitted) {
            this.raw = raw;
            this.omitted = omitted;
        }
    }

    /** What a run needs that the next run on the same thread can reuse. */
    static final class Buffers {
        private static final int KEEP_CHARS = 1 << 23; // a larger output's buffer is not kept

        private StringBuilder text = new StringBuilder(1 << 16);
        private final MacroTable macros = new MacroTable();
    }

    Engine(Preprocessor pp, Map<String, Macro> initial, Buffers buffers) {
        this.pp = pp;
        if (buffers.text.capacity() > Buffers.KEEP_CHARS) buffers.text = new StringBuilder(1 << 16);
        this.out = new Output(buffers.text);
        buffers.macros.reset(initial);
        this.macros = buffers.macros;
    }

    Preprocessor.Result run(Path file) {
        Preprocessor.Found main = pp.openMain(file);
        baseName = file.toString();
        deps.put(main.real(), main.opened());
        Frame f = new Frame(main.source(), main.opened(), baseName, -1);
        checkLexError(f);
        frames.add(f);
        current = f;
        out.marker(1, baseName, null);
        for (; ; ) {
            if (ctx == null && printedPlainSourceToken()) continue;
            Token t = get();
            if (t.kind == Token.EOF) {
                popFrame();
                if (frames.isEmpty()) break;
                continue;
            }
            out.print(t, lastFromSource);
            if (++budget > MAX_TOKENS) throw tooBig();
        }
        return new Preprocessor.Result(out.text(), List.copyOf(deps.values()));
    }

    /**
     * The common case of {@link #get} and printing taken in one step (calls cost under C1): the
     * next source token of the line being read is printed when it is no macro name and stays on
     * the current output line. Otherwise false, and get() takes it.
     */
    private boolean printedPlainSourceToken() {
        Frame f = current;
        int ti = f.ti;
        if (ti == 0 || ti >= f.toks.length) return false; // a line's first token starts an output line
        Token t = f.toks[ti];
        if (t.kind == Token.IDENT && macros.get(t.text) != null) return false;
        if (t.has(Token.PREV_WHITE) && out.needsLine(f.name, t.line + f.delta)) return false;
        f.ti = ti + 1;
        lastSrcLine = t.line;
        lastSrcCol = t.col;
        lastFromSource = true;
        out.print(t, true);
        budget += 2; // as lexSource and the printing loop count it
        if (budget > MAX_TOKENS) throw tooBig();
        return true;
    }

    // ---------------------------------------------------------------- errors

    private Frame top() {
        return current;
    }

    private DtException error(Token at, String message) {
        Frame f = top();
        if (at != null && at.line > 0 && !inExpansionToken(at)) {
            return new DtException(SourceSpan.point(f.name, at.line + f.delta, at.col), message);
        }
        return new DtException(SourceSpan.point(f.name, lastSrcLine + f.delta, Math.max(1, lastSrcCol)), message);
    }

    /** Tokens of macro bodies carry lines of the file that defined them; do not trust those. */
    private boolean inExpansionToken(Token t) {
        return t.kind == Token.MACRO_ARG;
    }

    private DtException tooBig() {
        return error(
                null, "macro expansion or include nesting produces too much output (limit " + MAX_TOKENS + " tokens)");
    }

    private void checkLexError(Frame f) {
        SourceFile.LexError e = f.sf.lexError();
        if (e != null) throw new DtException(SourceSpan.point(f.name, e.line(), e.column()), e.message());
    }

    // ---------------------------------------------------------------- reading source lines

    /** The next token from the files, running directives between lines. */
    private Token lexSource() {
        for (; ; ) {
            Frame f = top();
            if (f.ti < f.toks.length) {
                Token t = f.toks[f.ti++];
                lastSrcLine = t.line;
                lastSrcCol = t.col;
                if (parsingArgs == 2) {
                    // a newline inside macro arguments is whitespace
                    if (f.ti == 1 && !t.has(Token.PREV_WHITE)) t = t.withFlags(t.flags | Token.PREV_WHITE);
                } else if (parsingArgs == 0) {
                    int line = t.line + f.delta;
                    if (f.ti == 1 || (t.has(Token.PREV_WHITE) && out.needsLine(f.name, line))) {
                        out.lineChange(f.name, line, t);
                    }
                }
                if (++budget > MAX_TOKENS) throw tooBig();
                return t;
            }
            Token stop = advance(f);
            if (stop != null) return stop;
        }
    }

    /** Moves the frame to its next line; returns a stop token (EOF, PEEK_STOP) or null to go on. */
    private Token advance(Frame f) {
        SourceFile.Line[] lines = f.sf.lines();
        if (parsingArgs == 1) {
            // looking for '(' after a function-like macro name: never run a directive for that
            int li = f.li + 1;
            while (li < lines.length && lines[li].tokens.length == 0) li++;
            if (li >= lines.length || lines[li].directive) return PEEK_STOP;
            f.li = li;
            f.toks = lines[li].tokens;
            f.ti = 0;
            return null;
        }
        f.toks = NONE;
        f.ti = 0;
        if (f.li + 1 >= lines.length) {
            f.li = lines.length;
            return eofToken();
        }
        SourceFile.Line l = lines[++f.li];
        if (l.directive) {
            if (directive(f, l)) return null;
        } else if (l.tokens.length == 0) {
            return null;
        }
        if (!skipping) f.toks = l.tokens;
        return null;
    }

    private static final Token FILE_EOF = Token.synth(Token.EOF, "", 0);

    private Token eofToken() {
        return FILE_EOF;
    }

    private void popFrame() {
        Frame f = frames.remove(frames.size() - 1);
        current = frames.isEmpty() ? null : frames.get(frames.size() - 1);
        if (!f.conds.isEmpty()) {
            Cond c = f.conds.get(f.conds.size() - 1);
            throw new DtException(SourceSpan.point(f.name, c.line, c.col), "unterminated #" + c.kind);
        }
        if (!frames.isEmpty()) {
            Frame p = top();
            SourceFile.Line l = p.sf.lines()[p.li];
            out.marker(l.endLine + 1 + p.delta, p.name, "2");
        }
    }

    // ---------------------------------------------------------------- macro expansion

    private Context pushContext(Token[] toks, int end, Macro m) {
        if (m != null) disabled.add(m);
        Context c = free;
        if (c != null) free = c.prev;
        else c = new Context();
        c.toks = toks;
        c.pos = 0;
        c.end = end;
        c.macro = m;
        c.prev = ctx;
        ctx = c;
        budget += end;
        if (budget > MAX_TOKENS || ++contextDepth > 1_000_000) throw tooBig();
        return c;
    }

    private void pushToken(Token t) {
        Context c = pushContext(null, 1, null);
        c.one[0] = t;
        c.toks = c.one;
    }

    private void popContext() {
        Context c = ctx;
        if (c.macro != null) disabled.remove(c.macro);
        ctx = c.prev;
        contextDepth--;
        c.toks = null;
        c.macro = null;
        c.prev = free;
        free = c;
    }

    /** The next token after macro expansion (GCC's cpp_get_token). */
    private Token get() {
        for (; ; ) {
            Token t;
            boolean fromSource;
            if (ctx != null) {
                if (ctx.pos >= ctx.end) {
                    popContext();
                    if (inDirective) continue;
                    lastFromSource = false;
                    return AVOID_PASTE;
                }
                t = ctx.toks[ctx.pos++];
                fromSource = false;
                if (t.has(Token.PASTE_LEFT)) {
                    pasteAll(t);
                    if (inDirective) continue;
                    lastFromSource = false;
                    return Token.padding(t);
                }
            } else {
                t = lexSource();
                fromSource = true;
            }
            if (t.kind == Token.IDENT && !t.has(Token.NO_EXPAND)) {
                Macro m = macros.get(t.text);
                if (m != null) {
                    if (disabled.contains(m)) {
                        lastFromSource = fromSource;
                        return t.withFlags(t.flags | Token.NO_EXPAND);
                    }
                    if (preventExpansion == 0 && enter(m, t, fromSource)) {
                        if (inDirective) continue;
                        lastFromSource = false;
                        return Token.padding(t);
                    }
                }
            }
            lastFromSource = fromSource;
            return t;
        }
    }

    /** Starts expanding m; false when a function-like macro is not followed by '('. */
    private boolean enter(Macro m, Token name, boolean nameFromSource) {
        if ("_Pragma".equals(m.builtin())) {
            pragmaOperator(name, nameFromSource);
            return true;
        }
        if (m.builtin() != null) {
            pushToken(builtin(m.builtin()));
            return true;
        }
        if (!m.funLike()) {
            pushContext(m.body(), m.body().length, m);
            return true;
        }
        preventExpansion++;
        int savedParsing = parsingArgs;
        parsingArgs = 1;
        Token pad = null;
        Token t;
        for (; ; ) {
            t = get();
            if (t.kind != Token.PADDING) break;
            if (pad == null || (!pad.has(Token.PREV_WHITE) && Token.sourceOf(t) == null)) pad = t;
        }
        boolean fromSource = lastFromSource;
        if (!t.is("(")) {
            if (t != PEEK_STOP && t != FILE_EOF) {
                if (fromSource) top().ti--;
                else ctx.pos--;
            }
            if (pad != null) pushToken(pad);
            parsingArgs = savedParsing;
            preventExpansion--;
            return false;
        }
        parsingArgs = 2;
        Arg[] args;
        try {
            args = collectArgs(m, nameFromSource ? name : null);
        } finally {
            parsingArgs = savedParsing;
            preventExpansion--;
        }
        Token[] body = substitute(m, args);
        pushContext(body, body.length, m);
        return true;
    }

    /**
     * Tokens being gathered (arguments, a replacement list, an expanded argument) sit on one
     * stack: each gatherer appends from the top it found and takes its part off before it
     * returns, so the argument expanded in the middle of a replacement list shares the array.
     */
    private Token[] gathered = new Token[256];

    private int top;

    private void gather(Token t) {
        if (top == gathered.length) gathered = Arrays.copyOf(gathered, top * 2);
        gathered[top++] = t;
    }

    /** The tokens gathered from base on, without trailing padding; they leave the stack. */
    private Token[] takeFrom(int base, boolean trim) {
        int end = top;
        if (trim) while (end > base && gathered[end - 1].kind == Token.PADDING) end--;
        Token[] r = end == base ? NONE : Arrays.copyOfRange(gathered, base, end);
        top = base;
        return r;
    }

    /** Reads the arguments up to the closing ')'; name is the macro's name token when it is a source token. */
    private Arg[] collectArgs(Macro m, Token name) {
        int paramc = m.params().length;
        Token[][] args = new Token[Math.max(1, paramc)][];
        int argc = 0;
        int start = top;
        int depth = 0;
        for (; ; ) {
            Token t = get();
            if (t.kind == Token.PADDING) {
                if (top > start) gather(t); // leading padding is never collected
                continue;
            }
            if (t.kind == Token.EOF) {
                if (t != FILE_EOF && t != PEEK_STOP) ctx.pos--;
                throw error(name, "unterminated argument list invoking macro \"" + m.name() + "\"");
            }
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                if (depth == 0) break;
                depth--;
            } else if (t.is(",") && depth == 0 && !(m.variadic() && argc == paramc - 1)) {
                if (argc == args.length) args = Arrays.copyOf(args, argc * 2);
                args[argc++] = takeFrom(start, true);
                continue;
            }
            gather(t);
            if (++budget > MAX_TOKENS) throw tooBig();
        }
        if (argc == args.length) args = Arrays.copyOf(args, argc * 2);
        args[argc++] = takeFrom(start, true);
        if (argc == 1 && paramc == 0 && args[0].length == 0) argc = 0;
        Arg[] result = new Arg[paramc];
        if (argc < paramc) {
            if (!(m.variadic() && argc == paramc - 1)) {
                throw error(
                        name,
                        "macro \"" + m.name() + "\" requires " + paramc + " arguments, but only " + argc + " given");
            }
        } else if (argc > paramc) {
            throw error(name, "macro \"" + m.name() + "\" passed " + argc + " arguments, but takes just " + paramc);
        }
        for (int i = 0; i < paramc; i++) {
            if (i < argc) {
                boolean omitted = m.variadic() && paramc == 1 && args[0].length == 0;
                result[i] = new Arg(args[i], omitted);
            } else {
                result[i] = new Arg(NONE, true);
            }
        }
        return result;
    }

    /** The replacement list with arguments put in (GCC's replace_args). */
    private Token[] substitute(Macro m, Arg[] args) {
        Token[] body = m.body();
        int base = top;
        int prevLast = -1; // where the last real token the previous body token gave is on the stack
        int last = m.params().length - 1;
        for (int i = 0; i < body.length; i++) {
            Token s = body[i];
            if (s.kind != Token.MACRO_ARG) {
                gather(s);
                prevLast = top - 1;
                continue;
            }
            int argIndex = ((Token.Param) s).index;
            Arg a = args[argIndex];
            boolean rhsOfPaste = i > 0 && body[i - 1].has(Token.PASTE_LEFT);
            if (rhsOfPaste
                    && m.variadic()
                    && argIndex == last
                    && body[i - 1].is(",")
                    && prevLast == top - 1
                    && prevLast >= 0) {
                // GNU ", ## __VA_ARGS__": the comma goes when the variable arguments were left out
                if (a.omitted) {
                    top--;
                    prevLast = -1;
                } else {
                    gathered[prevLast] = gathered[prevLast].withFlags(gathered[prevLast].flags & ~Token.PASTE_LEFT);
                }
                rhsOfPaste = false;
                if (a.omitted) {
                    if (!s.has(Token.PASTE_LEFT)) gather(AVOID_PASTE);
                    continue;
                }
                for (Token t : a.raw) gather(t);
                prevLast = a.raw.length > 0 ? top - 1 : -1;
                if (!s.has(Token.PASTE_LEFT)) gather(AVOID_PASTE);
                else if (prevLast >= 0)
                    gathered[prevLast] = gathered[prevLast].withFlags(gathered[prevLast].flags | Token.PASTE_LEFT);
                continue;
            }
            Token[] toks;
            if (s.has(Token.STRINGIFY)) toks = new Token[] {stringify(a.raw)};
            else if (s.has(Token.PASTE_LEFT) || rhsOfPaste) toks = a.raw;
            else toks = expanded(a); // gathers above this list's top and leaves it as it was
            if (i > 0 && !rhsOfPaste) gather(Token.padding(s));
            if (toks.length > 0) {
                for (Token t : toks) gather(t);
                int li = top - 1;
                if (s.has(Token.PASTE_LEFT))
                    gathered[li] = gathered[li].withFlags(gathered[li].flags | Token.PASTE_LEFT);
                prevLast = lastReal(base);
            } else {
                if (rhsOfPaste && prevLast >= 0) {
                    Token p = gathered[prevLast];
                    gathered[prevLast] = p.withFlags(
                            s.has(Token.PASTE_LEFT) ? p.flags | Token.PASTE_LEFT : p.flags & ~Token.PASTE_LEFT);
                } else if (!rhsOfPaste) {
                    prevLast = -1;
                }
            }
            if (!s.has(Token.PASTE_LEFT)) gather(AVOID_PASTE);
            if (top - base > MAX_TOKENS) throw tooBig();
        }
        return takeFrom(base, false);
    }

    /** Where the last real token gathered from base on is, or -1. */
    private int lastReal(int base) {
        for (int i = top - 1; i >= base; i--) if (gathered[i].kind != Token.PADDING) return i;
        return -1;
    }

    /** An argument macro-expanded in isolation (it cannot reach past its end). */
    private Token[] expanded(Arg a) {
        if (a.expanded != null) return a.expanded;
        if (++argNesting > MAX_ARG_NESTING) throw error(null, "macro arguments nested too deeply");
        Token[] raw = new Token[a.raw.length + 1];
        System.arraycopy(a.raw, 0, raw, 0, a.raw.length);
        Token end = Token.synth(Token.EOF, "", 0);
        raw[a.raw.length] = end;
        Context mine = pushContext(raw, raw.length, null);
        int base = top;
        for (; ; ) {
            Token t = get();
            if (t == end) break;
            if (t.kind == Token.EOF) throw error(null, "unterminated macro argument");
            gather(t);
            if (top - base > MAX_TOKENS) throw tooBig();
        }
        if (ctx != mine) throw error(null, "internal: macro argument context mismatch");
        popContext();
        argNesting--;
        a.expanded = takeFrom(base, false);
        return a.expanded;
    }

    /** GCC's stringify_arg: spelling with single spaces where there was whitespace. */
    private static Token stringify(Token[] raw) {
        StringBuilder sb = new StringBuilder("\"");
        Token source = null;
        for (Token t : raw) {
            if (t.kind == Token.PADDING) {
                Token padSource = Token.sourceOf(t);
                if (source == null || (!source.has(Token.PREV_WHITE) && padSource == null)) source = padSource;
                continue;
            }
            if (sb.length() > 1) {
                if (source == null) source = t;
                if (source.has(Token.PREV_WHITE)) sb.append(' ');
            }
            source = null;
            if (t.kind == Token.STRING || t.kind == Token.CHAR) {
                for (int i = 0; i < t.text.length(); i++) {
                    char ch = t.text.charAt(i);
                    if (ch == '"' || ch == '\\') sb.append('\\');
                    sb.append(ch);
                }
            } else {
                sb.append(t.text);
            }
        }
        int bs = 0;
        for (int i = sb.length() - 1; i > 0 && sb.charAt(i) == '\\'; i--) bs++;
        if ((bs & 1) == 1) sb.setLength(sb.length() - 1); // GCC drops a lone final backslash
        sb.append('"');
        return Token.synth(Token.STRING, sb.toString(), 0);
    }

    /** Pastes lhs with the tokens after it in the current context; the result gets its own context. */
    private void pasteAll(Token lhs) {
        Context c = ctx;
        Token cur = lhs;
        for (; ; ) {
            if (c.pos >= c.end) {
                cur = cur.withFlags(cur.flags & ~Token.PASTE_LEFT);
                break;
            }
            Token rhs = c.toks[c.pos++];
            if (rhs.kind == Token.PADDING) continue;
            Token pasted = paste(cur, rhs);
            if (pasted == null) {
                // assembler-with-cpp: no error, the two stay separate tokens
                c.pos--;
                cur = cur.withFlags(cur.flags & ~Token.PASTE_LEFT);
                break;
            }
            cur = pasted;
            if (!rhs.has(Token.PASTE_LEFT)) break;
        }
        pushToken(cur);
    }

    private static Token paste(Token a, Token b) {
        if (a.is("/") && !b.is("=")) return null; // would start a comment
        Token[] t = Lexer.lexLine(a.text + b.text);
        if (t == null
                || t.length != 1
                || t[0].has(Token.PREV_WHITE)
                || t[0].text.length() != a.text.length() + b.text.length()) {
            return null;
        }
        return Token.synth(t[0].kind, t[0].text, a.flags & Token.PREV_WHITE);
    }

    /** _Pragma("…"): consumed; pragmas mean nothing to a devicetree. */
    private void pragmaOperator(Token name, boolean nameFromSource) {
        preventExpansion++;
        int saved = parsingArgs;
        parsingArgs = 2;
        try {
            Token at = nameFromSource ? name : null;
            if (!nextReal().is("(")) throw error(at, "_Pragma takes a parenthesized string literal");
            Token s = nextReal();
            if (s.kind != Token.STRING) throw error(at, "_Pragma takes a parenthesized string literal");
            if (!nextReal().is(")")) throw error(at, "_Pragma takes a parenthesized string literal");
        } finally {
            parsingArgs = saved;
            preventExpansion--;
        }
        pushContext(NONE, 0, null);
    }

    private Token builtin(String name) {
        Frame f = top();
        return switch (name) {
            case "__FILE__" -> Token.synth(Token.STRING, quote(f.name), 0);
            case "__BASE_FILE__" -> Token.synth(Token.STRING, quote(baseName), 0);
            case "__LINE__" -> Token.synth(Token.NUMBER, Integer.toString(lastSrcLine + f.delta), 0);
            case "__INCLUDE_LEVEL__" -> Token.synth(Token.NUMBER, Integer.toString(frames.size() - 1), 0);
            case "__COUNTER__" -> Token.synth(Token.NUMBER, Integer.toString(counter++), 0);
            case "__DATE__" -> {
                LocalDateTime now = LocalDateTime.now();
                String mon = now.getMonth().getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ROOT);
                yield Token.synth(
                        Token.STRING,
                        String.format(java.util.Locale.ROOT, "\"%s %2d %d\"", mon, now.getDayOfMonth(), now.getYear()),
                        0);
            }
            case "__TIME__" -> {
                LocalDateTime now = LocalDateTime.now();
                yield Token.synth(
                        Token.STRING,
                        String.format(
                                java.util.Locale.ROOT,
                                "\"%02d:%02d:%02d\"",
                                now.getHour(),
                                now.getMinute(),
                                now.getSecond()),
                        0);
            }
            default -> Token.synth(Token.NUMBER, "1", 0);
        };
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') sb.append('\\');
            sb.append(ch);
        }
        return sb.append('"').toString();
    }

    // ---------------------------------------------------------------- directives

    /** Runs a directive line; false when it is no directive and passes through as text. */
    private boolean directive(Frame f, SourceFile.Line l) {
        Token[] t = l.tokens;
        if (t.length == 1) return true; // the null directive
        Token d = t[1];
        if (d.kind != Token.IDENT) return skipping; // "# 12", "#(": not ours in assembler mode
        String name = d.text;
        if (skipping) {
            switch (name) {
                case "if", "ifdef", "ifndef" -> f.conds.add(new Cond(true, true, name, d.line + f.delta, d.col));
                case "elif", "elifdef", "elifndef", "else" -> elseLike(f, l, name);
                case "endif" -> endif(f, d);
                default -> {}
            }
            return true;
        }
        switch (name) {
            case "define" -> define(f, l);
            case "undef" -> {
                Token n = macroName(l, "undef");
                macros.remove(n.text);
            }
            case "include", "import" -> include(f, l, false, name.equals("import"));
            case "include_next" -> include(f, l, true, false);
            case "if" -> ifLike(f, d, evaluate(l, 2));
            case "ifdef" -> ifLike(f, d, isDefined(macroName(l, "ifdef").text));
            case "ifndef" -> ifLike(f, d, !isDefined(macroName(l, "ifndef").text));
            case "elif", "elifdef", "elifndef", "else" -> elseLike(f, l, name);
            case "endif" -> endif(f, d);
            case "error" -> throw error(d, "#error " + restText(l, 2));
            case "line" -> line(f, l);
            case "pragma" -> {
                if (t.length >= 3 && t[2].text.equals("once")) once.add(f.sf.path());
            }
            case "warning", "ident", "sccs", "assert", "unassert" -> {}
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean isDefined(String name) {
        return macros.contains(name) || name.equals("__has_include") || name.equals("__has_include_next");
    }

    private void ifLike(Frame f, Token d, boolean value) {
        f.conds.add(new Cond(skipping, value, d.text, d.line + f.delta, d.col));
        skipping = !value;
    }

    private void elseLike(Frame f, SourceFile.Line l, String name) {
        Token d = l.tokens[1];
        if (f.conds.isEmpty()) throw error(d, "#" + name + " without #if");
        Cond c = f.conds.get(f.conds.size() - 1);
        if (c.sawElse) throw error(d, "#" + name + " after #else");
        c.kind = name;
        if (name.equals("else")) {
            c.sawElse = true;
            skipping = c.wasSkipping || c.taken;
            c.taken = true;
            return;
        }
        if (c.wasSkipping || c.taken) {
            skipping = true;
            return;
        }
        boolean v = switch (name) {
            case "elif" -> evaluate(l, 2);
            case "elifdef" -> isDefined(macroName(l, name).text);
            default -> !isDefined(macroName(l, name).text);
        };
        c.taken = v;
        skipping = !v;
    }

    private void endif(Frame f, Token d) {
        if (f.conds.isEmpty()) throw error(d, "#endif without #if");
        Cond c = f.conds.remove(f.conds.size() - 1);
        skipping = c.wasSkipping;
    }

    private Token macroName(SourceFile.Line l, String dir) {
        Token[] t = l.tokens;
        if (t.length < 3) throw error(t[1], "no macro name given in #" + dir + " directive");
        Token n = t[2];
        if (n.kind != Token.IDENT) throw error(n, "macro names must be identifiers");
        if (n.text.equals("defined") && !dir.startsWith("if") && !dir.startsWith("elif")) {
            throw error(n, "\"defined\" cannot be used as a macro name");
        }
        return n;
    }

    /** The directive's text after token {@code from}, spelled with single spaces (for #error). */
    private static String restText(SourceFile.Line l, int from) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < l.tokens.length; i++) {
            if (sb.length() > 0 && l.tokens[i].has(Token.PREV_WHITE)) sb.append(' ');
            sb.append(l.tokens[i].text);
        }
        return sb.toString();
    }

    private void define(Frame f, SourceFile.Line l) {
        Macro m = l.macro;
        if (m == null) {
            try {
                m = Preprocessor.parseDefine(l.tokens, 2);
            } catch (Expr.Failure e) {
                throw error(e.at == null ? l.tokens[1] : e.at, e.getMessage());
            }
            l.macro = m;
        }
        macros.put(m.name(), m);
    }

    /** Macro-expands the directive's tokens from index {@code from}; resolves defined / __has_include. */
    private List<Token> expandDirective(SourceFile.Line l, int from, boolean forIf) {
        Token[] t = l.tokens;
        Token end = Token.synth(Token.EOF, "", 0);
        Token[] toks = new Token[t.length - from + 1];
        System.arraycopy(t, from, toks, 0, t.length - from);
        toks[toks.length - 1] = end;
        boolean saved = inDirective;
        inDirective = true;
        pushContext(toks, toks.length, null);
        Context mine = ctx;
        List<Token> res = new ArrayList<>();
        try {
            for (; ; ) {
                Token x = get();
                if (x == end) break;
                if (x.kind == Token.PADDING) continue;
                if (x.kind == Token.EOF) throw error(t[1], "unterminated argument list in #" + t[1].text);
                if (forIf && x.kind == Token.IDENT && x.text.equals("defined")) {
                    res.add(definedOperator(x, end));
                } else if (forIf
                        && x.kind == Token.IDENT
                        && (x.text.equals("__has_include") || x.text.equals("__has_include_next"))) {
                    res.add(hasInclude(x, end, x.text.endsWith("next")));
                } else {
                    res.add(x);
                }
            }
            if (ctx != mine) throw error(t[1], "internal: directive context mismatch");
            popContext();
        } finally {
            inDirective = saved;
        }
        return res;
    }

    private Token nextReal() {
        Token x;
        do {
            x = get();
        } while (x.kind == Token.PADDING);
        return x;
    }

    private Token definedOperator(Token at, Token end) {
        preventExpansion++;
        try {
            Token x = nextReal();
            boolean paren = x.is("(");
            if (paren) x = nextReal();
            if (x.kind != Token.IDENT) {
                throw error(at, "operator \"defined\" requires an identifier");
            }
            if (paren && !nextReal().is(")")) throw error(at, "missing ')' after \"defined\"");
            return isDefined(x.text) ? ONE : ZERO;
        } finally {
            preventExpansion--;
        }
    }

    private Token hasInclude(Token at, Token end, boolean next) {
        preventExpansion++;
        try {
            if (!nextReal().is("(")) throw error(at, "missing '(' before \"" + at.text + "\" operand");
            Token x = nextReal();
            String name;
            boolean angled;
            if (x.kind == Token.STRING && x.text.startsWith("\"")) {
                name = x.text.substring(1, x.text.length() - 1);
                angled = false;
            } else if (x.is("<")) {
                StringBuilder sb = new StringBuilder();
                for (; ; ) {
                    Token y = get();
                    if (y == end || y.kind == Token.EOF) throw error(at, "missing terminating > character");
                    if (y.kind == Token.PADDING) continue;
                    if (y.is(">")) break;
                    if (sb.length() > 0 && y.has(Token.PREV_WHITE)) sb.append(' ');
                    sb.append(y.text);
                }
                name = sb.toString();
                angled = true;
            } else {
                throw error(at, "operator \"" + at.text + "\" requires a header-name");
            }
            if (!nextReal().is(")")) throw error(at, "missing ')' after \"" + at.text + "\" operand");
            return pp.find(name, angled, startDir(next), top().opened) != null ? ONE : ZERO;
        } finally {
            preventExpansion--;
        }
    }

    private int startDir(boolean next) {
        Frame f = top();
        return next && f.dirIndex >= 0 ? f.dirIndex + 1 : 0;
    }

    private boolean evaluate(SourceFile.Line l, int from) {
        List<Token> toks = expandDirective(l, from, true);
        try {
            return Expr.eval(toks);
        } catch (Expr.Failure e) {
            throw error(e.at != null && List.of(l.tokens).contains(e.at) ? e.at : l.tokens[1], e.getMessage());
        }
    }

    private void include(Frame f, SourceFile.Line l, boolean next, boolean importOnce) {
        Token[] t = l.tokens;
        Token d = t[1];
        if (t.length < 3) throw error(d, expects(d));
        Token a = t[2];
        String name;
        boolean angled;
        if (a.kind == Token.STRING && a.text.startsWith("\"")) {
            name = a.text.substring(1, a.text.length() - 1);
            angled = false;
        } else if (a.is("<")) {
            int e = l.angled.indexOf('>', 1);
            if (e < 0) throw error(a, "missing terminating > character");
            name = l.angled.substring(1, e);
            angled = true;
        } else if (a.kind == Token.IDENT) {
            List<Token> x = expandDirective(l, 2, false);
            if (!x.isEmpty() && x.get(0).kind == Token.STRING && x.get(0).text.startsWith("\"")) {
                name = x.get(0).text.substring(1, x.get(0).text.length() - 1);
                angled = false;
            } else if (!x.isEmpty() && x.get(0).is("<")) {
                StringBuilder sb = new StringBuilder();
                int i = 1;
                for (; i < x.size() && !x.get(i).is(">"); i++) {
                    if (sb.length() > 0 && x.get(i).has(Token.PREV_WHITE)) sb.append(' ');
                    sb.append(x.get(i).text);
                }
                if (i >= x.size()) throw error(a, "missing terminating > character");
                name = sb.toString();
                angled = true;
            } else {
                throw error(a, expects(d));
            }
        } else {
            throw error(a, expects(d));
        }
        if (name.isEmpty()) throw error(a, "empty filename in #" + d.text);
        Preprocessor.Found found = pp.find(name, angled, startDir(next), f.opened);
        if (found == null) {
            throw error(a, name.replace("\0", "\\0") + ": " + pp.whyNotFound(name, angled, startDir(next), f.opened));
        }
        if (frames.size() >= MAX_INCLUDE_DEPTH) {
            throw error(
                    d,
                    "#include nested depth " + frames.size() + " exceeds maximum of " + MAX_INCLUDE_DEPTH
                            + " (use -fmax-include-depth=DEPTH to increase the maximum)");
        }
        if (++includes > MAX_INCLUDES) throw error(d, "too many #include directives (more than " + MAX_INCLUDES + ")");
        deps.putIfAbsent(found.real(), found.opened());
        if (once.contains(found.real())) return;
        if (importOnce) once.add(found.real());
        SourceFile sf = found.source();
        if (sf.guard() != null && macros.contains(sf.guard())) return; // GCC skips guarded re-includes too
        Frame nf = new Frame(sf, found.opened(), found.display(), found.dirIndex());
        checkLexError(nf);
        frames.add(nf);
        current = nf;
        out.marker(1, nf.name, "1");
    }

    private static String expects(Token directive) {
        return "#" + directive.text + " expects \"FILENAME\" or <FILENAME>";
    }

    private void line(Frame f, SourceFile.Line l) {
        List<Token> x = expandDirective(l, 2, false);
        Token d = l.tokens[1];
        if (x.isEmpty() || x.get(0).kind != Token.NUMBER) {
            throw error(d, "\"" + (x.isEmpty() ? "" : x.get(0).text) + "\" after #line is not a positive integer");
        }
        String num = x.get(0).text;
        for (int i = 0; i < num.length(); i++) {
            if (!Lexer.isDigit(num.charAt(i))) throw error(d, "\"" + num + "\" after #line is not a positive integer");
        }
        int n;
        try {
            n = Integer.parseInt(num);
        } catch (NumberFormatException e) {
            throw error(d, "line number out of range");
        }
        if (x.size() > 1) {
            Token s = x.get(1);
            if (s.kind != Token.STRING || !s.text.startsWith("\""))
                throw error(d, "invalid filename \"" + s.text + "\"");
            f.name = unquote(s.text);
        }
        f.delta = n - (l.endLine + 1);
        out.marker(n, f.name, null);
    }

    private static String unquote(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < s.length() - 1; i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length() - 1) ch = s.charAt(++i);
            sb.append(ch);
        }
        return sb.toString();
    }
}
