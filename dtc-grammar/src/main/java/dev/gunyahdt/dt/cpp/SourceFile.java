package dev.gunyahdt.dt.cpp;

import java.nio.file.Path;

/**
 * A file split into logical lines of tokens: lexed once, shared by every run of one
 * {@link Preprocessor} (files do not change during a run).
 *
 * @param path      the normalized absolute path it was read from
 * @param lines     its logical lines with tokens (backslash-newlines joined, comments removed)
 * @param guard     the include-guard macro when the whole file is {@code #ifndef G … #endif}, else null
 * @param lexError  a lexing error (unterminated comment) to report on entry, else null
 */
record SourceFile(Path path, Line[] lines, String guard, LexError lexError) {

    /**
     * One logical line. A file keeps only lines with tokens (a run skips the others), a line of
     * text all of them ({@link Lexer#lexLine}).
     */
    static final class Line {
        final int endLine; // physical line of its end
        final Token[] tokens;
        /** A directive's text from a '<' third token to the line's end ("#include <name>"), else null. */
        final String angled;

        final boolean directive;
        /** A parsed #define, cached across runs (immutable once set; a racy set is harmless). */
        Macro macro;

        Line(int endLine, Token[] tokens, String angled) {
            this.endLine = endLine;
            this.tokens = tokens;
            this.angled = angled;
            this.directive = tokens.length > 0 && tokens[0].is("#");
        }
    }

    record LexError(int line, int column, String message) {}
}
