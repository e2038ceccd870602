package dev.gunyahdt.bindings.instance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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

    /**
     * What is known of one property name: its possible types, whether a matrix, and dt-schema's
     * matrix dimensions {@code dim} = {outer min, outer max, inner min, inner max} (null: none).
     */
    public record Info(Set<Type> types, boolean matrix, int[] dim) {

        /** Elements per row for a value of {@code n} elements, as dt-schema's DTB reader cuts matrices. */
        public int stride(int n) {
            if (dim == null || n == 0) {
                return Math.max(n, 1);
            }
            if (Math.max(dim[2], dim[3]) > 0 && dim[2] == dim[3]) {
                return dim[3];
            }
            if (Math.max(dim[0], dim[1]) > 0 && dim[0] == dim[1]) {
                return n % dim[1] == 0 ? n / dim[1] : n;
            }
            int match = 0;
            int stride = 0;
            for (int d = dim[2]; Math.min(dim[2], dim[3]) > 0 && d <= dim[3]; d++) {
                if (n % d == 0) {
                    match++;
                    stride = d;
                }
            }
            return match == 1 ? stride : n;
        }
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
        int[] dim;

        /** dt-schema's merge: a (0, 0) range gives way, other ranges widen to cover both. */
        void dim(int[] d) {
            if (dim == null) {
                dim = d.clone();
                return;
            }
            for (int i = 0; i < 4; i += 2) {
                if (dim[i] == 0 && dim[i + 1] == 0) {
                    dim[i] = d[i];
                    dim[i + 1] = d[i + 1];
                } else if (d[i] != 0 || d[i + 1] != 0) {
                    int lo = Math.min(Math.min(dim[i], dim[i + 1]), Math.min(d[i], d[i + 1]));
                    int hi = Math.max(Math.max(dim[i], dim[i + 1]), Math.max(d[i], d[i + 1]));
                    dim[i] = lo;
                    dim[i + 1] = hi;
                }
            }
        }

        Info info() {
            return new Info(Set.copyOf(types), matrix, dim == null ? null : dim.clone());
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
                // the dimensions may come from a schema that leaves the type to a pattern (`opp-hz` and `-hz$`)
                if (a.dim != null) {
                    merged.dim(a.dim);
                }
            }
            if (merged.types.isEmpty()) {
                for (Map.Entry<Pattern, Acc> e : byPattern) {
                    if (e.getKey().matcher(n).find()) {
                        merged.types.addAll(e.getValue().types);
                        merged.matrix |= e.getValue().matrix;
                        if (a == null || a.dim == null) {
                            if (e.getValue().dim != null) {
                                merged.dim(e.getValue().dim);
                            }
                        }
                    }
                }
            }
            return merged.info();
        });
    }

    private void scan(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.get("properties") instanceof ObjectNode props) {
                props.fields().forEachRemaining(e -> property(byName.computeIfAbsent(e.getKey(), k -> new Acc()), e.getKey(), e.getValue()));
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
                    property(a, e.getKey(), e.getValue());
                });
            }
            o.elements().forEachRemaining(this::scan);
        } else if (n != null && n.isArray()) {
            n.forEach(this::scan);
        }
    }

    /** dt-schema's unit-suffix names, which it types as matrices when they have {@code items} but no $ref. */
    private static final Pattern UNIT_SUFFIX = Pattern.compile("-(kBps|bits|percent|bp|m?hz|sec|ms|us|ns|ps|mm|nanoamp|"
            + "(micro-)?ohms|micro(amp|watt)(-hours)?|milliwatt|microvolt|picofarads|(milli)?celsius|kelvin|kpascal)$");

    private static void property(Acc a, String name, JsonNode schema) {
        if (!(schema instanceof ObjectNode s)) {
            return;
        }
        JsonNode ref = s.get("$ref");
        boolean dims = false;
        if (ref != null && ref.isTextual()) {
            var m = TYPE_REF.matcher(ref.asText());
            if (m.matches()) {
                add(a, m.group(1));
                dims = m.group(1).equals("phandle-array") || m.group(1).endsWith("-matrix");
            }
        } else if (s.has("items") && UNIT_SUFFIX.matcher(name).find() && !s.path("items").path(0).path("items").isArray()) {
            a.types.add(Type.UINT32); // `opp-hz: items: {maxItems: 1}`: an implicit uint32-matrix
            a.matrix = true;
            dims = true;
        }
        if (dims) {
            int[] outer = arrayRange(s);
            int[] inner = arrayRange(s.has("items") ? s.get("items") : JsonNodeFactory.instance.objectNode());
            a.dim(new int[] {outer[0], outer[1], inner[0], inner[1]});
        }
        for (String c : List.of("allOf", "oneOf", "anyOf")) {
            if (s.get(c) != null && s.get(c).isArray()) {
                s.get(c).forEach(x -> property(a, name, x));
            }
        }
    }

    /** dt-schema's (minItems, maxItems) of an array schema, with its defaults; (0, 0) for a list of several. */
    private static int[] arrayRange(JsonNode s) {
        if (s.isArray()) {
            if (s.size() != 1) {
                return new int[] {0, 0};
            }
            s = s.get(0);
        }
        if (s.get("items") != null && s.get("items").isArray()) {
            int max = s.get("items").size();
            return new int[] {s.path("minItems").asInt(max), max};
        }
        int min = s.path("minItems").asInt(1);
        return new int[] {min, s.path("maxItems").asInt(s.path("minItems").asInt(0))};
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
