package dev.gunyahdt.partitioner.emit;

import static dev.gunyahdt.partitioner.emit.MemoryMapSvg.esc;
import static dev.gunyahdt.partitioner.emit.MemoryMapSvg.hex;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.PassedDevice;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.Virq;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Cpu;
import dev.gunyahdt.partitioner.plan.Sizes;
import dev.gunyahdt.partitioner.plan.VmPlan.VDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code report.html}: one self-contained page (inline CSS, the memory map inline, no scripts) —
 * the memory map, a CPU ownership grid (physical CPUs by cluster × VMs), the SPI ownership list,
 * and a table per VM. Tables use a tint of each VM's color, so the VM's exact color appears only
 * in the map (a screenshot finds each VM's region by it).
 */
public final class ReportHtml {

    private ReportHtml() {}

    public static String render(Allocation a, String svg) {
        return render(a, svg, Map.of());
    }

    /** The report, with the references each tree dropped ({@link References}) in a section of their own. */
    static String render(Allocation a, String svg, Map<String, List<References.Dropped>> dropped) {
        Map<String, String> colors = VmColors.of(a);
        StringBuilder sb = new StringBuilder();
        sb.append(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>gunyah-dt partition report</title>\n");
        sb.append("<style>\n");
        sb.append("body{font-family:'DejaVu Sans',sans-serif;font-size:13px;margin:16px;color:#000}\n");
        sb.append("table{border-collapse:collapse;margin:6px 0 14px}\n");
        sb.append("th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}\n");
        sb.append("th{background:#f0f0f0}\ncode{font-family:'DejaVu Sans Mono',monospace}\n");
        sb.append(".vm{display:inline-block;vertical-align:top;margin-right:16px}\n");
        sb.append(".cluster th{background:#dddddd}\n");
        sb.append("</style>\n</head>\n<body>\n");
        sb.append("<h1>Partition report</h1>\n");
        a.hypervisor()
                .ifPresent(h -> sb.append("<p>hypervisor carve-out: <code>")
                        .append(MemoryMapSvg.range(h))
                        .append("</code> (")
                        .append(esc(Sizes.format(h.size())))
                        .append(")</p>\n"));

        sb.append("<h2>Memory map</h2>\n<div id=\"memory-map\">\n").append(svg).append("</div>\n");

        cpuGrid(sb, a, colors);
        spiList(sb, a, colors);

        sb.append("<h2>Shared memory</h2>\n");
        if (a.shared().isEmpty()) {
            sb.append("<p>none</p>\n");
        } else {
            sb.append("<table id=\"shared\">\n<tr><th>region</th><th>range</th><th>size</th><th>sharers</th></tr>\n");
            for (SharedRegion s : a.shared()) {
                sb.append("<tr><td>")
                        .append(esc(s.declaredBy() + "/" + s.vdevice().label()))
                        .append("</td><td><code>")
                        .append(s.range().map(MemoryMapSvg::range).orElse("-"))
                        .append("</code></td><td>")
                        .append(s.range().map(r -> esc(Sizes.format(r.size()))).orElse("-"))
                        .append("</td><td>")
                        .append(esc(
                                String.join(", ", s.sharers().stream().sorted().toList())))
                        .append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }

        sb.append("<h2>Virtual machines</h2>\n");
        for (VmAllocation va : a.vms()) {
            vmTable(sb, a, va, colors.get(va.vm().name()));
        }
        List<String> placement = dev.gunyahdt.partitioner.allocate.Placement.warnings(a);
        sb.append("<h2>Placement warnings</h2>\n");
        if (placement.isEmpty()) {
            sb.append("<p>none</p>\n");
        } else {
            sb.append("<ul id=\"placement\">\n");
            placement.forEach(w -> sb.append("<li>").append(esc(w)).append("</li>\n"));
            sb.append("</ul>\n");
        }
        sb.append("<h2>References dropped from the emitted trees</h2>\n");
        if (dropped.values().stream().allMatch(List::isEmpty)) {
            sb.append("<p>none</p>\n");
        } else {
            sb.append(
                    "<table id=\"dropped\">\n<tr><th>tree</th><th>node</th><th>property</th><th>target</th><th>why</th></tr>\n");
            dropped.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                for (References.Dropped d : e.getValue()) {
                    sb.append("<tr><td>")
                            .append(esc(e.getKey()))
                            .append("</td><td><code>")
                            .append(esc(d.node()))
                            .append("</code></td><td><code>")
                            .append(esc(d.property()))
                            .append("</code></td><td><code>")
                            .append(esc(d.target()))
                            .append("</code></td><td>")
                            .append(esc(d.why()))
                            .append("</td></tr>\n");
                }
            });
            sb.append("</table>\n");
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static String vmCell(String name, String color) {
        return "<td data-vm=\"" + esc(name) + "\" style=\"background:" + VmColors.tint(color, 0.35) + "\">";
    }

    private static void cpuGrid(StringBuilder sb, Allocation a, Map<String, String> colors) {
        List<Cpu> cpus = a.board().inventory().cpus();
        sb.append("<h2>CPU ownership</h2>\n<table id=\"cpus\">\n<tr><th>CPU</th><th>MPIDR</th><th>node</th>");
        for (VmAllocation va : a.vms()) {
            sb.append("<th>").append(esc(va.vm().name())).append("</th>");
        }
        sb.append("</tr>\n");
        String cluster = null;
        for (int i = 0; i < cpus.size(); i++) {
            Cpu c = cpus.get(i);
            String in = c.cluster() == null ? "" : c.cluster(); // no cpu-map: no cluster
            if (!in.equals(cluster)) {
                cluster = in;
                sb.append("<tr class=\"cluster\"><th colspan=\"")
                        .append(3 + a.vms().size())
                        .append("\">cluster ")
                        .append(esc(cluster.isEmpty() ? "(none)" : cluster))
                        .append("</th></tr>\n");
            }
            sb.append("<tr><td>")
                    .append(i)
                    .append("</td><td><code>")
                    .append(hex(c.mpidr()))
                    .append("</code></td><td><code>")
                    .append(esc(c.path()))
                    .append("</code></td>");
            for (VmAllocation va : a.vms()) {
                List<String> vcpus = new ArrayList<>();
                for (int v = 0; v < va.cpus().size(); v++) {
                    if (va.cpus().get(v) == i) {
                        vcpus.add("vCPU " + v);
                    }
                }
                if (vcpus.isEmpty()) {
                    sb.append("<td></td>");
                } else {
                    sb.append(vmCell(va.vm().name(), colors.get(va.vm().name())))
                            .append(esc(String.join(", ", vcpus)))
                            .append(" <small>(")
                            .append(esc(va.vm().scheduling().yaml()))
                            .append(")</small></td>");
                }
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
        List<String> proxy = a.vms().stream()
                .filter(v -> v.cpus().isEmpty())
                .map(v -> v.vm().name())
                .toList();
        if (!proxy.isEmpty()) {
            sb.append("<p>no physical CPU (proxy-scheduled, run by their owner): ")
                    .append(esc(String.join(", ", proxy)))
                    .append("</p>\n");
        }
    }

    private static void spiList(StringBuilder sb, Allocation a, Map<String, String> colors) {
        // SPI → (device path, VM); several devices may share one SPI within a VM
        Map<Long, List<String[]>> spis = new TreeMap<>();
        for (VmAllocation va : a.vms()) {
            for (PassedDevice d : va.devices()) {
                d.device().ifPresent(dev -> {
                    for (var irq : dev.interrupts().isEmpty() ? dev.mapped() : concat(dev.interrupts(), dev.mapped())) {
                        if (va.spis().contains(irq.number()) && irq.intid() == irq.number() + 32) {
                            List<String[]> owners = spis.computeIfAbsent(irq.number(), k -> new ArrayList<>());
                            if (owners.stream()
                                    .noneMatch(o -> o[0].equals(dev.path())
                                            && o[1].equals(va.vm().name()))) {
                                owners.add(new String[] {dev.path(), va.vm().name()});
                            }
                        }
                    }
                });
            }
            for (long spi : va.spis()) {
                spis.computeIfAbsent(
                        spi,
                        k -> new ArrayList<>(
                                List.<String[]>of(new String[] {"-", va.vm().name()})));
            }
        }
        sb.append("<h2>SPI ownership</h2>\n");
        if (spis.isEmpty()) {
            sb.append("<p>no SPI is passed to a VM</p>\n");
            return;
        }
        sb.append("<table id=\"spis\">\n<tr><th>SPI</th><th>INTID</th><th>device</th><th>VM</th></tr>\n");
        for (Map.Entry<Long, List<String[]>> e : spis.entrySet()) {
            for (String[] o : e.getValue()) {
                sb.append("<tr><td>")
                        .append(e.getKey())
                        .append("</td><td>")
                        .append(e.getKey() + 32)
                        .append("</td><td><code>")
                        .append(esc(o[0]))
                        .append("</code></td>")
                        .append(vmCell(o[1], colors.get(o[1])))
                        .append(esc(o[1]))
                        .append("</td></tr>\n");
            }
        }
        sb.append("</table>\n");
    }

    private static <T> List<T> concat(List<T> x, List<T> y) {
        List<T> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }

    private static void vmTable(StringBuilder sb, Allocation a, VmAllocation va, String color) {
        String name = va.vm().name();
        sb.append("<div class=\"vm\">\n<table class=\"vm-table\" id=\"table-")
                .append(esc(name))
                .append("\" data-vm=\"")
                .append(esc(name))
                .append("\">\n");
        sb.append("<tr><th colspan=\"2\" style=\"background:")
                .append(VmColors.tint(color, 0.35))
                .append(";border-left:6px solid ")
                .append(VmColors.tint(color, 0.8))
                .append("\">")
                .append(esc(name))
                .append(va.vm().primary() ? " (primary)" : "")
                .append("</th></tr>\n");
        row(sb, "VMID", "0x" + Integer.toHexString(va.vmid()));
        row(sb, "owner", va.vm().primary() ? "-" : va.vm().owner().orElse("(the primary)"));
        row(
                sb,
                "memory",
                va.memory()
                        .map(m -> MemoryMapSvg.range(m) + " (" + Sizes.format(m.size()) + ")")
                        .orElse("-"));
        row(
                sb,
                "CPUs",
                (va.cpus().isEmpty() ? "-" : ResourceTable.spans(va.cpus())) + " ("
                        + va.vm().scheduling().yaml() + ")");
        row(sb, "SPIs", va.spis().isEmpty() ? "-" : ResourceTable.spans(va.spis()));
        List<String> virqs = new ArrayList<>();
        for (Virq v : va.virqs()) {
            virqs.add(v.intid() + " " + v.purpose());
        }
        rowLines(sb, "VIRQs", virqs);
        List<String> devices = new ArrayList<>();
        for (PassedDevice d : va.devices()) {
            devices.add(d.device()
                    .map(dev -> dev.path()
                            + (dev.mmio().isEmpty()
                                    ? ""
                                    : " "
                                            + String.join(
                                                    ", ",
                                                    dev.mmio().stream()
                                                            .map(MemoryMapSvg::range)
                                                            .toList())))
                    .orElse(d.ref().ref() + " (not found)"));
        }
        rowLines(sb, "passthrough devices", devices);
        List<String> vdevices = new ArrayList<>();
        for (VDevice v : va.vm().vdevices()) {
            vdevices.add(v.type().yaml() + " label " + v.label() + " → " + v.peer());
        }
        for (VmAllocation other : a.vms()) {
            for (VDevice v : other.vm().vdevices()) {
                if (v.peer().equals(name) && !other.vm().name().equals(name)) {
                    vdevices.add(v.type().yaml() + " label " + v.label() + " ← "
                            + other.vm().name());
                }
            }
        }
        rowLines(sb, "vdevices", vdevices);
        sb.append("</table>\n</div>\n");
    }

    private static void row(StringBuilder sb, String key, String value) {
        sb.append("<tr><th>")
                .append(esc(key))
                .append("</th><td>")
                .append(esc(value))
                .append("</td></tr>\n");
    }

    private static void rowLines(StringBuilder sb, String key, List<String> values) {
        sb.append("<tr><th>").append(esc(key)).append("</th><td>");
        if (values.isEmpty()) {
            sb.append('-');
        }
        for (int i = 0; i < values.size(); i++) {
            sb.append(i > 0 ? "<br>" : "").append(esc(values.get(i)));
        }
        sb.append("</td></tr>\n");
    }
}
