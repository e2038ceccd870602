package dev.gunyahdt.dt.inspect;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Interrupts;
import dev.gunyahdt.dt.spec.NexusMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What a tree says about itself beyond its bytes: node labels (its own and those named by
 * {@code /__symbols__}), which cells hold phandles and whom they point at, where multi-entry
 * properties split into entries, and what GIC interrupt specifiers mean.
 *
 * <p>Phandle cells come from, most certain first: references kept from DTS source, an
 * overlay's {@code __fixups__} and {@code __local_fixups__}, and (for trees that are not
 * overlays) the standard phandle properties walked with each provider's {@code #…-cells}. A
 * cell counts only when its value is the phandle of a node in the tree, so a guess can make
 * a reference read wrong but never change the value it compiles back to. Overlays use only
 * their fixup nodes: a reference the fixups do not list would make dtc add one.
 */
final class Analysis {

    record Key(String path, String prop) {
    }

    /** One entry of a phandle+args list: where it starts, its target, where its args start and how many. */
    private record Entry(int start, NodeCursor target, int argsStart, int args) {
    }

    static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern PINCTRL = Pattern.compile("pinctrl-[0-9]+");

    /** Standard phandle + args properties and the provider property giving the arg count. */
    private static final Map<String, String> PHANDLE_ARGS = Map.ofEntries(
            Map.entry("clocks", "#clock-cells"),
            Map.entry("assigned-clocks", "#clock-cells"),
            Map.entry("assigned-clock-parents", "#clock-cells"),
            Map.entry("resets", "#reset-cells"),
            Map.entry("power-domains", "#power-domain-cells"),
            Map.entry("dmas", "#dma-cells"),
            Map.entry("phys", "#phy-cells"),
            Map.entry("iommus", "#iommu-cells"),
            Map.entry("mboxes", "#mbox-cells"),
            Map.entry("interrupts-extended", "#interrupt-cells"),
            Map.entry("thermal-sensors", "#thermal-sensor-cells"),
            Map.entry("cooling-device", "#cooling-cells"),
            Map.entry("msi-parent", "#msi-cells"),
            Map.entry("pwms", "#pwm-cells"),
            Map.entry("io-channels", "#io-channel-cells"),
            Map.entry("sound-dai", "#sound-dai-cells"),
            Map.entry("interconnects", "#interconnect-cells"),
            Map.entry("hwlocks", "#hwlock-cells"),
            Map.entry("mux-controls", "#mux-control-cells"),
            Map.entry("mux-states", "#mux-state-cells"),
            Map.entry("access-controllers", "#access-controller-cells"),
            Map.entry("gpio-ranges", "#gpio-range-cells"),
            Map.entry("gpios", "#gpio-cells"),
            Map.entry("gpio", "#gpio-cells"));

    /** Providers may leave these out; the binding gives the default. */
    private static final Map<String, Integer> DEFAULT_ARGS = Map.of(
            "#msi-cells", 0, "#gpio-range-cells", 3);

    /** Properties that hold phandles only, one or more. */
    private static final Set<String> PHANDLE_LISTS = Set.of(
            "interrupt-parent", "memory-region", "remote-endpoint", "cpu", "cpus", "next-level-cache",
            "operating-points-v2", "phy-handle", "pcs-handle", "trip", "cpu-idle-states",
            "domain-idle-states", "nvmem", "nvmem-cells", "sram", "interrupt-affinity", "dais",
            "required-opps", "wakeup-parent", "mmc-pwrseq", "backlight", "extcon", "companion", "shmem",
            "affinity", "peer-hub");

    /** {@code (id-base, phandle, out-base, length)} maps. */
    private static final Set<String> ID_MAPS = Set.of("iommu-map", "msi-map");

    final DeviceTree tree;
    final Map<String, NodeCursor> byPath = new LinkedHashMap<>();
    final Map<Long, NodeCursor> phandles;
    final Map<String, List<String>> labels = new HashMap<>();
    final Map<Key, TreeMap<Integer, CellRef>> refs = new HashMap<>();
    final Map<Key, TreeMap<Integer, String>> notes = new HashMap<>();
    final Map<Key, TreeSet<Integer>> breaks = new HashMap<>();
    /** An overlay whose fixup nodes all placed: printed as /plugin/ without them (dtc rebuilds them). */
    final boolean overlay;
    /** An overlay whose fixups did not all place: printed as a plain tree, fixup nodes kept. */
    final boolean overlayVerbatim;
    private final boolean overlayShaped;
    private final Set<String> usedLabels = new java.util.HashSet<>();
    private Map<String, NodeCursor> nodeLabels;

    Analysis(DeviceTree tree) {
        this.tree = tree;
        tree.walk(c -> byPath.putIfAbsent(c.path(), c));
        this.phandles = tree.phandles();
        Node root = tree.root();
        this.overlayShaped = tree.plugin() || root.child("__fixups__").isPresent()
                || root.child("__local_fixups__").isPresent();

        List<String[]> fixups = readFixups(root);
        Set<String> fixupLabels = new java.util.HashSet<>();
        for (String[] f : fixups) {
            fixupLabels.add(f[0]);
        }
        collectLabels(overlayShaped ? fixupLabels : Set.of());

        boolean placed = true;
        for (NodeCursor c : byPath.values()) {
            for (Property p : c.node().properties()) {
                sourceRefs(c, p);
            }
        }
        placed &= placeFixups(fixups);
        placed &= placeLocalFixups();
        if (!overlayShaped) {
            for (NodeCursor c : byPath.values()) {
                for (Property p : c.node().properties()) {
                    propertyRefs(c, p);
                }
            }
        }
        for (Map.Entry<Key, TreeMap<Integer, CellRef>> e : refs.entrySet()) {
            if (isArgsList(e.getKey().prop())) {
                for (int off : e.getValue().keySet()) {
                    addBreak(e.getKey(), off); // one <…> per phandle + args entry
                }
            }
        }
        for (NodeCursor c : byPath.values()) {
            decodeInterrupts(c);
            entryBreaks(c);
        }
        boolean regenerable = overlayShaped && placed && regenerable();
        this.overlay = regenerable;
        this.overlayVerbatim = overlayShaped && !regenerable;
    }

    /** The label a reference to {@code path} is written with; none for the root, which DTS cannot label in place. */
    String labelFor(String path) {
        List<String> l = labels.get(path);
        return l == null || l.isEmpty() || path.equals("/") ? null : l.get(0);
    }

    // ---- fixup regeneration

    /**
     * Whether dtc, given the references as a /plugin/ source, rebuilds the fixup nodes exactly
     * as they are: the same entries in the same order (dtc lists them in tree order), at the
     * end of the root (where dtc appends them), {@code __fixups__} first. Empty fixup nodes are
     * printed as they are (dtc would not create them). A blob from another tool may order
     * things otherwise; it is then printed verbatim instead.
     */
    private boolean regenerable() {
        Map<String, List<String>> fixups = new LinkedHashMap<>();
        Map<String, Map<String, List<Long>>> local = new LinkedHashMap<>();
        for (NodeCursor c : byPath.values()) {
            for (Property p : c.node().properties()) {
                TreeMap<Integer, CellRef> m = refs.get(new Key(c.path(), p.name()));
                if (m == null) {
                    continue;
                }
                for (CellRef r : m.values()) {
                    if (r.targetPath() == null) {
                        fixups.computeIfAbsent(r.label(), k -> new ArrayList<>())
                              .add(c.path() + ":" + p.name() + ":" + r.offset());
                    } else {
                        local.computeIfAbsent(c.path(), k -> new LinkedHashMap<>())
                             .computeIfAbsent(p.name(), k -> new ArrayList<>()).add((long) r.offset());
                    }
                }
            }
        }
        List<String> tail = new ArrayList<>();
        Node root = tree.root();
        Optional<Node> fx = root.child("__fixups__");
        if (!fixups.isEmpty()) {
            if (fx.isEmpty() || !fx.get().children().isEmpty() || !sameFixups(fx.get(), fixups)) {
                return false;
            }
            tail.add("__fixups__");
        } else if (fx.isPresent() && !isEmpty(fx.get())) {
            return false;
        }
        Optional<Node> lf = root.child("__local_fixups__");
        if (!local.isEmpty()) {
            if (lf.isEmpty() || !sameLocalFixups(lf.get(), local)) {
                return false;
            }
            tail.add("__local_fixups__");
        } else if (lf.isPresent() && !isEmpty(lf.get())) {
            return false;
        }
        List<Node> children = root.children();
        for (int i = 0; i < tail.size(); i++) {
            if (!children.get(children.size() - tail.size() + i).name().equals(tail.get(i))) {
                return false;
            }
        }
        regenerated.addAll(tail);
        return true;
    }

    /** Root children dtc rebuilds from the references (left out of a /plugin/ printout). */
    final Set<String> regenerated = new java.util.HashSet<>();

    private static boolean isEmpty(Node n) {
        return n.properties().isEmpty() && n.children().isEmpty();
    }

    private static boolean sameFixups(Node node, Map<String, List<String>> expected) {
        List<Property> props = node.properties();
        if (props.size() != expected.size()) {
            return false;
        }
        int i = 0;
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            Property p = props.get(i++);
            if (!p.name().equals(e.getKey()) || !Arrays.equals(p.value().bytes(), PropertyValue.ofStrings(e.getValue()).bytes())) {
                return false;
            }
        }
        return true;
    }

    /** The __local_fixups__ subtree against the one dtc would build from {@code expected}, node order included. */
    private boolean sameLocalFixups(Node node, Map<String, Map<String, List<Long>>> expected) {
        // dtc creates each node along an entry's path the first time it is met, so the
        // expected tree's pre-order is the order of first appearance of every path prefix
        List<String> order = new ArrayList<>();
        Map<String, List<String>> kids = new HashMap<>();
        for (String path : expected.keySet()) {
            String at = "";
            for (String part : path.substring(1).split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                String next = at + "/" + part;
                List<String> k = kids.computeIfAbsent(at, x -> new ArrayList<>());
                if (!k.contains(next)) {
                    k.add(next);
                }
                at = next;
            }
        }
        preorder("", kids, order);
        Map<String, Node> actual = new LinkedHashMap<>();
        NodeCursor.root(node).walk(c -> actual.put(c.path().equals("/") ? "" : c.path(), c.node()));
        if (!new ArrayList<>(actual.keySet()).equals(order)) {
            return false;
        }
        for (Map.Entry<String, Node> a : actual.entrySet()) {
            Map<String, List<Long>> props = expected.getOrDefault(a.getKey().isEmpty() ? "/" : a.getKey(), Map.of());
            List<Property> have = a.getValue().properties();
            if (have.size() != props.size()) {
                return false;
            }
            int i = 0;
            for (Map.Entry<String, List<Long>> e : props.entrySet()) {
                Property p = have.get(i++);
                long[] want = e.getValue().stream().mapToLong(Long::longValue).toArray();
                if (!p.name().equals(e.getKey()) || !Arrays.equals(p.value().bytes(), PropertyValue.ofCells(want).bytes())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void preorder(String at, Map<String, List<String>> kids, List<String> out) {
        out.add(at);
        for (String k : kids.getOrDefault(at, List.of())) {
            preorder(k, kids, out);
        }
    }

    // ---- labels

    private void collectLabels(Set<String> exclude) {
        Predicate<String> ok = l -> LABEL.matcher(l).matches() && !exclude.contains(l);
        for (NodeCursor c : byPath.values()) {
            for (String l : c.node().labels()) {
                addLabel(c.path(), l, ok);
            }
        }
        Optional<Node> symbols = tree.root().child("__symbols__");
        if (symbols.isPresent()) {
            for (Property p : symbols.get().properties()) {
                PropertyValue v = p.value();
                if (v.isStringList() && v.asStrings().size() == 1 && byPath.containsKey(v.asString())) {
                    addLabel(v.asString(), p.name(), ok);
                }
            }
        }
    }

    private void addLabel(String path, String label, Predicate<String> ok) {
        if (!ok.test(label)) {
            return;
        }
        if (usedLabels.add(label)) { // one label, one node
            labels.computeIfAbsent(path, k -> new ArrayList<>()).add(label);
        }
    }

    // ---- phandle cells

    private void addRef(Key key, int offset, String target, String label, CellRef.Source src) {
        refs.computeIfAbsent(key, k -> new TreeMap<>())
            .putIfAbsent(offset, new CellRef(offset, target, label, src));
    }

    private void addLocalRef(Key key, int offset, NodeCursor target, CellRef.Source src) {
        addRef(key, offset, target.path(), labelFor(target.path()), src);
    }

    private void sourceRefs(NodeCursor c, Property p) {
        PropertyValue v = p.value();
        for (Marker m : v.markers()) {
            if (m.kind() != Marker.Kind.REF_PHANDLE || m.offset() < 0 || m.offset() + 4 > v.length() || m.ref() == null) {
                continue;
            }
            Key key = new Key(c.path(), p.name());
            NodeCursor target = m.ref().startsWith("/") ? tree.find(m.ref()).orElse(null) : labelled(m.ref());
            if (target != null && target.node().phandle() == v.cellAt(m.offset())) {
                addLocalRef(key, m.offset(), target, CellRef.Source.SOURCE);
            } else if (target == null && v.cellAt(m.offset()) == 0xffffffffL && LABEL.matcher(m.ref()).matches()) {
                addRef(key, m.offset(), null, m.ref(), CellRef.Source.FIXUP);
            }
        }
    }

    private NodeCursor labelled(String label) {
        if (nodeLabels == null) {
            nodeLabels = tree.nodeLabels();
        }
        return nodeLabels.get(label);
    }

    /** {@code __fixups__} as {label, path, property, offset} rows; unparsable rows keep nulls. */
    private static List<String[]> readFixups(Node root) {
        List<String[]> out = new ArrayList<>();
        Optional<Node> fixups = root.child("__fixups__");
        if (fixups.isEmpty()) {
            return out;
        }
        for (Property p : fixups.get().properties()) {
            if (!p.value().isStringList()) {
                out.add(new String[] {p.name(), null, null, null});
                continue;
            }
            for (String s : p.value().asStrings()) {
                int b = s.lastIndexOf(':');
                int a = b > 0 ? s.lastIndexOf(':', b - 1) : -1;
                out.add(a > 0 ? new String[] {p.name(), s.substring(0, a), s.substring(a + 1, b), s.substring(b + 1)}
                              : new String[] {p.name(), null, null, null});
            }
        }
        return out;
    }

    private boolean placeFixups(List<String[]> fixups) {
        boolean all = true;
        for (String[] f : fixups) {
            NodeCursor c = f[1] == null ? null : byPath.get(f[1]);
            Property p = c == null ? null : c.node().property(f[2]).orElse(null);
            int off = parseOffset(f[3]);
            if (p == null || off < 0 || off + 4 > p.value().length() || !LABEL.matcher(f[0]).matches()) {
                all = false;
                continue;
            }
            addRef(new Key(c.path(), p.name()), off, null, f[0], CellRef.Source.FIXUP);
        }
        return all;
    }

    private static int parseOffset(String s) {
        if (s == null || s.isEmpty() || s.length() > 9) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(s);
    }

    private boolean placeLocalFixups() {
        NodeCursor lf = byPath.get("/__local_fixups__");
        if (lf == null) {
            return true;
        }
        boolean[] all = {true};
        lf.walk(c -> {
            String rel = c.path().substring("/__local_fixups__".length());
            NodeCursor node = byPath.get(rel.isEmpty() ? "/" : rel);
            for (Property p : c.node().properties()) {
                Property target = node == null ? null : node.node().property(p.name()).orElse(null);
                if (target == null || p.value().length() % 4 != 0) {
                    all[0] = false;
                    continue;
                }
                PropertyValue v = target.value();
                for (long off : p.value().cells()) {
                    NodeCursor to = off + 4 <= v.length() ? phandles.get(v.cellAt((int) off)) : null;
                    if (to == null) {
                        all[0] = false;
                    } else {
                        addLocalRef(new Key(node.path(), p.name()), (int) off, to, CellRef.Source.LOCAL_FIXUP);
                    }
                }
            }
        });
        return all[0];
    }

    /** The standard phandle properties, for trees that are not overlays. */
    private void propertyRefs(NodeCursor c, Property p) {
        String name = p.name();
        PropertyValue v = p.value();
        if (v.isEmpty() || v.length() % 4 != 0 || name.startsWith("#")) {
            return;
        }
        if (name.equals("gpios") && c.node().hasProperty("gpio-hog")) {
            return; // a hog's specifiers belong to its parent controller: no phandle in them
        }
        Key key = new Key(c.path(), name);
        long[] cells = v.cells();
        if (PHANDLE_LISTS.contains(name) || PINCTRL.matcher(name).matches()
                || (name.endsWith("-supply") && cells.length == 1)) {
            for (int i = 0; i < cells.length; i++) {
                NodeCursor t = phandles.get(cells[i]);
                if (t == null) {
                    return;
                }
                addLocalRef(key, 4 * i, t, CellRef.Source.PROPERTY);
            }
        } else if (isArgsList(name)) {
            for (Entry e : entries(cells, PHANDLE_ARGS.getOrDefault(name, "#gpio-cells"))) {
                addLocalRef(key, e.start, e.target, CellRef.Source.PROPERTY);
                addBreak(key, e.start);
                addBreak(key, e.argsStart + 4 * e.args); // where the walk left off, when it stops early
            }
        } else if (ID_MAPS.contains(name) && cells.length % 4 == 0) {
            for (int i = 1; i < cells.length; i += 4) {
                NodeCursor t = phandles.get(cells[i]);
                if (t != null) {
                    addLocalRef(key, 4 * i, t, CellRef.Source.PROPERTY);
                }
                addBreak(key, 4 * (i - 1));
            }
        } else if (name.equals("interrupt-map")) {
            for (Entry e : interruptMap(c)) {
                addLocalRef(key, e.start, e.target, CellRef.Source.PROPERTY);
            }
        }
    }

    private static boolean isArgsList(String name) {
        return PHANDLE_ARGS.containsKey(name) || name.endsWith("-gpios") || name.endsWith("-gpio");
    }

    /**
     * A phandle + args list split into entries, each provider saying how many args follow its
     * phandle. Stops where the walk can no longer know where the next entry starts.
     */
    private List<Entry> entries(long[] cells, String cellsName) {
        List<Entry> out = new ArrayList<>();
        int i = 0;
        while (i < cells.length) {
            if (cells[i] == 0) {
                i++; // an empty slot, as Linux allows in gpio lists
                continue;
            }
            NodeCursor t = phandles.get(cells[i]);
            long args = t == null ? -1 : Addressing.countOrNone(t.node(), cellsName, DEFAULT_ARGS.getOrDefault(cellsName, -1));
            if (args < 0 || i + 1 + args > cells.length) {
                break;
            }
            out.add(new Entry(4 * i, t, 4 * (i + 1), (int) args));
            i += 1 + (int) args;
        }
        return out;
    }

    /**
     * interrupt-map entries as {@link NexusMap} reads them: all of them, or none when the layout
     * does not fit (a printer annotates what it is sure of and fails on nothing).
     */
    private List<Entry> interruptMap(NodeCursor c) {
        List<Entry> out = new ArrayList<>();
        try {
            for (NexusMap.Row r : NexusMap.read(c, "interrupt", phandles).rows()) {
                int args = 4 * (r.phandleAt() + 1 + r.parentUnit().length);
                out.add(new Entry(4 * r.phandleAt(), r.parent(), args, r.parentSpec().length));
            }
        } catch (DtException malformed) {
            return List.of();
        }
        return out;
    }

    // ---- interrupts

    /** The interrupt parent ({@link Interrupts#parent}), or null where it cannot be found. */
    private NodeCursor interruptParent(NodeCursor c) {
        try {
            return Interrupts.parent(c, phandles);
        } catch (DtException malformed) {
            return null;
        }
    }

    private void decodeInterrupts(NodeCursor c) {
        Node n = c.node();
        Optional<Property> ints = n.property("interrupts");
        if (ints.isPresent() && ints.get().value().length() % 4 == 0) {
            NodeCursor parent = interruptParent(c);
            long per = parent == null ? -1 : Addressing.countOrNone(parent.node(), "#interrupt-cells", -1);
            long[] cells = ints.get().value().cells();
            if (per > 0 && cells.length % per == 0) {
                Key key = new Key(c.path(), "interrupts");
                boolean partitions = per == 4 && Gic.isGic(parent.node()) && !overlayShaped;
                for (int i = 0; i < cells.length; i += (int) per) {
                    addBreak(key, 4 * i);
                    note(key, parent, cells, i, (int) per);
                    NodeCursor partition = partitions ? phandles.get(cells[i + 3]) : null;
                    if (partition != null) {
                        addLocalRef(key, 4 * (i + 3), partition, CellRef.Source.PROPERTY); // GICv3 PPI partition
                    }
                }
            }
        }
        Optional<Property> ext = n.property("interrupts-extended");
        if (ext.isPresent() && ext.get().value().length() % 4 == 0) {
            Key key = new Key(c.path(), "interrupts-extended");
            long[] cells = ext.get().value().cells();
            for (Entry e : entries(cells, "#interrupt-cells")) {
                addBreak(key, e.start);
                note(key, e.target, cells, e.argsStart / 4, e.args);
            }
        }
        Optional<Property> map = n.property("interrupt-map");
        if (map.isPresent() && map.get().value().length() % 4 == 0) {
            Key key = new Key(c.path(), "interrupt-map");
            long[] cells = map.get().value().cells();
            int start = 0;
            for (Entry e : interruptMap(c)) {
                addBreak(key, start);
                note(key, e.target, cells, e.argsStart / 4, e.args);
                start = e.argsStart + 4 * e.args;
            }
        }
    }

    /** A comment after a GIC specifier of {@code count} cells at cell index {@code at}. */
    private void note(Key key, NodeCursor parent, long[] cells, int at, int count) {
        if (parent == null || count < 3 || !Gic.isGic(parent.node()) || at + count > cells.length) {
            return;
        }
        notes.computeIfAbsent(key, k -> new TreeMap<>())
             .put(4 * (at + count), Gic.describe(cells[at], cells[at + 1], cells[at + 2]));
    }

    private void addBreak(Key key, int offset) {
        breaks.computeIfAbsent(key, k -> new TreeSet<>()).add(offset);
    }

    /** Entry starts for reg, ranges and dma-ranges, from the address and size cells in force. */
    private void entryBreaks(NodeCursor c) {
        Node n = c.node();
        Node parent = c.parent() == null ? null : c.parent().node();
        long pa = parent == null ? Addressing.DEFAULT_ADDRESS_CELLS
                : Addressing.countOrNone(parent, "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        long ps = parent == null ? Addressing.DEFAULT_SIZE_CELLS
                : Addressing.countOrNone(parent, "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        long ca = Addressing.countOrNone(n, "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        long cs = Addressing.countOrNone(n, "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        entryBreaks(c, "reg", pa + ps);
        entryBreaks(c, "ranges", ca + pa + cs);
        entryBreaks(c, "dma-ranges", ca + pa + cs);
    }

    private void entryBreaks(NodeCursor c, String prop, long entryCells) {
        Optional<Property> p = c.node().property(prop);
        if (p.isEmpty() || entryCells <= 0) {
            return;
        }
        int len = p.get().value().length();
        long entryBytes = 4 * entryCells;
        if (len == 0 || len % entryBytes != 0) {
            return;
        }
        Key key = new Key(c.path(), prop);
        for (int off = 0; off < len; off += (int) entryBytes) {
            addBreak(key, off);
        }
    }
}
