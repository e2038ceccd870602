package dev.gunyahdt.hypervisor.guest;

/**
 * A program a VM runs. It is stepped only when its vCPU runs ({@link dev.gunyahdt.hypervisor.sim.Simulation}),
 * never blocks, and reaches the world only through hypercalls with its own caps and its own memory — in
 * particular it learns everything about the hypervisor from the DTB at X0.
 */
public interface GuestProgram {

    /** The boot vCPU was powered on (X0 = the DTB's IPA). */
    void start(GuestContext ctx);

    /** One slice of the vCPU. Returns true when it did something (false: it is only waiting). */
    boolean step(GuestContext ctx);

    /** Finished its script (it may still answer the RM, e.g. a shutdown request). */
    boolean done();

    /** What it did and what failed, for the boot report. */
    GuestReport report();
}
