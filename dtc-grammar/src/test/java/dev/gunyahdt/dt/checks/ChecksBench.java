package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A rough timing of the checks alone over a directory of preprocessed sources (not a test):
 * {@code java -cp … dev.gunyahdt.dt.checks.ChecksBench DIR [passes]}. JMH benchmarks live in
 * tests/; this is for a quick look while working on the checks.
 */
public final class ChecksBench {

    public static void main(String[] args) throws Exception {
        List<DeviceTree> trees = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            for (Path p : s.sorted().toList()) {
                try {
                    trees.add(DtsSource.parse(
                            Files.readString(p, StandardCharsets.ISO_8859_1),
                            p.toString(),
                            new IncludeResolver(List.of(p.getParent()))));
                } catch (RuntimeException e) {
                    // dtc cannot read these either
                }
            }
        }
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (int i = 0; i < passes; i++) {
            long t0 = System.nanoTime();
            int n = 0;
            for (DeviceTree t : trees) {
                n += Checker.run(t, CheckConfig.defaults(), "o").diagnostics().size();
            }
            System.out.printf(
                    "pass %d: %d trees, %d findings, %.2f s%n", i, trees.size(), n, (System.nanoTime() - t0) / 1e9);
        }
    }
}
