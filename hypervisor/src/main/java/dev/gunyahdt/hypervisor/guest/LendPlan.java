package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.dt.spec.Ranges;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a VMM reads from the config of a VM it launches to lend it memory: the labels of its shm vdevices, and for
 * its {@code iomem} vdevices: for each one, the device its {@code patch} names, its
 * {@code reg} ranges translated to CPU addresses and widened to whole pages, and the label of its {@code memory}
 * child — the RM accepts the parcel of that label for the VM at VM_START ({@code accept_iomem_memparcel}).
 */
final class LendPlan {
    private static final long PAGE = 4096;

    /** One iomem vdevice: its label, the device's path and its pages. */
    record Lend(long label, String device, List<long[]> sgl) {}

    private LendPlan() {}

    static List<Lend> of(byte[] dtb, String name) {
        DeviceTree dt;
        try {
            dt = DtbReader.read(dtb, name);
        } catch (DtException e) {
            return List.of(); // the RM refuses the DT itself, with the position
        }
        List<Lend> out = new ArrayList<>();
        for (NodeCursor v :
                dt.find("/qcom,vm-config/vdevices").map(NodeCursor::children).orElse(List.of())) {
            boolean iomem = v.node()
                    .property("vdevice-type")
                    .filter(p -> p.value().isStringList())
                    .map(p -> p.value().asStrings().contains("iomem"))
                    .orElse(false);
            Optional<String> patch =
                    v.node().property("patch").map(p -> p.value().asString());
            Optional<Long> label = v.children().stream()
                    .filter(c -> c.node().name().equals("memory"))
                    .findFirst()
                    .flatMap(c -> c.node().property("qcom,label"))
                    .map(p -> p.value().asCell());
            if (!iomem || patch.isEmpty() || label.isEmpty()) {
                continue;
            }
            List<long[]> sgl = dt.find(patch.get()).map(LendPlan::pages).orElse(List.of());
            if (!sgl.isEmpty()) {
                out.add(new Lend(label.get(), patch.get(), sgl));
            }
        }
        return out;
    }

    /**
     * The labels of the shm, shm-doorbell and virtio-mmio vdevices of the VM's config: the buffers (and DMA pools) its
     * owner shares.
     */
    static List<Long> shmLabels(byte[] dtb, String name) {
        try {
            return DtbReader.read(dtb, name)
                    .find("/qcom,vm-config/vdevices")
                    .map(NodeCursor::children)
                    .orElse(List.of())
                    .stream()
                    .filter(v -> v.node()
                            .property("vdevice-type")
                            .filter(p -> p.value().isStringList())
                            .map(p -> p.value().asStrings().contains("shm")
                                    || p.value().asStrings().contains("shm-doorbell")
                                    || p.value().asStrings().contains("virtio-mmio"))
                            .orElse(false))
                    .flatMap(v -> v.node().property("qcom,label").stream())
                    .map(p -> p.value().asCell())
                    .toList();
        } catch (DtException e) {
            return List.of();
        }
    }

    /** The device's reg ranges as CPU addresses, whole pages; empty when one does not translate. */
    private static List<long[]> pages(NodeCursor device) {
        NodeCursor bus = device.parent();
        Optional<Property> reg = device.node().property("reg");
        if (bus == null || reg.isEmpty()) {
            return List.of();
        }
        int ac = Addressing.addressCells(bus);
        int sc = Addressing.sizeCells(bus);
        long[] cells = reg.get().value().cells();
        List<long[]> out = new ArrayList<>();
        try {
            for (int i = 0; ac > 0 && i + ac + sc <= cells.length; i += ac + sc) {
                Ranges.Translation t = Ranges.toCpu(bus, Arrays.copyOfRange(cells, i, i + ac), device, reg.get());
                if (!t.translated()) {
                    return List.of();
                }
                long base = t.address().longValue();
                long size = sc == 0 ? 0 : Cells.join(cells, i + ac, sc);
                long from = base & -PAGE;
                long to = (base + size + PAGE - 1) & -PAGE;
                if (to > from) {
                    out.add(new long[] {from, to - from});
                }
            }
        } catch (DtException e) {
            return List.of();
        }
        return out;
    }
}
