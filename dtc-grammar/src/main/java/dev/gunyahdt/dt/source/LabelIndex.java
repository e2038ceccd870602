package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.source.LiveTree.MNode;

import java.util.HashMap;
import java.util.Map;

/**
 * Label → node lookups for top-level {@code &label { … }} merges, which a big board makes by
 * the hundred: a pre-order index instead of a tree walk per reference. Merges only add labels,
 * so a miss rebuilds the index once; deletions (and merges that can delete) invalidate it.
 * A hit is re-checked against the live tree, so a stale entry can never be returned.
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

    private void rebuild(MNode root) {
        index = new HashMap<>();
        add(root);
    }

    private void add(MNode n) {
        for (LiveTree.Label l : n.labels) {
            if (!l.deleted) {
                index.putIfAbsent(l.name, n);
            }
        }
        for (MNode c : n.children) {
            if (!c.deleted) {
                add(c);
            }
        }
    }
}
