package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.PhandleAllocator;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks that rewrite the tree: references inside cells become phandles, references
 * outside cells become paths, and unreferenced {@code /omit-if-no-ref/} nodes go. Markers stay
 * in the values so later stages can still see where references were.
 */
final class Fixups {

    private Fixups() {}

    private static final String NO_TARGET = "Reference to non-existent node or label \"%s\"";

    static void phandleReferences(CheckRun run) {
        PhandleAllocator alloc = new PhandleAllocator(run.tree, run.config.phandleFormat(), run.nextPhandle);
        // node index -> (property index -> [offset, phandle]...)
        Map<Integer, Map<Integer, List<long[]>>> patches = new HashMap<>();
        for (CheckRun.RefSite site : run.refSites()) {
            NodeInfo n = site.node();
            int pi = site.prop();
            {
                PropertyValue v = n.node().properties().get(pi).value();
                List<Marker> markers = v.markers();
                for (int mi = 0; mi < markers.size(); mi++) {
                    Marker m = markers.get(mi);
                    if (m.kind() != Marker.Kind.REF_PHANDLE) {
                        continue;
                    }
                    NodeInfo target = run.byRef(m.ref());
                    if (target == null) {
                        if (!run.tree.plugin()) {
                            run.failWithBlankLine(n, null, String.format(NO_TARGET, m.ref()));
                        }
                        continue;
                    }
                    if (m.offset() < 0 || m.offset() + 4 > v.length()) {
                        continue;
                    }
                    long ph = alloc.phandleOf(target.node());
                    target.referenced = true;
                    patches.computeIfAbsent(n.index, k -> new HashMap<>())
                            .computeIfAbsent(pi, k -> new ArrayList<>())
                            .add(new long[] {m.offset(), ph});
                }
            }
        }
        run.nextPhandle = alloc.nextCandidate();
        if (patches.isEmpty() && alloc.isEmpty()) {
            return;
        }
        Node root = run.tree.root().rewrite((orig, rebuilt) -> {
            NodeInfo info = run.info(orig);
            Map<Integer, List<long[]>> mine = info == null ? null : patches.get(info.index);
            Node out = rebuilt;
            if (mine != null) {
                List<Property> props = new ArrayList<>(rebuilt.properties());
                for (Map.Entry<Integer, List<long[]>> e : mine.entrySet()) {
                    Property p = props.get(e.getKey());
                    props.set(e.getKey(), p.withValue(p.value().withCellsAt(e.getValue())));
                }
                out = rebuilt.withProperties(props);
            }
            return alloc.withPhandleProperties(orig, out);
        });
        run.replaceTree(run.tree.withRoot(root), true);
    }

    static void pathReferences(CheckRun run) {
        Map<Integer, Map<Integer, PropertyValue>> changed = new HashMap<>();
        for (CheckRun.RefSite site : run.refSites()) {
            NodeInfo n = site.node();
            int pi = site.prop();
            {
                PropertyValue v = n.node().properties().get(pi).value();
                if (!v.hasMarker(Marker.Kind.REF_PATH)) {
                    continue;
                }
                PropertyValue nv = insertPaths(run, n, v);
                if (nv != v) {
                    changed.computeIfAbsent(n.index, k -> new HashMap<>()).put(pi, nv);
                }
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        Node root = run.tree.root().rewrite((orig, rebuilt) -> {
            NodeInfo info = run.info(orig);
            Map<Integer, PropertyValue> mine = info == null ? null : changed.get(info.index);
            if (mine == null) {
                return rebuilt;
            }
            List<Property> props = new ArrayList<>(rebuilt.properties());
            mine.forEach((pi, v) -> props.set(pi, props.get(pi).withValue(v)));
            return rebuilt.withProperties(props);
        });
        run.replaceTree(run.tree.withRoot(root), true);
    }

    /**
     * Inserts each resolved path (with its NUL) at its marker; every marker listed after it
     * moves by the inserted length, as dtc shifts them.
     */
    private static PropertyValue insertPaths(CheckRun run, NodeInfo n, PropertyValue v) {
        byte[] bytes = v.bytes();
        List<Marker> markers = new ArrayList<>(v.markers());
        boolean any = false;
        for (int k = 0; k < markers.size(); k++) {
            Marker m = markers.get(k);
            if (m.kind() != Marker.Kind.REF_PATH) {
                continue;
            }
            NodeInfo target = run.byRef(m.ref());
            if (target == null) {
                run.failWithBlankLine(n, null, String.format(NO_TARGET, m.ref()));
                continue;
            }
            if (m.offset() < 0 || m.offset() > bytes.length) {
                continue;
            }
            byte[] path = Values.latin1(target.path);
            int len = path.length + 1;
            byte[] grown = new byte[bytes.length + len];
            System.arraycopy(bytes, 0, grown, 0, m.offset());
            System.arraycopy(path, 0, grown, m.offset(), path.length);
            System.arraycopy(bytes, m.offset(), grown, m.offset() + len, bytes.length - m.offset());
            bytes = grown;
            for (int j = k + 1; j < markers.size(); j++) {
                markers.set(j, markers.get(j).withOffset(markers.get(j).offset() + len));
            }
            target.referenced = true;
            any = true;
        }
        return any ? PropertyValue.of(bytes, markers) : v;
    }

    static void omitUnusedNodes(CheckRun run) {
        boolean[] gone = new boolean[run.nodes.size()];
        boolean any = false;
        for (NodeInfo n : run.nodes) {
            if (n.parent != null && gone[n.parent.index]) {
                gone[n.index] = true;
                continue;
            }
            // fixup_omit_unused_nodes: any label list, deleted labels included, keeps a node under -@
            if (run.config.generateSymbols()
                    && (!n.node().labels().isEmpty() || n.node().hasDeletedLabels())) {
                continue;
            }
            if (n.node().omitIfNoRef() && !n.referenced) {
                gone[n.index] = true;
                any = true;
            }
        }
        if (!any) {
            return;
        }
        Node root = run.tree.root().rewrite((orig, rebuilt) -> {
            NodeInfo info = run.info(orig);
            if (info != null && gone[info.index]) {
                return null;
            }
            // dtc keeps deleted nodes in their parent's child list
            return rebuilt.children().size() < orig.children().size() ? rebuilt.withDeletedChildren(true) : rebuilt;
        });
        if (root == null) {
            // an omitted root loses its contents, but dtc still writes it (empty)
            Node old = run.tree.root();
            root = new Node(
                    "",
                    List.of(),
                    List.of(),
                    List.of(),
                    old.spans(),
                    false,
                    !old.children().isEmpty() || old.hasDeletedChildren(),
                    !old.labels().isEmpty() || old.hasDeletedLabels(),
                    List.of());
        }
        run.replaceTree(gone[0] ? run.tree.withRoot(root).withRootDeleted(true) : run.tree.withRoot(root), false);
    }
}
