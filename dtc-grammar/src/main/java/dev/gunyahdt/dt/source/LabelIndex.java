package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.source.LiveTree.MNode;
import java.util.HashMap;
import java.util.Map;

/**
 * Label → node lookups for top-level {@code &label { … }} merges, which a big board makes by
 * the hundred: a pre-order index instead of a tree walk per reference. dtc's get_node_by_label
 * answers with the first node in tree order that holds the label, so the index keeps the first
 * in pre-order. Merges only add labels: a new label is a miss that rebuilds the index once, and a
 * label added again elsewhere (which may now come first in tree order) drops the index
 * ({@link #added}); deletions (and merges that can delete) invalidate it. A hit is re-checked
 * against the live tree, so a deleted entry can never be returned.
 */
final class LabelIndex {

    private Map<String, MNode> index;

    MNode find(MNode root, String label) {
        MNode hit = index == null ? null : index.get(label);
        if (hit != null && !hit.deleted && hit.hasLiveLabel(label)) {
            return hit;
        }
        rebuild(root);
        return index.get(label);
    }

    void invalidate() {
        index = null;
    }

    /** A definition about to be merged: any label it repeats makes the index's answer uncertain. */
    void added(MNode def) {
        if (index != null && repeatsLabel(def)) {
            index = null;
        }
    }

    private boolean repeatsLabel(MNode n) {
        for (LiveTree.Label l : n.labels) {
            if (!l.deleted && index.containsKey(l.name)) {
                return true;
            }
        }
        for (MNode c : n.children) {
            if (repeatsLabel(c)) {
                return true;
            }
        }
        return false;
    }

    private void rebuild(MNode root) {
        index = new HashMap<>();
        add(root);
    }

    private void add(MNode n) {
        for (int i = 0; i < n.labels.size(); i++) { // indexed: a rebuild visits every node
            LiveTree.Label l = n.labels.get(i);
            if (!l.deleted) {
                index.putIfAbsent(l.name, n);
            }
        }
        for (int i = 0; i < n.children.size(); i++) {
            MNode c = n.children.get(i);
            if (!c.deleted) {
                add(c);
            }
        }
    }
}
