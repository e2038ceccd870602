package dev.gunyahdt.dt.compile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * /usr/bin/dtc kept running under tests/conformance/dtc-forkserver.c (preloaded): each
 * {@link #run} forks it and runs dtc's own main with the given arguments, which saves the exec
 * and dynamic linking a fresh process costs. For the fuzzer's long runs only; one per worker.
 */
final class DtcServer implements AutoCloseable {

    private final Process process;
    private final Writer requests;
    private final BufferedReader replies;

    DtcServer(Path preload) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(DtcDifferential.DTC.toString());
        pb.environment().put("LD_PRELOAD", preload.toAbsolutePath().toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        process = pb.start();
        requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.ISO_8859_1);
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    /** dtc's exit status (128 + signal when it died) for {@code args}, its stderr in {@code errFile}. */
    int run(List<String> args, Path errFile) throws IOException {
        StringBuilder line = new StringBuilder(errFile.toString());
        for (String a : args) {
            if (a.indexOf('\t') >= 0 || a.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("argument with a tab or newline: " + a);
            }
            line.append('\t').append(a);
        }
        requests.write(line.append('\n').toString());
        requests.flush();
        String reply = replies.readLine();
        if (reply == null) {
            throw new IOException("dtc fork server stopped");
        }
        return Integer.parseInt(reply.strip());
    }

    @Override
    public void close() throws IOException {
        requests.close();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
