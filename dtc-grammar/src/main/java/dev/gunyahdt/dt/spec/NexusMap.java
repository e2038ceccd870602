package dev.gunyahdt.dt.spec;

import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A nexus node's {@code <specifier>-map} read into rows, one reader for every map (spec v0.4 §2.4.3
 * {@code interrupt-map}, §2.5 {@code gpio-map} and the like; Zephyr's python-devicetree reads them
 * all with one {@code _map()} too). A row is: the child unit address (interrupt maps only: the
 * nexus's {@code #address-cells}, looked for up the tree as Linux does, default 2), the child
 * specifier ({@code #<specifier>-cells} of the nexus), the parent's phandle, the parent unit address
 * (interrupt maps only: the parent's own {@code #address-cells}, default 0) and the parent
 * specifier (the parent's {@code #<specifier>-cells}).
 *
 * @param nexus     the node holding the map
 * @param specifier the map's prefix: {@code interrupt}, {@code gpio}, …
 * @param unitCells the child unit address cells of a row (0 but for interrupt maps)
 * @param specCells the child specifier cells of a row
 * @param rows      the rows in property order; they tile the property exactly
 */
public record NexusMap(NodeCursor nexus, String specifier, int unitCells, int specCells, List<Row> rows) {

    public NexusMap {
        rows = List.copyOf(rows);
    }

    /**
     * One row; {@code start} and {@code phandleAt} are cell indexes into the map property.
     */
    public record Row(int start, long[] childUnit, long[] childSpec, NodeCursor parent, int phandleAt,
                      long[] parentUnit, long[] parentSpec) {

        /** The cell index just past this row's parent specifier. */
        public int end() {
            return phandleAt + 1 + parentUnit.length + parentSpec.length;
        }
    }

    /** Where a matched specifier goes next: the parent, its unit address and the translated specifier. */
    public record Routed(NodeCursor parent, long[] unit, long[] spec) {
    }

    /** Whether {@code node} has a {@code <specifier>-map}. */
    public static boolean isNexus(NodeCursor node, String specifier) {
        return node.node().hasProperty(specifier + "-map");
    }

    /**
     * Reads {@code nexus}'s {@code <specifier>-map}; an error when it is absent, or when a row is
     * cut short, names no node, or its parent lacks {@code #<specifier>-cells}.
     */
    public static NexusMap read(NodeCursor nexus, String specifier, Map<Long, NodeCursor> phandles) {
        Property map = nexus.node().property(specifier + "-map").orElseThrow(
                () -> new IllegalArgumentException(nexus.path() + " has no " + specifier + "-map"));
        boolean interrupt = specifier.equals("interrupt");
        int ac = interrupt ? Addressing.inheritedAddressCells(nexus) : 0;
        int sc = Addressing.required(nexus, "#" + specifier + "-cells", nexus, map);
        if (map.value().length() % 4 != 0) {
            throw Errors.at(nexus, map, "length " + map.value().length() + " is not a multiple of 4 bytes (cells)");
        }
        long[] v = map.value().cells();
        List<Row> out = new ArrayList<>();
        int i = 0;
        while (i < v.length) {
            int ph = i + ac + sc;
            if (ph >= v.length) {
                throw Errors.at(nexus, map, "row at cell " + i + " is cut short");
            }
            NodeCursor parent = phandles.get(v[ph]);
            if (parent == null) {
                // the usual cause: a row written without the parent's unit address cells
                throw Errors.at(nexus, map, String.format("row at cell %d: phandle 0x%x refers to no node (a row is %d "
                        + "child unit address cell(s), %d %s cell(s), the parent's phandle, then the parent's "
                        + "#address-cells and #%s-cells)", i, v[ph], ac, sc, specifier, specifier));
            }
            int pac = interrupt ? Addressing.count(parent, "#address-cells", 0) : 0;
            int psc = Addressing.required(parent, "#" + specifier + "-cells", nexus, map);
            int end = ph + 1 + pac + psc;
            if (end > v.length) {
                throw Errors.at(nexus, map, "row at cell " + i + " needs " + (end - i) + " cells for parent "
                        + parent.path() + ", " + (v.length - i) + " left");
            }
            out.add(new Row(i, Arrays.copyOfRange(v, i, i + ac), Arrays.copyOfRange(v, i + ac, ph), parent, ph,
                    Arrays.copyOfRange(v, ph + 1, ph + 1 + pac), Arrays.copyOfRange(v, ph + 1 + pac, end)));
            i = end;
        }
        return new NexusMap(nexus, specifier, ac, sc, out);
    }

    /**
     * The first row matching a child's unit address and specifier under {@code <specifier>-map-mask}
     * (all ones when absent), its parent specifier taking the child's bits where
     * {@code <specifier>-map-pass-thru} says so (§2.5.3); empty when no row matches.
     */
    public Optional<Routed> route(long[] unit, long[] spec) {
        int ac = unitCells;
        int sc = specCells;
        long[] mask = ones(ac + sc);
        Optional<Property> maskProp = nexus.node().property(specifier + "-map-mask");
        if (maskProp.isPresent()) {
            if (maskProp.get().value().length() != 4 * (ac + sc)) {
                throw Errors.at(nexus, maskProp.get(), "expected " + (ac + sc) + " cells (#address-cells " + ac
                        + " + #" + specifier + "-cells " + sc + "), found " + maskProp.get().value().length() + " bytes");
            }
            mask = maskProp.get().value().cells();
        }
        for (Row r : rows) {
            if (matches(r.childUnit(), unit, mask, 0) && matches(r.childSpec(), spec, mask, ac)) {
                return Optional.of(new Routed(r.parent(), r.parentUnit(), passThrough(r.parentSpec(), spec)));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(long[] row, long[] given, long[] mask, int maskAt) {
        for (int i = 0; i < row.length; i++) {
            long g = i < given.length ? given[i] : 0;
            long m = mask[maskAt + i];
            if ((g & m) != (row[i] & m)) {
                return false;
            }
        }
        return true;
    }

    private long[] passThrough(long[] parentSpec, long[] childSpec) {
        Optional<Property> pt = nexus.node().property(specifier + "-map-pass-thru");
        if (pt.isEmpty()) {
            return parentSpec;
        }
        long[] bits = pt.get().value().cells();
        long[] out = parentSpec.clone();
        for (int i = 0; i < out.length && i < bits.length && i < childSpec.length; i++) {
            out[i] = (out[i] & ~bits[i]) | (childSpec[i] & bits[i]);
        }
        return out;
    }

    private static long[] ones(int n) {
        long[] m = new long[n];
        Arrays.fill(m, 0xffffffffL);
        return m;
    }
}
