package dev.gunyahdt.tests.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbOptions;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.dtb.DtbWriter;
import dev.gunyahdt.dt.inspect.Inspection;
import dev.gunyahdt.dt.inspect.TreeDiff;
import dev.gunyahdt.dt.overlay.OverlayApplier;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14: the blob entry points — the DTB reader as {@code dtc -I dtb -O dts} runs it,
 * {@code inspect}/{@code diff}, and {@code overlay apply}. Seeds and findings are under
 * src/test/resources/dev/gunyahdt/tests/fuzz/BlobFuzzTestInputs/METHOD/.
 */
class BlobFuzzTest {

    /** The blob reader alone; what it reads, the writer writes and it reads back as the same tree. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void dtbReader(byte[] blob) throws Exception {
        DeviceTree[] t = new DeviceTree[1];
        if (Refusals.run(() -> t[0] = DtbReader.read(blob, "fuzz.dtb"), DtException.class)) {
            DeviceTree again = DtbReader.read(DtbWriter.write(t[0], DtbOptions.defaults()), "again.dtb");
            assertEquals(List.of(), TreeDiff.compare(t[0], again), "a blob does not survive write and read");
        }
    }

    /** {@code dtc -I dtb -O dts}: read, checks, print. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void dtbToDts(byte[] blob) throws Exception {
        Compiler c = new Compiler(
                CompileOptions.defaults().withFormats(CompileOptions.Format.DTB, CompileOptions.Format.DTS));
        Refusals.run(
                () -> {
                    Compilation r = c.compile(null, blob, "-");
                    if (!r.failed() && r.output() == null) {
                        throw new AssertionError("a compilation that did not fail has no output");
                    }
                },
                DtException.class);
    }

    /** {@code inspect} in each format and {@code diff}: two blobs, each u16-length-prefixed but the last. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void inspectAndDiff(byte[] data) throws Exception {
        List<byte[]> blobs = Refusals.parts(data, 2);
        DeviceTree[] trees = new DeviceTree[2];
        for (int i = 0; i < 2; i++) {
            int k = i;
            Refusals.run(() -> trees[k] = DtbReader.read(blobs.get(k), "fuzz" + k + ".dtb"), DtException.class);
        }
        for (DeviceTree t : trees) {
            if (t == null) {
                continue;
            }
            Inspection in = Inspection.of(t);
            for (Inspection.Format f : Inspection.Format.values()) {
                in.render(f, null);
                Refusals.run(() -> in.render(f, "/"), DtException.class);
            }
            assertEquals(List.of(), TreeDiff.compare(t, t), "a tree differs from itself");
        }
        if (trees[0] != null && trees[1] != null) {
            assertEquals(
                    TreeDiff.compare(trees[0], trees[1]).isEmpty(),
                    TreeDiff.compare(trees[1], trees[0]).isEmpty(),
                    "diff is not symmetric");
        }
    }

    /** {@code overlay apply BASE OVERLAY…}: the base u16-length-prefixed, then up to two overlays. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void overlayApply(byte[] data) throws Exception {
        List<byte[]> blobs = Refusals.parts(data, 3);
        List<byte[]> overlays = blobs.subList(1, blobs.size()).stream()
                .filter(b -> b.length > 0)
                .toList();
        if (overlays.isEmpty()) {
            return;
        }
        List<String> names = overlays.stream().map(b -> "fuzz.dtbo").toList();
        byte[][] merged = new byte[1][];
        if (Refusals.run(() -> merged[0] = OverlayApplier.apply(blobs.get(0), overlays, names), DtException.class)
                && readable(blobs.get(0))
                && overlays.stream().allMatch(BlobFuzzTest::readable)) {
            // from blobs the reader takes, the result must be one too (fdtoverlay, like the applier,
            // also takes blobs the reader refuses, such as a named root: README, known differences)
            DtbReader.read(merged[0], "merged.dtb");
        }
    }

    private static boolean readable(byte[] blob) {
        try {
            DtbReader.read(blob, "fuzz.dtb");
            return true;
        } catch (DtException e) {
            return false;
        }
    }
}
