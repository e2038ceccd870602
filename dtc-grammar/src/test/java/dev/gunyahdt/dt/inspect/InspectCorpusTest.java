package dev.gunyahdt.dt.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.inspect.Inspection.Format;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-run corpus check: {@code mvn -pl dtc-grammar test -Dtest=InspectCorpusTest
 * -Dinspect.blobs=DIR}, DIR holding dtc-made blobs (*.dtb, *.dtbo; e.g. the arm64 corpus
 * compiled with and without {@code -@}). For each blob the DTS rendering is compiled by
 * /usr/bin/dtc (1.6.1, without -@) and must give the same bytes; the tree and JSON renderings
 * must not fail; and the blob must diff equal to itself.
 */
@EnabledIfSystemProperty(named = "inspect.blobs", matches = ".+")
class InspectCorpusTest {

    @Test
    void dtsRenderingCompilesBackWithDtc(@TempDir Path tmp) throws Exception {
        List<Path> blobs;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("inspect.blobs")))) {
            blobs = s.filter(p -> p.toString().endsWith(".dtb") || p.toString().endsWith(".dtbo")).sorted().toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        List<Future<String>> results = new ArrayList<>();
        long[] inspectNanos = new long[1];
        for (Path b : blobs) {
            results.add(pool.submit(() -> check(b, tmp, inspectNanos)));
        }
        List<String> bad = new ArrayList<>();
        for (Future<String> f : results) {
            String r = f.get();
            if (r != null) {
                bad.add(r);
            }
        }
        pool.shutdown();
        System.out.printf("inspect corpus: %d blobs, %d compile back identical, %.1f ms inspecting in all%n",
                blobs.size(), blobs.size() - bad.size(), inspectNanos[0] / 1e6);
        bad.forEach(System.out::println);
        assertEquals(List.of(), bad);
    }

    private static String check(Path blob, Path tmp, long[] nanos) throws Exception {
        byte[] bytes = Files.readAllBytes(blob);
        long t0 = System.nanoTime();
        DeviceTree tree = DtbReader.read(bytes, blob.toString());
        Inspection in = Inspection.of(tree);
        String dts = in.render(Format.DTS, null);
        in.render(Format.TREE, null);
        in.render(Format.JSON, null);
        synchronized (nanos) {
            nanos[0] += System.nanoTime() - t0;
        }
        if (!TreeDiff.compare(tree, tree).isEmpty()) {
            return blob + ": differs from itself";
        }
        String name = blob.getFileName().toString();
        Path src = tmp.resolve(name + ".dts");
        Path out = tmp.resolve(name + ".out");
        Files.writeString(src, dts, StandardCharsets.ISO_8859_1);
        Process p = new ProcessBuilder("dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            return blob + ": dtc rejects the rendering: " + log.lines().findFirst().orElse("");
        }
        if (!Arrays.equals(bytes, Files.readAllBytes(out))) {
            Files.copy(src, Path.of("/tmp", name + ".inspect.dts"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return blob + ": compiles back to different bytes (rendering kept in /tmp/" + name + ".inspect.dts)";
        }
        return null;
    }
}
