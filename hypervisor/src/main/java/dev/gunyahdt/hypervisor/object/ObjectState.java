package dev.gunyahdt.hypervisor.object;

/** object_state (§2.2). INIT → ACTIVE on a successful activate, INIT → FAILED (terminal) on a failed one. */
public enum ObjectState {
    NONE,
    INIT,
    ACTIVE,
    FAILED,
    DESTROYING
}
