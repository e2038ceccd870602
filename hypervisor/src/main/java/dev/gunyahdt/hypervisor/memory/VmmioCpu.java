package dev.gunyahdt.hypervisor.memory;

/**
 * The vCPU making a load or store, as [HYP] {@code addrspace_handle_vdevice_access_fixed_addr} sees it: whether
 * vcpu_run is enabled for it (proxy-scheduled), and where its VMMIO access is recorded while it is blocked
 * (SCHEDULER_BLOCK_ADDRSPACE_VMMIO_ACCESS) until its owner's next vcpu_run resumes it.
 *
 * <p>A guest program is Java code, not instructions: it cannot stop in the middle of a load. So a trapped access
 * ends the program's step (the load returns null, the store false, as an unfinished access) and the vCPU blocks;
 * once its owner has resumed it, the program's next step issues the same access again and it completes with the
 * owner's value — the model's stand-in for the hypervisor writing the destination register and moving the PC on.
 */
public interface VmmioCpu {
    /** vcpu_run_is_enabled. */
    boolean vcpuRunEnabled();

    /** The access blocks the vCPU: {@code value} is what a write stores (0 for a read). */
    void blockOnVmmio(long ipa, int size, long value, boolean write);

    /**
     * The access its owner completed for it, if it is this one ({@code ipa}, {@code size}, direction; a write's
     * value too), taken: a read's value, or the write's; null when none is waiting (the access traps now).
     */
    Long takeCompletedVmmio(long ipa, int size, long value, boolean write);
}
