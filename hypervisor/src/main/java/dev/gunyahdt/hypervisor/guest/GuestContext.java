package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.vcpu.Caller;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a guest has, as a real one has it: its boot vCPU (registers — X0 is its DTB's IPA, PC its entry point —
 * its hypercalls with its own caps, its addrspace as its memory), and — for a VMM on the primary only — the VMs
 * to launch, which crosvm would get on its command line ({@link Launch}). {@code log} is the guest's kernel log
 * (notes in the boot log). Nothing else: its VMID, RAM, peers and whether it is the primary it learns from its
 * devicetree and the RM.
 */
public record GuestContext(Hypervisor hv, Vcpu boot, List<Launch> launches, Consumer<String> log) {

    public GuestContext {
        launches = List.copyOf(launches);
    }

    /**
     * A secondary VM the primary starts: the VMID the plan gave it, its image DT (vm/&lt;name&gt;.dtb), the memory
     * to lend it ({@code memoryBase}, {@code memorySize}: where in the memory this primary holds) and the shm
     * buffers to share with it ({label, base, size}) — crosvm's {@code --mem} and shared-memory arguments.
     */
    public record Launch(String name, int vmid, byte[] dtb, long memoryBase, long memorySize, List<long[]> shm) {
        public Launch {
            dtb = dtb.clone();
            shm = shm.stream().map(long[]::clone).toList();
        }

        public Launch(String name, int vmid, byte[] dtb) {
            this(name, vmid, dtb, 0, 0, List.of());
        }

        @Override
        public byte[] dtb() {
            return dtb.clone();
        }
    }

    /** The boot vCPU's hypercall handle. */
    public Caller caller() {
        return boot.caller();
    }

    /**
     * The VM's memory as its boot vCPU's loads and stores see it (its addrspace: only what the RM mapped; an
     * unmapped access in a VMMIO range of a proxy-scheduled vCPU traps to its owner's vcpu_run).
     */
    public GuestMemory memory() {
        return boot.memory();
    }

    public HvcResult call(int number, long... inputs) {
        return hv.call(caller(), number, inputs);
    }
}
