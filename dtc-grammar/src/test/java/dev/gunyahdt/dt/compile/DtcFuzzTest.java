package dev.gunyahdt.dt.compile;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The differential fuzzer, bounded for {@code mvn verify}: a few hundred generated sources
 * ({@link DtsGenerator}), each compiled by dtc 1.6.1 and gunyah-dt, must agree on verdict and
 * bytes (or differ only as the README's "Known differences" say). jqwik draws the seeds and
 * replays a failing seed first next time. Long runs: {@code tests/conformance/dtc-fuzz.sh}.
 * Skipped without /usr/bin/dtc.
 */
@AddLifecycleHook(DtcFuzzTest.SkipWithoutDtc.class)
class DtcFuzzTest {

    private static Path dir;

    @Property(tries = 200)
    void dtcAndGunyahDtAgree(@ForAll long seed) throws Exception {
        if (dir == null) {
            dir = DtcFuzz.workDir(Files.createTempDirectory("dtc-fuzz"), "w");
        }
        DtcFuzz.Case c = DtcFuzz.run(seed, dir);
        assertNotEquals(
                DtcFuzz.Verdict.DIFFERENT,
                c.verdict(),
                () -> "seed " + seed + "\n" + DtsGenerator.source(seed) + "\n"
                        + c.result().describe());
    }

    /** jqwik's counterpart of Jupiter's conditions: no dtc, nothing to compare with. */
    static final class SkipWithoutDtc implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return DtcDifferential.dtcInstalled()
                    ? SkipResult.doNotSkip()
                    : SkipResult.skip("/usr/bin/dtc is not installed");
        }
    }
}
