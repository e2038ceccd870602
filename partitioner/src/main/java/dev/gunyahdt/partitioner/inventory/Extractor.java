package dev.gunyahdt.partitioner.inventory;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.dt.spec.Interrupts;
import dev.gunyahdt.dt.spec.NexusMap;
import dev.gunyahdt.dt.spec.Ranges;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Cpu;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.GicVersion;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Interrupt;
import dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptController;
import dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptKind;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Reserved;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Builds a {@link BoardInventory}. One instance per tree: it caches the phandle map. The
 * devicetree-spec lookups (address and size cells, interrupt parent, interrupt-map, ranges) are
 * {@code dev.gunyahdt.dt.spec}'s; this class adds the inventory's limits (64-bit addresses) and
 * the GIC's specifier meaning.
 */
final class Extractor {

    private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64);
    /** How many hops an interrupt may take through nexus nodes before we call it a loop. */
    private static final int MAX_HOPS = 64;

    private static final Set<String> GIC_V3 = Set.of("arm,gic-v3");
    private static final Set<String> GIC_V2 = Set.of("arm,gic-400", "arm,gic-v2", "arm,cortex-a15-gic",
            "arm,cortex-a9-gic", "arm,cortex-a7-gic", "arm,cortex-a5-gic", "arm,arm11mp-gic",
            "arm,arm1176jzf-devchip-gic", "arm,eb11mp-gic", "arm,pl390", "arm,tc11mp-gic",
            "brcm,brahma-b15-gic", "qcom,msm-8660-qgic", "qcom,msm-qgic2");

    private final DeviceTree tree;
    private final Map<Long, NodeCursor> phandles;

    Extractor(DeviceTree tree) {
        this.tree = tree;
        this.phandles = tree.phandles();
    }

    BoardInventory extract() {
        NodeCursor root = tree.rootCursor();
        List<InterruptController> controllers = controllers();
        return new BoardInventory(memory(root), reserved(), cpus(), controllers, primaryGic(controllers),
                devices(root));
    }

    // ---- memory -------------------------------------------------------------------------

    private List<Range> memory(NodeCursor root) {
        List<Range> out = new ArrayList<>();
        for (NodeCursor c : root.children()) {
            if (!c.node().baseName().startsWith("memory") || !"memory".equals(string(c.node(), "device_type"))) {
                continue;
            }
            Optional<Property> reg = c.node().property("reg");
            if (reg.isEmpty()) {
                continue;
            }
            int ac = cellCount(root, "#address-cells", 2, 1, 2);
            int sc = cellCount(root, "#size-cells", 1, 1, 2);
            out.addAll(ranges(c, reg.get(), ac, sc));
        }
        out.sort(null);
        return out;
    }

    // ---- reserved memory ----------------------------------------------------------------

    private List<Reserved> reserved() {
        Optional<NodeCursor> rm = tree.find("/reserved-memory");
        if (rm.isEmpty() || !rm.get().parent().isRoot()) {
            return List.of();
        }
        NodeCursor parent = rm.get();
        List<Reserved> out = new ArrayList<>();
        for (NodeCursor c : parent.children()) {
            int ac = cellCount(parent, "#address-cells", 2, 1, 2);
            int sc = cellCount(parent, "#size-cells", 1, 1, 2);
            Node n = c.node();
            List<Range> reg = n.property("reg").map(p -> ranges(c, p, ac, sc)).orElse(List.of());
            // size, alignment and alloc-ranges only mean something to a region without reg (the OS
            // places it); kernel sources put a 1-cell alignment on static regions, which nothing reads.
            boolean dynamic = reg.isEmpty();
            List<Range> alloc = dynamic
                    ? n.property("alloc-ranges").map(p -> ranges(c, p, ac, sc)).orElse(List.of()) : List.of();
            out.add(new Reserved(c.path(), strings(n, "compatible"), reg, n.hasProperty("no-map"),
                    n.hasProperty("reusable"), dynamic ? single(c, "size", sc) : OptionalLong.empty(),
                    dynamic ? single(c, "alignment", sc) : OptionalLong.empty(), alloc, n.span()));
        }
        return out;
    }

    private OptionalLong single(NodeCursor c, String name, int sc) {
        Optional<Property> p = c.node().property(name);
        if (p.isEmpty()) {
            return OptionalLong.empty();
        }
        if (p.get().value().length() != 4 * sc) {
            throw err(c, p.get(), "expected " + sc + " cell(s) (#size-cells of the parent), found "
                    + p.get().value().length() + " bytes");
        }
        return OptionalLong.of(Cells.number(p.get().value().cells(), 0, sc).longValue());
    }

    // ---- CPUs ---------------------------------------------------------------------------

    private List<Cpu> cpus() {
        Optional<NodeCursor> cpusNode = tree.find("/cpus");
        if (cpusNode.isEmpty() || !cpusNode.get().parent().isRoot()) {
            return List.of();
        }
        NodeCursor cpus = cpusNode.get();
        Map<String, int[]> place = new HashMap<>();
        Map<String, String> clusterOf = new HashMap<>();
        cpus.node().child("cpu-map").ifPresent(m -> topology(cpus.child(m), "", -1, place, clusterOf));
        List<Cpu> out = new ArrayList<>();
        for (NodeCursor c : cpus.children()) {
            Node n = c.node();
            if (!"cpu".equals(string(n, "device_type"))) {
                continue;
            }
            int ac = cellCount(cpus, "#address-cells", 2, 1, 2);
            int sc = Addressing.sizeCells(cpus);
            Property reg = n.property("reg").orElseThrow(() -> new DtException(n.span(), c.path() + ": a cpu node needs reg (its MPIDR)"));
            long[] cells = reg.value().cells();
            if (reg.value().length() == 0 || reg.value().length() % (4 * (ac + sc)) != 0) {
                throw err(c, reg, "length " + reg.value().length() + " is not a multiple of " + 4 * (ac + sc)
                        + " (#address-cells " + ac + ", #size-cells " + sc + " of /cpus)");
            }
            int[] p = place.getOrDefault(c.path(), new int[] {-1, -1});
            out.add(new Cpu(c.path(), Cells.number(cells, 0, ac).longValue(), Optional.ofNullable(string(n, "enable-method")),
                    statusOf(n), clusterOf.get(c.path()), p[0], p[1], n.span()));
        }
        return out;
    }

    /** Walks cpu-map: socketN and clusterN nest, coreN holds a cpu or threadN children. */
    private void topology(NodeCursor at, String cluster, int core, Map<String, int[]> place, Map<String, String> clusterOf) {
        for (NodeCursor c : at.children()) {
            String name = c.node().name();
            int index = indexIn(name);
            if (name.startsWith("socket") || name.startsWith("cluster")) {
                topology(c, cluster.isEmpty() ? name : cluster + "/" + name, -1, place, clusterOf);
            } else if (name.startsWith("core") || name.startsWith("thread")) {
                boolean thread = name.startsWith("thread");
                int coreIndex = thread ? core : index;
                Optional<Property> cpu = c.node().property("cpu");
                if (cpu.isPresent()) {
                    NodeCursor target = phandleTarget(c, cpu.get(), 0);
                    place.put(target.path(), new int[] {coreIndex, thread ? index : -1});
                    clusterOf.put(target.path(), cluster.isEmpty() ? null : cluster);
                }
                topology(c, cluster, coreIndex, place, clusterOf);
            }
        }
    }

    private static int indexIn(String name) {
        int i = name.length();
        while (i > 0 && Character.isDigit(name.charAt(i - 1))) {
            i--;
        }
        try {
            return i == name.length() ? -1 : Integer.parseInt(name.substring(i));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- interrupt controllers ----------------------------------------------------------

    private List<InterruptController> controllers() {
        List<InterruptController> out = new ArrayList<>();
        tree.walk(c -> {
            Node n = c.node();
            if (n.hasProperty("interrupt-controller")) {
                out.add(new InterruptController(c.path(), strings(n, "compatible"),
                        n.hasProperty("#interrupt-cells") ? Addressing.count(c, "#interrupt-cells", -1) : -1,
                        gicVersion(n), n.span()));
            }
        });
        return out;
    }

    private static Optional<GicVersion> gicVersion(Node n) {
        for (String compat : strings(n, "compatible")) {
            if (GIC_V3.contains(compat)) {
                return Optional.of(GicVersion.V3);
            }
            if (GIC_V2.contains(compat)) {
                return Optional.of(GicVersion.V2);
            }
        }
        return Optional.empty();
    }

    /** The root GIC: the first whose own interrupt parent is itself or none (others cascade into it). */
    private Optional<InterruptController> primaryGic(List<InterruptController> controllers) {
        InterruptController first = null;
        for (InterruptController ic : controllers) {
            if (ic.gicVersion().isEmpty()) {
                continue;
            }
            if (first == null) {
                first = ic;
            }
            NodeCursor c = tree.find(ic.path()).orElseThrow();
            NodeCursor parent = interruptParent(c);
            if (parent == null || parent.path().equals(ic.path())) {
                return Optional.of(ic);
            }
        }
        return Optional.ofNullable(first);
    }

    // ---- devices ------------------------------------------------------------------------

    private List<Device> devices(NodeCursor root) {
        List<Device> out = new ArrayList<>();
        for (NodeCursor c : root.children()) {
            if (!outsideDevices(c)) {
                c.walk(d -> device(d).ifPresent(out::add));
            }
        }
        return out;
    }

    private static boolean outsideDevices(NodeCursor topLevel) {
        Node n = topLevel.node();
        return n.name().equals("cpus") || n.name().equals("reserved-memory") || n.name().startsWith("__")
                || (n.baseName().startsWith("memory") && "memory".equals(string(n, "device_type")));
    }

    private Optional<Device> device(NodeCursor c) {
        Node n = c.node();
        boolean hasIrq = n.hasProperty("interrupts") || n.hasProperty("interrupts-extended");
        if (!n.hasProperty("reg") && !hasIrq && !n.hasProperty("interrupt-map")) {
            return Optional.empty();
        }
        List<Range> mmio = new ArrayList<>();
        String why = null;
        Optional<Property> reg = n.property("reg");
        if (reg.isPresent()) {
            why = mmio(c, reg.get(), mmio);
        }
        List<Interrupt> irqs = interrupts(c);
        List<Interrupt> mapped = n.hasProperty("interrupt-map") && !n.hasProperty("interrupt-controller")
                ? mapped(c) : List.of();
        return Optional.of(new Device(c.path(), strings(n, "compatible"), statusOf(n), why == null ? mmio : List.of(),
                Optional.ofNullable(why), irqs, mapped, n.span()));
    }

    /** Fills {@code out} with the physical ranges of {@code reg}; returns why not, or null. */
    private String mmio(NodeCursor c, Property reg, List<Range> out) {
        NodeCursor bus = c.parent();
        int ac = Addressing.addressCells(bus);
        int sc = Addressing.sizeCells(bus);
        long[] cells = entries(c, reg, ac + sc, "#address-cells " + ac + " + #size-cells " + sc + " of the parent");
        if (sc == 0) {
            return "the parent's #size-cells is 0: reg is an address on " + bus.path() + ", not memory-mapped";
        }
        for (int i = 0; i < cells.length; i += ac + sc) {
            BigInteger size = Cells.number(cells, i + ac, sc);
            Ranges.Translation at = Ranges.toCpu(bus, Arrays.copyOfRange(cells, i, i + ac), c, reg);
            if (!at.translated()) {
                return at.untranslatable();
            }
            BigInteger base = at.address();
            if (base.add(size).compareTo(U64) > 0) {
                throw err(c, reg, String.format("0x%x + size 0x%x overflows 64 bits", base, size));
            }
            out.add(new Range(base.longValue(), size.longValue()));
        }
        return null; // kept in reg order: reg-names and drivers index entries by position
    }

    // ---- interrupts ---------------------------------------------------------------------

    private List<Interrupt> interrupts(NodeCursor c) {
        Node n = c.node();
        List<Interrupt> out = new ArrayList<>();
        long[] unit = unitAddress(c);
        Optional<Property> ext = n.property("interrupts-extended");
        if (ext.isPresent()) {
            long[] v = entries(c, ext.get(), 1, "cells");
            int i = 0;
            while (i < v.length) {
                NodeCursor target = phandleTarget(c, ext.get(), i * 4);
                int ic = Interrupts.specifierCells(target, c, ext.get());
                if (i + 1 + ic > v.length) {
                    throw err(c, ext.get(), "specifier for " + target.path() + " needs " + ic + " cell(s), "
                            + (v.length - i - 1) + " left");
                }
                out.add(resolve(target, Arrays.copyOfRange(v, i + 1, i + 1 + ic), unit, c, ext.get(), 0));
                i += 1 + ic;
            }
            return out;
        }
        Optional<Property> irq = n.property("interrupts");
        if (irq.isEmpty()) {
            return out;
        }
        NodeCursor parent = interruptParent(c);
        if (parent == null) {
            throw err(c, irq.get(), "has interrupts but no interrupt parent (no interrupt-parent up the tree)");
        }
        int ic = Interrupts.specifierCells(parent, c, irq.get());
        if (ic == 0) {
            return out;
        }
        long[] v = entries(c, irq.get(), ic, "#interrupt-cells " + ic + " of " + parent.path());
        for (int i = 0; i < v.length; i += ic) {
            out.add(resolve(parent, Arrays.copyOfRange(v, i, i + ic), unit, c, irq.get(), 0));
        }
        return out;
    }

    /** The interrupts an interrupt-map routes, each resolved from its parent onwards. */
    private List<Interrupt> mapped(NodeCursor nexus) {
        List<Interrupt> out = new ArrayList<>();
        NexusMap map = NexusMap.read(nexus, "interrupt", phandles);
        Property prop = nexus.node().property("interrupt-map").orElseThrow();
        for (NexusMap.Row r : map.rows()) {
            out.add(resolve(r.parent(), r.parentSpec(), r.parentUnit(), nexus, prop, 1));
        }
        return out;
    }

    private NodeCursor interruptParent(NodeCursor c) {
        return Interrupts.parent(c, phandles);
    }

    /** Takes a specifier at {@code at} down to the controller that receives it. */
    private Interrupt resolve(NodeCursor at, long[] spec, long[] unit, NodeCursor device, Property prop, int hops) {
        if (hops > MAX_HOPS) {
            throw err(device, prop, "interrupt routing does not end after " + MAX_HOPS + " nexus hops (a loop?)");
        }
        Node n = at.node();
        if (n.hasProperty("interrupt-controller")) {
            return interrupt(at, spec, device, prop);
        }
        if (NexusMap.isNexus(at, "interrupt")) {
            Optional<NexusMap.Routed> next = NexusMap.read(at, "interrupt", phandles).route(unit, spec);
            if (next.isPresent()) {
                return resolve(next.get().parent(), next.get().spec(), next.get().unit(), device, prop, hops + 1);
            }
            throw err(device, prop, "no interrupt-map entry of " + at.path() + " matches unit address "
                    + Ranges.hex(unit) + " interrupt " + Ranges.hex(spec));
        }
        NodeCursor up = interruptParent(at);
        if (up == null) {
            throw err(device, prop, at.path() + " is neither an interrupt controller nor a nexus, and has no parent");
        }
        return resolve(up, spec, unit, device, prop, hops + 1);
    }

    private Interrupt interrupt(NodeCursor ctrl, long[] spec, NodeCursor device, Property prop) {
        List<Long> all = Arrays.stream(spec).boxed().toList();
        if (gicVersion(ctrl.node()).isEmpty() || spec.length < 2) {
            return new Interrupt(ctrl.path(), InterruptKind.OTHER, spec.length > 0 ? spec[0] : 0,
                    spec.length > 1 ? spec[1] : 0, all);
        }
        // The GIC binding's first cell: 0 SPI, 1 PPI, 2 extended SPI, 3 extended PPI.
        InterruptKind kind;
        long limit;
        switch ((int) Math.min(spec[0], 4)) {
            case 0 -> { kind = InterruptKind.SPI; limit = 987; }
            case 1 -> { kind = InterruptKind.PPI; limit = 15; }
            case 2 -> { kind = InterruptKind.ESPI; limit = 1023; }
            case 3 -> { kind = InterruptKind.EPPI; limit = 63; }
            default -> throw err(device, prop, "GIC interrupt type " + spec[0] + " for " + ctrl.path()
                    + " is none of 0 (SPI), 1 (PPI), 2 (ESPI), 3 (EPPI)");
        }
        if (spec[1] > limit) {
            throw err(device, prop, kind + " " + spec[1] + " for " + ctrl.path() + " is out of range (0.." + limit + ")");
        }
        return new Interrupt(ctrl.path(), kind, spec[1], spec.length > 2 ? spec[2] : 0, all);
    }

    /** The first {@code reg} entry's address cells: what an interrupt-map matches against. */
    private static long[] unitAddress(NodeCursor c) {
        Optional<Property> reg = c.node().property("reg");
        return reg.isEmpty() ? new long[0] : reg.get().value().cells();
    }

    // ---- cells --------------------------------------------------------------------------

    /** {@link Addressing#count} limited to what a 64-bit physical address or size can use. */
    private static int cellCount(NodeCursor c, String name, int dflt, int min, int max) {
        int v = Addressing.count(c, name, dflt);
        if (v < min || v > max) {
            throw err(c, c.node().property(name).orElseThrow(), "is " + v + "; the inventory reads " + min + " to " + max
                    + " cells here (64-bit addresses and sizes)");
        }
        return v;
    }

    /** The property's cells, checked to be a whole number of {@code width}-cell entries. */
    private static long[] entries(NodeCursor c, Property p, int width, String what) {
        int len = p.value().length();
        if (width <= 0 ? len != 0 : len % (4 * width) != 0) {
            throw err(c, p, "length " + len + " is not a multiple of " + 4 * width + " bytes (" + what + ")");
        }
        return p.value().cells();
    }

    private List<Range> ranges(NodeCursor c, Property p, int ac, int sc) {
        long[] v = entries(c, p, ac + sc, "#address-cells " + ac + " + #size-cells " + sc);
        List<Range> out = new ArrayList<>();
        for (int i = 0; i < v.length; i += ac + sc) {
            BigInteger base = Cells.number(v, i, ac);
            BigInteger size = Cells.number(v, i + ac, sc);
            if (base.add(size).compareTo(U64) > 0) {
                throw err(c, p, String.format("0x%x + size 0x%x overflows 64 bits", base, size));
            }
            out.add(new Range(base.longValue(), size.longValue()));
        }
        out.sort(null);
        return out;
    }

    private NodeCursor phandleTarget(NodeCursor c, Property p, int offset) {
        return Interrupts.target(c, p, offset, phandles);
    }

    private static String string(Node n, String name) {
        return n.property(name).map(p -> p.value().asString()).orElse(null);
    }

    private static List<String> strings(Node n, String name) {
        return n.property(name).map(p -> p.value().asStrings()).orElse(List.of());
    }

    private static String statusOf(Node n) {
        String s = string(n, "status");
        return s == null ? "okay" : s;
    }

    private static DtException err(NodeCursor c, Property p, String message) {
        return new DtException(p.span() != null ? p.span() : c.node().span(), c.path() + ": " + p.name() + ": " + message);
    }
}
