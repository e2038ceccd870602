package dev.gunyahdt.dt.cpp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Hand-run timing: {@code CorpusBench LINUX_DIR [rounds]} preprocesses the arm64 corpus in one JVM
 * and prints each round's time and allocation ({@code -Dfresh}: a new Preprocessor, so headers are
 * lexed again, each round).
 */
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
            com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long a0 = mx.getCurrentThreadAllocatedBytes();
            long c0 = mx.getCurrentThreadCpuTime();
            if (System.getProperty("fresh") != null) base = new Preprocessor(List.of(prefixes), Map.of("__DTS__", "1"));
            long chars = 0;
            for (Path f : dts)
                chars += base.withIncludeDirs(List.of(f.getParent(), prefixes))
                        .run(f)
                        .text()
                        .length();
            long cpu = (mx.getCurrentThreadCpuTime() - c0) / 1_000_000;
            long mb = (mx.getCurrentThreadAllocatedBytes() - a0) >> 20;
            System.out.printf(
                    "round %d: %d files, %d chars out, %d ms wall, %d ms cpu, %d MB allocated (this thread)%n",
                    r, dts.size(), chars, (System.nanoTime() - t0) / 1_000_000, cpu, mb);
        }
    }
}
