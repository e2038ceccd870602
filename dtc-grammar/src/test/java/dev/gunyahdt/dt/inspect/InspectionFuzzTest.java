package dev.gunyahdt.dt.inspect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.inspect.Inspection.Format;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated blobs (random bytes overwritten, seeded): whatever the reader accepts must inspect in
 * every format and diff against the original without anything escaping but {@link DtException}.
 * Cell values get the odd counts, cycles and out-of-range offsets that way.
 */
class InspectionFuzzTest {

    @Test
    void mutatedBlobsInspectAndDiffWithoutCrashing() {
        byte[][] seeds = {Dts.blob(Dts.BOARD, true), Dts.blob(OverlayInspectionTest.OVERLAY, true)};
        Random rnd = new Random(42);
        int inspected = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] seed = seeds[i % seeds.length];
            byte[] b = seed.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = 0x28 + rnd.nextInt(b.length - 0x28); // keep the header, vary the rest
                b[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : rnd.nextInt(5));
            }
            DeviceTree t;
            try {
                t = DtbReader.read(b, "m.dtb");
            } catch (DtException e) {
                continue;
            }
            Inspection in = Inspection.of(t);
            for (Format fmt : Format.values()) {
                assertTrue(in.render(fmt, null).length() > 0);
            }
            TreeDiff.compare(DtbReader.read(seed, "s.dtb"), t);
            inspected++;
        }
        assertTrue(inspected > 1000, "only " + inspected + " mutants were readable");
    }
}
