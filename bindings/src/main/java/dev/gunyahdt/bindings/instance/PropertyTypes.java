package dev.gunyahdt.bindings.instance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The property-name → type table dt-schema extracts from a binding set to decode DTB values,
 * which carry no types (toolchain-anchors.md §2.3): every {@code properties}/{@code patternProperties}
 * entry that references a {@code types.yaml} definition (directly or through
 * {@code allOf}/{@code oneOf}/{@code anyOf}) adds that type to the name, and a row width when the
 * schema fixes one ({@code items} with equal {@code minItems}/{@code maxItems}).
 */
public final class PropertyTypes {

    /** The types.yaml vocabulary, by element width. */
    public enum Type {
        FLAG, STRING, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, PHANDLE, PHANDLE_ARRAY;

        int width() {
            return switch (this) {
                case UINT8, INT8 -> 1;
                case UINT16, INT16 -> 2;
                case UINT64, INT64 -> 8;
                default -> 4;
            };
        }

        boolean signed() {
            return this == INT8 || this == INT16 || this == INT32 || this == INT64;
        }
    }

    /** What is known of one property name: its possible types, whether a matrix, its row width (0 unknown). */
    public record Info(Set<Type> types, boolean matrix, int rowWidth) {
    }

    private static final Pattern TYPE_REF = Pattern.compile(
            ".*types\\.yaml#/definitions/(flag|(non-unique-)?string(-array)?|(u?int)(8|16|32|64)(-array|-matrix)?|phandle(-array)?)$");

    public static final PropertyTypes NONE = new PropertyTypes();

    private final Map<String, Acc> byName = new HashMap<>();
    private final List<Map.Entry<Pattern, Acc>> byPattern = new ArrayList<>();
    private final Map<String, Acc> patternAcc = new HashMap<>();
    private final Map<String, Info> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Acc {
        final EnumSet<Type> types = EnumSet.noneOf(Type.class);
        boolean matrix;
        int rowWidth = -1; // -1 none seen, 0 conflicting

        void width(int w) {
            rowWidth = rowWidth == -1 || rowWidth == w ? w : 0;
        }

        Info info() {
            return new Info(Set.copyOf(types), matrix, Math.max(rowWidth, 0));
        }
    }

    private PropertyTypes() {
    }

    /** The table of a set of processed binding schemas. */
    public static PropertyTypes of(Iterable<ObjectNode> schemas) {
        PropertyTypes t = new PropertyTypes();
        for (ObjectNode s : schemas) {
            t.scan(s);
        }
        return t;
    }

    /** The known types of {@code name}, or empty types when no binding types it. */
    public Info of(String name) {
        return cache.computeIfAbsent(name, n -> {
            Acc a = byName.get(n);
            Acc merged = new Acc();
            if (a != null) {
                merged.types.addAll(a.types);
                merged.matrix |= a.matrix;
                // the row width may come from a schema that leaves the type to a pattern (`opp-hz` and `-hz$`)
                if (a.rowWidth >= 0) {
                    merged.width(a.rowWidth);
                }
            }
            if (merged.types.isEmpty()) {
                for (Map.Entry<Pattern, Acc> e : byPattern) {
                    if (e.getKey().matcher(n).find()) {
                        merged.types.addAll(e.getValue().types);
                        merged.matrix |= e.getValue().matrix;
                    }
                }
            }
            return merged.info();
        });
    }

    private void scan(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.get("properties") instanceof ObjectNode props) {
                props.fields().forEachRemaining(e -> property(byName.computeIfAbsent(e.getKey(), k -> new Acc()), e.getValue()));
            }
            if (o.get("patternProperties") instanceof ObjectNode pats) {
                pats.fields().forEachRemaining(e -> {
                    Acc a = patternAcc.computeIfAbsent(e.getKey(), k -> {
                        Acc fresh = new Acc();
                        try {
                            byPattern.add(Map.entry(Pattern.compile(k), fresh));
                        } catch (PatternSyntaxException x) {
                            // a pattern Java cannot read types nothing
                        }
                        return fresh;
                    });
                    property(a, e.getValue());
                });
            }
            o.elements().forEachRemaining(this::scan);
        } else if (n != null && n.isArray()) {
            n.forEach(this::scan);
        }
    }

    private static void property(Acc a, JsonNode schema) {
        if (!(schema instanceof ObjectNode s)) {
            return;
        }
        JsonNode ref = s.get("$ref");
        if (ref != null && ref.isTextual()) {
            var m = TYPE_REF.matcher(ref.asText());
            if (m.matches()) {
                add(a, m.group(1));
            }
        }
        for (String c : List.of("allOf", "oneOf", "anyOf")) {
            if (s.get(c) != null && s.get(c).isArray()) {
                s.get(c).forEach(x -> property(a, x));
            }
        }
        rowWidth(a, s.get("items"));
    }

    private static void rowWidth(Acc a, JsonNode items) {
        if (items instanceof ObjectNode row) {
            fixed(a, row);
        } else if (items != null && items.isArray() && !items.isEmpty() && items.get(0) instanceof ObjectNode first) {
            fixed(a, first);
        }
    }

    /** A fixed row width, with dt-schema's defaults (minItems 1, maxItems = minItems, an items list's length). */
    private static void fixed(Acc a, ObjectNode row) {
        if (!row.has("items") && !row.has("minItems") && !row.has("maxItems")) {
            return;
        }
        int min;
        int max;
        if (row.get("items") != null && row.get("items").isArray()) {
            max = row.get("items").size();
            min = row.has("minItems") ? row.get("minItems").asInt() : max;
        } else {
            min = row.has("minItems") ? row.get("minItems").asInt() : 1;
            max = row.has("maxItems") ? row.get("maxItems").asInt() : row.has("minItems") ? min : 0;
        }
        if (min == max && max > 0) {
            a.width(max);
            a.matrix = true; // rows given by items make a matrix, whatever the $ref says (opp-hz)
        }
    }

    private static void add(Acc a, String def) {
        if (def.equals("flag")) {
            a.types.add(Type.FLAG);
        } else if (def.contains("string")) {
            a.types.add(Type.STRING);
        } else if (def.equals("phandle")) {
            a.types.add(Type.PHANDLE);
        } else if (def.equals("phandle-array")) {
            a.types.add(Type.PHANDLE_ARRAY);
        } else {
            boolean signed = !def.startsWith("u");
            String bits = def.replaceAll("\\D", "");
            a.types.add(switch (bits) {
                case "8" -> signed ? Type.INT8 : Type.UINT8;
                case "16" -> signed ? Type.INT16 : Type.UINT16;
                case "64" -> signed ? Type.INT64 : Type.UINT64;
                default -> signed ? Type.INT32 : Type.UINT32;
            });
            if (def.endsWith("-matrix")) {
                a.matrix = true;
            }
        }
    }
}
