package dev.gunyahdt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * The process's streams, passed in so commands can be run and checked in tests.
 *
 * @param terminal whether the caller's stdin and stdout are a terminal, as {@code System.console()}
 *                 says (the resident process is told so by its client)
 */
public record Io(InputStream in, PrintStream out, PrintStream err, boolean terminal) {

    public Io(InputStream in, PrintStream out, PrintStream err) {
        this(in, out, err, false);
    }

    public static Io system() {
        return new Io(System.in, System.out, System.err, System.console() != null);
    }

    /** Whether the caller is at a terminal (progress is shown only then). */
    public boolean interactive() {
        return terminal;
    }

    byte[] readStdin() throws IOException {
        return in.readAllBytes();
    }
}
