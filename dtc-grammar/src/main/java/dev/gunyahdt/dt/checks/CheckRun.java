package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.PhandleAllocator;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.diag.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of the check table over one tree: the current tree and its pre-order index, the
 * label and phandle indexes (built once per tree version, so checks stay linear), each
 * check's status, and the findings so far.
 */
final class CheckRun {

    private enum Status {
        UNCHECKED,
        PASSED,
        FAILED,
        PREREQ
    }

    final CheckConfig config;
    private final String outName;
    final List<Diagnostic> diagnostics = new ArrayList<>();

    DeviceTree tree;
    List<NodeInfo> nodes;
    NodeInfo root;
    /** dtc's phandle counter: where the next allocation starts looking */
    long nextPhandle = 1;

    private Map<String, NodeInfo> labelIndex;
    private Map<String, List<NodeInfo>> propIndex;
    private Map<Long, NodeInfo> phandleIndex;
    private IdentityHashMap<Node, NodeInfo> byNode;

    private final Status[] status;
    private final boolean[] inProgress;
    private CheckDef current;

    CheckRun(DeviceTree tree, CheckConfig config, String outName) {
        this.config = config;
        this.outName = "-".equals(outName) ? "<stdout>" : outName;
        this.status = new Status[CheckTable.TABLE.size()];
        this.inProgress = new boolean[status.length];
        java.util.Arrays.fill(status, Status.UNCHECKED);
        rebuild(tree);
    }

    // ---- the driver ------------------------------------------------------------------------

    /** dtc's loop: enabled checks in table order; the first failing error-level check ends it. */
    boolean runAll() {
        boolean error = false;
        for (CheckDef d : CheckTable.TABLE) {
            if (error) {
                break;
            }
            if (enabled(d)) {
                error = runCheck(d);
            }
        }
        return error;
    }

    private boolean enabled(CheckDef d) {
        return config.warn(d.index()) || config.error(d.index());
    }

    private boolean runCheck(CheckDef d) {
        int i = d.index();
        boolean error = false;
        if (inProgress[i]) {
            throw new IllegalStateException("check loop at " + d.name());
        }
        if (status[i] == Status.UNCHECKED) {
            inProgress[i] = true;
            for (CheckDef p : d.prereqs()) {
                // a prerequisite left unchecked because an earlier one erred counts as failed
                error = error || runCheck(p);
                if (status[p.index()] != Status.PASSED) {
                    status[i] = Status.PREREQ;
                    CheckDef saved = current;
                    current = d;
                    report(null, null, "Failed prerequisite '" + p.name() + "'", false);
                    current = saved;
                }
            }
            if (status[i] == Status.UNCHECKED) {
                CheckDef saved = current;
                current = d;
                if (d.whole() != null) {
                    d.whole().check(this);
                } else {
                    List<NodeInfo> visit = d.onlyWith() != null ? nodesWith(d.onlyWith()) : nodes;
                    CheckDef.PerNode fn = d.perNode();
                    for (int k = 0, n = visit.size(); k < n; k++) {
                        fn.check(this, visit.get(k));
                    }
                }
                current = saved;
                if (status[i] == Status.UNCHECKED) {
                    status[i] = Status.PASSED;
                }
            }
            inProgress[i] = false;
        }
        return error || (status[i] != Status.PASSED && config.error(i));
    }

    // ---- reporting -------------------------------------------------------------------------

    /** A finding about a node (prop null) or one of its properties; marks the check failed. */
    void fail(NodeInfo node, Property prop, String message) {
        status[current.index()] = Status.FAILED;
        report(node, prop, message, false);
    }

    /** As {@link #fail}, for dtc's messages that end in an extra newline (a blank line follows). */
    void failWithBlankLine(NodeInfo node, Property prop, String message) {
        status[current.index()] = Status.FAILED;
        report(node, prop, message, true);
    }

    private void report(NodeInfo node, Property prop, String message, boolean blankLine) {
        int i = current.index();
        boolean isError = config.error(i);
        if (!config.warn(i) && !isError) {
            return;
        }
        SourceSpan span = null;
        if (prop != null && prop.span() != null) {
            span = prop.span();
        } else if (node != null && node.node().span() != null) {
            span = node.node().span();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(span != null ? span.toString() : outName);
        sb.append(": ")
                .append(isError ? "ERROR" : "Warning")
                .append(" (")
                .append(current.name())
                .append("): ");
        if (node != null) {
            sb.append(node.path);
            if (prop != null) {
                sb.append(':').append(prop.name());
            }
            sb.append(": ");
        }
        sb.append(message);
        if (blankLine) {
            sb.append('\n');
        }
        if (node != null && prop == null) {
            List<SourceSpan> spans = node.node().spans();
            for (int k = 1; k < spans.size(); k++) {
                sb.append("\n  also defined at ").append(spans.get(k));
            }
        }
        diagnostics.add(new Diagnostic(
                isError ? Severity.ERROR : Severity.WARNING,
                current.name(),
                span,
                node == null ? null : node.path,
                prop == null ? null : prop.name(),
                message,
                sb.toString()));
    }

    // ---- the tree and its indexes --------------------------------------------------------------

    /** Replaces the tree; per-node facts carry over by pre-order index when the shape is kept. */
    void replaceTree(DeviceTree newTree, boolean sameShape) {
        if (newTree == tree) {
            return;
        }
        if (sameShape) {
            tree = newTree;
            int[] k = {0};
            reassign(newTree.root(), k);
            byNode = null;
            phandleIndex = null;
            // propIndex stays: it lists nodes (kept), and checks re-read the property itself
        } else {
            rebuild(newTree);
        }
    }

    private void reassign(Node n, int[] k) {
        nodes.get(k[0]++).setNode(n);
        List<Node> cs = n.children();
        for (int i = 0; i < cs.size(); i++) { // indexed: no iterator per node under C1
            reassign(cs.get(i), k);
        }
    }

    private void rebuild(DeviceTree t) {
        tree = t;
        nodes = new ArrayList<>();
        root = add(t.root(), null, "/");
        byNode = null;
        phandleIndex = null;
        labelIndex = null;
        propIndex = null;
    }

    private NodeInfo add(Node n, NodeInfo parent, String path) {
        NodeInfo info = new NodeInfo(n, parent, path, nodes.size());
        nodes.add(info);
        List<Node> cs = n.children();
        for (int i = 0; i < cs.size(); i++) {
            Node c = cs.get(i);
            info.children.add(add(c, info, path.equals("/") ? "/" + c.name() : path + "/" + c.name()));
        }
        return info;
    }

    /** A property (by index in its node) whose value holds references. */
    record RefSite(NodeInfo node, int prop) {}

    private List<RefSite> refSites;

    /**
     * Every property holding a phandle or path reference, in pre-order and property order.
     * Computed once: the fixups keep property indices (they only patch values and append).
     */
    List<RefSite> refSites() {
        if (refSites == null) {
            refSites = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                NodeInfo n = nodes.get(i);
                List<dev.gunyahdt.dt.Property> ps = n.node().properties();
                for (int k = 0; k < ps.size(); k++) {
                    List<dev.gunyahdt.dt.Marker> ms = ps.get(k).value().markers();
                    for (int j = 0; j < ms.size(); j++) {
                        dev.gunyahdt.dt.Marker.Kind kind = ms.get(j).kind();
                        if (kind == dev.gunyahdt.dt.Marker.Kind.REF_PHANDLE
                                || kind == dev.gunyahdt.dt.Marker.Kind.REF_PATH) {
                            refSites.add(new RefSite(n, k));
                            break;
                        }
                    }
                }
            }
        }
        return refSites;
    }

    /** The nodes having a property of this name, in pre-order (built once per tree version). */
    List<NodeInfo> nodesWith(String prop) {
        if (propIndex == null) {
            propIndex = new HashMap<>();
            for (NodeInfo i : nodes) {
                List<dev.gunyahdt.dt.Property> ps = i.node().properties();
                for (int k = 0; k < ps.size(); k++) {
                    List<NodeInfo> l = propIndex.computeIfAbsent(ps.get(k).name(), x -> new ArrayList<>());
                    if (l.isEmpty() || l.get(l.size() - 1) != i) {
                        l.add(i);
                    }
                }
            }
        }
        return propIndex.getOrDefault(prop, List.of());
    }

    /** The info of a node of the current tree, by identity. */
    NodeInfo info(Node n) {
        if (byNode == null) {
            byNode = new IdentityHashMap<>();
            for (NodeInfo i : nodes) {
                byNode.putIfAbsent(i.node(), i);
            }
        }
        return byNode.get(n);
    }

    /** The first node in pre-order carrying this label. */
    NodeInfo byLabel(String label) {
        if (labelIndex == null) {
            labelIndex = new HashMap<>();
            for (NodeInfo i : nodes) {
                for (String l : i.node().labels()) {
                    labelIndex.putIfAbsent(l, i);
                }
            }
        }
        return labelIndex.get(label);
    }

    /** The first node in pre-order whose phandle is {@code ph}; null for 0 and -1. */
    NodeInfo byPhandle(long ph) {
        ph &= 0xffffffffL;
        if (!PhandleAllocator.isValid(ph)) {
            return null;
        }
        if (phandleIndex == null) {
            phandleIndex = new HashMap<>();
            for (NodeInfo i : nodes) {
                long p = i.node().phandle();
                if (PhandleAllocator.isValid(p)) {
                    phandleIndex.putIfAbsent(p, i);
                }
            }
        }
        return phandleIndex.get(ph);
    }

    /** dtc's reference lookup: "/" is the root, "/…" a path, anything else a label. */
    NodeInfo byRef(String ref) {
        if (ref.equals("/")) {
            return root;
        }
        if (ref.startsWith("/")) {
            return byPath(root, ref);
        }
        return byLabel(ref);
    }

    /**
     * dtc's path lookup: an empty path is the node itself; leading slashes are skipped; each
     * component must equal a child's full name (no unit-address shorthand).
     */
    static NodeInfo byPath(NodeInfo from, String path) {
        NodeInfo cur = from;
        String rest = path;
        while (true) {
            if (rest.isEmpty()) {
                return cur;
            }
            int s = 0;
            while (s < rest.length() && rest.charAt(s) == '/') {
                s++;
            }
            rest = rest.substring(s);
            int slash = rest.indexOf('/');
            String part = slash < 0 ? rest : rest.substring(0, slash);
            NodeInfo next = null;
            for (NodeInfo c : cur.children) {
                if (c.name().equals(part)) {
                    next = c;
                    break;
                }
            }
            if (next == null) {
                return null;
            }
            if (slash < 0) {
                return next;
            }
            cur = next;
            rest = rest.substring(slash + 1);
        }
    }
}
