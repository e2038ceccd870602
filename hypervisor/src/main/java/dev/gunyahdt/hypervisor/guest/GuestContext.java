package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.rm.GuestSeat;
import java.util.List;
import java.util.function.Consumer;

/**
 * A guest's vCPU as a program sees it: hypercalls with its own thread, its RAM, X0, and — for the primary only —
 * the VMs to launch, which crosvm would get on its command line ({@link Launch}). {@code log} is the guest's
 * kernel log (notes in the boot log).
 */
public record GuestContext(Hypervisor hv, GuestSeat seat, List<Launch> launches, Consumer<String> log) {

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

    public HvcResult call(int number, long... inputs) {
        return hv.call(seat.caller(), number, inputs);
    }
}
