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
 * /usr/bin/dtc (1.6.1, without -@, with -b for the header's boot CPU) and must give the bytes dtc gives for the blob itself
 * ({@code dtc -I dtb -O dtb}: the blob as is, for blobs dtc wrote); the tree and JSON
 * renderings must not fail; and the blob must diff equal to itself. Blobs our reader refuses
 * are counted, not failed (the dtb tests cover the reader).
 */
@EnabledIfSystemProperty(named = "inspect.blobs", matches = ".+")
class InspectCorpusTest {

    @Test
    void dtsRenderingCompilesBackWithDtc(@TempDir Path tmp) throws Exception {
        List<Path> blobs;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("inspect.blobs")))) {
            blobs = s.filter(p -> p.toString().endsWith(".dtb") || p.toString().endsWith(".dtbo"))
                    .sorted()
                    .toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        List<Future<String>> results = new ArrayList<>();
        long[] inspectNanos = new long[1];
        for (Path b : blobs) {
            results.add(pool.submit(() -> check(b, tmp, inspectNanos)));
        }
        List<String> bad = new ArrayList<>();
        int refused = 0;
        for (Future<String> f : results) {
            String r = f.get();
            if (r != null && r.startsWith("refused")) {
                refused++;
                System.out.println(r);
            } else if (r != null) {
                bad.add(r);
            }
        }
        pool.shutdown();
        System.out.printf(
                "inspect corpus: %d blobs, %d refused by the reader, %d compile back identical, %.1f ms inspecting in all%n",
                blobs.size(), refused, blobs.size() - refused - bad.size(), inspectNanos[0] / 1e6);
        bad.forEach(System.out::println);
        assertEquals(List.of(), bad);
    }

    private static String check(Path blob, Path tmp, long[] nanos) throws Exception {
        byte[] bytes = Files.readAllBytes(blob);
        long t0 = System.nanoTime();
        DeviceTree tree;
        try {
            tree = DtbReader.read(bytes, blob.toString());
        } catch (dev.gunyahdt.dt.diag.DtException e) {
            return "refused " + e.getMessage();
        }
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
        String log = dtc(
                "-I",
                "dts",
                "-O",
                "dtb",
                "-b",
                Long.toString(tree.bootCpuidPhys()),
                "-o",
                out.toString(),
                src.toString());
        if (log != null) {
            return blob + ": dtc rejects the rendering: "
                    + log.lines().findFirst().orElse("");
        }
        Path ref = tmp.resolve(name + ".ref");
        if (dtc("-I", "dtb", "-O", "dtb", "-o", ref.toString(), blob.toString()) != null) {
            return null; // dtc cannot read the blob itself: nothing to compare with
        }
        if (!Arrays.equals(Files.readAllBytes(ref), Files.readAllBytes(out))) {
            Files.copy(src, Path.of("/tmp", name + ".inspect.dts"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return blob + ": compiles back to different bytes (rendering kept in /tmp/" + name + ".inspect.dts)";
        }
        return null;
    }

    /** Runs dtc quietly; null on success, else what it printed. */
    private static String dtc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dtc", "-q"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : log;
    }
}
