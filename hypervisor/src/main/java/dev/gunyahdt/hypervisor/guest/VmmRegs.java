package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.dtb.DtbOptions;
import dev.gunyahdt.dt.dtb.DtbWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A device the VMM emulates itself for a VM whose vCPUs it runs (proxy-scheduled), as crosvm emulates its MMIO
 * devices: a page of registers that is the VMM's own memory, never mapped into the VM. It sits at an IPA of the VM's
 * VMMIO region that nothing maps (the RM's default region is [0, 1 GiB); {@link #BASE} is QEMU virt's platform-bus
 * window, where QEMU itself puts devices it makes up), so each guest load or store there stops the vCPU and its
 * owner's vcpu_run returns ADDRSPACE_VMMIO_READ / _WRITE; the VMM answers from this register file and resumes it.
 * The VMM tells the guest where it is as crosvm does, in the devicetree it gives the VM ({@link #addNode}).
 *
 * <p>Registers (little-endian): 0x000 ID, read-only, {@link #ID}; the rest of the page scratch, read-write.
 * Accesses of 1, 2, 4 or 8 bytes at any offset inside the page; outside the page nothing answers (reads 0).
 */
final class VmmRegs {
    static final String COMPATIBLE = "gunyah-dt,vmm-regs";
    static final long BASE = 0x0C00_0000L;
    static final int SIZE = 0x1000;
    /** "GDVM" in ASCII: what the ID register reads. */
    static final long ID = 0x4D56_4447L;

    private final byte[] regs = new byte[SIZE];

    VmmRegs() {
        for (int i = 0; i < 4; i++) {
            regs[i] = (byte) (ID >>> (8 * i));
        }
    }

    /** Whether [ipa, ipa+size) is this device's. */
    static boolean holds(long ipa, int size) {
        return ipa >= BASE && ipa + size <= BASE + SIZE;
    }

    /** A read of {@code size} bytes at {@code offset} (inside the page). */
    long read(int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (regs[offset + i] & 0xFF);
        }
        return v;
    }

    /** A write of the low {@code size} bytes of {@code value} at {@code offset}; the ID bytes keep their value. */
    void write(int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            if (offset + i >= 4) {
                regs[offset + i] = (byte) (value >>> (8 * i));
            }
        }
    }

    /**
     * {@code dtb} with the device's node under the root: {@code vmm-regs@c000000 { compatible; reg; }} in the root's
     * address and size cells — what crosvm's generated devicetree does for its own devices.
     */
    static byte[] addNode(DeviceTree dt) {
        NodeCursor root = dt.rootCursor();
        int ac = (int) root.node()
                .property("#address-cells")
                .map(p -> p.value().asCell())
                .orElse(2L)
                .longValue();
        int sc = (int) root.node()
                .property("#size-cells")
                .map(p -> p.value().asCell())
                .orElse(1L)
                .longValue();
        List<Long> reg = new ArrayList<>();
        cells(reg, BASE, ac);
        cells(reg, SIZE, sc);
        Node node = Node.of(
                "vmm-regs@" + Long.toHexString(BASE),
                List.of(
                        Property.of("compatible", PropertyValue.ofString(COMPATIBLE)),
                        Property.of(
                                "reg",
                                PropertyValue.ofCells(
                                        reg.stream().mapToLong(Long::longValue).toArray()))),
                List.of());
        return DtbWriter.write(dt.withRoot(dt.root().withChild(node)), DtbOptions.defaults());
    }

    private static void cells(List<Long> out, long value, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out.add(i >= 2 ? 0 : value >>> (32 * i) & 0xFFFF_FFFFL);
        }
    }
}
