package dev.gunyahdt.partitioner.allocate;

import dev.gunyahdt.partitioner.plan.VmPlan.Scheduling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Warnings about where vCPUs ended up (issue 12, item 4); they never refuse a plan. */
public final class Placement {

    private Placement() {}

    /**
     * One line per static/sticky vCPU placed on a CPU another VM's pinned vCPU holds while some CPU has no
     * vCPU at all, naming the VM, the vCPU, the CPU, the pinned VM and the idle CPUs.
     */
    public static List<String> warnings(Allocation a) {
        int cpuCount = a.board().inventory().cpus().size();
        Map<Integer, String> pinnedBy = new TreeMap<>();
        TreeSet<Integer> idle = new TreeSet<>();
        for (int c = 0; c < cpuCount; c++) {
            idle.add(c);
        }
        for (Allocation.VmAllocation va : a.vms()) {
            idle.removeAll(va.cpus());
            if (va.vm().scheduling() == Scheduling.PINNED) {
                va.cpus().forEach(c -> pinnedBy.putIfAbsent(c, va.vm().name()));
            }
        }
        List<String> out = new ArrayList<>();
        if (idle.isEmpty()) {
            return out;
        }
        for (Allocation.VmAllocation va : a.vms()) {
            Scheduling s = va.vm().scheduling();
            if (s != Scheduling.STATIC && s != Scheduling.STICKY) {
                continue;
            }
            for (int i = 0; i < va.cpus().size(); i++) {
                String holder = pinnedBy.get(va.cpus().get(i));
                if (holder != null && !holder.equals(va.vm().name())) {
                    out.add("placement: " + va.vm().affinity().pos() + ": VM '"
                            + va.vm().name() + "' vCPU " + i + " (" + s.yaml()
                            + ") is on CPU " + va.cpus().get(i) + ", which VM '" + holder
                            + "' holds pinned, while CPU(s) "
                            + idle.toString().replaceAll("[\\[\\] ]", "") + " have no vCPU");
                }
            }
        }
        return out;
    }
}
