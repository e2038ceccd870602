package dev.gunyahdt.tests.bench;

import dev.gunyahdt.hypervisor.rm.VmState;
import dev.gunyahdt.hypervisor.sim.Simulation;
import dev.gunyahdt.tests.scale.VmFleet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Issue 5, acceptance 6 (third target, 64 VMs in under a second; growth with N): a whole boot of a generated
 * {@link VmFleet} of {@code n} VMs — the RM boots the primary from system.dtb, the primary's linux-probe
 * VM_ALLOCATEs, lends its memory (the DT inside) to, configures, inits and starts every secondary over RPC, each secondary's
 * guest finds its /hypervisor, opens its console, checks VM_GET_HYP_RESOURCES and exchanges a message on each of
 * its pairs; the run ends when every guest is done and the system is quiet ({@link Simulation#run}). That is more
 * than "every VM RUNNING" (the guests' own work after RUNNING is included). The configs are compiled once per
 * size, outside the measurement. n stops at 65: the primary holds at most 64 memparcels ({@link VmFleet}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class VmBootBench {
    @Param({"8", "16", "32", "64", "65"})
    public int n;

    private Simulation.Config config;

    @Setup
    public void generate() {
        config = VmFleet.config(n, 1);
        Simulation.Result r = boot();
        long running = r.rm().vms().stream().filter(v -> v.state() == VmState.RUNNING).count();
        if (!r.settled() || running != n) {
            throw new IllegalStateException(n + " VMs: " + running + " RUNNING, settled " + r.settled());
        }
    }

    @Benchmark
    public Simulation.Result boot() {
        return Simulation.run(config);
    }
}
