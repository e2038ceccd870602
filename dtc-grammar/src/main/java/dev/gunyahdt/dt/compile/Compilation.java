package dev.gunyahdt.dt.compile;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.Diagnostic;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of one compilation.
 *
 * @param output       the bytes to write (blob, or DTS text as ISO-8859-1), or null when it failed
 * @param tree         the final tree (null when it failed before one existed)
 * @param messages     what dtc would print on stderr, in order: check diagnostics (their
 *                     rendered lines) and notes such as "Warning: Input tree has errors, output forced"
 * @param diagnostics  the check findings as data
 * @param dependencies every file read (input first), for {@code -d}
 * @param failed       true when no output should be written (a fatal error, or check errors without {@code -f})
 */
public record Compilation(
        byte[] output,
        DeviceTree tree,
        List<Message> messages,
        List<Diagnostic> diagnostics,
        List<Path> dependencies,
        boolean failed) {

    public Compilation {
        messages = List.copyOf(messages);
        diagnostics = List.copyOf(diagnostics);
        dependencies = List.copyOf(dependencies);
    }

    /** A line for stderr; {@code level} says how quiet the user must be to suppress it. */
    public record Message(String text, Level level) {}

    /** dtc's {@code -q} levels: warnings go at -q, errors at -qq, everything at -qqq. */
    public enum Level {
        WARNING,
        ERROR,
        ALWAYS;

        /** Whether this message prints at quiet level {@code quiet} (count of -q). */
        public boolean shows(int quiet) {
            return switch (this) {
                case WARNING -> quiet < 1;
                case ERROR -> quiet < 2;
                case ALWAYS -> quiet < 3;
            };
        }
    }
}
