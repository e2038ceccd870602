package dev.gunyahdt.hypervisor.vcpu;

import dev.gunyahdt.hypervisor.call.HypError;

/**
 * What a vCPU needs of the power-management group it was attached to (a {@code vpm.VpmGroup}; [HYP]
 * {@code thread->psci_group}), kept as an interface so this package does not name the vpm package.
 */
public interface PowerGroup {
    /** The vCPU is being activated with group index {@code index}: psci_handle_object_activate_thread. */
    HypError activate(Vcpu vcpu, int index);

    /** The vCPU is going away: psci_handle_object_deactivate_thread. */
    void leave(Vcpu vcpu);

    /** Powered-on members ([HYP] {@code psci_online_count}). */
    int online();

    /** False when configured {@code no_aggregation} (VPM_MODE_NONE): vcpu_poweroff skips the last-vCPU rule. */
    boolean aggregates();
}
