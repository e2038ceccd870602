package dev.gunyahdt.dt.cpp;

/**
 * One preprocessing token. Tokens lexed from a file are shared (cached per file and reused by
 * every run), so they are immutable; expansion makes flagged copies. A token is kept small (no
 * field most tokens leave empty): every header's tokens stay cached for a whole batch, and the
 * collector copies that cache until it is promoted. Macro parameters and padding are subclasses.
 */
class Token {

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

    private static final Token WHITE = synth(OTHER, "", PREV_WHITE);
    private static final Token TIGHT = synth(OTHER, "", 0);
    private static final Padding PAD_NONE = new Padding(null, 0);
    private static final Padding PAD_WHITE = new Padding(WHITE, 0);
    private static final Padding PAD_TIGHT = new Padding(TIGHT, 0);

    final byte kind;
    final byte flags;
    /**
     * The text's char when it is one char, else 0: output appends a char for the many one-char
     * tokens (";", "=", "<") at less cost than a String. It fills the object's padding (a token
     * stays 32 bytes).
     */
    final char single;

    final String text;
    final String lead; // the original whitespace before it on its line; null when synthesized
    final int line; // physical line (1-based) in its file; 0 for synthesized tokens
    final int col; // 1-based column

    Token(int kind, String text, int flags, int line, int col, String lead) {
        this.kind = (byte) kind;
        this.text = text;
        this.flags = (byte) flags;
        this.line = line;
        this.col = col;
        this.lead = lead;
        this.single = text.length() == 1 ? text.charAt(0) : 0;
    }

    static Token synth(int kind, String text, int flags) {
        return new Token(kind, text, flags, 0, 0, null);
    }

    /**
     * A padding token standing for source's spacing. Only whether there is a source and
     * whether it had whitespace before it matter (GCC's padding_token / avoid_paste), so three
     * shared instances do.
     */
    static Token padding(Token source) {
        if (source == null) return PAD_NONE;
        return source.has(PREV_WHITE) ? PAD_WHITE : PAD_TIGHT;
    }

    /** The token a padding token stands for (null for a plain avoid-paste padding). */
    static Token sourceOf(Token padding) {
        return ((Padding) padding).source;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    boolean is(String punct) {
        return kind == PUNCT && text.equals(punct);
    }

    Token withFlags(int newFlags) {
        return newFlags == flags ? this : new Token(kind, text, newFlags, line, col, lead);
    }

    @Override
    public String toString() {
        return kind == PADDING ? "<pad>" : text;
    }

    /** A macro body's reference to parameter {@code index} ({@link #MACRO_ARG}). */
    static final class Param extends Token {
        final int index;

        Param(String text, int flags, int line, int col, String lead, int index) {
            super(MACRO_ARG, text, flags, line, col, lead);
            this.index = index;
        }

        @Override
        Token withFlags(int newFlags) {
            return newFlags == flags ? this : new Param(text, newFlags, line, col, lead, index);
        }
    }

    private static final class Padding extends Token {
        final Token source;

        Padding(Token source, int flags) {
            super(PADDING, "", flags, 0, 0, null);
            this.source = source;
        }

        @Override
        Token withFlags(int newFlags) {
            return newFlags == flags ? this : new Padding(source, newFlags);
        }
    }
}
