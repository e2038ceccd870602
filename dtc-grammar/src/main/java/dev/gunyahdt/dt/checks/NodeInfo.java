package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;

import java.util.ArrayList;
import java.util.List;

/**
 * A node of the tree being checked, as dtc's checks see it: its parent, full path, and the
 * per-node facts some checks record for later ones (cell sizes, which bus it is, whether a
 * reference targets it). Indexed in pre-order; fixups that keep the tree's shape keep indices.
 */
final class NodeInfo {

    /** The kind of bus a bridge check recognised this node as (dtc keeps one per node). */
    enum Bus { PCI, SIMPLE, I2C, SPI, GRAPH_PORT, GRAPH_PORTS }

    private Node node;
    private java.util.Map<String, Property> propMap;
    final NodeInfo parent;
    final String path;
    final int index;
    final List<NodeInfo> children = new ArrayList<>();

    /** 0 until addr_size_cells has run; then the property's value or -1 when absent. */
    int addrCells;
    int sizeCells;
    Bus bus;
    boolean referenced;

    NodeInfo(Node node, NodeInfo parent, String path, int index) {
        this.node = node;
        this.parent = parent;
        this.path = path;
        this.index = index;
    }

    Node node() {
        return node;
    }

    void setNode(Node n) {
        node = n;
        propMap = null;
    }

    /** The first property of this name, or null; nodes with many properties get a lookup map. */
    Property prop(String name) {
        List<Property> ps = node.properties();
        int n = ps.size();
        if (n <= 6) {
            for (int i = 0; i < n; i++) {
                Property p = ps.get(i);
                if (p.name().equals(name)) {
                    return p;
                }
            }
            return null;
        }
        if (propMap == null) {
            propMap = new java.util.HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                propMap.putIfAbsent(ps.get(i).name(), ps.get(i));
            }
        }
        return propMap.get(name);
    }

    boolean has(String name) {
        return prop(name) != null;
    }

    /** dtc's "has children" test, which counts children deleted in source. */
    boolean hasChildList() {
        return !children.isEmpty() || node.hasDeletedChildren();
    }

    String name() {
        return node.name();
    }

    String baseName() {
        return node.baseName();
    }

    /**
     * dtc's cell size as a bus (its {@code node_addr_cells}/{@code node_size_cells}): the recorded value,
     * 2 (address) / 1 (size) when absent. Kept beside the checks rather than {@code dt.spec.Addressing}: dtc
     * records a malformed value as it reads it and its checks report that, where the spec lookup refuses it.
     */
    int addrCellsOrDefault() {
        return addrCells == -1 ? 2 : addrCells;
    }

    int sizeCellsOrDefault() {
        return sizeCells == -1 ? 1 : sizeCells;
    }
}
