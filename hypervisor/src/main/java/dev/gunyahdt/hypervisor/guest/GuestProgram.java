package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.vcpu.Vcpu;

/**
 * A program a VM runs on its boot vCPU ({@link dev.gunyahdt.hypervisor.sim.Simulation} makes it the vCPU's
 * {@code VcpuProgram}): stepped when the scheduler (or an owner's {@code vcpu_run}) runs that vCPU, it never
 * blocks — it ends a turn by returning, or by WFI ({@code Vcpu.waitForInterrupt}) when it waits for a VIRQ — and
 * reaches the world only through hypercalls with its own caps and its own addrspace; it learns everything about
 * the hypervisor from the DTB at X0.
 */
public interface GuestProgram {

    /** The boot vCPU was powered on (X0 = the DTB's IPA). */
    void start(GuestContext ctx);

    /** One turn of the vCPU. Returns true when it did something (false: it went into WFI). */
    boolean step(GuestContext ctx);

    /**
     * One turn of one of the VM's other vCPUs, once the program started it (PSCI CPU_ON). By default it idles
     * (WFI): a program that starts no secondaries never sees this.
     */
    default void secondaryStep(GuestContext ctx, Vcpu self) {
        self.waitForInterrupt();
    }

    /** Finished its script (it may still answer the RM, e.g. a shutdown request). */
    boolean done();

    /** What it did and what failed, for the boot report. */
    GuestReport report();
}
