package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an emitted tree does with a phandle or path reference out of a node it copies from the board
 * (issue 12, item 2). The rule table, by property:
 *
 * <table>
 * <tr><th>property</th><th>rule</th><th>why</th></tr>
 * <tr><td>interrupt-parent, interrupts-extended, interrupt-map, msi-parent, msi-map</td><td>follow</td>
 *     <td>the device's interrupts must reach the GIC the VM has</td></tr>
 * <tr><td>clocks, assigned-clocks, assigned-clock-parents, resets, power-domains, *-supply</td><td>follow</td>
 *     <td>the driver does not probe without them</td></tr>
 * <tr><td>pinctrl-N</td><td>follow</td><td>the pin states the device is muxed with</td></tr>
 * <tr><td>memory-region</td><td>follow</td><td>the region is described to the guest (not mapped)</td></tr>
 * <tr><td>iommus, iommu-map</td><td>drop, reported</td><td>a VM gets no SMMU: its memory is mapped IPA = PA by
 *     the hypervisor's stage 2</td></tr>
 * <tr><td>any other reference</td><td>drop, reported</td><td>not needed to probe the device (mailboxes,
 *     interconnects, phys, OPP tables, …)</td></tr>
 * </table>
 *
 * "Follow" copies the target into the tree (and its own followed references, transitively);
 * a followed target that another VM holds refuses the VM (ConfigTrees). After copying, any
 * reference whose target is still not in the tree — a dropped one, or one into a node the
 * emitter writes itself ({@code /cpus} of a VM) — is removed with its {@code -names} twin, and
 * the removal is listed in the report, so no emitted tree fails dtc's {@code phandle_references}.
 */
final class References {

    private References() {}

    private static final Set<String> FOLLOWED = Set.of(
            "interrupt-parent",
            "interrupts-extended",
            "interrupt-map",
            "msi-parent",
            "msi-map",
            "clocks",
            "assigned-clocks",
            "assigned-clock-parents",
            "resets",
            "power-domains",
            "memory-region");
    private static final Pattern PINCTRL = Pattern.compile("pinctrl-[0-9]+");
    private static final Map<String, String> NAMES = Map.of(
            "clocks",
            "clock-names",
            "resets",
            "reset-names",
            "power-domains",
            "power-domain-names",
            "dmas",
            "dma-names",
            "mboxes",
            "mbox-names",
            "interconnects",
            "interconnect-names",
            "phys",
            "phy-names",
            "iommus",
            "iommu-names",
            "interrupts-extended",
            "interrupt-names");

    /** Whether an emitted tree copies what {@code property} references. */
    static boolean followed(String property) {
        return FOLLOWED.contains(property)
                || property.endsWith("-supply")
                || PINCTRL.matcher(property).matches();
    }

    /** Why a reference in {@code property} is not followed. */
    static String whyDropped(String property) {
        return property.equals("iommus") || property.equals("iommu-map")
                ? "a VM has no SMMU (stage 2 maps it IPA = PA)"
                : "not followed by the reference rules";
    }

    /**
     * A reference removed from an emitted tree (node, property, target, why), or — with an empty
     * target — a property added to a copied node so the tree passes dtc's default checks.
     */
    record Dropped(String node, String property, String target, String why) {
        @Override
        public String toString() {
            return target.isEmpty()
                    ? node + ": " + property + " added (" + why + ")"
                    : node + ": " + property + " -> " + target + " dropped (" + why + ")";
        }
    }

    /** {@code root} with every reference to a node not in it removed, and what was removed. */
    static Node close(Node root, List<Dropped> dropped) {
        Set<String> present = new HashSet<>();
        collect(root, "", present);
        return close(root, "", present, dropped);
    }

    private static void collect(Node n, String path, Set<String> present) {
        present.add(path.isEmpty() ? "/" : path);
        present.addAll(n.labels());
        for (Node c : n.children()) {
            collect(c, path + "/" + c.name(), present);
        }
    }

    private static Node close(Node n, String path, Set<String> present, List<Dropped> dropped) {
        List<Property> kept = new ArrayList<>();
        Set<String> gone = new HashSet<>();
        String here = path.isEmpty() ? "/" : path;
        for (Property p : n.properties()) {
            String missing = null;
            for (Marker m : p.value().markers()) {
                if ((m.kind() == Marker.Kind.REF_PHANDLE || m.kind() == Marker.Kind.REF_PATH)
                        && !present.contains(m.ref())) {
                    missing = m.ref();
                    break;
                }
            }
            if (missing == null) {
                kept.add(p);
            } else {
                gone.add(p.name());
                dropped.add(new Dropped(
                        here,
                        p.name(),
                        missing,
                        followed(p.name())
                                ? "its target is not in this tree (written by gunyah-dt, or outside what the VM gets)"
                                : whyDropped(p.name())));
            }
        }
        if (!gone.isEmpty()) {
            List<Property> named = new ArrayList<>();
            for (Property p : kept) {
                if (!gone.stream().map(NAMES::get).anyMatch(p.name()::equals)) {
                    named.add(p);
                }
            }
            kept = named;
        }
        // dtc's check_interrupt_provider wants #address-cells on an interrupt controller; the kernel
        // relaxes that check for its boards, and of_irq_parse_raw reads a missing one as 0. Only
        // #address-cells is added (check_avoid_unnecessary_addr_size looks at a node with both), and
        // only where no child has a reg the new cell count would change.
        boolean added = false;
        if (n.hasProperty("interrupt-controller")
                && !n.hasProperty("#address-cells")
                && n.children().stream().noneMatch(c -> c.hasProperty("reg"))) {
            kept.add(Property.of("#address-cells", dev.gunyahdt.dt.PropertyValue.ofCells(0)));
            dropped.add(new Dropped(
                    here,
                    "#address-cells = <0>",
                    "",
                    "an interrupt provider without it trips dtc's interrupt_provider; Linux reads a missing one as 0"));
            added = true;
        }
        List<Node> children = new ArrayList<>();
        boolean changed = !gone.isEmpty() || added;
        for (Node c : n.children()) {
            Node cc = close(c, path + "/" + c.name(), present, dropped);
            changed |= cc != c;
            children.add(cc);
        }
        return changed ? n.withProperties(kept).withChildren(children) : n;
    }
}
