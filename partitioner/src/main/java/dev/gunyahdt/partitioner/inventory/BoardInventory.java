package dev.gunyahdt.partitioner.inventory;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.DtException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a board has to share out, read from its devicetree: physical memory, reserved memory,
 * CPUs and their clusters, the interrupt controllers (and which one is the GIC), and every
 * device with its MMIO translated to physical addresses and its interrupts resolved to the
 * controller that receives them. Immutable; built once by {@link #of(DeviceTree)}.
 *
 * <p>Addresses and sizes are unsigned 64-bit values held in {@code long}s.
 */
public record BoardInventory(
        List<Range> memory,
        List<Reserved> reserved,
        List<Cpu> cpus,
        List<InterruptController> interruptControllers,
        Optional<InterruptController> gic,
        List<Device> devices) {

    public BoardInventory {
        memory = List.copyOf(memory);
        reserved = List.copyOf(reserved);
        cpus = List.copyOf(cpus);
        interruptControllers = List.copyOf(interruptControllers);
        devices = List.copyOf(devices);
    }

    /**
     * Reads the inventory of a resolved tree (as {@code Compiler} returns it, or read from a blob).
     *
     * @throws DtException when a property the inventory needs is malformed (wrong length, a cell
     *                     size out of range, a dangling phandle, an address that overflows), with
     *                     that property's source position when it has one
     */
    public static BoardInventory of(DeviceTree tree) {
        return new Extractor(tree).extract();
    }

    /** The device at this path, if the inventory has one. */
    public Optional<Device> device(String path) {
        return devices.stream().filter(d -> d.path().equals(path)).findFirst();
    }

    /** The CPUs of each {@code cpu-map} cluster, clusters in first-seen order. */
    public Map<String, List<Cpu>> clusters() {
        Map<String, List<Cpu>> out = new LinkedHashMap<>();
        for (Cpu c : cpus) {
            if (c.cluster() != null) {
                out.computeIfAbsent(c.cluster(), k -> new java.util.ArrayList<>())
                        .add(c);
            }
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A physical address range {@code [base, base+size)}; base+size never exceeds 2^64. */
    public record Range(long base, long size) implements Comparable<Range> {

        /** The last address inside the range (base itself for an empty range). */
        public long last() {
            return size == 0 ? base : base + size - 1;
        }

        public boolean contains(long address) {
            return size != 0 && Long.compareUnsigned(address, base) >= 0 && Long.compareUnsigned(address, last()) <= 0;
        }

        @Override
        public int compareTo(Range o) {
            int c = Long.compareUnsigned(base, o.base);
            return c != 0 ? c : Long.compareUnsigned(size, o.size);
        }

        @Override
        public String toString() {
            return String.format("0x%x+0x%x", base, size);
        }
    }

    /**
     * One child of {@code /reserved-memory}. A static region has {@code reg}; a dynamic one has
     * {@code size} (and optionally {@code alignment}, {@code alloc-ranges}) and is placed by the OS.
     */
    public record Reserved(
            String path,
            List<String> compatible,
            List<Range> reg,
            boolean noMap,
            boolean reusable,
            OptionalLong size,
            OptionalLong alignment,
            List<Range> allocRanges,
            SourceSpan span) {

        public Reserved {
            compatible = List.copyOf(compatible);
            reg = List.copyOf(reg);
            allocRanges = List.copyOf(allocRanges);
        }

        public boolean dynamic() {
            return reg.isEmpty() && size.isPresent();
        }
    }

    /**
     * A CPU node. {@code cluster} is its cluster's path inside {@code cpu-map}
     * ({@code socket0/cluster0}), or null when no {@code cpu-map} entry names it; {@code core}
     * and {@code thread} are the N of its {@code coreN}/{@code threadN} (-1 when absent).
     */
    public record Cpu(
            String path,
            long mpidr,
            Optional<String> enableMethod,
            String status,
            String cluster,
            int core,
            int thread,
            SourceSpan span) {}

    /** GIC architecture versions the inventory recognises by {@code compatible}. */
    public enum GicVersion {
        V2,
        V3
    }

    /** A node with {@code interrupt-controller}. {@code interruptCells} is -1 when it has none. */
    public record InterruptController(
            String path,
            List<String> compatible,
            int interruptCells,
            Optional<GicVersion> gicVersion,
            SourceSpan span) {

        public InterruptController {
            compatible = List.copyOf(compatible);
        }
    }

    /** How a GIC numbers an interrupt: the specifier's first cell. OTHER for non-GIC controllers. */
    public enum InterruptKind {
        SPI(32),
        PPI(16),
        ESPI(4096),
        EPPI(1056),
        OTHER(0);

        private final int intidBase;

        InterruptKind(int intidBase) {
            this.intidBase = intidBase;
        }
    }

    /**
     * One interrupt as the receiving controller sees it. For a GIC, {@code number} is the
     * specifier's number (SPI n, PPI n) and {@code flags} its trigger cell; for another
     * controller, the first and second specifier cells. {@code specifier} is the whole specifier.
     */
    public record Interrupt(String controller, InterruptKind kind, long number, long flags, List<Long> specifier) {

        public Interrupt {
            specifier = List.copyOf(specifier);
        }

        /** The GIC INTID (SPI n → n+32, PPI n → n+16), or -1 for a non-GIC interrupt. */
        public long intid() {
            return kind == InterruptKind.OTHER ? -1 : kind.intidBase + number;
        }

        @Override
        public String toString() {
            return controller + ":" + kind + " " + number
                    + (kind == InterruptKind.OTHER ? "" : " flags 0x" + Long.toHexString(flags));
        }
    }

    /**
     * A device: a node with {@code reg} or interrupts outside {@code /cpus}, {@code /memory*} and
     * {@code /reserved-memory}. {@code mmio} are its {@code reg} entries, in reg order, as physical ranges when
     * they translate to the root; otherwise {@code mmio} is empty and {@code untranslatable} says
     * why (a parent without {@code ranges}, {@code #size-cells = 0}, an address outside every range).
     * {@code interrupts} are its own ({@code interrupts} / {@code interrupts-extended}),
     * {@code mapped} those its {@code interrupt-map} routes for its children (a PCI host's INTx).
     */
    public record Device(
            String path,
            List<String> compatible,
            String status,
            List<Range> mmio,
            Optional<String> untranslatable,
            List<Interrupt> interrupts,
            List<Interrupt> mapped,
            SourceSpan span) {

        public Device {
            compatible = List.copyOf(compatible);
            mmio = List.copyOf(mmio);
            interrupts = List.copyOf(interrupts);
            mapped = List.copyOf(mapped);
        }

        public boolean enabled() {
            return status.equals("okay") || status.equals("ok");
        }
    }
}
