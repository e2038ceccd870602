package dev.gunyahdt.dt.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The checks against dtc 1.6.1 over a corpus of kernel sources. Runs only when
 * {@code corpus.dir} names a directory of .dts files (e.g. a kernel's arch/arm64/boot/dts);
 * {@code corpus.include} is the include-prefixes directory (default: the kernel's
 * scripts/dtc/include-prefixes found from corpus.dir); {@code corpus.nocpp=true} reads the files
 * as they are (e.g. generated test inputs).
 *
 * <p>Each file goes through the kernel's cpp command once; dtc and our parser+checks then read
 * the same text, so any difference is the checks'. Compared per file: the set of (check name,
 * node path) findings, and the exact text dtc prints. Files dtc cannot parse are skipped.
 */
@EnabledIfSystemProperty(named = "corpus.dir", matches = ".+")
class CorpusChecksTest {

    private static final Pattern DTC_LINE =
            Pattern.compile(".*?: (?:Warning|ERROR) \\(([a-z0-9_]+)\\): (/[^:]*|)(?::.*)?");

    @Test
    void sameFindingsAsDtcFileForFile() throws Exception {
        Path dir = Path.of(System.getProperty("corpus.dir"));
        Path prefixes = Path.of(System.getProperty(
                "corpus.include",
                dir.resolve("../../../../scripts/dtc/include-prefixes")
                        .normalize()
                        .toString()));
        Path work = Files.createTempDirectory("checks-corpus");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
        int total = 0;
        int sameSet = 0;
        int sameText = 0;
        int skipped = 0;
        long ourNanos = 0;
        long checkNanos = 0;
        List<String> mismatches = new ArrayList<>();
        for (Path f : files) {
            Path pp = work.resolve("x.pp.dts");
            if (Boolean.getBoolean("corpus.nocpp")) {
                pp = f; // already preprocessed (or plain) sources
            } else {
                run(List.of(
                        "cpp",
                        "-nostdinc",
                        "-I",
                        f.getParent().toString(),
                        "-I",
                        prefixes.toString(),
                        "-undef",
                        "-D__DTS__",
                        "-x",
                        "assembler-with-cpp",
                        "-o",
                        pp.toString(),
                        f.toString()));
            }
            String dtcErr = run(List.of("dtc", "-I", "dts", "-O", "dtb", "-o", "/dev/null", pp.toString()));
            if (dtcErr == null || dtcErr.contains("FATAL ERROR") || dtcErr.contains("syntax error")) {
                skipped++;
                continue;
            }
            total++;
            List<String> expected = lines(dtcErr);
            String text = Files.readString(pp, StandardCharsets.ISO_8859_1);
            List<String> actual = new ArrayList<>();
            long t0 = System.nanoTime();
            try {
                DeviceTree tree = DtsSource.parse(text, pp.toString(), new IncludeResolver(List.of(f.getParent())));
                long t1 = System.nanoTime();
                CheckResult r = Checker.run(tree, CheckConfig.defaults(), "/dev/null");
                checkNanos += System.nanoTime() - t1;
                for (Diagnostic d : r.diagnostics()) {
                    actual.addAll(lines(d.rendered()));
                }
            } catch (DtException e) {
                actual.add("parse failed: " + e.render());
            }
            ourNanos += System.nanoTime() - t0;
            boolean setEq = findings(expected).equals(findings(actual));
            sameSet += setEq ? 1 : 0;
            sameText += expected.equals(actual) ? 1 : 0;
            if (!setEq || !expected.equals(actual)) {
                mismatches.add(dir.relativize(f) + (setEq ? " (text only)" : "") + "\n"
                        + DtbDifferentialTest.firstDifference(expected, actual));
            }
        }
        System.out.printf(
                "corpus checks: %d files compared (%d skipped: dtc cannot parse them or crashes)%n", total, skipped);
        System.out.printf(
                "  same (check, node) findings: %d/%d; identical text: %d/%d; parse+checks %.1f s, checks %.2f s%n",
                sameSet, total, sameText, total, ourNanos / 1e9, checkNanos / 1e9);
        mismatches.stream().limit(30).forEach(System.out::println);
        assertEquals(List.of(), mismatches.stream().limit(10).toList());
    }

    /** dtc's stderr lines, without the closing "ERROR: Input tree has errors" and blank lines. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isEmpty() && !l.startsWith("ERROR: Input tree has errors")) {
                out.add(l);
            }
        }
        return out;
    }

    /** (check name, node path) of each finding line; "Failed prerequisite" lines count with no path. */
    static Set<String> findings(List<String> lines) {
        Set<String> out = new LinkedHashSet<>();
        for (String l : lines) {
            Matcher m = DTC_LINE.matcher(l);
            if (m.matches()) {
                out.add(m.group(1) + " " + m.group(2));
            } else if (!l.startsWith("  also defined at")) {
                out.add(l);
            }
        }
        return out;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        // dtc 1.6.1 aborts (assertions) or crashes on some odd inputs: nothing to compare with
        return p.waitFor() > 2 ? null : err;
    }
}
