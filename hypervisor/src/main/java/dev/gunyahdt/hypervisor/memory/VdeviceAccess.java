package dev.gunyahdt.hypervisor.memory;

/**
 * A virtual device attached to a memextent's physical range ([HYP] {@code vdevice_attach_phys}): a guest write
 * the stage-2 mapping does not allow (the range is mapped read-only in that VM) is handed to it instead of
 * faulting, as the real hypervisor's {@code vdevice_access} event does after the permission fault. Reads are
 * never trapped: the VM reads the page through its read-only mapping.
 */
public interface VdeviceAccess {
    /**
     * A write of the low {@code size} bytes of {@code value} at {@code offset} from the extent's base. True:
     * emulated (VCPU_TRAP_RESULT_EMULATED); false: the access faults.
     */
    boolean write(long offset, int size, long value);
}
