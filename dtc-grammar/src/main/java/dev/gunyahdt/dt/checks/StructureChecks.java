package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Names, labels and explicit phandles: the checks that run before references resolve. */
final class StructureChecks {

    private StructureChecks() {}

    static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String DIGITS = "0123456789";
    static final boolean[] NODE_CHARS = Values.charSet(LOWER + UPPER + DIGITS + ",._+-@");
    static final boolean[] PROP_CHARS = Values.charSet(LOWER + UPPER + DIGITS + ",._+*#?-");
    static final boolean[] STRICT_CHARS = Values.charSet(LOWER + UPPER + DIGITS + ",-");

    /** Pairs (i, j), i < j, of equal keys, ordered by i then j as dtc's nested loops meet them. */
    static List<int[]> duplicatePairs(List<String> keys) {
        if (keys.size() < 2) {
            return List.of();
        }
        if (keys.size() <= 8) {
            boolean dup = false;
            for (int i = 0; i < keys.size() && !dup; i++) {
                for (int j = i + 1; j < keys.size() && !dup; j++) {
                    dup = keys.get(i).equals(keys.get(j));
                }
            }
            if (!dup) {
                return List.of();
            }
        }
        Map<String, List<Integer>> seen = new HashMap<>();
        boolean any = false;
        for (int i = 0; i < keys.size(); i++) {
            List<Integer> l = seen.computeIfAbsent(keys.get(i), k -> new ArrayList<>());
            l.add(i);
            any |= l.size() > 1;
        }
        List<int[]> out = new ArrayList<>();
        if (!any) {
            return out;
        }
        for (int i = 0; i < keys.size(); i++) {
            for (int j : seen.get(keys.get(i))) {
                if (j > i) {
                    out.add(new int[] {i, j});
                }
            }
        }
        return out;
    }

    static void duplicateNodeNames(CheckRun run, NodeInfo n) {
        List<String> names = new ArrayList<>(n.children.size());
        for (NodeInfo c : n.children) {
            names.add(c.name());
        }
        for (int[] p : duplicatePairs(names)) {
            run.fail(n.children.get(p[1]), null, "Duplicate node name");
        }
    }

    static void duplicatePropertyNames(CheckRun run, NodeInfo n) {
        List<Property> props = n.node().properties();
        if (!hasDuplicateName(props)) {
            return;
        }
        List<String> names = new ArrayList<>(props.size());
        for (Property p : props) {
            names.add(p.name());
        }
        for (int[] p : duplicatePairs(names)) {
            // unlike nodes, dtc names the earlier property of each pair
            run.fail(n, props.get(p[0]), "Duplicate property name");
        }
    }

    private static boolean hasDuplicateName(List<Property> props) {
        int size = props.size();
        if (size < 2) {
            return false;
        }
        if (size <= 16) {
            for (int i = 0; i < size; i++) {
                String a = props.get(i).name();
                for (int j = i + 1; j < size; j++) {
                    if (a.equals(props.get(j).name())) {
                        return true;
                    }
                }
            }
            return false;
        }
        Set<String> seen = new HashSet<>();
        for (Property p : props) {
            if (!seen.add(p.name())) {
                return true;
            }
        }
        return false;
    }

    static void nodeNameChars(CheckRun run, NodeInfo n) {
        int bad = Values.firstNotIn(n.name(), NODE_CHARS);
        if (bad >= 0) {
            run.fail(n, null, "Bad character '" + n.name().charAt(bad) + "' in node name");
        }
    }

    static void nodeNameCharsStrict(CheckRun run, NodeInfo n) {
        String base = n.baseName();
        int bad = Values.firstNotIn(base, STRICT_CHARS);
        if (bad >= 0) {
            run.fail(n, null, "Character '" + base.charAt(bad) + "' not recommended in node name");
        }
    }

    static void nodeNameFormat(CheckRun run, NodeInfo n) {
        if (n.node().unitAddress().indexOf('@') >= 0) {
            run.fail(n, null, "multiple '@' characters in node name");
        }
    }

    static void propertyNameChars(CheckRun run, NodeInfo n) {
        List<Property> props = n.node().properties();
        for (int i = 0; i < props.size(); i++) {
            Property p = props.get(i);
            int bad = Values.firstNotIn(p.name(), PROP_CHARS);
            if (bad >= 0) {
                run.fail(n, p, "Bad character '" + p.name().charAt(bad) + "' in property name");
            }
        }
    }

    static void propertyNameCharsStrict(CheckRun run, NodeInfo n) {
        for (Property p : n.node().properties()) {
            String name = p.name();
            int bad = Values.firstNotIn(name, STRICT_CHARS);
            if (bad < 0 || name.equals("device_type")) {
                continue;
            }
            // '#' may start a name, or follow a vendor prefix's comma
            if (name.charAt(bad) == '#' && (bad == 0 || name.charAt(bad - 1) == ',')) {
                name = name.substring(bad + 1);
                bad = Values.firstNotIn(name, STRICT_CHARS);
            }
            if (bad >= 0) {
                run.fail(n, p, "Character '" + name.charAt(bad) + "' not recommended in property name");
            }
        }
    }

    static void nodeNameVsPropertyName(CheckRun run, NodeInfo n) {
        if (n.parent != null && n.parent.has(n.name())) {
            run.fail(n, null, "node name and property name conflict");
        }
    }

    /** A correct legacy "name" property is redundant and dropped; a wrong one is an error. */
    static void nameProperties(CheckRun run) {
        Set<Node> strip = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (NodeInfo n : run.nodes) {
            // check_name_properties walks the raw property list: a deleted "name" ahead of any
            // live one is the one it reads
            Property p = n.node().deletedProperties().stream()
                    .filter(d -> d.name().equals("name"))
                    .findFirst()
                    .orElse(n.prop("name"));
            if (p == null) {
                continue;
            }
            byte[] base = Values.latin1(n.baseName());
            byte[] v = p.value().bytes();
            boolean same = v.length == base.length + 1;
            for (int i = 0; same && i < base.length; i++) {
                same = v[i] == base[i];
            }
            if (!same) {
                run.fail(
                        n,
                        null,
                        "\"name\" property is incorrect (\"" + Values.cString(p.value())
                                + "\" instead of base node name)");
            } else if (p == n.prop("name")) {
                strip.add(n.node());
            }
        }
        if (strip.isEmpty()) {
            return;
        }
        Node root = run.tree.root().rewrite((orig, rebuilt) -> {
            if (!strip.contains(orig)) {
                return rebuilt;
            }
            List<Property> props = new ArrayList<>(rebuilt.properties());
            for (int i = 0; i < props.size(); i++) {
                if (props.get(i).name().equals("name")) {
                    props.remove(i);
                    break;
                }
            }
            return rebuilt.withProperties(props);
        });
        run.replaceTree(run.tree.withRoot(root), true);
    }

    // ---- labels ------------------------------------------------------------------------------

    /** A label's place: on a node (prop and mark -1), on a property (mark -1), or inside a value. */
    private record LabelSite(String label, NodeInfo node, int prop, int mark) {
        int rank() {
            return mark >= 0 ? 2 : prop >= 0 ? 1 : 0;
        }

        boolean sameSpot(LabelSite o) {
            return node == o.node && prop == o.prop && mark == o.mark;
        }
    }

    /**
     * Each label is compared with where dtc's lookup finds it first: the first node carrying
     * it, else the first property, else the first value; any other place is a duplicate.
     */
    static void duplicateLabel(CheckRun run) {
        List<LabelSite> sites = new ArrayList<>();
        for (int ni = 0; ni < run.nodes.size(); ni++) { // indexed loops: this visits every property
            NodeInfo n = run.nodes.get(ni);
            List<String> nodeLabels = n.node().labels();
            for (int li = 0; li < nodeLabels.size(); li++) {
                sites.add(new LabelSite(nodeLabels.get(li), n, -1, -1));
            }
            List<Property> props = n.node().properties();
            for (int pi = 0; pi < props.size(); pi++) {
                Property p = props.get(pi);
                List<String> propLabels = p.labels();
                for (int li = 0; li < propLabels.size(); li++) {
                    sites.add(new LabelSite(propLabels.get(li), n, pi, -1));
                }
                List<Marker> ms = p.value().markers();
                for (int mi = 0; mi < ms.size(); mi++) {
                    if (ms.get(mi).kind() == Marker.Kind.LABEL) {
                        sites.add(new LabelSite(ms.get(mi).ref(), n, pi, mi));
                    }
                }
            }
        }
        Map<String, LabelSite> first = new HashMap<>();
        for (LabelSite s : sites) {
            first.merge(s.label(), s, (a, b) -> b.rank() < a.rank() ? b : a);
        }
        for (LabelSite s : sites) {
            LabelSite f = first.get(s.label());
            if (!f.sameSpot(s)) {
                run.fail(
                        s.node(),
                        null,
                        "Duplicate label '" + s.label() + "' on " + describe(s) + " and " + describe(f));
            }
        }
    }

    private static String describe(LabelSite s) {
        StringBuilder sb = new StringBuilder();
        if (s.mark() >= 0) {
            sb.append("value of ");
        }
        if (s.prop() >= 0) {
            sb.append('\'')
                    .append(s.node().node().properties().get(s.prop()).name())
                    .append("' in ");
        }
        return sb.append(s.node().path).toString();
    }

    // ---- explicit phandles -------------------------------------------------------------------

    static void explicitPhandles(CheckRun run) {
        Map<Long, NodeInfo> seen = new HashMap<>();
        for (NodeInfo n : run.nodes) {
            long ph = phandleProp(run, n, "phandle");
            long linux = phandleProp(run, n, "linux,phandle");
            if (ph == 0 && linux == 0) {
                continue;
            }
            if (linux != 0 && ph != 0 && ph != linux) {
                run.fail(n, null, "mismatching 'phandle' and 'linux,phandle' properties");
            }
            if (ph == 0) {
                ph = linux;
            }
            NodeInfo other = seen.get(ph);
            if (other != null && other != n) {
                run.fail(
                        n,
                        null,
                        "duplicated phandle 0x" + Long.toHexString(ph) + " (seen before at " + other.path + ")");
                continue;
            }
            seen.put(ph, n);
        }
    }

    /** The valid explicit phandle in {@code name}, or 0 (absent, bad, or a self-reference). */
    private static long phandleProp(CheckRun run, NodeInfo n, String name) {
        Property p = n.prop(name);
        if (p == null) {
            return 0;
        }
        if (p.value().length() != 4) {
            run.fail(n, p, "bad length (" + p.value().length() + ") " + name + " property");
            return 0;
        }
        for (Marker m : p.value().markers()) {
            if (m.kind() == Marker.Kind.REF_PHANDLE) {
                // "phandle = <&self>" asks for a phandle to be assigned; anything else is nonsense
                if (run.byRef(m.ref()) != n) {
                    run.fail(n, null, name + " is a reference to another node");
                }
                return 0;
            }
        }
        long v = p.value().cellAt(0);
        if (v == 0 || v == 0xffffffffL) {
            run.fail(n, p, "bad value (0x" + Long.toHexString(v) + ") in " + name + " property");
            return 0;
        }
        return v;
    }

    static void alwaysFail(CheckRun run, NodeInfo n) {
        run.fail(n, null, "always_fail check");
    }
}
