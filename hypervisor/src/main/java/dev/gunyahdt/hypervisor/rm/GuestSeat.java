package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.Caller;

/**
 * What the RM hands the platform when it powers on a VM's boot vCPU (reference §5.4 "VM start"): the VM's
 * thread (its cspace), its RAM, and X0 = the IPA of the merged DTB the RM wrote there. A guest knows nothing
 * else.
 */
public record GuestSeat(int vmid, String name, boolean primary, Caller thread, SparseMemory memory, long dtbIpa) {
}
