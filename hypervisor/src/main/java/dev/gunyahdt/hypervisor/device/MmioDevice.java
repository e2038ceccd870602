package dev.gunyahdt.hypervisor.device;

/**
 * A device's register block on the physical bus: 32-bit registers at word-aligned offsets. Reads and writes
 * reach it through a VM's stage-2 mapping of the block (device memory), never through RAM.
 */
public interface MmioDevice {
    /** The register at {@code offset} (word aligned, inside the block). */
    int read(long offset);

    /** A write of {@code value} to the register at {@code offset}. */
    void write(long offset, int value);
}
