package dev.gunyahdt.hypervisor.sim;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.device.Pl011;
import dev.gunyahdt.hypervisor.device.Pl011Nodes;
import dev.gunyahdt.hypervisor.memory.MemDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The devices of the board's physical map the model answers for: every PL011 UART ({@link Pl011Nodes}) a VM's
 * tree carries (passed-through devices keep their board address and SPI there), put on the hypervisor's
 * physical bus with its SPI wired to the physical GIC. Other devices have no model: their MMIO reads as zero.
 */
public final class BoardDevices {
    /** One modelled UART: where it is on the bus, its INTID, the model. */
    public record Uart(String path, long base, int intid, Pl011 model) {}

    private BoardDevices() {}

    /**
     * Gives the root the device memory of every passed-through device ({@code passthrough-mmio} of each VM under
     * system.dtb's {@code /gunyah-vms}: the boot environment's device memory, which the RM maps from), then
     * attaches each distinct UART (by base) found at the root of {@code trees} to {@code hv}'s bus.
     */
    public static List<Uart> attach(Hypervisor hv, DeviceTree system, List<DeviceTree> trees) {
        NodeCursor sysRoot = NodeCursor.root(system.root());
        int sac = Addressing.addressCells(sysRoot);
        int ssc = Addressing.sizeCells(sysRoot);
        sysRoot.children().stream()
                .filter(c -> c.node().name().equals("gunyah-vms"))
                .flatMap(c -> c.children().stream())
                .forEach(vm -> {
                    long[] mmio = vm.node()
                            .property("passthrough-mmio")
                            .map(p -> p.value().cells())
                            .orElse(new long[0]);
                    for (int i = 0; i + sac + ssc <= mmio.length; i += sac + ssc) {
                        // whole pages: registers smaller than a page (virtio-mmio's 0x200) still take one
                        long base = Cells.join(mmio, i, sac);
                        long from = base & -MemDb.PAGE;
                        long to = (base + Cells.join(mmio, i + sac, ssc) + MemDb.PAGE - 1) & -MemDb.PAGE;
                        hv.addDeviceMemory(from, to - from);
                    }
                });
        Map<Long, Uart> byBase = new TreeMap<>();
        for (DeviceTree t : trees) {
            for (Pl011Nodes.Found f : Pl011Nodes.find(t)) {
                byBase.putIfAbsent(f.base(), new Uart(f.path(), f.base(), f.intid(), null));
            }
        }
        List<Uart> out = new ArrayList<>();
        for (Uart u : byBase.values()) {
            Pl011 m = new Pl011(high -> hv.spi(u.intid(), high));
            hv.addDevice(u.base(), Pl011.SIZE, m);
            out.add(new Uart(u.path(), u.base(), u.intid(), m));
        }
        return out;
    }
}
