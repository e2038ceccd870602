package dev.gunyahdt.tests.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every fuzz target, briefly, inside {@code mvn verify}: its seeds mutated at random (bit flips,
 * byte changes, inserts, erases, copies within and across seeds) for {@value #MILLIS_PER_TARGET} ms
 * each. This is plain mutation, not coverage guidance — Jazzer's regression mode replays the
 * seeds, and tests/fuzz/campaign.sh runs the coverage-guided campaign — but it is cheap enough
 * for every build and explores new inputs on each run. The random seed is printed; a failing
 * input is saved under tests/target/fuzz-findings/ (replay it by copying it into the target's
 * Inputs folder). {@code -Dfuzz.seed=N} repeats a run, {@code -Dfuzz.millis=N} changes the time.
 */
class BriefFuzzTest {

    static final int MILLIS_PER_TARGET = 3000;
    private static final List<Class<?>> TARGETS = List.of(BlobFuzzTest.class, SourceFuzzTest.class, RmFuzzTest.class);

    @TestFactory
    Stream<DynamicTest> everyFuzzTargetBriefly() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        long millis = Long.getLong("fuzz.millis", MILLIS_PER_TARGET);
        System.out.println("BriefFuzzTest: -Dfuzz.seed=" + seed);
        List<DynamicTest> tests = new ArrayList<>();
        for (Class<?> c : TARGETS) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(FuzzTest.class)) {
                    tests.add(DynamicTest.dynamicTest(
                            c.getSimpleName() + "#" + m.getName(),
                            () -> fuzz(c, m, new Random(seed ^ m.getName().hashCode()), millis)));
                }
            }
        }
        return tests.stream();
    }

    private static void fuzz(Class<?> c, Method m, Random rnd, long millis) throws Exception {
        List<byte[]> seeds = seeds(c, m.getName());
        if (seeds.isEmpty()) {
            throw new AssertionError(c.getSimpleName() + "#" + m.getName() + " has no seeds");
        }
        var ctor = c.getDeclaredConstructor();
        ctor.setAccessible(true);
        Object target = ctor.newInstance();
        m.setAccessible(true);
        long end = System.nanoTime() + millis * 1_000_000;
        int runs = 0;
        while (System.nanoTime() < end) {
            byte[] input = mutate(seeds, rnd);
            try {
                m.invoke(target, (Object) input);
            } catch (InvocationTargetException e) {
                Path saved = save(c, m, input);
                throw new AssertionError(
                        c.getSimpleName() + "#" + m.getName() + " failed after " + runs + " inputs; input saved to "
                                + saved,
                        e.getCause());
            }
            runs++;
        }
        System.out.println("BriefFuzzTest: " + c.getSimpleName() + "#" + m.getName() + ": " + runs + " inputs");
    }

    /** libFuzzer's basic mutations, one to four at a time. */
    static byte[] mutate(List<byte[]> seeds, Random rnd) {
        byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
        for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
            int len = b.length;
            switch (rnd.nextInt(7)) {
                case 0 -> {
                    if (len > 0) {
                        b[rnd.nextInt(len)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> {
                    if (len > 0) {
                        b[rnd.nextInt(len)] = (byte) interesting(rnd);
                    }
                }
                case 2 -> {
                    int at = rnd.nextInt(len + 1);
                    byte[] ins = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(ins);
                    b = splice(b, at, at, ins);
                }
                case 3 -> {
                    if (len > 0) {
                        int at = rnd.nextInt(len);
                        b = splice(b, at, Math.min(len, at + 1 + rnd.nextInt(16)), new byte[0]);
                    }
                }
                case 4 -> {
                    if (len > 0) { // copy a run of this input elsewhere in it
                        int from = rnd.nextInt(len);
                        byte[] run = Arrays.copyOfRange(b, from, Math.min(len, from + 1 + rnd.nextInt(32)));
                        int at = rnd.nextInt(len + 1);
                        b = splice(b, at, at, run);
                    }
                }
                case 5 -> { // cross over with another seed
                    byte[] o = seeds.get(rnd.nextInt(seeds.size()));
                    if (o.length > 0) {
                        int from = rnd.nextInt(o.length);
                        byte[] run = Arrays.copyOfRange(o, from, Math.min(o.length, from + 1 + rnd.nextInt(64)));
                        int at = rnd.nextInt(len + 1);
                        b = splice(b, at, Math.min(len, at + run.length), run);
                    }
                }
                default -> {
                    if (len >= 4) { // a 32-bit field set to an edge value
                        int at = rnd.nextInt(len - 3);
                        int v = interesting(rnd);
                        b[at] = (byte) (v >>> 24);
                        b[at + 1] = (byte) (v >>> 16);
                        b[at + 2] = (byte) (v >>> 8);
                        b[at + 3] = (byte) v;
                    }
                }
            }
        }
        return b;
    }

    private static int interesting(Random rnd) {
        int[] v = {
            0,
            1,
            -1,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fffffff,
            0x80000000,
            '\0',
            '"',
            '{',
            '}',
            ';',
            '<',
            '>',
            '\n'
        };
        return v[rnd.nextInt(v.length)];
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] with) {
        byte[] out = new byte[b.length - (to - from) + with.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(b, to, out, from + with.length, b.length - to);
        return out;
    }

    /** The committed seeds (and findings) of a target: the folder Jazzer's regression mode replays. */
    private static List<byte[]> seeds(Class<?> c, String method) throws IOException, URISyntaxException {
        var url = c.getResource(c.getSimpleName() + "Inputs/" + method);
        if (url == null) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : s.sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            return out;
        }
    }

    private static Path save(Class<?> c, Method m, byte[] input) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "fuzz-findings"));
        Path p = dir.resolve(c.getSimpleName() + "-" + m.getName() + "-" + Integer.toHexString(Arrays.hashCode(input)));
        Files.write(p, input);
        return p.toAbsolutePath();
    }
}
