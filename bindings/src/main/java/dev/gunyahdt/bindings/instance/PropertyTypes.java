package dev.gunyahdt.bindings.instance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.schema.Fixups;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The property-name → type table dt-schema 2022.08 builds from a processed binding set to decode
 * DTB values, which carry no types (toolchain-anchors.md §2.3), built the same way so a blob
 * decodes here as it does for dt-validate:
 * <ul>
 *   <li>only what {@code properties}/{@code patternProperties}/{@code additionalProperties} reach,
 *       through nested node schemas and {@code allOf}/{@code oneOf}/{@code anyOf}: a property
 *       described only under {@code $defs} or {@code if/then} has no type (rockchip's
 *       {@code pm_qos});
 *   <li>a type is a types.yaml name found in the {@code $ref}, else {@code flag} for
 *       {@code type: boolean}, {@code string-array} for string items, {@code uint32-matrix} for
 *       items on a unit-suffix name; an array type replaces its scalar ({@code uint32} →
 *       {@code uint32-array}), a matrix's dimensions widen to cover every binding's;
 *   <li>pattern entries type a name only when no plain entry does, and only patterns with
 *       three fixed characters count.
 * </ul>
 */
public final class PropertyTypes {

    /** One type a binding gives a name: dt-schema's type name, matrix dimensions (null: none). */
    private static final class Entry {
        final String type;
        int[] dim; // {outer min, outer max, inner min, inner max}
        /** The name's regex for a pattern entry (else null), compiled on first use when read from a cache. */
        private final java.util.function.Supplier<Pattern> regex;

        final boolean pattern;

        Entry(String type, int[] dim, Pattern regex) {
            this(type, dim, regex == null ? null : () -> regex);
        }

        Entry(String type, int[] dim, java.util.function.Supplier<Pattern> regex) {
            this.type = type;
            this.dim = dim;
            this.regex = regex;
            this.pattern = regex != null;
        }

        Pattern regex() {
            return regex.get();
        }
    }

    private static final Pattern TYPE_NAME =
            Pattern.compile("(flag|u?int(8|16|32|64)(-(array|matrix))?|string(-array)?|phandle(-array)?)");
    private static final Pattern NODE_REF = Pattern.compile("\\.yaml#?$");
    /** Catch-all patterns dt-schema drops from the table. */
    private static final List<String> GENERIC_PATTERNS =
            List.of("^[a-z][a-z0-9\\-]*$", "^[a-zA-Z][a-zA-Z0-9\\-_]{0,63}$", "^.*$", ".*");

    private static final Pattern FIXED_PART = Pattern.compile("[0-9a-zA-F-]{3}");
    private static final int[] NO_DIM = {0, 0, 0, 0};
    /** The cache's "no dimensions" (ConcurrentHashMap holds no nulls), told by identity. */
    private static final int[] NO_DIM_FOUND = new int[0];

    public static final PropertyTypes NONE = new PropertyTypes();

    private final Map<String, List<Entry>> props = new LinkedHashMap<>();
    private final Map<String, List<Entry>> patterns = new LinkedHashMap<>();
    private final Map<String, List<String>> typeCache = new ConcurrentHashMap<>();
    private final Map<String, int[]> dimCache = new ConcurrentHashMap<>();

    private PropertyTypes() {}

    /** The table of a set of processed binding schemas. */
    public static PropertyTypes of(Iterable<ObjectNode> schemas) {
        PropertyTypes t = new PropertyTypes();
        Map<String, List<Entry>> all = new LinkedHashMap<>();
        for (ObjectNode s : schemas) {
            subschemaTypes(all, s);
        }
        GENERIC_PATTERNS.forEach(all::remove);
        for (Map.Entry<String, List<Entry>> e : all.entrySet()) {
            List<Entry> typed = e.getValue().stream()
                    .filter(x -> x.type != null && !x.type.equals("node"))
                    .toList();
            if (typed.isEmpty()) {
                continue;
            }
            if (!typed.get(0).pattern) {
                t.props.put(e.getKey(), typed);
            } else if (FIXED_PART.matcher(e.getKey()).find()) {
                t.patterns.put(e.getKey(), typed);
            }
        }
        return t;
    }

    /** The table as {@link #read} reads it back (the processed-binding cache keeps it). */
    public void write(java.io.DataOutput out) throws java.io.IOException {
        for (Map<String, List<Entry>> m : List.of(props, patterns)) {
            out.writeInt(m.size());
            for (Map.Entry<String, List<Entry>> e : m.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().size());
                for (Entry x : e.getValue()) {
                    out.writeUTF(x.type);
                    out.writeBoolean(x.dim != null);
                    if (x.dim != null) {
                        for (int d : x.dim) {
                            out.writeInt(d);
                        }
                    }
                    out.writeBoolean(x.pattern);
                    if (x.pattern) {
                        out.writeUTF(x.regex().pattern());
                        out.writeInt(x.regex().flags());
                    }
                }
            }
        }
    }

    /** A table {@link #write} wrote. */
    public static PropertyTypes read(java.io.DataInput in) throws java.io.IOException {
        PropertyTypes t = new PropertyTypes();
        for (Map<String, List<Entry>> m : List.of(t.props, t.patterns)) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String key = in.readUTF();
                int k = in.readInt();
                List<Entry> entries = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    String type = in.readUTF();
                    int[] dim = null;
                    if (in.readBoolean()) {
                        dim = new int[4];
                        for (int d = 0; d < 4; d++) {
                            dim[d] = in.readInt();
                        }
                    }
                    java.util.function.Supplier<Pattern> regex = null;
                    if (in.readBoolean()) {
                        regex = lazily(in.readUTF(), in.readInt());
                    }
                    entries.add(new Entry(type, dim, regex));
                }
                m.put(key, entries);
            }
        }
        return t;
    }

    /** A regex compiled when first matched (a DTB's run meets few of the table's patterns). */
    private static java.util.function.Supplier<Pattern> lazily(String source, int flags) {
        return new java.util.function.Supplier<>() {
            private volatile Pattern p;

            @Override
            public Pattern get() {
                Pattern x = p;
                if (x == null) {
                    x = Pattern.compile(source, flags);
                    p = x;
                }
                return x;
            }
        };
    }

    /** dt-schema's types of {@code name}: its own entries, else those of every pattern that matches it. */
    public List<String> typesOf(String name) {
        return typeCache.computeIfAbsent(name, n -> {
            List<String> out = new ArrayList<>();
            for (Entry e : props.getOrDefault(n, List.of())) {
                out.add(e.type);
            }
            if (out.isEmpty()) {
                for (List<Entry> p : patterns.values()) {
                    Entry first = p.get(0);
                    if (!out.contains(first.type) && first.regex().matcher(n).find()) {
                        out.add(first.type);
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    /** dt-schema's matrix dimensions of {@code name} ({outer min, outer max, inner min, inner max}), or null. */
    public int[] dimOf(String name) {
        int[] d = dimCache.computeIfAbsent(name, this::findDim);
        return d == NO_DIM_FOUND ? null : d.clone();
    }

    /** Tried on every matrix value of every tree: the pattern scan is done once per name. */
    private int[] findDim(String name) {
        for (Entry e : props.getOrDefault(name, List.of())) {
            if (e.dim != null) {
                return e.dim;
            }
        }
        for (List<Entry> p : patterns.values()) {
            Entry first = p.get(0);
            if (first.dim != null && first.regex().matcher(name).find()) {
                return first.dim;
            }
        }
        return NO_DIM_FOUND;
    }

    /** Elements per row for a matrix of {@code n} elements with dimensions {@code dim}, as dt-schema's DTB reader cuts it. */
    public static int stride(int[] dim, int n) {
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
        // a row longer than the value cannot divide it: no need to try (a binding may say maxItems 2^31-1)
        for (int d = dim[2]; Math.min(dim[2], dim[3]) > 0 && d <= Math.min(dim[3], n); d++) {
            if (n % d == 0) {
                match++;
                stride = d;
            }
        }
        return match == 1 ? stride : n;
    }

    private static void subschemaTypes(Map<String, List<Entry>> all, JsonNode n) {
        if (!(n instanceof ObjectNode s)) {
            return;
        }
        if (s.has("additionalProperties")) {
            subschemaTypes(all, s.get("additionalProperties"));
        }
        for (String k : List.of("properties", "patternProperties")) {
            if (s.get(k) instanceof ObjectNode map) {
                boolean pattern = k.equals("patternProperties");
                map.fields().forEachRemaining(e -> propertyType(all, e.getKey(), e.getValue(), pattern));
            }
        }
    }

    private static void propertyType(Map<String, List<Entry>> all, String name, JsonNode n, boolean pattern) {
        if (!(n instanceof ObjectNode s) || name.startsWith("$")) {
            return;
        }
        List<Entry> entries = all.computeIfAbsent(name, k -> new ArrayList<>());
        if (s.has("properties") || s.has("patternProperties") || s.has("additionalProperties")) {
            subschemaTypes(all, s);
        }
        for (String c : List.of("allOf", "oneOf", "anyOf")) {
            if (s.get(c) instanceof ArrayNode list) {
                list.forEach(x -> propertyType(all, name, x, pattern));
            }
        }
        String type = typeOf(name, s);
        Pattern regex = pattern ? compile(name) : null;
        if (pattern && regex == null) {
            return; // a pattern Java cannot read types nothing
        }
        if (type == null) {
            if (entries.isEmpty()) {
                entries.add(new Entry(null, null, regex));
            }
            return;
        }
        boolean matrix = type.equals("phandle-array") || type.endsWith("-matrix");
        int[] dim = matrix ? dims(s) : NO_DIM;
        Entry replaced = null;
        for (Entry e : entries) {
            if (e.type == null) {
                replaced = e;
                break;
            }
            if (!Arrays.equals(dim, NO_DIM) && (e.type.equals("phandle-array") || e.type.endsWith("-matrix"))) {
                e.dim = e.dim == null ? dim : Arrays.equals(e.dim, dim) ? e.dim : merge(e.dim, dim);
                return;
            }
            if (e.type.startsWith(type)) {
                return; // the same or a looser type already
            }
            if (type.contains(e.type)) {
                replaced = e; // an array type replaces its scalar
                break;
            }
        }
        if (replaced != null) {
            entries.remove(replaced);
        }
        entries.add(new Entry(type, matrix ? dim : null, regex));
    }

    private static String typeOf(String name, ObjectNode s) {
        if ("object".equals(s.path("type").asText(null))) {
            return "node";
        }
        String ref = s.path("$ref").asText(null);
        if (ref != null) {
            var m = TYPE_NAME.matcher(ref);
            if (m.find()) {
                return m.group(1);
            }
        }
        if ("boolean".equals(s.path("type").asText(null))) {
            return "flag";
        }
        if (s.has("items")) {
            JsonNode items = s.get("items");
            JsonNode first = items instanceof ArrayNode a ? (a.isEmpty() ? null : a.get(0)) : items;
            if (Fixups.isStringSchema(first)) {
                return "string-array";
            }
            return Fixups.hasUnitSuffix(name) ? "uint32-matrix" : null;
        }
        return ref != null && NODE_REF.matcher(ref).find() ? "node" : null;
    }

    private static int[] dims(ObjectNode s) {
        int[] outer = Fixups.arrayRange(s);
        int[] inner = Fixups.arrayRange(s.get("items"));
        return new int[] {outer[0], outer[1], inner[0], inner[1]};
    }

    /** dt-schema's merge of two bindings' dimensions: a (0, 0) range gives way, others widen to cover both. */
    private static int[] merge(int[] a, int[] b) {
        int[] out = new int[4];
        for (int i = 0; i < 4; i += 2) {
            if (a[i] == 0 && a[i + 1] == 0) {
                out[i] = b[i];
                out[i + 1] = b[i + 1];
            } else if (b[i] == 0 && b[i + 1] == 0) {
                out[i] = a[i];
                out[i + 1] = a[i + 1];
            } else {
                out[i] = Math.min(Math.min(a[i], a[i + 1]), Math.min(b[i], b[i + 1]));
                out[i + 1] = Math.max(Math.max(a[i], a[i + 1]), Math.max(b[i], b[i + 1]));
            }
        }
        return out;
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(Fixups.toJavaRegex(regex));
        } catch (PatternSyntaxException e) {
            return null;
        }
    }
}
