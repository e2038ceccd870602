package dev.gunyahdt.bindings.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One loaded YAML document as a JSON tree, with the position of every node of it.
 *
 * @param name      the document's name as findings print it (a file path or a resource name)
 * @param root      the document as JSON (YAML 1.2 core-schema scalars)
 * @param positions JSON pointer of a node → where that node starts in the source
 */
public record YamlDocument(String name, JsonNode root, Map<String, Position> positions) {

    public YamlDocument {
        positions = Map.copyOf(positions);
    }

    /** A 1-based line and column. */
    public record Position(int line, int column) {}

    /** The position of the node at {@code pointer}, or of its nearest ancestor that has one. */
    public Position positionOf(String pointer) {
        String p = pointer;
        while (true) {
            Position pos = positions.get(p);
            if (pos != null || p.isEmpty()) {
                return pos != null ? pos : new Position(1, 1);
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "" : p.substring(0, slash);
        }
    }
}
