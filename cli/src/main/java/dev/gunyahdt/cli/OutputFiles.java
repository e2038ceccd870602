package dev.gunyahdt.cli;

import dev.gunyahdt.dt.output.OutputFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** Where a verb's output goes: standard output for "-", otherwise {@link OutputFile}'s rules. */
final class OutputFiles {

    private OutputFiles() {}

    /** Writes {@code bytes} to {@code target}, or to {@code stdout} when target is "-". */
    static void write(String target, byte[] bytes, PrintStream stdout) throws IOException {
        if (target.equals("-")) {
            stdout.write(bytes);
            stdout.flush();
            return;
        }
        OutputFile.write(Path.of(target), bytes);
    }
}
