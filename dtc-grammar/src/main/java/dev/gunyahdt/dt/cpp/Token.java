package dev.gunyahdt.dt.cpp;

/**
 * One preprocessing token. Tokens lexed from a file are shared (cached per file and reused by
 * every run), so they are immutable; expansion makes flagged copies.
 */
final class Token {

    // kinds
    static final int IDENT = 1,
            NUMBER = 2,
            CHAR = 3,
            STRING = 4,
            PUNCT = 5,
            OTHER = 6,
            PADDING = 7,
            EOF = 8,
            MACRO_ARG = 9;

    // flags
    static final int PREV_WHITE = 1; // whitespace (or a comment) before it
    static final int NO_EXPAND = 2; // painted: names a macro that must never expand here
    static final int STRINGIFY = 4; // macro body: "#param"
    static final int PASTE_LEFT = 8; // macro body / expansion: followed by ##
    static final int FIRST_ON_LINE = 16; // first token on its physical line (lead is indentation)

    final int kind;
    final String text;
    final int flags;
    final int line; // physical line (1-based) in its file; 0 for synthesized tokens
    final int col; // 1-based column
    final String lead; // the original whitespace before it on its line; null when synthesized
    final int off; // offset in its logical line's text (for header names in directives)
    final int arg; // MACRO_ARG: parameter index
    final Token source; // PADDING: the token whose spacing it stands for, or null

    Token(int kind, String text, int flags, int line, int col, String lead, int off, int arg, Token source) {
        this.kind = kind;
        this.text = text;
        this.flags = flags;
        this.line = line;
        this.col = col;
        this.lead = lead;
        this.off = off;
        this.arg = arg;
        this.source = source;
    }

    static Token synth(int kind, String text, int flags) {
        return new Token(kind, text, flags, 0, 0, null, 0, 0, null);
    }

    static Token padding(Token source) {
        return new Token(PADDING, "", 0, 0, 0, null, 0, 0, source);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    boolean is(String punct) {
        return kind == PUNCT && text.equals(punct);
    }

    Token withFlags(int newFlags) {
        return newFlags == flags ? this : new Token(kind, text, newFlags, line, col, lead, off, arg, source);
    }

    @Override
    public String toString() {
        return kind == PADDING ? "<pad>" : text;
    }
}
