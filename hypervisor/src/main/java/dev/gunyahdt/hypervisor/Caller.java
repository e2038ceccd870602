package dev.gunyahdt.hypervisor;

import dev.gunyahdt.hypervisor.cspace.CSpace;

/**
 * Who makes a hypercall: a VM's thread, reduced for now to the cspace it is attached to and the memory its
 * buffers live in. (vCPUs and address spaces are not built yet; they will replace this handle.)
 */
public record Caller(String name, CSpace cspace, GuestMemory memory) {
}
