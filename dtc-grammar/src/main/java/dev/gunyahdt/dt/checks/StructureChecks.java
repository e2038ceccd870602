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

    private StructureChecks() {
    }

    static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String DIGITS = "0123456789";
    static final String NODE_CHARS = LOWER + UPPER + DIGITS + ",._+-@";
    static final String PROP_CHARS = LOWER + UPPER + DIGITS + ",._+*#?-";
    static final String STRICT_CHARS = LOWER + UPPER + DIGITS + ",-";

    /** Pairs (i, j), i < j, of equal keys, ordered by i then j as dtc's nested loops meet them. */
    static List<int[]> duplicatePairs(List<String> keys) {
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
        List<Property> props = n.node.properties();
        List<String> names = new ArrayList<>(props.size());
        for (Property p : props) {
            names.add(p.name());
        }
        for (int[] p : duplicatePairs(names)) {
            // unlike nodes, dtc names the earlier property of each pair
            run.fail(n, props.get(p[0]), "Duplicate property name");
        }
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
        if (n.node.unitAddress().indexOf('@') >= 0) {
            run.fail(n, null, "multiple '@' characters in node name");
        }
    }

    static void propertyNameChars(CheckRun run, NodeInfo n) {
        for (Property p : n.node.properties()) {
            int bad = Values.firstNotIn(p.name(), PROP_CHARS);
            if (bad >= 0) {
                run.fail(n, p, "Bad character '" + p.name().charAt(bad) + "' in property name");
            }
        }
    }

    static void propertyNameCharsStrict(CheckRun run, NodeInfo n) {
        for (Property p : n.node.properties()) {
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
            Property p = n.prop("name");
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
                run.fail(n, null, "\"name\" property is incorrect (\"" + Values.cString(p.value())
                        + "\" instead of base node name)");
            } else {
                strip.add(n.node);
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

    /** Where a label is first defined: on a node, else on a property, else inside a value. */
    private record LabelSite(NodeInfo node, int prop, int mark) {
    }

    static void duplicateLabel(CheckRun run) {
        Map<String, LabelSite> onNode = new HashMap<>();
        Map<String, LabelSite> onProp = new HashMap<>();
        Map<String, LabelSite> onMark = new HashMap<>();
        for (NodeInfo n : run.nodes) {
            for (String l : n.node.labels()) {
                onNode.putIfAbsent(l, new LabelSite(n, -1, -1));
            }
            List<Property> props = n.node.properties();
            for (int pi = 0; pi < props.size(); pi++) {
                Property p = props.get(pi);
                for (String l : p.labels()) {
                    onProp.putIfAbsent(l, new LabelSite(n, pi, -1));
                }
                List<Marker> ms = p.value().markers();
                for (int mi = 0; mi < ms.size(); mi++) {
                    if (ms.get(mi).kind() == Marker.Kind.LABEL) {
                        onMark.putIfAbsent(ms.get(mi).ref(), new LabelSite(n, pi, mi));
                    }
                }
            }
        }
        for (NodeInfo n : run.nodes) {
            for (String l : n.node.labels()) {
                checkLabel(run, l, new LabelSite(n, -1, -1), onNode, onProp, onMark);
            }
            List<Property> props = n.node.properties();
            for (int pi = 0; pi < props.size(); pi++) {
                Property p = props.get(pi);
                for (String l : p.labels()) {
                    checkLabel(run, l, new LabelSite(n, pi, -1), onNode, onProp, onMark);
                }
                List<Marker> ms = p.value().markers();
                for (int mi = 0; mi < ms.size(); mi++) {
                    if (ms.get(mi).kind() == Marker.Kind.LABEL) {
                        checkLabel(run, ms.get(mi).ref(), new LabelSite(n, pi, mi), onNode, onProp, onMark);
                    }
                }
            }
        }
    }

    private static void checkLabel(CheckRun run, String label, LabelSite here, Map<String, LabelSite> onNode,
                                   Map<String, LabelSite> onProp, Map<String, LabelSite> onMark) {
        LabelSite first = onNode.get(label);
        if (first == null) {
            first = onProp.get(label);
        }
        if (first == null) {
            first = onMark.get(label);
        }
        if (first == null || first.equals(here)) {
            return;
        }
        run.fail(here.node(), null, "Duplicate label '" + label + "' on " + describe(here) + " and " + describe(first));
    }

    private static String describe(LabelSite s) {
        StringBuilder sb = new StringBuilder();
        if (s.mark() >= 0) {
            sb.append("value of ");
        }
        if (s.prop() >= 0) {
            sb.append('\'').append(s.node().node.properties().get(s.prop()).name()).append("' in ");
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
                run.fail(n, null, "duplicated phandle 0x" + Long.toHexString(ph) + " (seen before at " + other.path + ")");
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
