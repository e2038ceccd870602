package dev.gunyahdt.hypervisor.rm;

/**
 * Where the RM's {@code vcpu_poweron} / {@code vcpu_kill} land. vCPU objects and the scheduler are not modelled
 * by the RM yet: the simulation implements this and runs the VM's guest program when "its vCPU runs".
 */
public interface VcpuHost {
    void powerOn(GuestSeat seat);

    void powerOff(int vmid);

    /** A host that runs nothing (tests that drive the RM by hand). */
    static VcpuHost none() {
        return new VcpuHost() {
            @Override
            public void powerOn(GuestSeat seat) {
            }

            @Override
            public void powerOff(int vmid) {
            }
        };
    }
}
