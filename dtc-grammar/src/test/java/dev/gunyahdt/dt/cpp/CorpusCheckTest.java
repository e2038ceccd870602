package dev.gunyahdt.dt.cpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.diag.DtException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Corpus check, run by hand: {@code mvn -pl dtc-grammar test -Dtest=CorpusCheckTest
 * -Dcorpus.dir=/work/linux/linux-source-6.1}. For every arch/arm64/boot/dts/**.dts, compares our
 * output with {@code /usr/bin/cpp -nostdinc -I <dir> -I scripts/dtc/include-prefixes -undef
 * -D__DTS__ -x assembler-with-cpp} after dropping linemarker lines and turning every run of
 * whitespace (newlines included) into one space. GCC's outputs are cached in
 * {@code corpus.cache} (default /tmp/gunyah-cpp-corpus) so reruns are quick.
 */
@EnabledIfSystemProperty(named = "corpus.dir", matches = ".+")
class CorpusCheckTest {

    @Test
    void arm64CorpusMatchesGcc() throws Exception {
        Path root = Path.of(System.getProperty("corpus.dir"));
        Path cache = Path.of(System.getProperty("corpus.cache", "/tmp/gunyah-cpp-corpus"));
        Path prefixes = root.resolve("scripts/dtc/include-prefixes");
        List<Path> dts;
        try (Stream<Path> s = Files.walk(root.resolve("arch/arm64/boot/dts"))) {
            dts = s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
        List<String> gcc = new ArrayList<>();
        for (Path f : dts) gcc.add(gccOutput(f, prefixes, cache.resolve(root.relativize(f) + ".i")));

        Preprocessor base = new Preprocessor(List.of(prefixes), Map.of("__DTS__", "1"));
        String[] ours = new String[dts.size()];
        String[] errors = new String[dts.size()];
        long t0 = System.nanoTime();
        long c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (int i = 0; i < dts.size(); i++) {
            Path f = dts.get(i);
            try {
                ours[i] = base.withIncludeDirs(List.of(f.getParent(), prefixes))
                        .run(f)
                        .text();
            } catch (DtException e) {
                errors[i] = e.render();
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long cpuMs =
                (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0) / 1_000_000;
        int same = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < dts.size(); i++) {
            String g = gcc.get(i);
            if (ours[i] != null && g != null && normalize(ours[i]).equals(normalize(g))) {
                same++;
            } else {
                report.append(dts.get(i))
                        .append(": ")
                        .append(
                                errors[i] != null
                                        ? errors[i]
                                        : g == null ? "gcc failed" : firstDiff(normalize(ours[i]), normalize(g)))
                        .append('\n');
            }
        }
        // where the outputs agree, compare the (file, line) each word is mapped to
        long words = 0, moved = 0;
        StringBuilder movedReport = new StringBuilder();
        for (int i = 0; i < dts.size(); i++) {
            if (ours[i] == null || gcc.get(i) == null) continue;
            List<String[]> a = mappedWords(ours[i]), b = mappedWords(gcc.get(i));
            if (a.size() != b.size()) continue;
            for (int k = 0; k < a.size(); k++) {
                words++;
                if (!a.get(k)[1].equals(b.get(k)[1])) {
                    if (moved++ < 15)
                        movedReport
                                .append("  ")
                                .append(a.get(k)[0])
                                .append(" ours ")
                                .append(a.get(k)[1])
                                .append(" gcc ")
                                .append(b.get(k)[1])
                                .append('\n');
                }
            }
        }
        report.append("words mapped to a different line than GCC's: ")
                .append(moved)
                .append(" of ")
                .append(words)
                .append('\n')
                .append(movedReport);
        String summary = "identical " + same + " / " + dts.size() + "; our wall time " + ms + " ms (" + cpuMs
                + " ms cpu of this thread)";
        System.out.println(summary);
        System.out.print(report);
        Files.writeString(cache.resolve("report.txt"), summary + "\n" + report);
        assertEquals(dts.size(), same, summary);
    }

    private static String gccOutput(Path f, Path prefixes, Path out) throws IOException, InterruptedException {
        if (!Files.exists(out)) {
            Files.createDirectories(out.getParent());
            Process p = new ProcessBuilder(
                            "/usr/bin/cpp",
                            "-nostdinc",
                            "-I",
                            f.getParent().toString(),
                            "-I",
                            prefixes.toString(),
                            "-undef",
                            "-D__DTS__",
                            "-x",
                            "assembler-with-cpp",
                            f.toString(),
                            "-o",
                            out.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor() != 0) {
                Files.deleteIfExists(out);
                return null;
            }
        }
        return Files.readString(out, StandardCharsets.ISO_8859_1);
    }

    /** Every whitespace-separated word with the "file:line" the linemarkers give it. */
    static List<String[]> mappedWords(String s) {
        List<String[]> out = new ArrayList<>();
        String file = "?";
        int line = 0;
        for (String l : s.split("\n", -1)) {
            if (l.startsWith("# ") && l.length() > 2 && Character.isDigit(l.charAt(2))) {
                int sp = l.indexOf(' ', 2);
                line = Integer.parseInt(l.substring(2, sp));
                int q = l.lastIndexOf('"');
                file = l.substring(sp + 2, q);
                continue;
            }
            for (String w : l.trim().split("\\s+")) if (!w.isEmpty()) out.add(new String[] {w, file + ":" + line});
            line++;
        }
        return out;
    }

    /** Linemarkers dropped; every whitespace run (newlines too) becomes one space. */
    static String normalize(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean space = false;
        for (String line : s.split("\n", -1)) {
            if (line.startsWith("# ") && line.length() > 2 && Character.isDigit(line.charAt(2))) continue;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0b) {
                    space = true;
                } else {
                    if (space && sb.length() > 0) sb.append(' ');
                    space = false;
                    sb.append(c);
                }
            }
            space = true;
        }
        return sb.toString();
    }

    private static String firstDiff(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) i++;
        int from = Math.max(0, i - 60);
        return "differs at " + i + ":\n  ours: " + a.substring(from, Math.min(a.length(), i + 60)) + "\n  gcc:  "
                + b.substring(from, Math.min(b.length(), i + 60));
    }
}
