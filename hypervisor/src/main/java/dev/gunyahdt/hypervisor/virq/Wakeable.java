package dev.gunyahdt.hypervisor.virq;

/** A vCPU as the vGIC sees it: told when a VIRQ routed to it becomes deliverable (so a WFI can end). */
public interface Wakeable {
    void virqDeliverable();
}
