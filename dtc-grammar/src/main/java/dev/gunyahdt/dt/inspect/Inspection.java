package dev.gunyahdt.dt.inspect;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.diag.DtException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tree made readable: labels restored from {@code /__symbols__}, phandle cells shown as the
 * references they stand for (an overlay's {@code __fixups__} as {@code &label}), GIC interrupt
 * specifiers decoded. Built once per tree; immutable.
 *
 * <p>The DTS rendering compiles back, with dtc and without {@code -@}, to the bytes the tree
 * was read from: references resolve to the phandles the blob already carries, and an overlay
 * is written as {@code /plugin/} without its fixup nodes, which dtc rebuilds from the
 * references. (An overlay whose fixups name cells that do not exist is written as a plain tree
 * instead, its fixup nodes kept and the unresolvable references as comments.)
 */
public final class Inspection {

    /** The renderings {@link #render} offers. */
    public enum Format {
        /** DTS source that dtc accepts, with interrupt comments */
        DTS,
        /** an indented outline: names, labels, compatible, decoded reg and interrupts */
        TREE,
        /** one JSON object per node, with typed property values */
        JSON
    }

    private final Analysis analysis;
    private final Views views;

    private Inspection(DeviceTree tree) {
        this.analysis = new Analysis(tree);
        this.views = new Views(analysis);
    }

    public static Inspection of(DeviceTree tree) {
        return new Inspection(tree);
    }

    public DeviceTree tree() {
        return analysis.tree;
    }

    /** Whether the tree is an overlay (fixup nodes, or /plugin/ source). */
    public boolean isOverlay() {
        return analysis.overlay || analysis.overlayVerbatim;
    }

    /** The labels of the node at {@code path}: its own and those {@code __symbols__} give it. */
    public List<String> labels(String path) {
        return List.copyOf(analysis.labels.getOrDefault(path, List.of()));
    }

    /** The phandle cells of one property, by offset. */
    public List<CellRef> references(String path, String property) {
        TreeMap<Integer, CellRef> m = analysis.refs.get(new Analysis.Key(path, property));
        return m == null ? List.of() : List.copyOf(m.values());
    }

    /** The decoded GIC specifiers of one property ({@code interrupts}, {@code interrupts-extended}, {@code interrupt-map}), in order. */
    public List<String> interrupts(String path, String property) {
        TreeMap<Integer, String> m = analysis.notes.get(new Analysis.Key(path, property));
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    /**
     * The node a user named: an absolute path, or a label (with or without {@code &}).
     *
     * @throws DtException when there is no such node
     */
    public NodeCursor node(String pathOrLabel) {
        String p = pathOrLabel.startsWith("&") ? pathOrLabel.substring(1) : pathOrLabel;
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1);
        }
        if (p.startsWith("/")) {
            String norm = p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
            NodeCursor c = analysis.byPath.get(norm);
            if (c == null) {
                c = analysis.tree.find(norm).orElse(null);
            }
            if (c != null) {
                return c;
            }
            throw new DtException("no node at path '" + pathOrLabel + "'");
        }
        for (Map.Entry<String, List<String>> e : analysis.labels.entrySet()) {
            if (e.getValue().contains(p)) {
                return analysis.byPath.get(e.getKey());
            }
        }
        throw new DtException("no node labelled '" + p + "' (give an absolute path, or a label from __symbols__)");
    }

    /** The whole tree ({@code path} null) or the subtree at a path or label, in a format. */
    public String render(Format format, String path) {
        NodeCursor start = path == null ? analysis.tree.rootCursor() : node(path);
        return switch (format) {
            case DTS -> views.dts(start);
            case TREE -> views.outline(start);
            case JSON -> views.json(start);
        };
    }
}
