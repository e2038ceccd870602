package dev.gunyahdt.dt.compile;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * CPU time spent in each stage of the pipeline, summed over every compilation of a Compiler
 * (thread CPU time, so it stays meaningful when files compile in parallel on a busy machine).
 */
public final class StageTimes {

    public enum Stage {
        PREPROCESS,
        PARSE,
        DECODE_BLOB,
        CHECKS,
        GENERATED_NODES,
        SORT,
        WRITE
    }

    private final Map<Stage, LongAdder> nanos = new EnumMap<>(Stage.class);

    public StageTimes() {
        for (Stage s : Stage.values()) {
            nanos.put(s, new LongAdder());
        }
    }

    static long now() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    void add(Stage s, long startNanos) {
        nanos.get(s).add(now() - startNanos);
    }

    /** One line per stage that took any time: "parse  1234 ms". */
    public String report() {
        StringBuilder sb = new StringBuilder();
        long total = 0;
        for (Stage s : Stage.values()) {
            long ms = nanos.get(s).sum() / 1_000_000;
            total += ms;
            if (ms > 0) {
                sb.append(String.format(
                        "  %-16s %7d ms cpu%n", s.name().toLowerCase().replace('_', ' '), ms));
            }
        }
        return sb.append(String.format("  %-16s %7d ms cpu%n", "total", total)).toString();
    }
}
