package dev.gunyahdt.hypervisor.sim;

/**
 * Something that runs when the scheduler gives it a slice: the RM's vCPU or a guest's boot vCPU. This is the
 * seam to the hypervisor's own vCPU threads and FPRR scheduler once they exist: a {@link Scheduler} decides who
 * runs, a {@code Vcpu} only says what running means.
 */
public interface Vcpu {
    String name();

    /** Runs one slice at virtual time {@code now}; true when it did anything. */
    boolean run(long now);

    /** Nothing left to do but wait for others (the simulation ends when every vCPU is settled and quiet). */
    boolean settled();
}
