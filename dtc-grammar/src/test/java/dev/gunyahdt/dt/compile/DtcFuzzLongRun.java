package dev.gunyahdt.dt.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The fuzzer's long run, by hand ({@code tests/conformance/dtc-fuzz.sh}, which sets
 * {@code -Dfuzz.cases=N}): seeds {@code fuzz.seed} … {@code fuzz.seed + N - 1} over
 * {@code fuzz.threads} workers (stopping after {@code fuzz.minutes} if set), progress every {@code fuzz.report} cases, differences saved to
 * {@code fuzz.save} (source and both outcomes per seed), dtc run through the fork server
 * {@code fuzz.forkserver} (a built tests/conformance/dtc-forkserver.so) when set, scratch files
 * under {@code fuzz.tmp}. Fails if any difference is unexplained.
 */
@EnabledIfSystemProperty(named = "fuzz.cases", matches = "[0-9]+|seeds")
class DtcFuzzLongRun {

    @Test
    void longRun() throws Exception {
        // fuzz.cases=seeds replays the comma-separated fuzz.seeds (e.g. the saved differences)
        long[] listed = System.getProperty("fuzz.cases").equals("seeds")
                ? java.util.Arrays.stream(System.getProperty("fuzz.seeds", "").split(","))
                        .filter(x -> !x.isBlank())
                        .mapToLong(Long::parseLong)
                        .toArray()
                : null;
        long cases = listed != null ? listed.length : Long.getLong("fuzz.cases");
        long first = listed != null ? 0 : Long.getLong("fuzz.seed", 1);
        int threads = Integer.getInteger("fuzz.threads", Runtime.getRuntime().availableProcessors());
        long report = Long.getLong("fuzz.report", 10000);
        long deadline =
                System.nanoTime() + Long.getLong("fuzz.minutes", Long.MAX_VALUE / 120_000_000_000L) * 60_000_000_000L;
        Path save = Path.of(System.getProperty("fuzz.save", "target/fuzz-differences"));
        Path work = Files.createTempDirectory(
                Path.of(System.getProperty("fuzz.tmp", System.getProperty("java.io.tmpdir"))), "dtc-fuzz");
        String preload = System.getProperty("fuzz.forkserver"); // the built dtc-forkserver.so, or unset
        DtcFuzz.Tally tally = new DtcFuzz.Tally();
        AtomicLong next = new AtomicLong(first);
        long end = first + cases;
        long start = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Path dir = DtcFuzz.workDir(work, "w" + t);
            Thread w = new Thread(() -> {
                try (DtcServer server = preload == null ? null : new DtcServer(Path.of(preload))) {
                    for (long seed = next.getAndIncrement();
                            seed < end && System.nanoTime() < deadline;
                            seed = next.getAndIncrement()) {
                        tally.add(DtcFuzz.run(listed != null ? listed[(int) seed] : seed, dir, server), save);
                        long done = tally.total();
                        if (done % report == 0) {
                            double s = (System.nanoTime() - start) / 1e9;
                            System.out.printf("fuzz: %s; %.0f s, %.0f cases/s%n", tally, s, done / s);
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "fuzz: seeds from %d, %d threads: %s; %.0f s, %.0f cases/s%n",
                first, threads, tally, s, tally.total() / s);
        if (!tally.differentSeeds.isEmpty()) {
            System.out.println("fuzz: different seeds (sources in " + save.toAbsolutePath() + "): "
                    + tally.differentSeeds.stream().limit(50).toList());
        }
        assertEquals(List.of(), failures);
        assertEquals(0, tally.count(DtcFuzz.Verdict.DIFFERENT));
    }
}
