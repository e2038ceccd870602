package dev.gunyahdt.hypervisor.vcpu;

/**
 * What a vCPU executes: guest code, supplied by whoever builds the VM (the RM's guest programs, tests).
 * The scheduler ({@link Scheduler#runRound}) and a proxy scheduler's {@code vcpu_run} call {@link #step}
 * once per turn. A step makes its hypercalls with {@code hv.call(self.caller(), …)}, touches memory through
 * {@code self.memory()}, and ends its turn by returning — or waits for an interrupt with
 * {@link Vcpu#waitForInterrupt()}, or powers itself off with {@code vcpu_poweroff}.
 */
@FunctionalInterface
public interface VcpuProgram {
    void step(Vcpu self);
}
