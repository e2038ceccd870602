package dev.gunyahdt.hypervisor.rm.ipa;

/** What a range of a VM's IPA space is for ({@code vm_memuse_t}, [RM] {@code include/vm_memory.h}). */
public enum MemUse {
    /** DDR memory. */
    NORMAL,
    /** Physical devices: always mapped direct (IPA = PA). */
    IO,
    /** Purely virtual devices (virtio-mmio): never inside the physical device range. */
    VDEVICE,
    /** Virtual devices based on real ones (the vGIC, the vRTC): may sit in the physical device range. */
    PLATFORM_VDEVICE,
    /** The VM's boot info (the RM's log buffer lent to HLOS). */
    BOOTINFO
}
