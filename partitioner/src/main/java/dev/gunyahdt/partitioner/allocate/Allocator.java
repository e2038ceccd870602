package dev.gunyahdt.partitioner.allocate;

import dev.gunyahdt.partitioner.allocate.Allocation.PassedDevice;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.Virq;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Cpu;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Interrupt;
import dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptKind;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Reserved;
import dev.gunyahdt.partitioner.plan.VmPlan;
import dev.gunyahdt.partitioner.plan.VmPlan.CpuRef;
import dev.gunyahdt.partitioner.plan.VmPlan.DeviceRef;
import dev.gunyahdt.partitioner.plan.VmPlan.Scheduling;
import dev.gunyahdt.partitioner.plan.VmPlan.VDevice;
import dev.gunyahdt.partitioner.plan.VmPlan.VDeviceType;
import dev.gunyahdt.partitioner.plan.VmPlan.Vm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Shares a board out to a plan's VMs, deterministically: the hypervisor's carve-out first (its
 * base, or the highest 2 MiB-aligned place that fits), then every explicitly placed VM and shm
 * region, then the rest in plan order, lowest address first; automatic placements are 2 MiB
 * aligned and avoid every static {@code /reserved-memory} region. It does not judge: overlaps,
 * unknown names and exhausted windows are left for {@code dev.gunyahdt.partitioner.rules}.
 */
public final class Allocator {

    public static final long ALIGN = 2L << 20;
    /** VMIDs (gunyah-model.md §8.4): HLOS 3; QEMU's secondary bitmap 4..31; dynamic 0x80..0xBE. */
    public static final int HLOS_VMID = 3;

    public static final int DYNAMIC_FIRST = 0x80;
    public static final int DYNAMIC_LAST = 0xBE;
    /** The VIRQs the RM gives a VM (gunyah-model.md §6.3): INTID 960..1019. */
    public static final int VIRQ_FIRST = 960;

    public static final int VIRQ_LAST = 1019;

    private final VmPlan plan;
    private final BoardView board;
    /**
     * Free physical memory, by base address, never overlapping: a tree, so taking a region costs
     * log n plus the pieces it touches rather than a pass over every memory range.
     */
    private final TreeSet<Range> free = new TreeSet<>();

    private Allocator(VmPlan plan, BoardView board) {
        this.plan = plan;
        this.board = board;
    }

    public static Allocation allocate(VmPlan plan, BoardView board) {
        return new Allocator(plan, board).run();
    }

    private Allocation run() {
        addMemory(board.inventory().memory());
        for (Reserved r : board.inventory().reserved()) {
            r.reg().forEach(this::take);
        }
        Optional<Range> hyp = placeHypervisor();
        // explicit placements before automatic ones, so an automatic one never lands on them
        for (Vm vm : plan.vms()) {
            vm.memory().base().ifPresent(b -> take(new Range(b, vm.memory().size())));
        }
        for (Vm vm : plan.vms()) {
            for (VDevice d : vm.vdevices()) {
                if (d.type().sharesMemory()) {
                    d.base().ifPresent(b -> take(new Range(b, d.size())));
                }
            }
        }
        Map<String, Optional<Range>> memory = new LinkedHashMap<>();
        for (Vm vm : plan.vms()) {
            memory.put(
                    vm.name(),
                    vm.memory().base().isPresent()
                            ? Optional.of(new Range(
                                    vm.memory().base().getAsLong(), vm.memory().size()))
                            : lowest(vm.memory().size()));
        }
        List<SharedRegion> shared = new ArrayList<>();
        for (Vm vm : plan.vms()) {
            for (VDevice d : vm.vdevices()) {
                if (d.type().sharesMemory()) {
                    Optional<Range> r = d.base().isPresent()
                            ? Optional.of(new Range(d.base().getAsLong(), d.size()))
                            : lowest(d.size());
                    shared.add(new SharedRegion(vm.name(), d, r, new HashSet<>(List.of(vm.name(), d.peer()))));
                }
            }
        }
        Map<String, Integer> vmids = vmids();
        Map<String, List<Integer>> cpus = cpus();
        Map<String, List<Virq>> virqs = virqs();
        List<VmAllocation> out = new ArrayList<>();
        Function<String, Optional<Device>> devices = board.deviceLookup();
        for (Vm vm : plan.vms()) {
            List<PassedDevice> passed = new ArrayList<>();
            TreeSet<Long> spis = new TreeSet<>();
            for (DeviceRef ref : vm.devices()) {
                Optional<Device> d = devices.apply(ref.ref());
                passed.add(new PassedDevice(ref, d));
                d.ifPresent(dev -> spis.addAll(spisOf(dev)));
            }
            out.add(new VmAllocation(
                    vm,
                    vmids.get(vm.name()),
                    memory.get(vm.name()),
                    cpus.get(vm.name()),
                    passed,
                    spis,
                    virqs.get(vm.name())));
        }
        return new Allocation(plan, board, hyp, out, shared);
    }

    /** The hardware SPI numbers a device raises at the GIC: its own, and those its interrupt-map routes. */
    public static Set<Long> spisOf(Device d) {
        Set<Long> s = new TreeSet<>();
        for (List<Interrupt> l : List.of(d.interrupts(), d.mapped())) {
            for (Interrupt i : l) {
                if (i.kind() == InterruptKind.SPI) {
                    s.add(i.number());
                }
            }
        }
        return s;
    }

    // ---- memory ----------------------------------------------------------------------------------

    private Optional<Range> placeHypervisor() {
        VmPlan.Hypervisor h = plan.hypervisor();
        if (h.base().isPresent()) {
            Range r = new Range(h.base().getAsLong(), h.size());
            take(r);
            return Optional.of(r);
        }
        long need = roundUp(h.size());
        for (Range f : free.descendingSet()) {
            if (need == 0) {
                break;
            }
            long end = f.base() + f.size(); // may wrap to 0 for a range ending at 2^64
            long base = (end - need) & -ALIGN;
            if (Long.compareUnsigned(f.size(), need) >= 0 && Long.compareUnsigned(base, f.base()) >= 0) {
                Range r = new Range(base, h.size());
                take(new Range(base, need));
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The lowest 2 MiB-aligned free place for {@code size} bytes, taken; empty when none. */
    private Optional<Range> lowest(long size) {
        long need = roundUp(size);
        if (need == 0) {
            return Optional.empty();
        }
        for (Range f : free) {
            long base = roundUp(f.base());
            if (base == 0 && f.base() != 0) {
                continue; // alignment wrapped past 2^64
            }
            long skip = base - f.base();
            if (Long.compareUnsigned(skip, f.size()) < 0 && Long.compareUnsigned(need, f.size() - skip) <= 0) {
                Range r = new Range(base, size);
                take(new Range(base, need));
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private static long roundUp(long v) {
        long r = (v + ALIGN - 1) & -ALIGN;
        return Long.compareUnsigned(r, v) < 0 ? 0 : r; // 0 = does not fit in 64 bits
    }

    /**
     * The board's memory as free pieces. Ranges that overlap (two memory nodes naming the same
     * bytes) become one piece, so the pieces never overlap; ranges that only touch stay apart, as
     * a VM must lie inside one bank.
     */
    private void addMemory(List<Range> sortedMemory) {
        Range cur = null;
        for (Range r : sortedMemory) {
            if (r.size() == 0) {
                continue;
            }
            if (cur != null && Long.compareUnsigned(r.base(), cur.last()) <= 0) {
                long last = Long.compareUnsigned(r.last(), cur.last()) > 0 ? r.last() : cur.last();
                cur = new Range(cur.base(), last - cur.base() + 1);
            } else {
                if (cur != null) {
                    free.add(cur);
                }
                cur = r;
            }
        }
        if (cur != null) {
            free.add(cur);
        }
    }

    /** Removes {@code r} from the free pieces (whatever part of it is free). */
    private void take(Range r) {
        if (r.size() == 0) {
            return;
        }
        long lo = r.base();
        long hi = r.base() + r.size(); // exclusive; 0 means 2^64
        // pieces never overlap, so only the one starting at or before lo can reach into r from below
        Range first = free.floor(new Range(lo, -1L));
        List<Range> hit = new ArrayList<>();
        for (Range f : first == null ? free : free.tailSet(first, true)) {
            if (!lessThanEnd(f.base(), hi)) {
                break;
            }
            if (lessThanEnd(lo, f.base() + f.size())) {
                hit.add(f);
            }
        }
        for (Range f : hit) {
            long fLo = f.base();
            long fHi = f.base() + f.size();
            free.remove(f);
            if (Long.compareUnsigned(fLo, lo) < 0) {
                free.add(new Range(fLo, lo - fLo));
            }
            if (hi != 0 && lessThanEnd(hi, fHi)) {
                free.add(new Range(hi, fHi - hi));
            }
        }
    }

    /** a < end, where an end of 0 stands for 2^64. */
    private static boolean lessThanEnd(long a, long end) {
        return end == 0 || Long.compareUnsigned(a, end) < 0;
    }

    // ---- VMIDs, CPUs, VIRQs ----------------------------------------------------------------------

    private Map<String, Integer> vmids() {
        Set<Integer> used = new HashSet<>();
        for (Vm vm : plan.vms()) {
            vm.vmid().ifPresent(used::add);
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        int next = DYNAMIC_FIRST;
        boolean primarySeen = false;
        for (Vm vm : plan.vms()) {
            if (vm.vmid().isPresent()) {
                out.put(vm.name(), vm.vmid().getAsInt());
                primarySeen |= vm.primary();
            } else if (vm.primary() && !primarySeen) {
                primarySeen = true;
                out.put(vm.name(), HLOS_VMID);
                used.add(HLOS_VMID);
            } else {
                while (used.contains(next)) {
                    next++;
                }
                out.put(vm.name(), next); // past 0xBE when the range runs out: the vmid rule says so
                used.add(next);
            }
        }
        return out;
    }

    private Map<String, List<Integer>> cpus() {
        List<Cpu> all = board.inventory().cpus();
        Map<Long, Integer> byMpidr = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            byMpidr.putIfAbsent(all.get(i).mpidr(), i);
        }
        Set<Integer> pinned = new HashSet<>();
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (Vm vm : plan.vms()) {
            if (!vm.affinity().any() && vm.scheduling() != Scheduling.PROXY) {
                List<Integer> l = new ArrayList<>();
                for (CpuRef c : vm.affinity().cpus()) {
                    l.add(indexOf(all.size(), byMpidr, c));
                }
                if (vm.scheduling() == Scheduling.PINNED) {
                    l.stream().filter(i -> i >= 0).forEach(pinned::add);
                }
                out.put(vm.name(), l);
            }
        }
        int c = 0; // every CPU below c is pinned: pinning only adds, so the search never goes back
        for (Vm vm : plan.vms()) {
            if (out.containsKey(vm.name())) {
                continue;
            }
            List<Integer> l = new ArrayList<>();
            if (vm.scheduling() == Scheduling.PINNED) {
                for (int i = 0; i < vm.vcpus(); i++) {
                    while (c < all.size() && pinned.contains(c)) {
                        c++;
                    }
                    l.add(c < all.size() ? c : -1);
                    if (c < all.size()) {
                        pinned.add(c);
                    }
                }
            }
            out.put(vm.name(), l); // static/sticky "any": below, once every pinned vCPU is placed
        }
        spreadAny(out, pinned, all.size());
        return out;
    }

    /**
     * Static and sticky vCPUs with {@code affinity: any}, in plan order: each goes to the CPU no pinned vCPU
     * holds with the fewest vCPUs so far (lowest index on a tie), and only when every CPU is pinned to the least
     * loaded CPU overall — so a guest does not share a CPU with another VM's pinned vCPU while one sits idle.
     */
    private void spreadAny(Map<String, List<Integer>> out, Set<Integer> pinned, int cpuCount) {
        int[] load = new int[cpuCount];
        out.values().forEach(l -> l.stream().filter(i -> i >= 0 && i < cpuCount).forEach(i -> load[i]++));
        for (Vm vm : plan.vms()) {
            if (!vm.affinity().any() || vm.scheduling() == Scheduling.PINNED || vm.scheduling() == Scheduling.PROXY) {
                continue;
            }
            List<Integer> l = out.get(vm.name());
            for (int i = 0; i < vm.vcpus(); i++) {
                int best = -1;
                for (boolean allowPinned : new boolean[] {false, true}) {
                    for (int c = 0; c < cpuCount; c++) {
                        if ((allowPinned || !pinned.contains(c)) && (best < 0 || load[c] < load[best])) {
                            best = c;
                        }
                    }
                    if (best >= 0) {
                        break;
                    }
                }
                l.add(best);
                if (best >= 0) {
                    load[best]++;
                }
            }
        }
    }

    private static int indexOf(int cpuCount, Map<Long, Integer> byMpidr, CpuRef c) {
        if (!c.byMpidr()) {
            return c.value() >= 0 && c.value() < cpuCount ? (int) c.value() : -1;
        }
        return byMpidr.getOrDefault(c.value(), -1);
    }

    /**
     * The VIRQs each VM's VIC needs, numbered as the RM would hand them out if it created the VMs
     * in plan order (gunyah-model.md §6.3): RM-RPC tx/rx, then doorbells it receives, message
     * queues, message-queue pairs (2 each side); a proxy-scheduled VM's vCPU wakeups go to its owner.
     */
    private Map<String, List<Virq>> virqs() {
        Map<String, List<Virq>> out = new LinkedHashMap<>();
        for (Vm vm : plan.vms()) {
            out.put(vm.name(), new ArrayList<>());
        }
        for (Vm vm : plan.vms()) {
            add(out.get(vm.name()), "rm-rpc tx");
            add(out.get(vm.name()), "rm-rpc rx");
        }
        // one pass over the vdevices per kind, in plan order: each VM's list comes out kind by
        // kind, declarers in plan order, as the RM would number them
        for (VDeviceType t : List.of(VDeviceType.DOORBELL, VDeviceType.MESSAGE_QUEUE, VDeviceType.MESSAGE_QUEUE_PAIR)) {
            for (Vm decl : plan.vms()) {
                for (VDevice d : decl.vdevices()) {
                    if (d.type() != t) {
                        continue;
                    }
                    List<Virq> mine = out.get(decl.name());
                    List<Virq> peer = out.get(d.peer()); // null: no such VM, vdevice-peer-exists says so
                    String what = t.yaml() + " " + decl.name() + "->" + d.peer() + " label " + d.label();
                    switch (t) {
                        case DOORBELL -> addTo(peer, what);
                        case MESSAGE_QUEUE -> {
                            addTo(mine, what + " send");
                            addTo(peer, what + " receive");
                        }
                        default -> {
                            addTo(mine, what + " tx");
                            addTo(mine, what + " rx");
                            if (peer != mine) {
                                addTo(peer, what + " tx");
                                addTo(peer, what + " rx");
                            }
                        }
                    }
                }
            }
        }
        String primary = plan.vms().stream()
                .filter(Vm::primary)
                .map(Vm::name)
                .findFirst()
                .orElse(null);
        for (Vm vm : plan.vms()) {
            if (vm.scheduling() == Scheduling.PROXY) {
                String owner = vm.owner().orElse(primary);
                if (owner != null && out.containsKey(owner) && !owner.equals(vm.name())) {
                    for (int i = 0; i < vm.vcpus(); i++) {
                        add(out.get(owner), "vcpu-run wakeup " + vm.name() + " vcpu " + i);
                    }
                }
            }
        }
        return out;
    }

    private static void addTo(List<Virq> l, String purpose) {
        if (l != null) {
            add(l, purpose);
        }
    }

    private static void add(List<Virq> l, String purpose) {
        l.add(new Virq(VIRQ_FIRST + l.size(), purpose));
    }
}
