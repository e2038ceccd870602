package dev.gunyahdt.dt.cpp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Hand-run timing: {@code CorpusBench LINUX_DIR [rounds]} preprocesses the arm64 corpus in one JVM. */
public final class CorpusBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Path prefixes = root.resolve("scripts/dtc/include-prefixes");
        List<Path> dts;
        try (Stream<Path> s = Files.walk(root.resolve("arch/arm64/boot/dts"))) {
            dts = s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
        Preprocessor base = new Preprocessor(List.of(prefixes), Map.of("__DTS__", "1"));
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            long c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            if (System.getProperty("fresh") != null) base = new Preprocessor(List.of(prefixes), Map.of("__DTS__", "1"));
            long chars = 0;
            for (Path f : dts)
                chars += base.withIncludeDirs(List.of(f.getParent(), prefixes))
                        .run(f)
                        .text()
                        .length();
            long cpu = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0)
                    / 1_000_000;
            System.out.printf(
                    "round %d: %d files, %d chars out, %d ms wall, %d ms cpu (this thread)%n",
                    r, dts.size(), chars, (System.nanoTime() - t0) / 1_000_000, cpu);
        }
    }
}
