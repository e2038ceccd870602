package dev.gunyahdt.dt.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * dtc 1.6.1's own test sources ({@code tests/*.dts} of its source tree, GPL, so never in this
 * repository: {@code tests/conformance/dtc-testsuite.sh} obtains them and passes their folder as
 * {@code -Ddtc.tests=DIR}) as a differential oracle: every source compiled by /usr/bin/dtc and
 * gunyah-dt to a blob and to {@code -O dts}, each plain and with {@code -@}; the same verdict and
 * byte-identical output each time.
 */
@EnabledIfSystemProperty(named = "dtc.tests", matches = ".+")
class DtcTestSuiteTest {

    @Test
    void sameVerdictAndBytesAsDtc() throws Exception {
        assertTrue(DtcDifferential.dtcInstalled(), "dtc.tests is set but /usr/bin/dtc is not installed");
        Path dir = Path.of(System.getProperty("dtc.tests")).toAbsolutePath();
        List<Path> sources;
        try (Stream<Path> s = Files.list(dir)) {
            sources = s.filter(p -> p.getFileName().toString().endsWith(".dts"))
                    .sorted()
                    .toList();
        }
        assertTrue(sources.size() > 0, "no .dts files in " + dir);
        Path scratch = Files.createTempFile("dtc-suite", ".out");
        List<String> differences = new ArrayList<>();
        int[] agree = new int[DtcDifferential.Mode.values().length];
        int refusedByBoth = 0;
        for (Path src : sources) {
            for (DtcDifferential.Mode mode : DtcDifferential.Mode.values()) {
                DtcDifferential.Result r = DtcDifferential.compare(src, mode, scratch);
                if (r.agree()) {
                    agree[mode.ordinal()]++;
                    refusedByBoth += r.dtc().accepted() ? 0 : 1;
                } else {
                    differences.add(r.describe());
                }
            }
        }
        Files.deleteIfExists(scratch);
        int n = sources.size();
        System.out.printf(
                "dtc test suite (%s): %d sources; blob %d/%d, blob -@ %d/%d (%d/%d together),"
                        + " -O dts %d/%d, -O dts -@ %d/%d; %d of the agreements are refusals by both%n",
                dir, n, agree[0], n, agree[1], n, agree[0] + agree[1], 2 * n, agree[2], n, agree[3], n, refusedByBoth);
        differences.forEach(System.out::println);
        assertEquals(List.of(), differences);
    }
}
