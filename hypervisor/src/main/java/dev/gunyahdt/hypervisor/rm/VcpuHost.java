package dev.gunyahdt.hypervisor.rm;

/**
 * Where the guest code comes from. The RM makes every vCPU itself (§5.4); just before it powers on a VM's boot
 * vCPU it calls {@link #powerOn} so the platform can load the VM's image — in this model, give the vCPU its
 * {@link dev.gunyahdt.hypervisor.vcpu.VcpuProgram}. {@link #powerOff} follows the RM killing the VM's vCPUs.
 */
public interface VcpuHost {
    void powerOn(GuestSeat seat);

    void powerOff(int vmid);

    /** A host that loads nothing (tests that drive the RM by hand). */
    static VcpuHost none() {
        return new VcpuHost() {
            @Override
            public void powerOn(GuestSeat seat) {}

            @Override
            public void powerOff(int vmid) {}
        };
    }
}
