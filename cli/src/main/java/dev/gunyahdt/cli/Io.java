package dev.gunyahdt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/** The process's streams, passed in so commands can be run and checked in tests. */
public record Io(InputStream in, PrintStream out, PrintStream err) {

    public static Io system() {
        return new Io(System.in, System.out, System.err);
    }

    /** Whether stderr is a terminal (progress is shown only then). */
    public boolean interactive() {
        return this.err == System.err && System.console() != null;
    }

    byte[] readStdin() throws IOException {
        return in.readAllBytes();
    }
}
