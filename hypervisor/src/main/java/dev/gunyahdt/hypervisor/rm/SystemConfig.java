package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.hypervisor.rm.config.VmConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the RM takes from {@code system.dtb} (DESIGN.md §4.2): the table of VMs under {@code /gunyah-vms} with
 * their names, VMIDs, the primary, owners and physical memory, and the shared-memory regions. The platform
 * (CPUs, GIC) is not read: vCPUs and the vGIC are not modelled here.
 */
public record SystemConfig(List<VmEntry> vms, List<SharedRegion> shared, List<Range> ram) {

    public SystemConfig {
        vms = List.copyOf(vms);
        shared = List.copyOf(shared);
        ram = List.copyOf(ram);
    }

    public SystemConfig(List<VmEntry> vms, List<SharedRegion> shared) {
        this(vms, shared, List.of());
    }

    /** A physical range, [base, base+size). */
    public record Range(long base, long size) {}

    /**
     * One VM of the table. {@code owner} is empty for the primary; {@code hwIrqs} are the INTIDs of its devices'
     * SPIs ({@code hw-spis}, SPI numbers there); {@code deviceMemory} is its passed-through devices' MMIO
     * ({@code passthrough-mmio}), which the owner holds until it lends it.
     */
    public record VmEntry(
            String name,
            int vmid,
            boolean primary,
            Optional<String> owner,
            long memoryBase,
            long memorySize,
            List<Integer> hwIrqs,
            List<Range> deviceMemory) {
        public VmEntry {
            hwIrqs = List.copyOf(hwIrqs);
            deviceMemory = List.copyOf(deviceMemory);
        }
    }

    /** A region shared between VMs, declared by a VM's shm vdevice with {@code label}. */
    public record SharedRegion(String declaredBy, long label, long base, long size, List<String> sharers) {
        public SharedRegion {
            sharers = List.copyOf(sharers);
        }
    }

    public Optional<VmEntry> primary() {
        return vms.stream().filter(VmEntry::primary).findFirst();
    }

    /**
     * The SPIs the board's devices use, every VM's, sorted: what the model's platform has hwirq objects for (the
     * real boot environment lists every SPI of the GIC; the model makes only those the board wires).
     */
    public List<Integer> hwIrqs() {
        return vms.stream()
                .flatMap(v -> v.hwIrqs().stream())
                .distinct()
                .sorted()
                .toList();
    }

    public Optional<VmEntry> vm(String name) {
        return vms.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /** A VM name that is also a safe file name (the partitioner's names are a subset). */
    private static final java.util.regex.Pattern FILE_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,78}");

    /** The root's cell count: the default when it is absent or not one cell. */
    private static int rootCells(DeviceTree tree, String name, int dflt) {
        long v = Addressing.countOrNone(tree.root(), name, dflt);
        return v < 0 ? dflt : (int) v;
    }

    /** Reads {@code /gunyah-vms} of a system tree; {@code blob} names it in messages. */
    public static SystemConfig read(String blob, DeviceTree tree) {
        NodeCursor table = tree.find("/gunyah-vms")
                .orElseThrow(() -> new VmConfigException(
                        blob, "/", null, "no /gunyah-vms table (not a gunyah-dt bootable config?)"));
        List<VmEntry> vms = new ArrayList<>();
        List<SharedRegion> shared = new ArrayList<>();
        // memory-ranges are written in the root's cells (a board with #address-cells = #size-cells = 1 too)
        int ac = rootCells(tree, "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        int sc = rootCells(tree, "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        for (NodeCursor c : table.children()) {
            Optional<Property> name = c.node().property("vm-name");
            long[] mem = c.node()
                    .property("memory-ranges")
                    .map(p -> p.value().cells())
                    .orElse(new long[0]);
            if (name.isPresent()) {
                long vmid =
                        c.node().property("vmid").map(p -> p.value().asCell()).orElse(-1L);
                if (vmid < 0 || vmid > 0xFFFF) {
                    throw new VmConfigException(blob, c.path(), "vmid", "missing or not one cell");
                }
                if (mem.length < ac + sc || ac > 2 || sc > 2) {
                    throw new VmConfigException(blob, c.path(), "memory-ranges", "missing");
                }
                String vmName = name.get().value().asString();
                if (!FILE_NAME.matcher(vmName).matches()) {
                    // boot names each VM's files after it (vm/NAME.dtb): "../x" or "a/b" would leave the folder
                    throw new VmConfigException(
                            blob,
                            c.path(),
                            "vm-name",
                            "\"" + vmName
                                    + "\" is not a VM name (1 to 79 letters, digits, '_', '-' or '.', not starting with '.')");
                }
                vms.add(new VmEntry(
                        vmName,
                        (int) vmid,
                        c.node().hasProperty("primary"),
                        c.node().property("owner").map(p -> p.value().asString()),
                        Cells.join(mem, 0, ac),
                        Cells.join(mem, ac, sc),
                        spis(c),
                        ranges(c, "passthrough-mmio", ac, sc)));
            } else if (c.node().hasProperty("declared-by") && mem.length >= ac + sc && ac <= 2 && sc <= 2) {
                shared.add(new SharedRegion(
                        c.node().property("declared-by").get().value().asString(),
                        c.node()
                                .property("vdevice-label")
                                .map(p -> p.value().asCell())
                                .orElse(0L),
                        Cells.join(mem, 0, ac),
                        Cells.join(mem, ac, sc),
                        c.node()
                                .property("sharers")
                                .map(p -> p.value().asStrings())
                                .orElse(List.of())));
            }
        }
        if (vms.stream().filter(VmEntry::primary).count() != 1) {
            throw new VmConfigException(blob, table.path(), null, "needs exactly one primary VM");
        }
        return new SystemConfig(vms, shared, ram(tree));
    }

    /** A property of {address, size} pairs in the root's cells; an incomplete tail is ignored. */
    private static List<Range> ranges(NodeCursor c, String name, int ac, int sc) {
        long[] v = c.node().property(name).map(p -> p.value().cells()).orElse(new long[0]);
        List<Range> out = new ArrayList<>();
        for (int i = 0; ac <= 2 && sc <= 2 && i + ac + sc <= v.length; i += ac + sc) {
            out.add(new Range(Cells.join(v, i, ac), Cells.join(v, i + ac, sc)));
        }
        return out;
    }

    /** {@code hw-spis} (SPI numbers, one cell each) as INTIDs; numbers beyond the GIC's SPIs are left out. */
    private static List<Integer> spis(NodeCursor vm) {
        long[] cells = vm.node().property("hw-spis").map(p -> p.value().cells()).orElse(new long[0]);
        List<Integer> out = new ArrayList<>();
        for (long spi : cells) {
            if (spi >= 0 && spi <= 1019 - 32) {
                out.add((int) spi + 32);
            }
        }
        return out;
    }

    /** The {@code reg} ranges of the top-level {@code device_type = "memory"} nodes (root cells, default 2/1). */
    private static List<Range> ram(DeviceTree tree) {
        NodeCursor root = tree.find("/").orElseThrow();
        int ac = rootCells(tree, "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        int sc = rootCells(tree, "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        List<Range> out = new ArrayList<>();
        for (NodeCursor c : root.children()) {
            boolean memory = c.node()
                    .property("device_type")
                    .map(p -> p.value().asString())
                    .filter("memory"::equals)
                    .isPresent();
            long[] reg = c.node().property("reg").map(p -> p.value().cells()).orElse(new long[0]);
            if (!memory || ac < 1 || ac > 2 || sc < 1 || sc > 2) {
                continue;
            }
            for (int i = 0; i + ac + sc <= reg.length; i += ac + sc) {
                out.add(new Range(Cells.join(reg, i, ac), Cells.join(reg, i + ac, sc)));
            }
        }
        return out;
    }
}
