package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.PassedDevice;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Cpu;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.plan.VmPlan.Scheduling;
import dev.gunyahdt.partitioner.plan.VmPlan.VDevice;
import dev.gunyahdt.partitioner.plan.VmPlan.VDeviceType;
import dev.gunyahdt.partitioner.plan.VmPlan.Vm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The trees of the bootable config (DESIGN.md §4.2), built from an allocation every rule
 * accepted: the system tree the hypervisor boots from, and each VM's own tree with its
 * {@code /qcom,vm-config} node (gunyah-model.md §9).
 */
public final class ConfigTrees {

    /** iomemory-ranges are page granular (gunyah-model.md §9.1): MMIO is widened to whole 4 KiB pages. */
    static final long PAGE = 0x1000;
    /** iomemory-ranges access cell: read + write (the RM's enum iomem_range_access: 0 RW, 1 R, 2 RWX, 3 W). */
    static final long ACCESS_RW = 0;
    /** A secondary's vCPU timeslice in µs (the RM allows 100..100000; Gunyah's scheduler default is 5 ms). */
    static final long TIMESLICE_US = 5000;
    /** A secondary's priority relative to its owner's: an untrusted VM must run below it (handle_vcpu). */
    static final long PRIORITY_OFFSET = -1;
    /**
     * The {@code compatible} of the RM's iomem node (its push-compatibles alone: create_iomem_nodes); without one
     * the node's {@code compatible} would be empty, which dt-schema refuses. Ours: no upstream binding names one.
     */
    static final String IOMEM_COMPATIBLE = "gunyah-dt,iomem";

    /** Labels of the iomem vdevices that stand for passed-through device memory, after the plan's own. */
    static final long IOMEM_LABEL_BASE = 0x1000;

    private final Allocation allocation;
    private final BoardNodes board;
    private final int acells;
    private final int scells;
    private final Map<String, List<References.Dropped>> dropped = new LinkedHashMap<>();

    private ConfigTrees(Allocation allocation) {
        this.allocation = allocation;
        this.board = new BoardNodes(allocation.board().tree());
        this.acells = board.rootCells("#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        this.scells = board.rootCells("#size-cells", Addressing.DEFAULT_SIZE_CELLS);
    }

    public static ConfigTrees of(Allocation allocation) {
        return new ConfigTrees(allocation);
    }

    private BoardInventory inventory() {
        return allocation.board().inventory();
    }

    // ---------------------------------------------------------------- the system tree

    /** The board's platform, the hypervisor's carve-out and the table of VMs. */
    public DeviceTree system() {
        List<Property> props = rootProperties();
        List<Node> children = new ArrayList<>();
        Optional<String> gic = inventory().gic().map(g -> g.path());
        List<String> platform = new ArrayList<>();
        board.at("/cpus").ifPresent(n -> platform.add("/cpus"));
        for (Node n : allocation.board().tree().root().children()) {
            if (n.name().startsWith("memory")
                    && n.property("device_type")
                            .map(p -> p.value().isStringList()
                                    && p.value().asString().equals("memory"))
                            .orElse(false)) {
                platform.add("/" + n.name());
            }
        }
        gic.ifPresent(platform::add);
        board.rootChildCompatible("arm,armv8-timer", "arm,armv7-timer").ifPresent(n -> platform.add("/" + n.name()));
        board.rootChildCompatible("arm,psci-1.0", "arm,psci-0.2", "arm,psci")
                .ifPresent(n -> platform.add("/" + n.name()));
        children.addAll(board.withReferenced(platform, Set.of("/reserved-memory")));
        children.add(reservedMemory());
        children.add(vmTable());
        return tree("system", Node.of("", props, children));
    }

    private List<Property> rootProperties() {
        List<Property> props = new ArrayList<>();
        for (String name : List.of("model", "compatible", "#address-cells", "#size-cells", "interrupt-parent")) {
            board.rootProperty(name).ifPresent(props::add);
        }
        if (board.rootProperty("#address-cells").isEmpty()) {
            props.add(Cells.u32("#address-cells", acells));
        }
        if (board.rootProperty("#size-cells").isEmpty()) {
            props.add(Cells.u32("#size-cells", scells));
        }
        return props;
    }

    /** The board's {@code /reserved-memory} (or a new one) with the hypervisor's carve-out added, no-map. */
    private Node reservedMemory() {
        Node rm = board.at("/reserved-memory")
                .orElse(Node.of(
                        "reserved-memory",
                        List.of(
                                Cells.u32("#address-cells", acells),
                                Cells.u32("#size-cells", scells),
                                Property.of("ranges", PropertyValue.EMPTY)),
                        List.of()));
        Optional<Range> hyp = allocation.hypervisor();
        if (hyp.isPresent()) {
            int ra = (int) Addressing.countOrNone(rm, "#address-cells", acells);
            int rs = (int) Addressing.countOrNone(rm, "#size-cells", scells);
            rm = rm.withChild(Node.of(
                    "gunyah-hypervisor@" + Long.toHexString(hyp.get().base()),
                    List.of(
                            Cells.str("compatible", "gunyah-dt,hypervisor-carveout"),
                            Property.of("reg", Cells.ranges(ra, rs, List.of(hyp.get()))),
                            Cells.flag("no-map")),
                    List.of()));
        }
        return rm;
    }

    /** {@code /gunyah-vms}: one child per VM with its physical assignment, one per shared region. */
    private Node vmTable() {
        List<Node> rows = new ArrayList<>();
        for (VmAllocation va : allocation.vms()) {
            Vm vm = va.vm();
            List<Property> p = new ArrayList<>();
            p.add(Cells.str("vm-name", vm.name()));
            p.add(Cells.u32("vmid", va.vmid()));
            if (vm.primary()) {
                p.add(Cells.flag("primary"));
            } else {
                p.add(Cells.str("owner", owner(vm)));
            }
            p.add(Property.of(
                    "memory-ranges",
                    Cells.ranges(acells, scells, va.memory().stream().toList())));
            p.add(Cells.str("scheduling", vm.scheduling().yaml()));
            p.add(Property.of("physical-cpus", Cells.u32s(va.cpus())));
            PropertyValue.Builder mpidrs = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
            for (int i : va.cpus()) {
                Cells.number(mpidrs, 2, inventory().cpus().get(i).mpidr());
            }
            p.add(Property.of("cpu-mpidrs", mpidrs.build()));
            p.add(Property.of("hw-spis", Cells.u32s(va.spis())));
            List<String> paths = va.devices().stream()
                    .flatMap(d -> d.device().stream())
                    .map(Device::path)
                    .toList();
            if (!paths.isEmpty()) {
                p.add(Cells.strs("passthrough-devices", paths));
            }
            p.add(Property.of("passthrough-mmio", Cells.ranges(acells, scells, mmio(va))));
            p.add(Property.of(
                    "virqs", Cells.u32s(va.virqs().stream().map(v -> v.intid()).toList())));
            rows.add(Node.of(vm.name(), p, List.of()));
        }
        for (SharedRegion s : allocation.shared()) {
            rows.add(Node.of(
                    "shm-" + s.declaredBy() + "-" + s.vdevice().label(),
                    List.of(
                            Cells.str("declared-by", s.declaredBy()),
                            Cells.u32("vdevice-label", s.vdevice().label()),
                            Property.of(
                                    "memory-ranges",
                                    Cells.ranges(
                                            acells, scells, s.range().stream().toList())),
                            Cells.strs("sharers", s.sharers().stream().sorted().toList())),
                    List.of()));
        }
        return Node.of("gunyah-vms", List.of(Cells.str("compatible", "gunyah-dt,vm-table")), rows);
    }

    private String owner(Vm vm) {
        return vm.owner()
                .orElseGet(() -> allocation.plan().vms().stream()
                        .filter(Vm::primary)
                        .map(Vm::name)
                        .findFirst()
                        .orElse(""));
    }

    private static List<Range> mmio(VmAllocation va) {
        List<Range> out = new ArrayList<>();
        for (PassedDevice d : va.devices()) {
            d.device().ifPresent(dev -> out.addAll(dev.mmio()));
        }
        return out;
    }

    // ---------------------------------------------------------------- a VM's tree

    /** Each VM's tree, by VM name in plan order. */
    public Map<String, DeviceTree> vms() {
        Map<String, DeviceTree> out = new LinkedHashMap<>();
        for (VmAllocation va : allocation.vms()) {
            out.put(va.vm().name(), vm(va));
        }
        return out;
    }

    /**
     * One guest's tree. Its memory is placed at the same addresses as physically (IPA = PA), and
     * passthrough devices keep their board addresses and SPIs. No {@code /hypervisor}: the RM adds it.
     */
    public DeviceTree vm(VmAllocation va) {
        List<Property> props = rootProperties();
        // The RM finds the GIC from the root's interrupt-parent (gunyah-model.md §9.4): every VM tree's
        // root points at the GIC. When the board's root points at another controller (imx8mq's GPC), the
        // copied nodes that inherited it get it as their own interrupt-parent, so they mean the same.
        Optional<Property> boardParent = board.rootProperty("interrupt-parent");
        Optional<String> gicPath = inventory().gic().map(g -> g.path());
        boolean pushDown = boardParent.isPresent() && gicPath.isPresent() && !rootInterruptParentIs(gicPath.get());
        if (gicPath.isPresent() && (boardParent.isEmpty() || pushDown)) {
            props.removeIf(p -> p.name().equals("interrupt-parent"));
            props.add(Property.of(
                    "interrupt-parent",
                    PropertyValue.builder()
                            .type(Marker.Kind.TYPE_UINT32)
                            .marker(Marker.Kind.REF_PHANDLE, gicPath.get())
                            .uint(0xffffffffL, 4)
                            .build()));
        }
        List<Node> children = new ArrayList<>();
        children.add(Node.of("chosen", chosen(va), List.of()));
        children.add(cpus(va));
        // A secondary's /memory is written by the RM at VM_START (from the memory it was given); the RM
        // refuses any memory node but an exact /memory in the config (parse_memory), so none is emitted.
        if (va.vm().primary()) {
            va.memory()
                    .ifPresent(m -> children.add(Node.of(
                            "memory@" + Long.toHexString(m.base()),
                            List.of(
                                    Cells.str("device_type", "memory"),
                                    Property.of("reg", Cells.ranges(acells, scells, List.of(m)))),
                            List.of())));
        }
        children.add(Node.of(
                "psci",
                List.of(Cells.strs("compatible", List.of("arm,psci-1.0", "arm,psci-0.2")), Cells.str("method", "hvc")),
                List.of()));
        List<String> wanted = new ArrayList<>();
        inventory().gic().ifPresent(g -> wanted.add(g.path()));
        board.rootChildCompatible("arm,armv8-timer", "arm,armv7-timer").ifPresent(n -> wanted.add("/" + n.name()));
        for (PassedDevice d : va.devices()) {
            d.device().ifPresent(dev -> wanted.add(dev.path()));
        }
        // A device's memory-region pulls in its /reserved-memory child (with its phandle); the
        // rest of /reserved-memory stays out.
        Set<String> excluded = Set.of("/cpus", "/chosen", "/aliases", "/__symbols__");
        List<String> devices = va.devices().stream()
                .flatMap(d -> d.device().stream())
                .map(Device::path)
                .toList();
        refuseProvidersHeldElsewhere(va, devices, board.closure(wanted, excluded));
        for (Node n : board.withReferenced(wanted, excluded)) {
            children.add(pushDown ? withInheritedParent(n, boardParent.get()) : n);
        }
        children.add(vmConfig(va));
        return tree("vm/" + va.vm().name(), Node.of("", props, children));
    }

    /** {@code n} with {@code parent} written on every node that has interrupts and inherited the root's parent. */
    private static Node withInheritedParent(Node n, Property parent) {
        if (n.hasProperty("interrupt-parent")) {
            return n;
        }
        Node out = n.hasProperty("interrupts") ? n.withProperty(parent) : n;
        List<Node> children = new ArrayList<>();
        for (Node c : n.children()) {
            children.add(withInheritedParent(c, parent));
        }
        return out.withChildren(children);
    }

    private List<Property> chosen(VmAllocation va) {
        List<Property> p = new ArrayList<>();
        va.vm().bootargs().ifPresent(b -> p.add(Cells.str("bootargs", b)));
        // The console goes to the board's stdout device when this VM holds it.
        if (va.vm().console()) {
            board.at("/chosen")
                    .flatMap(c -> c.property("stdout-path"))
                    .filter(s -> s.value().isStringList())
                    .filter(s -> va.devices().stream()
                            .flatMap(d -> d.device().stream())
                            .anyMatch(d -> s.value().asString().split(":")[0].equals(d.path())))
                    .ifPresent(s -> p.add(Cells.str("stdout-path", s.value().asString())));
        }
        return p;
    }

    /**
     * vCPU i is {@code cpu@i}, with the compatible of the physical CPU it runs on, started by PSCI. The RM turns
     * PSCI on for such a VM and then wants {@code cpu-idle-states} on every CPU of a non-proxy VM
     * ({@code parse_vcpus}), so those get one PSCI idle state (a light WFI-like suspend).
     */
    private Node cpus(VmAllocation va) {
        List<Node> cpus = new ArrayList<>();
        int n = va.vm().vcpus();
        boolean idle = !va.vm().primary() && va.vm().scheduling() != Scheduling.PROXY;
        for (int i = 0; i < n; i++) {
            Optional<Node> phys = physicalCpu(va, i);
            List<Property> p = new ArrayList<>();
            p.add(Cells.str("device_type", "cpu"));
            phys.flatMap(c -> c.property("compatible")).ifPresent(p::add);
            p.add(Cells.u32("reg", i));
            p.add(Cells.str("enable-method", "psci"));
            if (idle) {
                p.add(Property.of(
                        "cpu-idle-states",
                        PropertyValue.builder()
                                .type(Marker.Kind.TYPE_UINT32)
                                .marker(Marker.Kind.REF_PHANDLE, IDLE_STATE)
                                .uint(0xffffffffL, 4)
                                .build()));
            }
            cpus.add(Node.of("cpu@" + Integer.toHexString(i), p, List.of()));
        }
        if (idle) {
            cpus.add(Node.of(
                    "idle-states",
                    List.of(Cells.str("entry-method", "psci")),
                    List.of(Node.of(
                            "cpu-sleep",
                            List.of(
                                    Cells.str("compatible", "arm,idle-state"),
                                    Cells.u32("arm,psci-suspend-param", 0x1),
                                    Cells.u32("entry-latency-us", 40),
                                    Cells.u32("exit-latency-us", 100),
                                    Cells.u32("min-residency-us", 150)),
                            List.of()))));
        }
        return Node.of("cpus", List.of(Cells.u32("#address-cells", 1), Cells.u32("#size-cells", 0)), cpus);
    }

    private static final String IDLE_STATE = "/cpus/idle-states/cpu-sleep";

    private Optional<Node> physicalCpu(VmAllocation va, int vcpu) {
        List<Cpu> all = inventory().cpus();
        int idx = vcpu < va.cpus().size() ? va.cpus().get(vcpu) : all.isEmpty() ? -1 : 0;
        return idx >= 0 && idx < all.size() ? board.at(all.get(idx).path()) : Optional.empty();
    }

    private Node vmConfig(VmAllocation va) {
        Vm vm = va.vm();
        List<Property> p = new ArrayList<>();
        // The RM reads the memory child's numbers with the cell sizes of the root's first child (/chosen,
        // which sets none: 2 and 1), not this node's (VmDtParser: dtb_parser.c's context quirk), so no cell
        // sizes are written here; a VM of 4 GiB or more cannot give its size in one cell.
        int sizeCells = va.memory().map(m -> m.size() >>> 32 != 0 ? 2 : 1).orElse(1);
        p.add(Cells.str("vm-type", "aarch64-guest"));
        p.add(Cells.str("os-type", "linux"));
        p.add(Cells.str("image-name", vm.name()));
        List<Range> mmio = vm.primary() ? mmio(va) : List.of();
        if (!mmio.isEmpty()) {
            // read with the root's cell sizes: the parent of /qcom,vm-config
            PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
            for (Range r : mmio) {
                long base = r.base() & -PAGE;
                long end = (r.base() + r.size() + PAGE - 1) & -PAGE;
                Cells.number(b, acells, base);
                Cells.number(b, acells, base);
                Cells.number(b, scells, end - base);
                Cells.number(b, 1, ACCESS_RW);
            }
            p.add(Property.of("iomemory-ranges", b.build()));
        }
        if (vm.primary() && !va.spis().isEmpty()) {
            List<Long> pairs = new ArrayList<>();
            for (long spi : va.spis()) {
                pairs.add(spi + 32);
                pairs.add(spi + 32);
            }
            p.add(Property.of("gic-irq-ranges", Cells.u32s(pairs)));
        }
        List<Node> children = new ArrayList<>();
        va.memory().ifPresent(m -> {
            PropertyValue.Builder base = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
            Cells.number(base, 2, m.base());
            PropertyValue.Builder size = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
            Cells.number(size, sizeCells, m.size());
            // The RM reads these with the cell sizes of the root's first child (/chosen: 2 and 1, see
            // VmDtParser), whatever this node says; a 4 GiB+ VM cannot say its size in one cell, so it
            // gives only its base and the RM's limits apply.
            List<Property> mp = new ArrayList<>();
            mp.add(Property.of("base-address", base.build()));
            if (sizeCells == 1) {
                mp.add(Property.of("size-min", size.build()));
                mp.add(Property.of("size-max", size.build()));
            }
            children.add(Node.of("memory", mp, List.of()));
        });
        List<Property> vc = new ArrayList<>();
        vc.add(Cells.str("config", "/cpus"));
        vc.add(Cells.str("affinity", vm.scheduling().yaml()));
        if (vm.scheduling() != Scheduling.PROXY) {
            vc.add(Property.of("affinity-map", Cells.u32s(va.cpus())));
            if (!vm.primary()) {
                vc.add(Cells.u32("sched-timeslice", TIMESLICE_US));
                vc.add(Property.of("sched-priority", Cells.u32s(List.of(PRIORITY_OFFSET & 0xffffffffL))));
            }
        }
        children.add(Node.of("vcpus", vc, List.of()));
        // The GIC: the RM takes it from the root's interrupt-parent, which vm() always points at the
        // GIC, so no "interrupts" {config} child is written (dt-schema types "interrupts" as a
        // property on every node, so that child could not pass dt-validate).
        children.add(Node.of("vdevices", List.of(), vdevices(va)));
        return Node.of("qcom,vm-config", p, children);
    }

    /** Whether the board's root interrupt-parent (copied into every VM tree) is the node at {@code path}. */
    private boolean rootInterruptParentIs(String path) {
        Optional<Property> ip = board.rootProperty("interrupt-parent");
        if (ip.isEmpty()) {
            return true; // vm() adds one pointing at the GIC
        }
        if (ip.get().value().length() != 4) {
            return false;
        }
        long ph = ip.get().value().asCell();
        return board.at(path)
                .flatMap(n -> n.property("phandle"))
                .filter(p -> p.value().length() == 4)
                .map(p -> p.value().asCell() == ph)
                .orElse(false);
    }

    /** RM-RPC, then the VM's own vdevices, then those other VMs declare with it as peer. */
    private List<Node> vdevices(VmAllocation va) {
        Vm vm = va.vm();
        List<Node> out = new ArrayList<>();
        List<Property> rpc = new ArrayList<>();
        rpc.add(Cells.str("vdevice-type", "rm-rpc"));
        rpc.add(Cells.str("generate", "/hypervisor/qcom,resource-mgr"));
        rpc.add(Cells.u32("message-size", 240));
        rpc.add(Cells.u32("queue-depth", 8));
        if (vm.console()) {
            rpc.add(Cells.flag("console-dev"));
        }
        out.add(Node.of("rm-rpc", rpc, List.of()));
        if (vm.primary()) {
            // HLOS has no VM config in the real RM: it learns of its halves of the secondaries' links by
            // VM_GET_HYP_RESOURCES, so only its RM link is listed.
            return out;
        }
        for (VDevice d : vm.vdevices()) {
            out.add(vdevice(vm.name(), d, true, d.peer()));
        }
        for (Vm other : allocation.plan().vms()) {
            if (other == vm) {
                continue;
            }
            for (VDevice d : other.vdevices()) {
                // a virtio-mmio is the declaring VM's alone: the RM builds the backend's side from it
                if (d.peer().equals(vm.name()) && d.type() != VDeviceType.VIRTIO_MMIO) {
                    out.add(vdevice(other.name(), d, false, other.name()));
                }
            }
        }
        out.addAll(iomems(va));
        return out;
    }

    /**
     * A secondary's passed-through device memory, the way an untrusted VM gets it from the real RM: one
     * {@code iomem} vdevice per device, which the owner fills by lending the device's MMIO as a memparcel
     * with the vdevice's label. Its {@code generate} path keeps the RM's iomem node (create_iomem_nodes: 2/2 cells,
     * {@code compatible} = the push-compatibles, {@code reg} in 2/2 cells) off the device's own node, which it would
     * otherwise overwrite (handle_iomems falls back to the {@code patch} path) under a 1-cell bus. (An untrusted config
     * may not carry iomemory-ranges or gic-irq-ranges: handle_iomem_ranges, handle_irqs; the device's SPIs
     * are lent by the owner at run time, IRQ_LEND.)
     */
    private List<Node> iomems(VmAllocation va) {
        List<Node> out = new ArrayList<>();
        long label = IOMEM_LABEL_BASE;
        for (PassedDevice d : va.devices()) {
            if (d.device().isEmpty() || d.device().get().mmio().isEmpty()) {
                continue;
            }
            String path = d.device().get().path();
            out.add(Node.of(
                    "iomem-" + Long.toHexString(label),
                    List.of(
                            Cells.str("vdevice-type", "iomem"),
                            Cells.str("generate", "/hypervisor/iomem-" + Long.toHexString(label)),
                            Cells.str("push-compatible", IOMEM_COMPATIBLE),
                            Cells.str("patch", path),
                            Cells.flag("peer-default")),
                    List.of(Node.of("memory", List.of(Cells.u32("qcom,label", label)), List.of()))));
            label++;
        }
        return out;
    }

    /** How a secondary's config names a peer: its owner by {@code peer-default}, others by {@code vm-name:}. */
    private Property peerOf(String self, String peer) {
        Vm vm = allocation.plan().vms().stream()
                .filter(v -> v.name().equals(self))
                .findFirst()
                .orElseThrow();
        if (peer.equals(owner(vm))) {
            return Cells.flag("peer-default");
        }
        return Cells.str("peer", "vm-name:" + peer);
    }

    /**
     * One side of a vdevice. {@code declarer} names the VM whose plan declared it (node names are
     * {@code <type>-<declarer>-<label>} on both sides, so the two sides match by name).
     */
    private Node vdevice(String declarer, VDevice d, boolean declaringSide, String peer) {
        String self = declaringSide ? declarer : d.peer();
        String id = declarer + "-" + d.label();
        List<Property> p = new ArrayList<>();
        String type = switch (d.type()) {
            case DOORBELL -> declaringSide ? "doorbell-source" : "doorbell";
            default -> d.type().yaml();
        };
        p.add(Cells.str("vdevice-type", type));
        p.add(Cells.str("generate", "/hypervisor/" + type + "-" + id));
        p.add(peerOf(self, peer));
        p.add(Cells.u32("qcom,label", d.label()));
        List<Node> children = new ArrayList<>();
        switch (d.type()) {
            case MESSAGE_QUEUE_PAIR -> {
                p.add(Cells.u32("message-size", d.messageSize()));
                p.add(Cells.u32("queue-depth", d.queueDepth()));
            }
            case MESSAGE_QUEUE -> {
                p.add(Cells.flag(declaringSide ? "is-sender" : "is-receiver"));
                p.add(Cells.u32("message-size", d.messageSize()));
                p.add(Cells.u32("queue-depth", d.queueDepth()));
            }
            case DOORBELL -> {}
            case SHM, VIRTIO_MMIO -> {
                Optional<Range> r = allocation.shared().stream()
                        .filter(s ->
                                s.declaredBy().equals(declarer) && s.vdevice().equals(d))
                        .findFirst()
                        .flatMap(SharedRegion::range);
                List<Property> mem = new ArrayList<>();
                mem.add(Cells.u32("qcom,label", d.label()));
                r.ifPresent(range -> {
                    PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
                    Cells.number(b, 2, range.base());
                    mem.add(Property.of("base", b.build()));
                });
                // base is read with the shm node's #address-cells, absent so the RM's default 2
                children.add(Node.of("memory", mem, List.of()));
                if (d.type() == VDeviceType.VIRTIO_MMIO) {
                    // parse_virtio_mmio: the owner is the backend; the DMA pool is the memory child above
                    p.add(Cells.u32("vqs-num", 1));
                    p.add(Cells.flag("dma-coherent"));
                }
            }
        }
        String prefix = d.type() == VDeviceType.SHM ? "shm" : type;
        return Node.of(prefix + "-" + id, p, children);
    }

    /** The finished tree, every reference to a node not in it removed ({@link References#close}) and remembered. */
    private DeviceTree tree(String name, Node root) {
        List<References.Dropped> d = new ArrayList<>();
        Node closed = References.close(root, d);
        dropped.put(name, List.copyOf(d));
        return new DeviceTree(
                closed, List.of(), false, allocation.board().tree().bootCpuidPhys());
    }

    /** Per tree ({@code system}, {@code vm/<name>}), the references removed from it, in tree order. */
    public Map<String, List<References.Dropped>> dropped() {
        return Map.copyOf(dropped);
    }

    /**
     * A provider a VM's device needs (followed by {@link References}) that is, or lies inside, a device
     * passed through to another VM: the chain cannot be honoured, so the VM is refused naming both.
     */
    private void refuseProvidersHeldElsewhere(VmAllocation va, List<String> devices, Set<String> closure) {
        for (VmAllocation other : allocation.vms()) {
            if (other == va) {
                continue;
            }
            for (PassedDevice od : other.devices()) {
                if (od.device().isEmpty()) {
                    continue;
                }
                String held = od.device().get().path();
                for (String p : closure) {
                    if (!devices.contains(p) && (p.equals(held) || p.startsWith(held + "/"))) {
                        throw new ConfigEmitter.EmitException("VM '" + va.vm().name() + "' cannot be given "
                                + String.join(", ", devices) + ": it needs " + p + " (through the reference rules: "
                                + "interrupt parent, clocks, resets, power domains, supplies or pinctrl), which is passed through to VM '"
                                + other.vm().name() + "'");
                    }
                }
            }
        }
    }
}
