package dev.gunyahdt.hypervisor.vcpu;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.cspace.CSpace;

/**
 * Who makes a hypercall: a VM's thread — the cspace it is attached to, the memory its buffers live in and,
 * for a vCPU ({@link Vcpu#caller()}), the vCPU itself (vcpu_poweroff and scheduler_yield act on it). A
 * caller made by {@code Hypervisor.attach} (the RM's seat) has no vCPU and flat memory.
 */
public record Caller(String name, CSpace cspace, GuestMemory memory, Vcpu vcpu) {

    /** A thread with no vCPU object (the root VM, or a VM stand-in). */
    public Caller(String name, CSpace cspace, GuestMemory memory) {
        this(name, cspace, memory, null);
    }
}
