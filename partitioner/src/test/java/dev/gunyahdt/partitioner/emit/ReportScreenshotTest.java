package dev.gunyahdt.partitioner.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gunyahdt.partitioner.TestBoards;
import dev.gunyahdt.partitioner.allocate.Allocation;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, acceptance 5: qemu-virt's report.html rendered by headless Chromium, and each VM's
 * exact fill color found in the screenshot in at least a box's worth of pixels. The tables only
 * use tints, so the pixels come from the map (and the legend's 14×14 keys, 196 px at most).
 * Skipped when {@code /usr/bin/chromium} is absent.
 */
class ReportScreenshotTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    // The smallest VM box on qemu-virt is 300 × 180 px; a legend key alone is 196 px.
    private static final int MIN_PIXELS = 10_000;

    @TempDir
    Path tmp;

    @Test
    void everyVmRegionIsDrawn() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM);
        Allocation a = TestBoards.partition(TestBoards.REPO.resolve("boards/qemu-virt/vms.yaml"));
        Path out = tmp.resolve("out");
        ConfigEmitter.emit(a, out);
        Path shot = tmp.resolve("shot.png");
        Path log = tmp.resolve("chromium.log");
        Process p = new ProcessBuilder(
                        CHROMIUM.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--user-data-dir=" + tmp.resolve("profile"),
                        "--screenshot=" + shot,
                        "--window-size=1400,1800",
                        out.resolve("report.html").toUri().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s:\n" + Files.readString(log));
        }
        assertTrue(Files.exists(shot), "no screenshot; chromium said:\n" + Files.readString(log));
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1400, img.getWidth());
        assertEquals(1800, img.getHeight());

        Map<String, String> colors = new LinkedHashMap<>(VmColors.of(a));
        colors.put("(hypervisor)", VmColors.HYPERVISOR);
        colors.put("(shared)", VmColors.SHARED);
        Map<Integer, Integer> histogram = new java.util.HashMap<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                histogram.merge(img.getRGB(x, y) & 0xffffff, 1, Integer::sum);
            }
        }
        StringBuilder seen = new StringBuilder();
        for (Map.Entry<String, String> c : colors.entrySet()) {
            int n = histogram.getOrDefault(Integer.parseInt(c.getValue().substring(1), 16), 0);
            seen.append(String.format("%s %s: %d px%n", c.getKey(), c.getValue(), n));
        }
        System.out.print("report.html screenshot, pixels of each exact fill:\n" + seen);
        for (Map.Entry<String, String> c : colors.entrySet()) {
            int n = histogram.getOrDefault(Integer.parseInt(c.getValue().substring(1), 16), 0);
            assertTrue(n > MIN_PIXELS, c.getKey() + " not drawn:\n" + seen);
        }
        // and as a box, not scattered: the longest vertical run of each VM's color is its box's height
        for (Map.Entry<String, String> c : VmColors.of(a).entrySet()) {
            int rgb = Integer.parseInt(c.getValue().substring(1), 16);
            int best = 0;
            for (int x = 0; x < img.getWidth(); x += 4) {
                int run = 0;
                for (int y = 0; y < img.getHeight(); y++) {
                    run = (img.getRGB(x, y) & 0xffffff) == rgb ? run + 1 : 0;
                    best = Math.max(best, run);
                }
            }
            assertTrue(best >= 150, c.getKey() + ": longest vertical run " + best + " px");
        }
        // the boxes keep their proportions: hlos (1 GiB, 200 px tall) outweighs each 256 MiB VM (180 px)
        int hlos = histogram.get(0x4e79a7);
        List.of(0xf28e2b, 0x59a14f).forEach(c -> assertTrue(hlos > histogram.get(c), seen.toString()));
    }
}
