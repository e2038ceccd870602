package dev.gunyahdt.bindings.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dt-schema processing a binding goes through before validation, as small named steps
 * applied in order to a copy of the document (toolchain-anchors.md §2.2). Only the steps the
 * bindings of this module need are here; README.md lists the rest.
 */
public final class Fixups {

    static final String DRAFT_2019_09 = "https://json-schema.org/draft/2019-09/schema";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> NODE_SCHEMA_COMBINERS = List.of("allOf", "anyOf", "oneOf", "then", "else");
    private static final List<String> IMPLICIT = List.of("$nodename", "phandle", "status", "secure-status",
            "pinctrl-names");
    private static final Pattern PY_QUANTIFIER = Pattern.compile("\\{,(\\d+)}");

    private Fixups() {
    }

    /** Every step, in order, on a deep copy of {@code doc}. */
    public static ObjectNode apply(ObjectNode doc) {
        ObjectNode s = doc.deepCopy();
        dropDocumentation(s);
        s.put("$schema", DRAFT_2019_09);
        javaRegex(s);
        normalRefs(s);
        mergeOpenPatterns(s); // before fixNodeSchema, so its '#'-name rule gets the merged patterns
        fixNodeSchema(s, false);
        return s;
    }

    /** Below this many always-true patterns a schema's patternProperties are left as written. */
    private static final int MERGE_AT = 16;

    /**
     * Speed, same verdicts: {@code patternProperties} entries that accept anything ({@code true} or
     * {@code {}}; vendor-prefixes.yaml has about 750, tried on every property of every node) become
     * a few alternations. They only mark names as evaluated.
     */
    private static boolean compiles(String regex) {
        try {
            Pattern.compile(regex);
            return true;
        } catch (java.util.regex.PatternSyntaxException e) {
            return false;
        }
    }

    /** A vendor-prefix style pattern: {@code ^literal,.*}. */
    private static final Pattern LITERAL_PREFIX = Pattern.compile("\\^([A-Za-z0-9_]+(?:[-+.][A-Za-z0-9_]+)*),\\.\\*");

    /**
     * One pattern for many: the {@code ^literal,.*} ones as a trie ({@code ^(?:a(?:bb|cme)|…),}, so a
     * name is matched in one pass, not tried against each prefix), the rest as {@code (?:p1)|(?:p2)|…}.
     */
    private static String merge(List<String> patterns) {
        java.util.TreeMap<String, Object> trie = new java.util.TreeMap<>();
        List<String> rest = new ArrayList<>();
        for (String p : patterns) {
            var m = LITERAL_PREFIX.matcher(p);
            if (m.matches()) {
                insert(trie, m.group(1) + ",");
            } else {
                rest.add(p);
            }
        }
        StringBuilder b = new StringBuilder();
        if (!trie.isEmpty()) {
            b.append("(?:^").append(trieRegex(trie)).append(')');
        }
        for (String p : rest) {
            b.append(b.length() == 0 ? "" : "|").append("(?:").append(p).append(')');
        }
        return b.toString();
    }

    /** Trie of strings: each key one character, the value its subtree; "" marks an end. */
    @SuppressWarnings("unchecked")
    private static void insert(java.util.TreeMap<String, Object> trie, String word) {
        java.util.TreeMap<String, Object> t = trie;
        for (int i = 0; i < word.length(); i++) {
            t = (java.util.TreeMap<String, Object>) t.computeIfAbsent(String.valueOf(word.charAt(i)), k -> new java.util.TreeMap<String, Object>());
        }
        t.put("", new java.util.TreeMap<String, Object>());
    }

    /** The trie as a regex; every word ends in ',' (a leaf), so no alternative is optional. */
    @SuppressWarnings("unchecked")
    private static String trieRegex(java.util.TreeMap<String, Object> t) {
        List<String> alts = new ArrayList<>();
        for (var e : t.entrySet()) {
            if (!e.getKey().isEmpty()) {
                String c = e.getKey();
                alts.add((Character.isLetterOrDigit(c.charAt(0)) || c.equals("_") || c.equals(",") ? c : "\\" + c)
                        + trieRegex((java.util.TreeMap<String, Object>) e.getValue()));
            }
        }
        return alts.isEmpty() ? "" : alts.size() == 1 ? alts.get(0) : "(?:" + String.join("|", alts) + ")";
    }

    static void mergeOpenPatterns(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.get("patternProperties") instanceof ObjectNode pats) {
                List<String> open = new ArrayList<>();
                pats.fields().forEachRemaining(e -> {
                    JsonNode v = e.getValue();
                    if ((v.isBoolean() && v.asBoolean() || v.isObject() && v.isEmpty()) && compiles(e.getKey())) {
                        open.add(e.getKey());
                    }
                });
                if (open.size() >= MERGE_AT) {
                    open.forEach(pats::remove);
                    pats.put(merge(open), true);
                }
            }
            o.elements().forEachRemaining(Fixups::mergeOpenPatterns);
        } else if (n instanceof ArrayNode a) {
            a.forEach(Fixups::mergeOpenPatterns);
        }
    }

    /** description/examples/maintainers are for people; typeSize is dt-schema's own annotation. */
    static void dropDocumentation(JsonNode n) {
        drop(n, false);
    }

    private static void drop(JsonNode n, boolean nameMap) {
        if (n instanceof ObjectNode o) {
            if (!nameMap) {
                o.remove(List.of("description", "examples", "maintainers", "typeSize"));
            }
            // under `properties` the keys are names: a property called "description" must survive
            o.fields().forEachRemaining(e -> drop(e.getValue(), !nameMap && NAME_MAPS.contains(e.getKey())));
        } else if (n instanceof ArrayNode a) {
            a.forEach(x -> drop(x, false));
        }
    }

    private static final List<String> NAME_MAPS = List.of("properties", "patternProperties", "$defs", "definitions");

    /**
     * References Python's resolver tolerates and networknt does not (networknt-notes trap 3):
     * {@code x.yaml/#} and a fragment without its leading slash ({@code #definitions/uint32}).
     */
    static void normalRefs(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.get("$ref") != null && o.get("$ref").isTextual()) {
                String ref = o.get("$ref").asText();
                int hash = ref.indexOf('#');
                String doc = hash < 0 ? ref : ref.substring(0, hash);
                String frag = hash < 0 ? null : normalFragment(ref.substring(hash + 1));
                o.put("$ref", normalDocument(doc) + (frag == null ? "" : "#" + frag));
            }
            o.elements().forEachRemaining(Fixups::normalRefs);
        } else if (n instanceof ArrayNode a) {
            a.forEach(Fixups::normalRefs);
        }
    }

    /** {@code definitions/x} → {@code /definitions/x}. */
    public static String normalFragment(String fragment) {
        return fragment.isEmpty() || fragment.startsWith("/") ? fragment : "/" + fragment;
    }

    /** {@code …/x.yaml/} → {@code …/x.yaml}. */
    public static String normalDocument(String doc) {
        return doc.endsWith(".yaml/") ? doc.substring(0, doc.length() - 1) : doc;
    }

    /** Python's {@code {,n}} (0 to n) is a syntax error in java.util.regex (networknt-notes trap 2). */
    static void javaRegex(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.get("pattern") != null && o.get("pattern").isTextual()) {
                JsonNode p = o.get("pattern");
                o.put("pattern", toJavaRegex(p.asText()));
            }
            if (o.get("patternProperties") instanceof ObjectNode pp) {
                ObjectNode out = F.objectNode();
                pp.fields().forEachRemaining(e -> out.set(toJavaRegex(e.getKey()), e.getValue()));
                o.set("patternProperties", out);
            }
            o.elements().forEachRemaining(Fixups::javaRegex);
        } else if (n instanceof ArrayNode a) {
            a.forEach(Fixups::javaRegex);
        }
    }

    static String toJavaRegex(String re) {
        return PY_QUANTIFIER.matcher(re).replaceAll("{0,$1}");
    }

    /** A schema for a node: fix each property schema, recurse into child-node schemas and combiners. */
    static void fixNodeSchema(ObjectNode s, boolean underThenElse) {
        for (String key : List.of("properties", "patternProperties")) {
            if (s.get(key) instanceof ObjectNode props) {
                Iterator<Map.Entry<String, JsonNode>> it = props.fields();
                List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
                it.forEachRemaining(entries::add);
                for (Map.Entry<String, JsonNode> e : entries) {
                    if (!(e.getValue() instanceof ObjectNode p)) {
                        continue;
                    }
                    if (isNodeSchema(p)) {
                        fixNodeSchema(p, false);
                    } else {
                        props.set(e.getKey(), fixPropertySchema(p, underThenElse));
                    }
                }
            }
        }
        for (String c : NODE_SCHEMA_COMBINERS) {
            JsonNode sub = s.get(c);
            boolean te = c.equals("then") || c.equals("else");
            if (sub instanceof ObjectNode o) {
                fixNodeSchema(o, te);
            } else if (sub instanceof ArrayNode a) {
                a.forEach(x -> {
                    if (x instanceof ObjectNode o) {
                        fixNodeSchema(o, te);
                    }
                });
            }
        }
        if (s.get("if") instanceof ObjectNode i) {
            fixNodeSchema(i, true);
        }
        // a select is evaluated on the node's instance: its constraints need the same shapes
        if (s.get("select") instanceof ObjectNode sel) {
            fixNodeSchema(sel, false);
        }
        // child nodes described under additionalProperties (renesas,pfc.yaml's pin groups) and `not`
        // schemas over the node get the same fixups, as dt-schema gives them
        for (String k : List.of("additionalProperties", "not")) {
            if (s.get(k) instanceof ObjectNode o) {
                fixNodeSchema(o, false);
            }
        }
        dependencies(s);
        if (!underThenElse) {
            interrupts(s);
            impliedByClocks(s);
        }
        for (String defs : List.of("$defs", "definitions")) {
            if (s.get(defs) instanceof ObjectNode d) {
                d.elements().forEachRemaining(x -> {
                    if (x instanceof ObjectNode o && isNodeSchema(o)) {
                        fixNodeSchema(o, false);
                    }
                });
            }
        }
        implicitProperties(s);
    }

    /** Draft-7 {@code dependencies} → 2019-09 {@code dependentRequired} (lists) / {@code dependentSchemas}. */
    static void dependencies(ObjectNode s) {
        if (!(s.remove("dependencies") instanceof ObjectNode deps)) {
            return;
        }
        deps.fields().forEachRemaining(e -> {
            String key = e.getValue().isArray() ? "dependentRequired" : "dependentSchemas";
            ObjectNode target = s.get(key) instanceof ObjectNode o ? o : s.putObject(key);
            target.set(e.getKey(), e.getValue());
        });
    }

    /**
     * A node that may have {@code interrupts} may say it with {@code interrupts-extended} (same
     * size rules) and name an {@code interrupt-parent}; requiring {@code interrupts} accepts either.
     */
    static void interrupts(ObjectNode s) {
        // an interrupt controller may have an interrupt-parent too (dt-schema: interrupts or interrupt-controller)
        if (s.get("properties") instanceof ObjectNode props && props.has("interrupt-controller")
                && !props.has("interrupts") && !props.has("interrupt-parent")) {
            props.put("interrupt-parent", true);
        }
        if (s.get("properties") instanceof ObjectNode props && props.has("interrupts")) {
            if (!props.has("interrupts-extended") && props.get("interrupts") instanceof ObjectNode irq) {
                ObjectNode ext = F.objectNode();
                for (String k : List.of("minItems", "maxItems")) {
                    if (irq.has(k)) {
                        ext.set(k, irq.get(k));
                    }
                }
                props.set("interrupts-extended", irq.has("minItems") || irq.has("maxItems") ? ext : irq);
            }
            if (!props.has("interrupt-parent")) {
                props.put("interrupt-parent", true);
            }
        }
        if (s.get("required") instanceof ArrayNode req) {
            int at = -1;
            for (int i = 0; i < req.size(); i++) {
                if ("interrupts".equals(req.get(i).asText())) {
                    at = i;
                }
            }
            if (at < 0) {
                return;
            }
            req.remove(at);
            ArrayNode either = F.arrayNode();
            either.addObject().putArray("required").add("interrupts");
            either.addObject().putArray("required").add("interrupts-extended");
            if (!s.has("oneOf")) {
                s.set("oneOf", either);
            } else {
                ArrayNode all = s.get("allOf") instanceof ArrayNode a ? a : s.putArray("allOf");
                all.addObject().set("oneOf", either);
            }
        }
    }

    /** {@code assigned-clock*} go with {@code clocks} (dt-schema 2022.08 does not yet add {@code dma-ranges}). */
    static void impliedByClocks(ObjectNode s) {
        if (s.get("properties") instanceof ObjectNode props) {
            if (props.has("clocks")) {
                for (String k : List.of("assigned-clocks", "assigned-clock-parents", "assigned-clock-rates")) {
                    if (!props.has(k)) {
                        props.put(k, true);
                    }
                }
            }
        }
    }

    static boolean isNodeSchema(ObjectNode p) {
        return "object".equals(p.path("type").asText(null)) || p.has("properties") || p.has("patternProperties")
                || p.has("required") || p.has("unevaluatedProperties") || p.has("additionalProperties")
                // `'^opp-table…$': {if: {properties: …}, then: {patternProperties: …}}` (qcom-cpufreq-nvmem.yaml)
                || p.get("if") instanceof ObjectNode i && isNodeSchema(i)
                || p.get("then") instanceof ObjectNode t && isNodeSchema(t);
    }

    /**
     * A property schema: scalar integer constraints become a one-cell matrix, string constraints a
     * one-string array, integer constraints in an {@code items} list one matrix row, then array sizing.
     */
    static ObjectNode fixPropertySchema(ObjectNode p, boolean underThenElse) {
        p = variableMatrix(p);
        ObjectNode out = p;
        if (!p.has("items") && hasScalarIntConstraint(p)) {
            out = wrap(p, SCALAR_KEYS, true);
        } else if (!p.has("items") && hasStringConstraint(p)) {
            out = wrap(p, STRING_KEYS, false);
        } else if (p.get("items") instanceof ArrayNode items && anyScalarInt(items)) {
            // `items: [{const: 1}, {maximum: 7}]` on a cell property describes the cells of one row
            ObjectNode row = F.objectNode();
            row.set("items", items);
            out = p.deepCopy();
            ArrayNode rows = F.arrayNode();
            rows.add(row);
            out.set("items", rows);
            itemsSize(row, false);
        } else if (p.get("items") instanceof ObjectNode one && hasScalarIntConstraint(one)) {
            ObjectNode row = F.objectNode();
            row.put("type", "array");
            row.set("items", one);
            out = p.deepCopy();
            out.set("items", row);
        }
        itemsSize(out, underThenElse);
        out = arraySizeEitherShape(out);
        for (String c : List.of("allOf", "anyOf", "oneOf")) {
            if (out.get(c) instanceof ArrayNode a) {
                for (int i = 0; i < a.size(); i++) {
                    if (a.get(i) instanceof ObjectNode o && isNodeSchema(o)) {
                        fixNodeSchema(o, false); // `fixed-link: oneOf: [cells, {type: object, properties: …}]`
                    } else if (a.get(i) instanceof ObjectNode o && !o.has("$ref")) {
                        a.set(i, fixPropertySchema(o, underThenElse));
                    }
                }
            }
        }
        return out;
    }

    /** An items schema (or the first of an items list) that sizes rows: the property is a matrix. */
    static boolean isMatrix(ObjectNode p) {
        JsonNode items = p.get("items");
        if (items instanceof ArrayNode list) {
            for (JsonNode l : list) {
                if (l instanceof ObjectNode o && isMatrixRow(o)) {
                    return true;
                }
            }
            return false;
        }
        return items instanceof ObjectNode o && isMatrixRow(o);
    }

    /** The row {@code fixPropertySchema} wraps around a cell schema: {@code {type: array, items: {maximum: …}}}. */
    private static boolean cellWrapper(ObjectNode row) {
        List<String> keys = new ArrayList<>();
        row.fieldNames().forEachRemaining(keys::add);
        return List.of("type", "items").containsAll(keys) && row.get("items") instanceof ObjectNode cell && !isMatrixRow(cell);
    }

    private static boolean isMatrixRow(ObjectNode o) {
        return o.has("items") || o.has("minItems") || o.has("maxItems");
    }

    /** dt-schema's (minItems, maxItems) of an array schema, with its defaults; (0, 0) for a list of several. */
    private static int[] arrayRange(JsonNode s) {
        if (s instanceof ArrayNode a) {
            if (a.size() != 1) {
                return new int[] {0, 0};
            }
            s = a.get(0);
        }
        if (s.get("items") instanceof ArrayNode list) {
            int max = list.size();
            return new int[] {s.path("minItems").asInt(max), max};
        }
        int min = s.path("minItems").asInt(1);
        return new int[] {min, s.path("maxItems").asInt(s.path("minItems").asInt(0))};
    }

    /**
     * A matrix whose rows and row count both vary cannot be cut into rows from a blob, so dt-schema
     * keeps only {@code type: array} (simple-bus's child {@code ranges}).
     */
    static ObjectNode variableMatrix(ObjectNode p) {
        if (!isMatrix(p)) {
            return p;
        }
        int[] outer = arrayRange(p);
        int[] inner = arrayRange(p.get("items"));
        if (outer[0] == outer[1] || inner[0] == inner[1]) {
            return p;
        }
        ObjectNode out = p.deepCopy();
        out.remove(List.of("items", "minItems", "maxItems"));
        out.put("type", "array");
        return out;
    }

    private static final Pattern INT_ARRAY_REF = Pattern.compile(".*types\\.yaml#/definitions/u?int(8|16|32|64)-array$");

    /**
     * Sizes on an integer {@code -array} count cells, and a blob gives them as one row while a
     * source may write one cell per {@code < >}: accept either shape.
     */
    static ObjectNode arraySizeEitherShape(ObjectNode p) {
        // as dt-schema: not for an items list or a matrix, nor a lone maxItems 1 (bus-range has `items: {maximum}`)
        boolean cellItems = !p.has("items") || p.get("items") instanceof ObjectNode row
                && (!isMatrix(p) || cellWrapper(row));
        if (!cellItems || !p.has("$ref") || !INT_ARRAY_REF.matcher(p.get("$ref").asText()).matches()
                || !(p.has("minItems") || p.has("maxItems")) || p.path("maxItems").asInt(0) == 1) {
            return p;
        }
        ObjectNode out = p.deepCopy();
        ObjectNode size = F.objectNode();
        for (String k : List.of("minItems", "maxItems")) {
            if (out.has(k)) {
                size.set(k, out.remove(k));
            }
        }
        ArrayNode oneOf = out.putArray("oneOf");
        ObjectNode cellPerRow = size.deepCopy();
        if (cellPerRow.path("minItems").asInt(0) == 1) {
            cellPerRow.put("minItems", 2); // else both branches hold for one cell
        }
        cellPerRow.putObject("items").put("maxItems", 1).put("minItems", 1);
        cellPerRow.put("type", "array");
        oneOf.add(cellPerRow);
        ObjectNode oneRow = oneOf.addObject();
        oneRow.putArray("items").add(size);
        oneRow.put("type", "array").put("minItems", 1).put("maxItems", 1);
        return out;
    }

    private static final List<String> SCALAR_KEYS = List.of("const", "enum", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "multipleOf");
    private static final List<String> STRING_KEYS = List.of("const", "enum", "pattern");

    static boolean hasScalarIntConstraint(ObjectNode p) {
        if (p.has("minimum") || p.has("maximum") || p.has("multipleOf") || p.has("exclusiveMinimum")
                || p.has("exclusiveMaximum")) {
            return true;
        }
        if (p.get("const") != null && p.get("const").isIntegralNumber()) {
            return true;
        }
        return p.get("enum") instanceof ArrayNode e && !e.isEmpty() && allMatch(e, JsonNode::isIntegralNumber);
    }

    static boolean hasStringConstraint(ObjectNode p) {
        if (p.has("pattern") || p.get("const") != null && p.get("const").isTextual()) {
            return true;
        }
        return p.get("enum") instanceof ArrayNode e && !e.isEmpty() && allMatch(e, JsonNode::isTextual);
    }

    private static boolean anyScalarInt(ArrayNode items) {
        for (JsonNode i : items) {
            if (i instanceof ObjectNode o && hasScalarIntConstraint(o)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allMatch(ArrayNode a, java.util.function.Predicate<JsonNode> t) {
        for (JsonNode x : a) {
            if (!t.test(x)) {
                return false;
            }
        }
        return true;
    }

    /** Moves {@code keys} of p into a one-element list (a one-cell row inside a one-row matrix for integers). */
    private static ObjectNode wrap(ObjectNode p, List<String> keys, boolean matrix) {
        ObjectNode inner = F.objectNode();
        ObjectNode out = p.deepCopy();
        for (String k : keys) {
            if (out.has(k)) {
                inner.set(k, out.remove(k));
            }
        }
        ObjectNode element = inner;
        if (matrix) {
            element = F.objectNode();
            ArrayNode cells = F.arrayNode();
            cells.add(inner);
            element.set("items", cells);
            itemsSize(element, false);
        }
        ArrayNode list = F.arrayNode();
        list.add(element);
        out.set("items", list);
        return out;
    }

    /**
     * A fixed list of {@code items} means exactly that many unless said otherwise; one of
     * minItems/maxItems alone means both (but not under then/else, where it narrows the other).
     */
    static void itemsSize(ObjectNode p, boolean underThenElse) {
        if (p.get("items") instanceof ArrayNode items) {
            if (!p.has("minItems")) {
                p.put("minItems", items.size());
            }
            if (!p.has("maxItems")) {
                p.put("maxItems", items.size());
            }
            p.put("type", "array");
        } else if (!underThenElse && !p.has("$ref")) {
            if (p.has("minItems") && !p.has("maxItems") && p.path("minItems").asInt() > 0 && !p.has("items")) {
                p.set("maxItems", p.get("minItems"));
            } else if (p.has("maxItems") && !p.has("minItems")) {
                p.set("minItems", p.get("maxItems"));
            }
        }
    }

    /**
     * A closed node schema (additionalProperties or unevaluatedProperties false) still allows the
     * properties every node may carry. {@code additionalProperties: true} is dropped (it would
     * defeat unevaluatedProperties). networknt's additionalProperties skips names starting with
     * '#' (networknt-notes trap 1), so a closed schema also gets a propertyNames rule that holds
     * the '#'-names to the declared ones.
     */
    static void implicitProperties(ObjectNode s) {
        boolean openByAdditional = s.path("additionalProperties").isBoolean() && s.path("additionalProperties").asBoolean();
        if (openByAdditional) {
            s.remove("additionalProperties");
        }
        boolean closedByAdditional = s.path("additionalProperties").isBoolean() && !s.path("additionalProperties").asBoolean();
        boolean closedByUnevaluated = s.path("unevaluatedProperties").isBoolean() && !s.path("unevaluatedProperties").asBoolean();
        // dt-schema adds them to every node schema that lists properties and is not explicitly open
        // (`additionalProperties: {type: object}` in virtio/mmio.yaml must not see $nodename or status)
        boolean listsProperties = s.has("properties") || s.has("patternProperties") || s.has("unevaluatedProperties");
        boolean open = openByAdditional || s.path("unevaluatedProperties").isBoolean() && s.path("unevaluatedProperties").asBoolean();
        if (!closedByAdditional && !closedByUnevaluated && (!listsProperties || open)) {
            return;
        }
        ObjectNode props = s.get("properties") instanceof ObjectNode p ? p : s.putObject("properties");
        for (String name : IMPLICIT) {
            if (!props.has(name)) {
                props.put(name, true);
            }
        }
        ObjectNode pats = s.get("patternProperties") instanceof ObjectNode p ? p : s.putObject("patternProperties");
        if (!pats.has("^pinctrl-[0-9]+$")) {
            pats.put("^pinctrl-[0-9]+$", true);
        }
        if (!pats.has("^bootph-")) {
            pats.put("^bootph-", true);
        }
        if (closedByAdditional) {
            ArrayNode allowed = F.arrayNode();
            props.fieldNames().forEachRemaining(n -> {
                if (n.startsWith("#")) {
                    allowed.add(n);
                }
            });
            ObjectNode hashRule = F.objectNode();
            ObjectNode ifHash = hashRule.putObject("if");
            ifHash.put("pattern", "^#");
            ObjectNode then = hashRule.putObject("then");
            ArrayNode anyOf = then.putArray("anyOf");
            anyOf.addObject().set("enum", allowed);
            pats.fieldNames().forEachRemaining(re -> anyOf.addObject().put("pattern", re));
            s.set("propertyNames", hashRule);
        }
    }
}
