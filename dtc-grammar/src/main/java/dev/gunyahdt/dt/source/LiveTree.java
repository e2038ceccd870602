package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.SourceSpan;
import java.util.ArrayList;
import java.util.List;

/**
 * The parser's working tree: mutable, and keeping deleted entries in place (flagged), because
 * dtc's merge semantics depend on them — a property deleted and later defined again comes back
 * at its old position, and a label re-added comes back where it was. Frozen into the immutable
 * {@link Node} model once the whole source is read.
 */
final class LiveTree {

    private LiveTree() {}

    static final class Label {
        final String name;
        boolean deleted;

        Label(String name) {
            this.name = name;
        }
    }

    /** dtc's label lists: a new label goes first; an existing one (even deleted) is revived in place. */
    static void addLabel(List<Label> labels, String name) {
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            if (l.name.equals(name)) {
                l.deleted = false;
                return;
            }
        }
        labels.add(0, new Label(name));
    }

    static List<String> liveLabels(List<Label> labels) {
        if (labels.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            if (!l.deleted) {
                out.add(l.name);
            }
        }
        return out;
    }

    static final class Prop {
        final String name;
        final List<Label> labels = new ArrayList<>();
        PropertyValue value;
        SourceSpan span;
        boolean deleted;

        Prop(String name, PropertyValue value, SourceSpan span) {
            this.name = name;
            this.value = value;
            this.span = span;
        }
    }

    static final class MNode {
        String name;
        final List<Label> labels = new ArrayList<>();
        final List<Prop> props = new ArrayList<>();
        final List<MNode> children = new ArrayList<>();
        final List<SourceSpan> spans = new ArrayList<>();
        boolean deleted;
        boolean omitIfNoRef;

        MNode(String name) {
            this.name = name;
        }

        /** Marks this subtree deleted, as dtc does: labels go too. */
        void delete() {
            deleted = true;
            // delete_node walks only the live children and properties: an entry already
            // deleted (a placeholder) keeps its labels for a later revival
            for (MNode c : children) {
                if (!c.deleted) {
                    c.delete();
                }
            }
            for (Prop p : props) {
                if (p.deleted) {
                    continue;
                }
                p.deleted = true;
                for (Label l : p.labels) {
                    l.deleted = true; // delete_property drops the property's labels too
                }
            }
            for (Label l : labels) {
                l.deleted = true;
            }
        }

        MNode liveChild(String childName) {
            for (MNode c : children) {
                if (!c.deleted && c.name.equals(childName)) {
                    return c;
                }
            }
            return null;
        }

        /** Merges a later definition of this node into it (dtc's node merge). */
        void merge(MNode later) {
            deleted = false;
            // merge_nodes carries no /omit-if-no-ref/ over: it marks only a node's first definition
            for (Label l : later.labels) {
                if (!l.deleted) {
                    addLabel(labels, l.name);
                }
            }
            for (Prop np : later.props) {
                if (np.deleted) {
                    // delete_property_by_name: the first of that name, even one already deleted
                    for (Prop op : props) {
                        if (op.name.equals(np.name)) {
                            op.deleted = true;
                            for (Label l : op.labels) {
                                l.deleted = true;
                            }
                            break;
                        }
                    }
                    continue;
                }
                Prop existing = null;
                for (Prop op : props) {
                    if (op.name.equals(np.name)) {
                        existing = op;
                        break;
                    }
                }
                if (existing == null) {
                    props.add(np);
                } else {
                    for (Label l : np.labels) {
                        addLabel(existing.labels, l.name);
                    }
                    existing.value = np.value;
                    existing.span = np.span;
                    existing.deleted = false;
                }
            }
            for (MNode nc : later.children) {
                if (nc.deleted) {
                    // delete_node_by_name: the first child of that name, even one already deleted
                    for (MNode victim : children) {
                        if (victim.name.equals(nc.name)) {
                            victim.delete();
                            break;
                        }
                    }
                    continue;
                }
                MNode existing = null;
                for (MNode oc : children) {
                    if (oc.name.equals(nc.name)) {
                        existing = oc;
                        break;
                    }
                }
                if (existing == null) {
                    children.add(nc);
                } else {
                    existing.merge(nc);
                }
            }
            spans.addAll(later.spans);
        }

        /** The live subtree as the immutable model. */
        Node freeze() {
            List<Property> ps = new ArrayList<>(props.size());
            List<Property> tombstones = new ArrayList<>(0);
            for (Prop p : props) {
                if (!p.deleted) {
                    ps.add(new Property(p.name, p.value, liveLabels(p.labels), p.span));
                } else if (ps.stream().noneMatch(q -> q.name().equals(p.name))
                        && tombstones.stream().noneMatch(q -> q.name().equals(p.name))) {
                    tombstones.add(new Property(p.name, p.value, List.of(), p.span));
                }
            }
            List<Node> cs = new ArrayList<>(children.size());
            for (MNode c : children) {
                if (!c.deleted) {
                    cs.add(c.freeze());
                }
            }
            // dtc's checks still see deleted children in a node's child list
            return new Node(
                    name,
                    liveLabels(labels),
                    ps,
                    cs,
                    spans,
                    omitIfNoRef,
                    cs.size() < children.size(),
                    labels.size() > liveLabels(labels).size(),
                    tombstones);
        }

        boolean hasLiveLabel(String label) {
            for (int i = 0; i < labels.size(); i++) {
                Label l = labels.get(i);
                if (!l.deleted && l.name.equals(label)) {
                    return true;
                }
            }
            return false;
        }

        /** Exact-name path lookup below this node ("/a/b@1"); null when absent. */
        MNode findByPath(String path) {
            MNode cur = this;
            for (String part : path.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                cur = cur.liveChild(part);
                if (cur == null) {
                    return null;
                }
            }
            return cur;
        }
    }
}
