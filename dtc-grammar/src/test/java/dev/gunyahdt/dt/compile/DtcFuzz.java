package dev.gunyahdt.dt.compile;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.dtb.DtbOptions;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.dtb.DtbWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The differential fuzzer's loop: source {@code seed} of {@link DtsGenerator}, compiled by dtc and
 * gunyah-dt in one of the four modes (chosen by the seed), classified. A difference is
 * "explained" only by a rule the README lists under "Known differences"; anything else is
 * saved (source and both outcomes) for a look.
 */
final class DtcFuzz {

    enum Verdict {
        /** same verdict and bytes */
        AGREE,
        /** dtc died on an assertion or a signal (gunyah-dt carries on; README, Known differences) */
        DTC_CRASHED,
        /**
         * dtc refused a {@code /delete-node/} of a name that the same first definition of a node
         * also defines, reporting the placeholder it keeps as "(null): Duplicate node name"
         * (README, Known differences)
         */
        KNOWN_NULL_DUPLICATE,
        /**
         * dtc's lexer reads {@code '\\'} and everything up to the next quote as one character
         * literal and refuses the source (README, Known differences)
         */
        KNOWN_BACKSLASH_CHAR,
        /**
         * -O dts text where dtc prints a NUL before an octal digit as {@code \0} (which reads
         * back one byte short) and gunyah-dt as {@code \000} (README, Known differences)
         */
        KNOWN_NUL_OCTAL,
        /**
         * a plugin whose outputs differ only in {@code __local_fixups__}, where a node was
         * defined again where a {@code /delete-node/} placeholder stood: dtc has lost that
         * node's parent and files its entries as if it were the root (README, Known differences)
         */
        KNOWN_DETACHED_PLACEHOLDER,
        /**
         * a {@code phandle} or {@code linux,phandle} property holding a path reference: dtc
         * takes the node's phandle from the value before the path is filled in (README, Known
         * differences)
         */
        KNOWN_PHANDLE_PATH_REF,
        DIFFERENT
    }

    record Case(
            long seed,
            DtcDifferential.Mode mode,
            Verdict verdict,
            DtcDifferential.Result result,
            long dtcNanos,
            long oursNanos) {}

    private DtcFuzz() {}

    static DtcDifferential.Mode modeOf(long seed) {
        DtcDifferential.Mode[] modes = DtcDifferential.Mode.values();
        return modes[(int) Math.floorMod(seed * 0x9E3779B97F4A7C15L >>> 7, modes.length)];
    }

    /** A folder for one worker's sources, with the file /incbin/ reads. */
    static Path workDir(Path parent, String name) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        Files.write(dir.resolve(DtsGenerator.INCBIN_FILE), DtsGenerator.INCBIN_BYTES);
        return dir;
    }

    static Case run(long seed, Path dir) throws IOException, InterruptedException {
        return run(seed, dir, null);
    }

    static Case run(long seed, Path dir, DtcServer server) throws IOException, InterruptedException {
        Path src = dir.resolve("fuzz.dts");
        String text = DtsGenerator.source(seed);
        Files.writeString(src, text, StandardCharsets.ISO_8859_1);
        DtcDifferential.Mode mode = modeOf(seed);
        long t0 = System.nanoTime();
        DtcDifferential.Outcome dtc = DtcDifferential.dtc(src, mode, dir.resolve("fuzz.out"), server);
        long t1 = System.nanoTime();
        DtcDifferential.Outcome ours = DtcDifferential.ours(src, mode);
        long t2 = System.nanoTime();
        DtcDifferential.Result r = new DtcDifferential.Result(src, mode, dtc, ours);
        return new Case(seed, mode, classify(r, text), r, t1 - t0, t2 - t1);
    }

    static Verdict classify(DtcDifferential.Result r, String source) {
        if (r.agree()) {
            return Verdict.AGREE;
        }
        if (r.dtc().crashed()) {
            return Verdict.DTC_CRASHED;
        }
        if (!r.dtc().accepted() && r.ours().accepted() && r.dtc().messages().contains("(null): Duplicate node name")) {
            return Verdict.KNOWN_NULL_DUPLICATE;
        }
        if (!r.dtc().accepted()
                && r.ours().accepted()
                && r.dtc().messages().contains("Character literal has")
                && source.contains("'\\\\'")) {
            return Verdict.KNOWN_BACKSLASH_CHAR;
        }
        if (r.dtc().accepted()
                && r.ours().accepted()
                && new String(r.ours().output(), StandardCharsets.ISO_8859_1)
                        .replaceAll("\\\\000([0-7])", "\\\\0$1")
                        .equals(new String(r.dtc().output(), StandardCharsets.ISO_8859_1))) {
            return Verdict.KNOWN_NUL_OCTAL;
        }
        if (r.dtc().accepted()
                && r.ours().accepted()
                && source.contains("/plugin/")
                && java.util.regex.Pattern.compile("(?m)^\\s+.*/delete-node/ ")
                        .matcher(source)
                        .find()
                && Arrays.equals(
                        withoutLocalFixups(r.dtc().output(), r.mode()),
                        withoutLocalFixups(r.ours().output(), r.mode()))) {
            return Verdict.KNOWN_DETACHED_PLACEHOLDER;
        }
        if (r.dtc().accepted()
                && r.ours().accepted()
                && java.util.regex.Pattern.compile(
                                "(?m)(^|\\s)\\\\?(linux,)?phandle = ([^;]*,)?\\s*([A-Za-z_]\\w*:\\s*)*&")
                        .matcher(source)
                        .find()) {
            return Verdict.KNOWN_PHANDLE_PATH_REF;
        }
        return Verdict.DIFFERENT;
    }

    /** An output with its {@code /__local_fixups__} node taken out (for the one known difference there). */
    static byte[] withoutLocalFixups(byte[] output, DtcDifferential.Mode mode) {
        if (mode == DtcDifferential.Mode.DTS || mode == DtcDifferential.Mode.DTS_SYMBOLS) {
            String text = new String(output, StandardCharsets.ISO_8859_1);
            int start = text.indexOf("\n\t__local_fixups__ {\n");
            if (start < 0) {
                return output;
            }
            int end = text.indexOf("\n\t};\n", start);
            return (text.substring(0, start) + text.substring(end + 4)).getBytes(StandardCharsets.ISO_8859_1);
        }
        DeviceTree t = DtbReader.read(output, "out");
        List<Node> kept = new ArrayList<>(t.root().children());
        kept.removeIf(n -> n.name().equals("__local_fixups__"));
        return DtbWriter.write(t.withRoot(t.root().withChildren(kept)), DtbOptions.defaults());
    }

    /** Counts per verdict over a run. */
    static final class Tally {
        final AtomicLong[] counts = new AtomicLong[Verdict.values().length];
        final AtomicLong refusedByBoth = new AtomicLong();
        final AtomicLong dtcNanos = new AtomicLong();
        final AtomicLong oursNanos = new AtomicLong();
        final List<Long> differentSeeds = new ArrayList<>();

        Tally() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new AtomicLong();
            }
        }

        void add(Case c, Path saveDir) {
            counts[c.verdict().ordinal()].incrementAndGet();
            dtcNanos.addAndGet(c.dtcNanos());
            oursNanos.addAndGet(c.oursNanos());
            if (c.verdict() == Verdict.AGREE && !c.result().dtc().accepted()) {
                refusedByBoth.incrementAndGet();
            }
            if (c.verdict() == Verdict.DIFFERENT) {
                synchronized (differentSeeds) {
                    differentSeeds.add(c.seed());
                }
                if (saveDir != null) {
                    try {
                        Files.createDirectories(saveDir);
                        Files.writeString(
                                saveDir.resolve(c.seed() + ".dts"),
                                DtsGenerator.source(c.seed()),
                                StandardCharsets.ISO_8859_1);
                        Files.writeString(
                                saveDir.resolve(c.seed() + ".txt"), c.result().describe() + "\n");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        long total() {
            long t = 0;
            for (AtomicLong c : counts) {
                t += c.get();
            }
            return t;
        }

        long count(Verdict v) {
            return counts[v.ordinal()].get();
        }

        @Override
        public String toString() {
            return String.format(
                    "%d cases: %d agree (%d of them refused by both), %d dtc crashed, %d known (null)-duplicate,"
                            + " %d known '\\\\' literal, %d known \\000,"
                            + " %d known detached placeholder, %d known phandle path reference, %d different"
                            + " (wall per case: dtc %.1f ms, gunyah-dt %.2f ms)",
                    total(),
                    count(Verdict.AGREE),
                    refusedByBoth.get(),
                    count(Verdict.DTC_CRASHED),
                    count(Verdict.KNOWN_NULL_DUPLICATE),
                    count(Verdict.KNOWN_BACKSLASH_CHAR),
                    count(Verdict.KNOWN_NUL_OCTAL),
                    count(Verdict.KNOWN_DETACHED_PLACEHOLDER),
                    count(Verdict.KNOWN_PHANDLE_PATH_REF),
                    count(Verdict.DIFFERENT),
                    dtcNanos.get() / 1e6 / Math.max(1, total()),
                    oursNanos.get() / 1e6 / Math.max(1, total()));
        }
    }
}
