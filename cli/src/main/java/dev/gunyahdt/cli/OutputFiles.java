package dev.gunyahdt.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes outputs whole or not at all: a temp file beside the target, then a rename, so a
 * failed or interrupted run never leaves a half-written file behind. Missing parent
 * directories are created (commands write under out/&lt;board&gt;/ by default).
 */
final class OutputFiles {

    private OutputFiles() {
    }

    /** Writes {@code bytes} to {@code target}, or to {@code stdout} when target is "-". */
    static void write(String target, byte[] bytes, PrintStream stdout) throws IOException {
        if (target.equals("-")) {
            stdout.write(bytes);
            stdout.flush();
            return;
        }
        Path path = Path.of(target).toAbsolutePath();
        Path dir = path.getParent();
        Files.createDirectories(dir);
        // Temp files are created 0600; an output should be readable like any file dtc writes.
        Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // keep the file system's default
        }
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
