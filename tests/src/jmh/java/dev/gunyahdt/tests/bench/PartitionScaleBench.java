package dev.gunyahdt.tests.bench;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocator;
import dev.gunyahdt.partitioner.allocate.BoardView;
import dev.gunyahdt.partitioner.emit.ConfigEmitter;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.rules.Rules;
import dev.gunyahdt.tests.scale.ScaleBoard;
import dev.gunyahdt.tests.scale.ScaleInputs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4, acceptance 4: the partitioner on {@link ScaleBoard} at 1/8, 1/4, 1/2 and all of 256
 * CPUs / 4096 memory ranges / 988 SPIs / 2000 devices / 200 VMs. The board is compiled and the
 * plan loaded once per size (the compiler and the plan loader are measured elsewhere).
 * {@code plan}: inventory + allocation + every rule (what {@code Partitioner.partition} does;
 * past 92 VMs the plan breaks vmid-valid, see ScaleBoard, and every rule still runs).
 * {@code emit}: every file of the bootable config rendered in memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xss16m", "-Xmx2g"})
public class PartitionScaleBench {

    /** The divisor of {@link ScaleBoard.Spec#LARGEST}. */
    @Param({"8", "4", "2", "1"})
    public int divisor;

    private ScaleInputs in;
    private Allocation allocation;

    @Setup(Level.Trial)
    public void generate() throws IOException {
        in = ScaleInputs.generate(ScaleBoard.Spec.fraction(divisor), Files.createTempDirectory("partition-scale"));
        allocation = Allocator.allocate(in.plan(), BoardView.of(in.board()));
    }

    @Benchmark
    public List<Finding> plan() {
        return Rules.check(Allocator.allocate(in.plan(), BoardView.of(in.board())));
    }

    @Benchmark
    public ConfigEmitter.Rendered emit() {
        return ConfigEmitter.render(allocation);
    }
}
