package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.vcpu.Caller;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.List;

/**
 * What the RM hands the platform when it starts a VM (reference §5.4 "VM start"): the VM's boot vCPU (its
 * thread object, which the RM is about to power on with X0 = the IPA of the merged DTB it wrote into the VM's
 * RAM), its other vCPUs (powered off: the image is loaded for them too, and they run once the guest starts them
 * with PSCI CPU_ON), and where that RAM lies. A guest knows nothing else.
 */
public record GuestSeat(
        int vmid,
        String name,
        boolean primary,
        Vcpu vcpu,
        List<Vcpu> secondaries,
        long ramBase,
        long ramSize,
        long dtbIpa) {

    public GuestSeat {
        secondaries = List.copyOf(secondaries);
    }

    /** The boot vCPU's hypercall handle: the VM's cspace, and its addrspace as its memory. */
    public Caller caller() {
        return vcpu.caller();
    }

    /** The VM's memory as the vCPU sees it (its addrspace: only what the RM mapped). */
    public GuestMemory memory() {
        return vcpu.caller().memory();
    }
}
