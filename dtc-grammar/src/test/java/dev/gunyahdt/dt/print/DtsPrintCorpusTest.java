package dev.gunyahdt.dt.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Hand-run corpus comparison of {@code dtc -I dtb -O dts} with the printer:
 * {@code mvn -pl dtc-grammar test -Dtest=DtsPrintCorpusTest -Dcorpus.dir=/work/linux/linux-source-6.1/arch/arm64/boot/dts}.
 * Each .dts is preprocessed with cpp and compiled with dtc into a temp dir; the blob is then
 * decompiled by dtc and printed by us, once as read and once sorted as by {@code -s}; all of
 * that again for the blob compiled with {@code -@}. A file counts by its worst comparison. A difference is accepted only where dtc's text loses
 * bytes (a NUL before an octal digit, which we write as \000): our text must then compile back
 * to the very same blob.
 */
@EnabledIfSystemProperty(named = "corpus.dir", matches = ".+")
class DtsPrintCorpusTest {

    private static final Path LINUX = Path.of(System.getProperty("linux.dir", "/work/linux/linux-source-6.1"));

    enum Outcome {
        IDENTICAL,
        ROUNDTRIP_FIX,
        DTC_REJECTS,
        DIFFERENT
    }

    record Result(Path file, Outcome outcome, String detail) {}

    @Test
    void decompiledTextMatchesDtc() throws Exception {
        Path dir = Path.of(System.getProperty("corpus.dir"));
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
        Path tmp = Files.createTempDirectory("dtbcorpus");
        // The extracted tree lacks include/uapi, so dt-bindings/input/linux-event-codes.h is a
        // dangling link; cpp falls through (-I order) to this copy of the system's uapi header instead.
        Path fallback = tmp.resolve("fallback");
        Path events = fallback.resolve("dt-bindings/input/linux-event-codes.h");
        Files.createDirectories(events.getParent());
        Files.createSymbolicLink(events, Path.of("/usr/include/linux/input-event-codes.h"));
        // dt-bindings/input/input.h includes it as "linux-event-codes.h", found via -I too
        Files.createSymbolicLink(fallback.resolve("linux-event-codes.h"), events);
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        List<Future<Result>> futures = new ArrayList<>();
        for (Path f : files) {
            futures.add(pool.submit(
                    () -> one(f, tmp.resolve(dir.relativize(f).toString().replace('/', '_')), fallback)));
        }
        List<Result> results = new ArrayList<>();
        for (Future<Result> fu : futures) {
            results.add(fu.get());
        }
        pool.shutdown();
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
        int[] counts = new int[Outcome.values().length];
        List<String> bad = Collections.synchronizedList(new ArrayList<>());
        for (Result r : results) {
            counts[r.outcome().ordinal()]++;
            if (r.outcome() == Outcome.DIFFERENT) {
                bad.add(dir.relativize(r.file()) + ": " + r.detail());
            }
        }
        System.out.printf(
                "corpus %s: %d files; identical %d, differ only by the \\000 fix (round-trip checked) %d,"
                        + " dtc rejects %d, different %d%n",
                dir, files.size(), counts[0], counts[1], counts[2], counts[3]);
        bad.forEach(b -> System.out.println("  DIFF " + b));
        assertEquals(List.of(), bad);
    }

    private static Result one(Path dts, Path stem, Path fallback) throws IOException, InterruptedException {
        String base = stem.toString();
        Path pp = Path.of(base + ".pp.dts");
        Path dtb = Path.of(base + ".dtb");
        if (run(List.of(
                                "cpp",
                                "-nostdinc",
                                "-I",
                                dts.getParent().toString(),
                                "-I",
                                LINUX.resolve("scripts/dtc/include-prefixes").toString(),
                                "-I",
                                fallback.toString(),
                                "-undef",
                                "-D__DTS__",
                                "-x",
                                "assembler-with-cpp",
                                "-o",
                                pp.toString(),
                                dts.toString()))
                        != 0
                || run(List.of(
                                "dtc",
                                "-q",
                                "-i",
                                dts.getParent().toString(),
                                "-I",
                                "dts",
                                "-O",
                                "dtb",
                                "-o",
                                dtb.toString(),
                                pp.toString()))
                        != 0) {
            return new Result(dts, Outcome.DTC_REJECTS, "");
        }
        Path dtbSymbols = Path.of(base + ".sym.dtb");
        run(List.of(
                "dtc",
                "-q",
                "-@",
                "-i",
                dts.getParent().toString(),
                "-I",
                "dts",
                "-O",
                "dtb",
                "-o",
                dtbSymbols.toString(),
                pp.toString()));
        Result worst = null;
        for (Path blobFile : List.of(dtb, dtbSymbols)) {
            byte[] blob = Files.readAllBytes(blobFile);
            DeviceTree tree = DtbReader.read(blob, blobFile.toString());
            String b = blobFile.toString();
            for (Result r : List.of(
                    compare(dts, b, blob, List.of(), DtsPrinter.print(tree)),
                    compare(dts, b + ".s", blob, List.of("-s"), DtsPrinter.print(TreeSorter.sort(tree))))) {
                if (worst == null || r.outcome().compareTo(worst.outcome()) > 0) {
                    worst = r;
                }
            }
        }
        return worst;
    }

    /** Our text against dtc's decompilation of the blob (with extra dtc flags). */
    private static Result compare(Path dts, String base, byte[] blob, List<String> flags, String got)
            throws IOException, InterruptedException {
        Path expected = Path.of(base + ".dtc.dts");
        Path dtb = Path.of(base + ".in.dtb");
        Files.write(dtb, blob);
        List<String> cmd = new ArrayList<>(List.of("dtc", "-q", "-I", "dtb", "-O", "dts", "-o", expected.toString()));
        cmd.addAll(flags);
        cmd.add(dtb.toString());
        run(cmd);
        String want = new String(Files.readAllBytes(expected), StandardCharsets.ISO_8859_1);
        if (got.equals(want)) {
            return new Result(dts, Outcome.IDENTICAL, "");
        }
        if (got.replace("\\000", "\\0").equals(want)) {
            Path ours = Path.of(base + ".ours.dts");
            Path back = Path.of(base + ".back.dtb");
            Files.write(ours, got.getBytes(StandardCharsets.ISO_8859_1));
            run(List.of("dtc", "-q", "-I", "dts", "-O", "dtb", "-o", back.toString(), ours.toString()));
            byte[] expectBack = blob;
            if (!flags.isEmpty()) {
                // a sorted tree compiles to a sorted blob: compare with dtc's own sorted blob
                Path sortedDtb = Path.of(base + ".sorted.dtb");
                run(List.of("dtc", "-q", "-s", "-I", "dtb", "-O", "dtb", "-o", sortedDtb.toString(), dtb.toString()));
                expectBack = Files.readAllBytes(sortedDtb);
            }
            if (Arrays.equals(expectBack, Files.readAllBytes(back))) {
                return new Result(dts, Outcome.ROUNDTRIP_FIX, "");
            }
            return new Result(dts, Outcome.DIFFERENT, flags + " \\000 text does not compile back to the blob");
        }
        return new Result(dts, Outcome.DIFFERENT, flags + " " + firstDifference(want, got));
    }

    private static String firstDifference(String want, String got) {
        String[] a = want.split("\n", -1);
        String[] b = got.split("\n", -1);
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!a[i].equals(b[i])) {
                return "line " + (i + 1) + ": dtc [" + a[i] + "] ours [" + b[i] + "]";
            }
        }
        return "line counts " + a.length + " vs " + b.length;
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }
}
