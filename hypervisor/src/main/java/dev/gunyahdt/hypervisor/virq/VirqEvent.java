package dev.gunyahdt.hypervisor.virq;

/** One thing that happened to a VIRQ at its target, in order; what tests and the later vGIC observe. */
public record VirqEvent(int virq, Kind kind) {
    public enum Kind {
        /** Level assertion: pending until cleared. */
        ASSERT,
        /** Edge-only assertion: delivered only if the receiver configured the VIRQ edge-triggered. */
        ASSERT_EDGE_ONLY,
        CLEAR
    }

    @Override
    public String toString() {
        return kind + "(" + virq + ")";
    }
}
