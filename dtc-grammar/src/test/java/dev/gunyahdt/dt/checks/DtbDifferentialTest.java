package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.diag.Diagnostic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
            List<String> actual = new ArrayList<>();
            CheckResult r = Checker.run(TestDtb.read(Files.readAllBytes(blob)), CheckConfig.defaults(), "/dev/null");
            for (Diagnostic d : r.diagnostics()) {
                for (String l : d.rendered().split("\n")) { if (!l.isEmpty()) { actual.add(l); } }
            }
            if (expected.equals(actual)) {
                same++;
            } else {
                mismatches.add(blob.getFileName() + "\n  dtc: " + expected + "\n  ours: " + actual);
            }
        }
        System.out.println("blob differential: " + same + "/" + blobs.size() + " identical");
        mismatches.stream().limit(20).forEach(System.out::println);
        assertEquals(List.of(), mismatches.stream().limit(5).toList());
    }

    static List<String> dtcMessages(Path blob) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dtb", "-o", "/dev/null", blob.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor();
        List<String> lines = new ArrayList<>();
        for (String l : err.split("\n")) {
            if (!l.isEmpty() && !l.startsWith("ERROR: Input tree has errors")) {
                lines.add(l);
            }
        }
        return lines;
    }
}
