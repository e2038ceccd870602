package dev.gunyahdt.partitioner.rules;

import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.diag.Severity;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.PassedDevice;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.allocate.Allocator;
import dev.gunyahdt.partitioner.allocate.BoardView;
import dev.gunyahdt.partitioner.allocate.BoardView.MemoryBank;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Cpu;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Reserved;
import dev.gunyahdt.partitioner.inventory.RangeIndex;
import dev.gunyahdt.partitioner.plan.Pos;
import dev.gunyahdt.partitioner.plan.Sizes;
import dev.gunyahdt.partitioner.plan.VmPlan.CpuRef;
import dev.gunyahdt.partitioner.plan.VmPlan.Scheduling;
import dev.gunyahdt.partitioner.plan.VmPlan.VDevice;
import dev.gunyahdt.partitioner.plan.VmPlan.VDeviceType;
import dev.gunyahdt.partitioner.plan.VmPlan.Vm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The rule catalogue, in the order it runs. */
public final class Rules {

    /** Gunyah's message-queue limits (gunyah-model.md §3.1): depth 1..255, message size 1..1023 bytes. */
    public static final int MAX_QUEUE_DEPTH = 255;

    public static final int MAX_MESSAGE_SIZE = 1023;
    static final long PAGE = 4096;

    private Rules() {}

    public static final List<Rule> ALL = List.of(
            new Rule("vm-name-unique", "every VM has its own name", Rules::namesUnique),
            new Rule("primary-unique", "at most one VM is primary, and it has no owner", Rules::primaryUnique),
            new Rule(
                    "vmid-valid",
                    "VMIDs are unique and in the RM's ranges: primary 3, secondaries 4..31 or 0x80..0xbe",
                    Rules::vmids),
            new Rule("owner-exists", "every secondary's owner is another VM of the plan", Rules::ownersExist),
            new Rule("owner-acyclic", "ownership has no cycle", Rules::ownersAcyclic),
            new Rule("vdevice-peer-exists", "every vdevice's peer is another VM of the plan", Rules::peersExist),
            new Rule(
                    "vdevice-with-owner",
                    "shm and one-way message queues join a VM with its owner only (the RM's parse_shm_doorbell and"
                            + " parse_message_queue take peer-default, nothing else); a virtio-mmio's backend is the"
                            + " primary that owns the VM (parse_virtio_mmio, add_virtio_mmio)",
                    Rules::ownerOnlyVdevices),
            new Rule(
                    "queue-limits",
                    "queue depths 1..255 and message sizes 1..1023 bytes (Gunyah msgqueue limits)",
                    Rules::queueLimits),
            new Rule(
                    "memory-alignment",
                    "VM and hypervisor memory: 2 MiB-aligned sizes and bases; shm and virtio-mmio DMA: 4 KiB pages",
                    Rules::alignment),
            new Rule("memory-fits", "there is room in board memory for every automatic placement", Rules::fits),
            new Rule("memory-in-physical", "every region lies inside one physical memory bank", Rules::inPhysical),
            new Rule(
                    "memory-no-overlap",
                    "no overlap between VMs, the hypervisor, shm and no-map reserved memory, except a VM's memory with shm it is declared to share",
                    Rules::noOverlap),
            new Rule("cpu-exists", "affinity names existing CPUs, one per vCPU", Rules::cpusExist),
            new Rule(
                    "cpu-exclusive",
                    "a pinned vCPU has its physical CPU to itself among pinned vCPUs",
                    Rules::cpuExclusive),
            new Rule("device-exists", "every passthrough device is a device of the board", Rules::devicesExist),
            new Rule("device-exclusive", "a device is passed through to one VM only", Rules::deviceExclusive),
            new Rule("spi-exclusive", "every hardware SPI is owned by exactly one VM", Rules::spiExclusive),
            new Rule("virq-window", "a VM's vdevices fit its 60 VIRQs (INTID 960..1019)", Rules::virqWindow));

    /**
     * Every violation of every rule, rule by rule. When VM names repeat, only that is reported:
     * every later rule (and the allocator) tells VMs apart by name.
     */
    public static List<Finding> check(Allocation a) {
        List<Finding> out = new ArrayList<>();
        for (Rule r : ALL) {
            if (!out.isEmpty() && out.get(0).rule().equals("vm-name-unique")) {
                return out;
            }
            for (Finding f : r.check().apply(a)) {
                out.add(f.withRule(r.name()));
            }
        }
        return out;
    }

    /** A violation at {@code pos} in the plan; {@link #check} names it after the rule that found it. */
    private static Finding at(Pos pos, String message) {
        return Finding.at(pos.file(), pos.line(), pos.column(), Severity.ERROR, null, message);
    }

    // ---- identity and ownership ----------------------------------------------------------------

    private static List<Finding> namesUnique(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Map<String, Vm> seen = new HashMap<>();
        for (Vm vm : a.plan().vms()) {
            Vm first = seen.putIfAbsent(vm.name(), vm);
            if (first != null) {
                out.add(at(vm.pos(), "VM name '" + vm.name() + "' is already used at " + first.pos()));
            }
        }
        return out;
    }

    private static List<Finding> primaryUnique(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Vm first = null;
        for (Vm vm : a.plan().vms()) {
            if (!vm.primary()) {
                continue;
            }
            if (vm.owner().isPresent()) {
                out.add(at(vm.ownerPos(), "primary VM '" + vm.name() + "' cannot have an owner (the RM starts it)"));
            }
            if (first != null) {
                out.add(at(
                        vm.pos(),
                        "VM '" + vm.name() + "' is a second primary; '" + first.name() + "' at " + first.pos()
                                + " already is"));
            } else {
                first = vm;
            }
        }
        return out;
    }

    private static boolean validSecondary(int id) {
        return (id >= 4 && id <= 31) || (id >= Allocator.DYNAMIC_FIRST && id <= Allocator.DYNAMIC_LAST);
    }

    private static List<Finding> vmids(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Map<Integer, VmAllocation> seen = new HashMap<>();
        boolean primarySeen = false;
        for (VmAllocation v : a.vms()) {
            Vm vm = v.vm();
            if (vm.primary() && primarySeen) {
                continue; // a second primary: primary-unique reports it
            }
            primarySeen |= vm.primary();
            Pos at = vm.vmid().isPresent() ? vm.vmidPos() : vm.pos();
            String given = vm.vmid().isPresent() ? "" : " (given automatically)";
            if (vm.primary() && v.vmid() != Allocator.HLOS_VMID) {
                out.add(at(
                        at, "the primary VM '" + vm.name() + "' has VMID " + v.vmid() + "; the RM gives HLOS VMID 3"));
            } else if (!vm.primary() && !validSecondary(v.vmid())) {
                out.add(at(
                        at,
                        "VM '" + vm.name() + "' has VMID 0x" + Integer.toHexString(v.vmid()) + given
                                + ", outside the RM's secondary ranges 4..31 and 0x80..0xbe"));
            }
            VmAllocation first = seen.putIfAbsent(v.vmid(), v);
            if (first != null) {
                out.add(at(
                        at,
                        "VM '" + vm.name() + "' has VMID " + v.vmid() + ", which VM '"
                                + first.vm().name() + "' at "
                                + (first.vm().vmid().isPresent()
                                        ? first.vm().vmidPos()
                                        : first.vm().pos()) + " already has"));
            }
        }
        return out;
    }

    /** Each VM by name (the first of a name), for lookups in constant time. */
    private static Map<String, Vm> byName(Allocation a) {
        Map<String, Vm> m = new HashMap<>();
        for (Vm vm : a.plan().vms()) {
            m.putIfAbsent(vm.name(), vm);
        }
        return m;
    }

    /** A secondary's owner: its own, else the (first) primary's name; empty for a primary. */
    private static Optional<String> ownerOf(Optional<String> primary, Vm vm) {
        return vm.primary() ? Optional.empty() : vm.owner().or(() -> primary);
    }

    private static Optional<String> primaryName(Allocation a) {
        return a.plan().vms().stream().filter(Vm::primary).map(Vm::name).findFirst();
    }

    private static List<Finding> ownersExist(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Map<String, Vm> byName = byName(a);
        Optional<String> primary = primaryName(a);
        for (Vm vm : a.plan().vms()) {
            if (vm.primary()) {
                continue;
            }
            Optional<String> owner = ownerOf(primary, vm);
            if (owner.isEmpty()) {
                out.add(at(
                        vm.pos(),
                        "secondary VM '" + vm.name()
                                + "' has no owner: name one with 'owner' or mark a VM 'primary: true'"));
            } else if (owner.get().equals(vm.name())) {
                out.add(at(vm.ownerPos(), "VM '" + vm.name() + "' cannot own itself"));
            } else if (!byName.containsKey(owner.get())) {
                out.add(at(
                        vm.ownerPos(),
                        "VM '" + vm.name() + "' names owner '" + owner.get() + "', which the plan does not have"
                                + names(a)));
            }
        }
        return out;
    }

    /**
     * Ownership is a function (each VM has at most one owner), so its cycles are disjoint and one
     * walk with three colours finds them all in linear time. Each is reported once, from its member
     * that comes first in the plan, following the owners from there.
     */
    private static List<Finding> ownersAcyclic(Allocation a) {
        List<Vm> vms = a.plan().vms();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < vms.size(); i++) {
            index.putIfAbsent(vms.get(i).name(), i);
        }
        Optional<String> primary = primaryName(a);
        int[] next = new int[vms.size()];
        for (int i = 0; i < vms.size(); i++) {
            String here = vms.get(i).name();
            next[i] = ownerOf(primary, vms.get(i))
                    .filter(n -> !n.equals(here))
                    .map(index::get)
                    .orElse(-1);
        }
        int[] state = new int[vms.size()]; // 0 unseen, 1 on the current walk, 2 done
        java.util.TreeMap<Integer, Finding> found = new java.util.TreeMap<>();
        for (int s = 0; s < vms.size(); s++) {
            List<Integer> walk = new ArrayList<>();
            int cur = s;
            while (cur >= 0 && state[cur] == 0) {
                state[cur] = 1;
                walk.add(cur);
                cur = next[cur];
            }
            if (cur >= 0 && state[cur] == 1) {
                List<Integer> cycle = walk.subList(walk.indexOf(cur), walk.size());
                int first = cycle.stream().min(Integer::compare).orElseThrow();
                StringBuilder b = new StringBuilder("ownership loops: ");
                int c = first;
                do {
                    b.append("'")
                            .append(vms.get(c).name())
                            .append("' (owner at ")
                            .append(vms.get(c).ownerPos())
                            .append(") -> ");
                    c = next[c];
                } while (c != first);
                b.append("'").append(vms.get(first).name()).append("'");
                found.put(first, at(vms.get(first).ownerPos(), b.toString()));
            }
            walk.forEach(w -> state[w] = 2);
        }
        return new ArrayList<>(found.values());
    }

    private static List<Finding> peersExist(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Map<String, Vm> byName = byName(a);
        for (Vm vm : a.plan().vms()) {
            for (VDevice d : vm.vdevices()) {
                if (d.peer().equals(vm.name())) {
                    out.add(at(d.peerPos(), d.type().yaml() + " of VM '" + vm.name() + "' names itself as peer"));
                } else if (!byName.containsKey(d.peer())) {
                    out.add(at(
                            d.peerPos(),
                            d.type().yaml() + " of VM '" + vm.name() + "' names peer '" + d.peer()
                                    + "', which the plan does not have" + names(a)));
                }
            }
        }
        return out;
    }

    /**
     * The real RM builds {@code shm} and {@code message-queue} vdevices only between a VM and its owner: their
     * config nodes must say {@code peer-default}, and a {@code peer} is a fatal parse error. Between two
     * secondaries, share memory with the owner in each, or use a message-queue pair.
     */
    private static List<Finding> ownerOnlyVdevices(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Map<String, Vm> byName = byName(a);
        for (Vm vm : a.plan().vms()) {
            for (VDevice d : vm.vdevices()) {
                if (d.type() != VDeviceType.SHM
                        && d.type() != VDeviceType.MESSAGE_QUEUE
                        && d.type() != VDeviceType.VIRTIO_MMIO) {
                    continue;
                }
                Vm peer = byName.get(d.peer());
                if (peer == null || peer == vm) {
                    continue; // vdevice-peer-exists says why
                }
                if (d.type() == VDeviceType.VIRTIO_MMIO) {
                    // parse_virtio_mmio takes peer-default only and add_virtio_mmio makes HLOS the backend
                    if (!peer.primary() || !ownerName(a, vm).equals(peer.name())) {
                        out.add(at(
                                d.peerPos(),
                                "virtio-mmio of '" + vm.name() + "' names backend '" + peer.name()
                                        + "': the Gunyah RM's backend is always HLOS, through peer-default, so the"
                                        + " peer must be the primary and own '" + vm.name() + "'"));
                    }
                    continue;
                }
                if (!ownerName(a, vm).equals(peer.name()) && !ownerName(a, peer).equals(vm.name())) {
                    out.add(at(
                            d.peerPos(),
                            d.type().yaml() + " between '" + vm.name() + "' and '" + peer.name()
                                    + "': the Gunyah RM builds a " + d.type().yaml()
                                    + " only between a VM and its owner"
                                    + " (peer-default); neither owns the other. Make the peer the owner ('"
                                    + ownerName(a, vm) + "')"
                                    + (d.type() == VDeviceType.SHM
                                            ? ", in each VM that shares the buffer"
                                            : ", or use a message-queue-pair")));
                }
            }
        }
        return out;
    }

    /** A VM's owner: its {@code owner}, else the primary (the RM's HLOS). */
    static String ownerName(Allocation a, Vm vm) {
        if (vm.primary()) {
            return "";
        }
        return vm.owner()
                .orElseGet(() -> a.plan().vms().stream()
                        .filter(Vm::primary)
                        .map(Vm::name)
                        .findFirst()
                        .orElse(""));
    }

    private static String names(Allocation a) {
        return " (VMs: "
                + String.join(", ", a.plan().vms().stream().map(Vm::name).toList()) + ")";
    }

    private static List<Finding> queueLimits(Allocation a) {
        List<Finding> out = new ArrayList<>();
        for (Vm vm : a.plan().vms()) {
            for (VDevice d : vm.vdevices()) {
                if (d.type() != VDeviceType.MESSAGE_QUEUE && d.type() != VDeviceType.MESSAGE_QUEUE_PAIR) {
                    continue;
                }
                if (d.queueDepth() < 1 || d.queueDepth() > MAX_QUEUE_DEPTH) {
                    out.add(at(
                            d.queueDepthPos(),
                            "queue-depth " + d.queueDepth() + " of " + d.type().yaml() + " '" + vm.name() + "'->'"
                                    + d.peer() + "' is outside Gunyah's 1.." + MAX_QUEUE_DEPTH));
                }
                if (d.messageSize() < 1 || d.messageSize() > MAX_MESSAGE_SIZE) {
                    out.add(at(
                            d.messageSizePos(),
                            "message-size " + d.messageSize() + " of "
                                    + d.type().yaml() + " '" + vm.name() + "'->'" + d.peer()
                                    + "' is outside Gunyah's 1.." + MAX_MESSAGE_SIZE + " bytes"));
                }
            }
        }
        return out;
    }

    // ---- memory --------------------------------------------------------------------------------

    private static List<Finding> alignment(Allocation a) {
        List<Finding> out = new ArrayList<>();
        var h = a.plan().hypervisor();
        if (h.size() == 0 || h.size() % Allocator.ALIGN != 0) {
            out.add(at(h.pos(), "hypervisor size " + Sizes.format(h.size()) + " is not a non-zero multiple of 2MiB"));
        }
        if (h.base().isPresent() && h.base().getAsLong() % Allocator.ALIGN != 0) {
            out.add(at(
                    h.pos(), "hypervisor base 0x" + Long.toHexString(h.base().getAsLong()) + " is not 2MiB-aligned"));
        }
        for (Vm vm : a.plan().vms()) {
            var m = vm.memory();
            if (m.size() == 0 || Long.remainderUnsigned(m.size(), Allocator.ALIGN) != 0) {
                out.add(at(
                        m.pos(),
                        "memory of VM '" + vm.name() + "' (" + Sizes.format(m.size())
                                + ") is not a non-zero multiple of 2MiB"));
            }
            if (m.base().isPresent() && Long.remainderUnsigned(m.base().getAsLong(), Allocator.ALIGN) != 0) {
                out.add(at(
                        m.pos(),
                        "memory base 0x" + Long.toHexString(m.base().getAsLong()) + " of VM '" + vm.name()
                                + "' is not 2MiB-aligned"));
            }
            for (VDevice d : vm.vdevices()) {
                if (!d.type().sharesMemory()) {
                    continue;
                }
                if (d.size() == 0 || Long.remainderUnsigned(d.size(), PAGE) != 0) {
                    out.add(at(
                            d.sizePos(),
                            d.type().yaml() + " size " + Sizes.format(d.size())
                                    + " is not a non-zero multiple of 4KiB"));
                }
                if (d.base().isPresent() && Long.remainderUnsigned(d.base().getAsLong(), PAGE) != 0) {
                    out.add(at(
                            d.pos(),
                            d.type().yaml() + " base 0x"
                                    + Long.toHexString(d.base().getAsLong()) + " is not 4KiB-aligned"));
                }
            }
        }
        return out;
    }

    private static String banks(Allocation a) {
        List<String> l = new ArrayList<>();
        for (MemoryBank b : a.board().banks()) {
            l.add(b.range() + " (" + b.path() + " at " + BoardView.where(b.span()) + ")");
        }
        return l.isEmpty() ? "the board declares no memory" : "board memory: " + String.join(", ", l);
    }

    private static List<Finding> fits(Allocation a) {
        List<Finding> out = new ArrayList<>();
        if (a.hypervisor().isEmpty()) {
            out.add(at(
                    a.plan().hypervisor().pos(),
                    "no room for the hypervisor's "
                            + Sizes.format(a.plan().hypervisor().size()) + "; " + banks(a)));
        }
        for (VmAllocation v : a.vms()) {
            if (v.memory().isEmpty()) {
                out.add(at(
                        v.vm().memory().pos(),
                        "no room left for the " + Sizes.format(v.vm().memory().size()) + " of VM '" + v.vm().name()
                                + "'; " + banks(a)));
            }
        }
        for (SharedRegion s : a.shared()) {
            if (s.range().isEmpty()) {
                out.add(at(
                        s.vdevice().sizePos(),
                        "no room left for the " + Sizes.format(s.vdevice().size()) + " shm of VM '" + s.declaredBy()
                                + "'; " + banks(a)));
            }
        }
        return out;
    }

    /** A region some party of the plan (or the board) holds, for the overlap and containment rules. */
    record Held(String what, Range range, Pos pos, String boardWhere, Set<String> vms, boolean shm) {}

    static List<Held> held(Allocation a) {
        List<Held> l = new ArrayList<>();
        a.hypervisor()
                .ifPresent(r -> l.add(
                        new Held("the hypervisor", r, a.plan().hypervisor().pos(), null, Set.of(), false)));
        for (VmAllocation v : a.vms()) {
            v.memory()
                    .ifPresent(r -> l.add(new Held(
                            "VM '" + v.vm().name() + "'",
                            r,
                            v.vm().memory().pos(),
                            null,
                            Set.of(v.vm().name()),
                            false)));
        }
        for (SharedRegion s : a.shared()) {
            s.range()
                    .ifPresent(r -> l.add(new Held(
                            "shm of '" + s.declaredBy() + "' and '"
                                    + s.vdevice().peer() + "'",
                            r,
                            s.vdevice().pos(),
                            null,
                            s.sharers(),
                            true)));
        }
        return l;
    }

    private static List<Finding> inPhysical(Allocation a) {
        List<Finding> out = new ArrayList<>();
        RangeIndex banks =
                RangeIndex.of(a.board().banks().stream().map(MemoryBank::range).toList());
        for (Held h : held(a)) {
            if (h.range().size() == 0) {
                continue;
            }
            boolean inside = banks.holds(h.range());
            if (!inside) {
                out.add(at(h.pos(), h.what() + " at " + h.range() + " is not inside physical memory; " + banks(a)));
            }
        }
        return out;
    }

    static boolean overlap(Range x, Range y) {
        return x.size() != 0
                && y.size() != 0
                && Long.compareUnsigned(x.base(), y.last()) <= 0
                && Long.compareUnsigned(y.base(), x.last()) <= 0;
    }

    /**
     * Every overlapping pair, found by a sweep over the regions sorted by base (n log n plus the
     * pairs found), then reported in the order of a pass over all pairs: by the earlier region of
     * the pair in {@link #held} order, its overlaps with later regions before those with no-map
     * reserved memory.
     */
    private static List<Finding> noOverlap(Allocation a) {
        List<Held> l = held(a);
        List<Range> noMap = new ArrayList<>();
        List<Reserved> noMapOf = new ArrayList<>();
        for (Reserved r : a.board().inventory().reserved()) {
            if (r.noMap()) {
                for (Range rr : r.reg()) {
                    noMap.add(rr);
                    noMapOf.add(r);
                }
            }
        }
        // sweep items: held regions are 0..n-1, no-map ranges n..; a pair is reported only once
        List<Range> ranges = new ArrayList<>();
        l.forEach(h -> ranges.add(h.range()));
        ranges.addAll(noMap);
        java.util.TreeMap<Long, Finding> messages = new java.util.TreeMap<>();
        for (long[] pair : overlappingPairs(ranges)) {
            int i = (int) Math.min(pair[0], pair[1]);
            int j = (int) Math.max(pair[0], pair[1]);
            if (i >= l.size()) {
                continue; // two reserved ranges: the board's business
            }
            Held x = l.get(i);
            if (j < l.size()) {
                Held y = l.get(j);
                if (!sharedOnPurpose(x, y)) {
                    messages.put(
                            (long) i * ranges.size() + j,
                            at(
                                    y.pos(),
                                    y.what() + " at " + y.range() + " overlaps " + x.what() + " at " + x.range() + " ("
                                            + x.pos() + ")"));
                }
            } else {
                Range rr = noMap.get(j - l.size());
                Reserved r = noMapOf.get(j - l.size());
                messages.put(
                        (long) i * ranges.size() + j,
                        at(
                                x.pos(),
                                x.what() + " at " + x.range() + " overlaps no-map reserved memory " + rr + " ("
                                        + r.path() + " at " + BoardView.where(r.span()) + ")"));
            }
        }
        return new ArrayList<>(messages.values());
    }

    /** The index pairs of ranges that {@link #overlap}: sorted by base, each checked against the still-open ones. */
    static List<long[]> overlappingPairs(List<Range> ranges) {
        Integer[] order = new Integer[ranges.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> ranges.get(p).compareTo(ranges.get(q)));
        // open: ranges that started earlier, by last address, so the ended ones leave from the front
        java.util.TreeSet<Integer> open = new java.util.TreeSet<>((p, q) -> {
            int c = Long.compareUnsigned(ranges.get(p).last(), ranges.get(q).last());
            return c != 0 ? c : Integer.compare(p, q);
        });
        List<long[]> out = new ArrayList<>();
        for (int k : order) {
            Range r = ranges.get(k);
            if (r.size() == 0) {
                continue;
            }
            while (!open.isEmpty()
                    && Long.compareUnsigned(ranges.get(open.first()).last(), r.base()) < 0) {
                open.pollFirst();
            }
            for (int o : open) {
                out.add(new long[] {o, k});
            }
            open.add(k);
        }
        return out;
    }

    /** A VM's own memory may hold shm it shares; nothing else may overlap. */
    private static boolean sharedOnPurpose(Held x, Held y) {
        if (x.shm() == y.shm()) {
            return false;
        }
        Held vm = x.shm() ? y : x;
        Held shm = x.shm() ? x : y;
        return !vm.vms().isEmpty() && shm.vms().containsAll(vm.vms());
    }

    // ---- CPUs ----------------------------------------------------------------------------------

    private static List<Finding> cpusExist(Allocation a) {
        List<Finding> out = new ArrayList<>();
        List<Cpu> all = a.board().inventory().cpus();
        String cpusAt = a.board()
                .tree()
                .find("/cpus")
                .map(c -> BoardView.where(c.node().span()))
                .orElse("(no /cpus)");
        for (VmAllocation v : a.vms()) {
            Vm vm = v.vm();
            if (vm.affinity().any()) {
                if (vm.scheduling() != Scheduling.PROXY && all.isEmpty()) {
                    out.add(at(vm.affinity().pos(), "VM '" + vm.name() + "' needs CPUs and the board has none"));
                }
                continue;
            }
            if (vm.affinity().cpus().size() != vm.vcpus()) {
                out.add(at(
                        vm.affinity().pos(),
                        "VM '" + vm.name() + "' has " + vm.vcpus() + " vCPUs (" + vm.vcpusPos()
                                + ") but affinity names " + vm.affinity().cpus().size() + " CPUs"));
            }
            for (int i = 0; i < vm.affinity().cpus().size(); i++) {
                CpuRef c = vm.affinity().cpus().get(i);
                if (vm.scheduling() != Scheduling.PROXY && v.cpus().get(i) < 0) {
                    out.add(at(
                            c.pos(),
                            "VM '" + vm.name() + "' names " + c + ", which the board does not have (" + all.size()
                                    + " CPUs in /cpus at " + cpusAt + ")"));
                }
            }
        }
        return out;
    }

    private static List<Finding> cpuExclusive(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Map<Integer, String> owner = new HashMap<>();
        Map<Integer, Pos> ownerPos = new HashMap<>();
        List<Cpu> all = a.board().inventory().cpus();
        for (VmAllocation v : a.vms()) {
            Vm vm = v.vm();
            if (vm.scheduling() != Scheduling.PINNED) {
                continue;
            }
            for (int i = 0; i < v.cpus().size(); i++) {
                int c = v.cpus().get(i);
                Pos at = vm.affinity().any()
                        ? vm.affinity().pos()
                        : vm.affinity().cpus().get(i).pos();
                if (c < 0) {
                    if (vm.affinity().any()) {
                        out.add(at(
                                at,
                                "no physical CPU is left for pinned vCPU " + i + " of VM '" + vm.name() + "' ("
                                        + all.size() + " CPUs, all pinned)"));
                    }
                    continue;
                }
                String prev = owner.putIfAbsent(c, vm.name() + " vCPU " + i);
                if (prev != null) {
                    Cpu cpu = all.get(c);
                    out.add(at(
                            at,
                            "pinned vCPU " + i + " of VM '" + vm.name() + "' is on " + cpu.path() + " ("
                                    + BoardView.where(cpu.span()) + "), where pinned " + prev + " already is ("
                                    + ownerPos.get(c) + ")"));
                } else {
                    ownerPos.put(c, at);
                }
            }
        }
        return out;
    }

    // ---- devices and interrupts ------------------------------------------------------------------

    private static List<Finding> devicesExist(Allocation a) {
        List<Finding> out = new ArrayList<>();
        for (VmAllocation v : a.vms()) {
            for (PassedDevice d : v.devices()) {
                if (d.device().isEmpty()) {
                    out.add(at(
                            d.ref().pos(),
                            "VM '" + v.vm().name() + "' passes through '"
                                    + d.ref().ref() + "', which is no device, label or alias of the board"));
                }
            }
        }
        return out;
    }

    private static List<Finding> deviceExclusive(Allocation a) {
        List<Finding> out = new ArrayList<>();
        Map<String, Map.Entry<VmAllocation, PassedDevice>> seen = new LinkedHashMap<>();
        for (VmAllocation v : a.vms()) {
            for (PassedDevice d : v.devices()) {
                if (d.device().isEmpty()) {
                    continue;
                }
                Device dev = d.device().get();
                var first = seen.putIfAbsent(dev.path(), Map.entry(v, d));
                if (first != null) {
                    String who = first.getKey() == v
                            ? "it already takes"
                            : "VM '" + first.getKey().vm().name() + "' already has";
                    out.add(at(
                            d.ref().pos(),
                            "VM '" + v.vm().name() + "' passes through " + dev.path() + " ("
                                    + BoardView.where(dev.span()) + "), which " + who + " ("
                                    + first.getValue().ref().pos() + ")"));
                }
            }
        }
        return out;
    }

    private static List<Finding> spiExclusive(Allocation a) {
        List<Finding> out = new ArrayList<>();
        record Owner(VmAllocation vm, PassedDevice via) {}
        Map<Long, Owner> owners = new HashMap<>();
        for (VmAllocation v : a.vms()) {
            for (PassedDevice d : v.devices()) {
                if (d.device().isEmpty()) {
                    continue;
                }
                Device dev = d.device().get();
                for (long spi : Allocator.spisOf(dev)) {
                    Owner first = owners.putIfAbsent(spi, new Owner(v, d));
                    if (first == null || first.vm() == v) {
                        continue;
                    }
                    Device other = first.via().device().get();
                    if (other.path().equals(dev.path())) {
                        continue; // the same device twice: device-exclusive says so
                    }
                    out.add(at(
                            d.ref().pos(),
                            "SPI " + spi + " (INTID " + (spi + 32) + ") of " + dev.path() + " ("
                                    + BoardView.where(dev.span()) + ") passed to VM '" + v.vm().name()
                                    + "' is also raised by "
                                    + other.path() + " (" + BoardView.where(other.span()) + ") passed to VM '"
                                    + first.vm().vm().name()
                                    + "' (" + first.via().ref().pos() + ")"));
                }
            }
        }
        return out;
    }

    private static List<Finding> virqWindow(Allocation a) {
        List<Finding> out = new ArrayList<>();
        int window = Allocator.VIRQ_LAST - Allocator.VIRQ_FIRST + 1;
        for (VmAllocation v : a.vms()) {
            if (v.virqs().size() > window) {
                Map<String, Integer> kinds = new LinkedHashMap<>();
                v.virqs().forEach(q -> kinds.merge(q.purpose().split(" ")[0], 1, Integer::sum));
                out.add(at(
                        v.vm().pos(),
                        "VM '" + v.vm().name() + "' needs " + v.virqs().size() + " VIRQs but the RM has " + window
                                + " (INTID " + Allocator.VIRQ_FIRST + ".." + Allocator.VIRQ_LAST + "): " + kinds));
            }
        }
        return out;
    }
}
