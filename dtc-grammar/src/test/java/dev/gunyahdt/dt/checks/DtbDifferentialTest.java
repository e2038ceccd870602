package dev.gunyahdt.dt.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.diag.Diagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Differential test on blobs: for every .dtb under {@code dtb.dir}, the messages dtc prints
 * when it reads the blob back ({@code dtc -I dtb -O dtb -o /dev/null}) equal ours, line for
 * line. Blob input has no positions or markers, so this exercises the checks proper.
 */
@EnabledIfSystemProperty(named = "dtb.dir", matches = ".+")
class DtbDifferentialTest {

    @Test
    void sameMessagesAsDtcOnBlobs() throws Exception {
        Path dir = Path.of(System.getProperty("dtb.dir"));
        List<Path> blobs;
        try (Stream<Path> s = Files.walk(dir)) {
            blobs = s.filter(p -> p.toString().endsWith(".dtb")).sorted().toList();
        }
        List<String> mismatches = new ArrayList<>();
        int same = 0;
        for (Path blob : blobs) {
            List<String> expected = dtcMessages(blob);
            if (expected == null) {
                continue;
            }
            List<String> actual = new ArrayList<>();
            CheckResult r = Checker.run(TestDtb.read(Files.readAllBytes(blob)), config(), "/dev/null");
            for (Diagnostic d : r.diagnostics()) {
                for (String l : d.rendered().split("\n")) {
                    if (!l.isEmpty()) {
                        actual.add(l);
                    }
                }
            }
            if (expected.equals(actual)) {
                same++;
            } else {
                mismatches.add(blob.getFileName() + "\n" + firstDifference(expected, actual));
            }
        }
        System.out.println("blob differential: " + same + "/" + blobs.size() + " identical");
        mismatches.stream().limit(20).forEach(System.out::println);
        assertEquals(List.of(), mismatches.stream().limit(5).toList());
    }

    /** The first line where two message lists part, for a readable failure. */
    static String firstDifference(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String e = i < expected.size() ? expected.get(i) : "(none)";
            String a = i < actual.size() ? actual.get(i) : "(none)";
            if (!e.equals(a)) {
                return "  line " + (i + 1) + "\n  dtc:  " + e + "\n  ours: " + a;
            }
        }
        return "  (same)";
    }

    /** Extra dtc flags from {@code dtb.flags}, e.g. "-W always_fail -E no-reg_format". */
    static List<String> flags() {
        String f = System.getProperty("dtb.flags", "").trim();
        return f.isEmpty() ? List.of() : List.of(f.split("\\s+"));
    }

    static CheckConfig config() {
        CheckConfig c = CheckConfig.defaults();
        List<String> f = flags();
        for (int i = 0; i + 1 < f.size(); i += 2) {
            c.apply(f.get(i + 1), f.get(i).equals("-E"));
        }
        return c;
    }

    static List<String> dtcMessages(Path blob) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dtc", "-I", "dtb", "-O", "dtb", "-o", "/dev/null"));
        cmd.addAll(flags());
        cmd.add(blob.toString());
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err = new String(p.getErrorStream().readAllBytes());
        if (p.waitFor() > 2) {
            return null; // dtc crashed (an assertion or a bad read): nothing to compare with
        }
        List<String> lines = new ArrayList<>();
        for (String l : err.split("\n")) {
            if (!l.isEmpty() && !l.startsWith("ERROR: Input tree has errors")) {
                lines.add(l);
            }
        }
        return lines;
    }
}
