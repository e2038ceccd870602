package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.plan.Sizes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The split as a text table for a terminal: one row per VM, then the hypervisor and shared memory. */
public final class ResourceTable {

    private ResourceTable() {}

    public static String render(Allocation a) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VM", "VMID", "memory", "CPUs", "SPIs", "VIRQs"});
        for (VmAllocation va : a.vms()) {
            String cpus = va.cpus().isEmpty()
                    ? "- (" + va.vm().scheduling().yaml() + ")"
                    : spans(va.cpus()) + " (" + va.vm().scheduling().yaml() + ")";
            rows.add(new String[] {
                va.vm().name(),
                "0x" + Integer.toHexString(va.vmid()),
                va.memory().map(ResourceTable::range).orElse("-"),
                cpus,
                spans(va.spis()),
                spans(va.virqs().stream().map(v -> v.intid()).toList())
            });
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + width[i] + "s", r[i])).append(i + 1 < r.length ? "  " : "");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        a.hypervisor().ifPresent(h -> sb.append("hypervisor: ").append(range(h)).append('\n'));
        for (SharedRegion s : a.shared()) {
            sb.append("shm ")
                    .append(s.declaredBy())
                    .append('/')
                    .append(s.vdevice().label())
                    .append(": ")
                    .append(s.range().map(ResourceTable::range).orElse("-"))
                    .append(" shared by ")
                    .append(String.join(", ", s.sharers().stream().sorted().toList()))
                    .append('\n');
        }
        return sb.toString();
    }

    static String range(Range r) {
        return String.format("0x%x-0x%x (%s)", r.base(), r.last(), Sizes.format(r.size()));
    }

    /** {@code 0-3,6,9-10}: consecutive numbers folded, in the order given. */
    static String spans(Collection<? extends Number> values) {
        if (values.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        long start = 0;
        long prev = 0;
        boolean open = false;
        for (Number n : values) {
            long v = n.longValue();
            if (open && v == prev + 1) {
                prev = v;
                continue;
            }
            if (open) {
                parts.add(start == prev ? Long.toString(start) : start + "-" + prev);
            }
            start = v;
            prev = v;
            open = true;
        }
        parts.add(start == prev ? Long.toString(start) : start + "-" + prev);
        return String.join(",", parts);
    }
}
