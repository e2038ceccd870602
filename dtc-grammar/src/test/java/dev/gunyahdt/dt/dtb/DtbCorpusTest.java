package dev.gunyahdt.dt.dtb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-run corpus check: {@code mvn -pl dtc-grammar test -Dtest=DtbCorpusTest
 * -Dcorpus.dir=/work/linux/linux-source-6.1/arch/arm64/boot/dts}. Each .dts is preprocessed with
 * cpp and compiled with dtc; the blob is read and written back by us and compared with
 * {@code dtc -I dtb -O dtb} of the same blob (and with the blob itself). The blob is compiled
 * without and with {@code -@}, and also written as version 3 with {@code -R 1 -p 64 -a 8} on both
 * sides, to cover the old-version layout. Needs cpp and dtc 1.6.1.
 */
@EnabledIfSystemProperty(named = "corpus.dir", matches = ".+")
class DtbCorpusTest {

    private static final String INCLUDE_PREFIXES = "/work/linux/linux-source-6.1/scripts/dtc/include-prefixes";

    private enum Outcome {
        SAME,
        DIFFERENT,
        DIFFERENT_FROM_SOURCE_BLOB,
        READ_FAILED,
        DTC_REJECTED
    }

    private record Result(Path file, Outcome outcome, String detail) {}

    @Test
    void blobRoundTripMatchesDtc(@TempDir Path tmp) throws Exception {
        Path root = Path.of(System.getProperty("corpus.dir"));
        String prefixes = System.getProperty("corpus.include", INCLUDE_PREFIXES);
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        List<Future<Result>> futures = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            Path work = tmp.resolve("f" + i);
            futures.add(pool.submit(() -> check(f, root, prefixes, work)));
        }
        List<Result> results = new ArrayList<>();
        for (Future<Result> fu : futures) {
            results.add(fu.get());
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);

        int[] counts = new int[Outcome.values().length];
        for (Result r : results) {
            counts[r.outcome().ordinal()]++;
            if (r.outcome() != Outcome.SAME) {
                System.out.println(r.outcome() + " " + root.relativize(r.file()) + ": " + r.detail());
            }
        }
        System.out.println("DTB corpus: " + files.size() + " files; " + Arrays.toString(Outcome.values()) + " = "
                + Arrays.toString(counts));
        long bad = results.stream()
                .filter(r -> r.outcome() != Outcome.SAME && r.outcome() != Outcome.DTC_REJECTED)
                .count();
        assertEquals(0, bad, "files whose blob did not round-trip");
        assertTrue(counts[Outcome.SAME.ordinal()] > 0);
    }

    private static Result check(Path dts, Path root, String prefixes, Path work)
            throws IOException, InterruptedException {
        Result plain = check(dts, root, prefixes, work.resolve("plain"), List.of(), List.of(), DtbOptions.defaults());
        if (plain.outcome() != Outcome.SAME) {
            return plain;
        }
        Result symbols =
                check(dts, root, prefixes, work.resolve("symbols"), List.of("-@"), List.of(), DtbOptions.defaults());
        if (symbols.outcome() != Outcome.SAME) {
            return new Result(dts, symbols.outcome(), "with -@: " + symbols.detail());
        }
        Result old = check(
                dts,
                root,
                prefixes,
                work.resolve("v3"),
                List.of(),
                List.of("-V", "3", "-R", "1", "-p", "64", "-a", "8"),
                new DtbOptions(3, 1, 0, 64, 8));
        if (old.outcome() != Outcome.SAME && old.outcome() != Outcome.DIFFERENT_FROM_SOURCE_BLOB) {
            return new Result(dts, old.outcome(), "as -V 3 -R 1 -p 64 -a 8: " + old.detail());
        }
        return plain;
    }

    private static Result check(
            Path dts,
            Path root,
            String prefixes,
            Path work,
            List<String> compileFlags,
            List<String> writeFlags,
            DtbOptions opts)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path pp = work.resolve("x.pp.dts");
        Path dtb = work.resolve("x.dtb");
        Path again = work.resolve("x2.dtb");
        if (run(List.of(
                                "cpp",
                                "-nostdinc",
                                "-I",
                                dts.getParent().toString(),
                                "-I",
                                root.toString(),
                                "-I",
                                prefixes,
                                "-undef",
                                "-D__DTS__",
                                "-x",
                                "assembler-with-cpp",
                                "-o",
                                pp.toString(),
                                dts.toString()))
                        != 0
                || run(concat(
                                List.of(
                                        "dtc",
                                        "-q",
                                        "-I",
                                        "dts",
                                        "-O",
                                        "dtb",
                                        "-i",
                                        dts.getParent().toString(),
                                        "-o",
                                        dtb.toString()),
                                compileFlags,
                                List.of(pp.toString())))
                        != 0) {
            return new Result(dts, Outcome.DTC_REJECTED, "dtc -I dts failed");
        }
        if (run(concat(
                        List.of("dtc", "-q", "-I", "dtb", "-O", "dtb", "-o", again.toString()),
                        writeFlags,
                        List.of(dtb.toString())))
                != 0) {
            return new Result(dts, Outcome.DTC_REJECTED, "dtc -I dtb failed");
        }
        byte[] blob = Files.readAllBytes(dtb);
        byte[] expected = Files.readAllBytes(again);
        byte[] ours;
        try {
            DeviceTree t = DtbReader.read(blob, dts.getFileName().toString());
            ours = DtbWriter.write(t, opts);
        } catch (DtException e) {
            return new Result(dts, Outcome.READ_FAILED, e.getMessage());
        }
        if (!Arrays.equals(expected, ours)) {
            return new Result(dts, Outcome.DIFFERENT, "first difference at " + firstDiff(expected, ours));
        }
        if (!Arrays.equals(blob, ours)) {
            return new Result(dts, Outcome.DIFFERENT_FROM_SOURCE_BLOB, "first difference at " + firstDiff(blob, ours));
        }
        return new Result(dts, Outcome.SAME, "");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    private static String firstDiff(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return "0x" + Integer.toHexString(i);
            }
        }
        return "0x" + Integer.toHexString(n) + " (lengths " + a.length + " vs " + b.length + ")";
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
