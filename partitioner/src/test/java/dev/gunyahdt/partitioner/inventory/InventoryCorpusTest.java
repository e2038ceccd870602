package dev.gunyahdt.partitioner.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Hand-run: {@code mvn -pl partitioner -am test -Dtest=InventoryCorpusTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dcorpus.dir=.../linux-source-6.1/arch/arm64/boot/dts}.
 * Compiles every board ({@code *.dts}) with the kernel's include paths and builds its
 * inventory. An inventory either succeeds or fails with a DtException; anything else fails the
 * test. Prints the counts, the DtException reasons, and writes the list to
 * {@code target/inventory-corpus.txt}.
 */
@EnabledIfSystemProperty(named = "corpus.dir", matches = ".+")
class InventoryCorpusTest {

    @Test
    void everyArm64BoardBuildsAnInventoryOrADtException() throws Exception {
        Path dir = Path.of(System.getProperty("corpus.dir")).toAbsolutePath().normalize();
        Path prefixes = dir.resolve("../../../../scripts/dtc/include-prefixes").normalize();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
        Map<Path, Compiler> compilers = new HashMap<>();
        int frontEndFailed = 0;
        int overlays = 0;
        int ok = 0;
        long devices = 0;
        long spis = 0;
        long nanos = 0;
        long untranslatable = 0;
        long cpus = 0;
        int noMemory = 0;
        List<String> noGic = new ArrayList<>();
        List<String> noMemoryBoards = new ArrayList<>();
        Map<String, Integer> gics = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        List<String> crashes = new ArrayList<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (Path f : files) {
            Compiler compiler = compilers.computeIfAbsent(
                    f.getParent(), d -> new Compiler(Boards.options(List.of(d, prefixes), true, true)));
            Compilation c;
            try {
                c = compiler.compile(f, null, "-");
            } catch (DtException e) {
                frontEndFailed++;
                continue;
            }
            String name = dir.relativize(f).toString();
            if (c.tree().plugin()) {
                overlays++; // an overlay fragment is no board
                continue;
            }
            try {
                long t0 = System.nanoTime();
                BoardInventory inv = BoardInventory.of(c.tree());
                nanos += System.nanoTime() - t0;
                ok++;
                devices += inv.devices().size();
                untranslatable += inv.devices().stream()
                        .filter(d -> d.untranslatable().isPresent())
                        .count();
                inv.gic()
                        .flatMap(BoardInventory.InterruptController::gicVersion)
                        .ifPresentOrElse(v -> gics.merge(v.toString(), 1, Integer::sum), () -> {
                            gics.merge("none", 1, Integer::sum);
                            noGic.add(name + " "
                                    + inv.interruptControllers().stream()
                                            .map(ic -> ic.compatible().isEmpty()
                                                    ? "?"
                                                    : ic.compatible().get(0))
                                            .distinct()
                                            .toList());
                        });
                cpus += inv.cpus().size();
                if (inv.memory().isEmpty()) {
                    noMemory++;
                    noMemoryBoards.add(name + " "
                            + c.tree().root().children().stream()
                                    .map(n -> n.name())
                                    .filter(n -> n.startsWith("mem"))
                                    .toList());
                }
                spis += inv.devices().stream()
                        .flatMap(d -> d.interrupts().stream())
                        .filter(i -> i.kind() == BoardInventory.InterruptKind.SPI)
                        .count();
            } catch (DtException e) {
                failures.add(name + ": " + e.render());
                reasons.merge(reasonOf(e.getMessage()), 1, Integer::sum);
            } catch (RuntimeException e) {
                crashes.add(name + ": " + e);
            }
        }
        StringBuilder report = new StringBuilder();
        report.append(String.format(
                "%d .dts: %d overlays skipped; boards: %d inventories, %d DtException, %d front-end failures, "
                        + "%d other exceptions%n",
                files.size(), overlays, ok, failures.size(), frontEndFailed, crashes.size()));
        report.append(String.format(
                "%d devices, %d SPI interrupts in the successful inventories; %.0f ms in BoardInventory.of%n",
                devices, spis, nanos / 1e6));
        report.append(String.format(
                "%d devices not translatable (i2c/spi/mdio/PCI config space...), %d CPUs, "
                        + "%d boards without memory nodes, GIC per board %s%n",
                untranslatable, cpus, noMemory, gics));
        reasons.forEach((r, n) -> report.append(String.format("%5d  %s%n", n, r)));
        noMemoryBoards.forEach(l -> report.append("no memory: ").append(l).append('\n'));
        noGic.forEach(l -> report.append("no GIC: ").append(l).append('\n'));
        failures.forEach(l -> report.append(l).append('\n'));
        crashes.forEach(l -> report.append("CRASH ").append(l).append('\n'));
        Files.writeString(Path.of("target/inventory-corpus.txt"), report);
        System.out.println(report.toString().lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(List.of(), crashes);
        assertTrue(ok > 0);
    }

    /** The message with node paths and numbers taken out, so like failures group together. */
    private static String reasonOf(String message) {
        String m = message.replaceFirst("^[^:]*: ", "");
        return m.replaceAll("/[^ ,:]*", "PATH").replaceAll("0x[0-9a-f]+|\\b\\d+\\b", "N");
    }
}
