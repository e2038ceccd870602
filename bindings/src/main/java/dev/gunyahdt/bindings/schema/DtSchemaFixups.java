package dev.gunyahdt.bindings.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What dt-mk-schema 2022.08 does to a binding before anything validates against it
 * (toolchain-anchors.md §2.2), step for step, so that a binding processed here equals the same
 * binding in dt-mk-schema's processed-schema.json ({@code tests/conformance/fixups-agreement.sh}
 * counts how many do). Written from the tool's observed output and documented behaviour.
 *
 * <p>A DTB gives every property as an array (strings as a list, cells as a matrix of rows), so
 * the steps turn a binding's scalar and flat-array constraints into constraints on those arrays:
 * <ul>
 *   <li>a scalar integer constraint becomes a one-cell, one-row matrix; a string one a one-item list;
 *   <li>sizes on an integer {@code -array} accept one row of N cells or N rows of one cell, since
 *       a blob cannot tell which the source wrote;
 *   <li>a list of {@code items} fixes the count unless minItems/maxItems say otherwise, and one of
 *       minItems/maxItems alone means both;
 *   <li>a matrix whose row length and row count both vary loses its sizes (no way to cut a blob);
 *   <li>node schemas get the properties every node may have, {@code interrupts-extended} beside
 *       {@code interrupts}, {@code assigned-clock*} beside {@code clocks}.
 * </ul>
 * The one step left out is the generated {@code select}: {@code Validator} indexes bindings by
 * their compatibles instead.
 */
final class DtSchemaFixups {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Keywords whose value is one schema that is not a node's property list. */
    private static final Set<String> SUBSCHEMA_KEYS =
            Set.of("select", "if", "then", "else", "additionalProperties", "not");

    private static final Set<String> COMBINERS = Set.of("allOf", "anyOf", "oneOf");
    /** Keywords mapping names to schemas; {@code definitions} is not one of them for dt-schema. */
    private static final Set<String> NAME_MAPS =
            Set.of("dependentRequired", "dependentSchemas", "dependencies", "properties", "patternProperties", "$defs");

    private static final Pattern INT_ARRAY_REF = Pattern.compile("int(8|16|32|64)-array");
    /** Property names whose standard unit suffix makes them integer arrays without a $ref. */
    static final Pattern UNIT_SUFFIX = Pattern.compile(
            "-(kBps|bits|percent|bp|m?hz|sec|ms|us|ns|ps|mm|nanoamp"
                    + "|(micro-)?ohms|micro(amp|watt)(-hours)?|milliwatt|microvolt|picofarads|(milli)?celsius|kelvin|kpascal)$");

    private static final Set<String> KNOWN_ARRAYS = Set.of(
            "assigned-clock-rates",
            "linux,keycodes",
            "max8997,pmic-buck1-dvs-voltage",
            "max8997,pmic-buck2-dvs-voltage",
            "max8997,pmic-buck5-dvs-voltage");
    /** Matrices whose dimensions dt-schema drops even when one of them is fixed. */
    private static final Set<String> KNOWN_VARIABLE_MATRICES = Set.of("fsl,pins");

    private static final Pattern PINCTRL_NAME = Pattern.compile("^pinctrl-[0-9]");
    /** The constraints that move into the array when a scalar schema becomes an array one. */
    private static final List<String> SINGLE_KEYS = List.of("const", "enum", "pattern", "minimum", "maximum");

    private static final List<String> ROW_KEYS = List.of("items", "minItems", "maxItems", "uniqueItems", "default");

    private DtSchemaFixups() {}

    /** Processes a binding document in place. */
    static void process(ObjectNode doc) {
        doc.remove(List.of("examples", "maintainers", "historical"));
        subSchema(doc, true);
    }

    /** A schema that may describe a node ({@code mayBeNode}: it may list the node's properties). */
    private static void subSchema(JsonNode n, boolean mayBeNode) {
        if (!(n instanceof ObjectNode s)) {
            return;
        }
        s.remove("description");
        interrupts(s);
        if (mayBeNode) {
            implicitProperties(s);
        }
        // `additionalProperties: true` (common, incomplete schemas) would defeat unevaluatedProperties
        if (isTrue(s.get("additionalProperties"))) {
            s.remove("additionalProperties");
        }
        for (Map.Entry<String, JsonNode> e : entries(s)) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (SUBSCHEMA_KEYS.contains(key)) {
                subSchema(v, false);
            }
            if (COMBINERS.contains(key) && v instanceof ArrayNode list) {
                list.forEach(x -> subSchema(x, true));
            }
            if (NAME_MAPS.contains(key) && v instanceof ObjectNode map) {
                for (Map.Entry<String, JsonNode> p : entries(map)) {
                    walkProperty(p.getKey(), p.getValue());
                    subSchema(p.getValue(), true);
                }
            }
        }
        draft201909(s);
    }

    /** A property's schema and its conditional parts ({@code then} but not {@code else}, as dt-schema). */
    private static void walkProperty(String name, JsonNode n) {
        if (!(n instanceof ObjectNode s)) {
            return;
        }
        for (String c : List.of("allOf", "oneOf", "anyOf")) {
            if (s.get(c) instanceof ArrayNode list) {
                list.forEach(x -> walkProperty(name, x));
            }
        }
        if (s.has("then")) {
            walkProperty(name, s.get("then"));
        }
        fixValues(name, s);
    }

    private static void fixValues(String name, ObjectNode s) {
        s.remove("description");
        regAsMatrix(name, s);
        removeEmptyItems(s);
        variableMatrix(name, s);
        arraySizeEitherShape(name, s);
        itemsIntoRow(name, s);
        stringToArray(s);
        scalarToMatrix(s);
        itemsSize(s);
        draft201909(s);
    }

    /** {@code reg} with integer constraints on its items (or itself) constrains the first cell of one row. */
    private static void regAsMatrix(String name, ObjectNode s) {
        if (!name.equals("reg")) {
            return;
        }
        JsonNode item;
        if (s.has("items")) {
            item = s.get("items") instanceof ArrayNode list ? (list.isEmpty() ? null : list.get(0)) : s.get("items");
            if (!isIntSchema(item)) {
                return;
            }
        } else if (isIntSchema(s)) {
            item = s;
        } else {
            return;
        }
        s.set(
                "items",
                F.arrayNode().add(F.objectNode().set("items", F.arrayNode().add(extractSingle((ObjectNode) item)))));
    }

    /** An items list of nothing but empty schemas only counts. */
    private static void removeEmptyItems(ObjectNode s) {
        JsonNode items = s.get("items");
        if (items instanceof ObjectNode one) {
            removeEmptyItems(one);
            return;
        }
        if (!(items instanceof ArrayNode list)) {
            return;
        }
        for (JsonNode item : list) {
            if (!(item instanceof ObjectNode o)) {
                return;
            }
            o.remove("description");
            removeEmptyItems(o);
            if (!o.isEmpty()) {
                return;
            }
        }
        putIfAbsent(s, "type", F.textNode("array"));
        putIfAbsent(s, "maxItems", F.numberNode(list.size()));
        putIfAbsent(s, "minItems", F.numberNode(list.size()));
        s.remove("items");
    }

    /** A matrix whose rows and row count both vary cannot be cut from a blob: keep only "an array". */
    private static void variableMatrix(String name, ObjectNode s) {
        if (!isMatrix(s)) {
            return;
        }
        int[] outer = arrayRange(s);
        int[] inner = arrayRange(s.get("items"));
        if (KNOWN_VARIABLE_MATRICES.contains(name) || outer[0] != outer[1] && inner[0] != inner[1]) {
            s.remove(List.of("items", "maxItems", "minItems"));
            s.put("type", "array");
        }
    }

    /** Sizes on an integer array count cells, which a blob gives as one row or as rows of one cell. */
    private static void arraySizeEitherShape(String name, ObjectNode s) {
        if (!isIntArray(name, s)) {
            return;
        }
        ObjectNode target = allOfPart(s, o -> o.has("minItems") || o.has("maxItems"));
        if (target.get("items") instanceof ArrayNode || isMatrix(target) || isOne(target.get("maxItems"))) {
            return;
        }
        ObjectNode size = F.objectNode();
        for (String k : List.of("minItems", "maxItems")) {
            if (target.has(k)) {
                size.set(k, target.remove(k));
            }
        }
        if (size.isEmpty()) {
            return;
        }
        ObjectNode cellPerRow = size.deepCopy();
        cellPerRow.set("items", F.objectNode().put("maxItems", 1));
        if (isOne(cellPerRow.get("minItems"))) {
            cellPerRow.put("minItems", 2); // else one cell would satisfy both branches
        }
        ArrayNode oneOf = F.arrayNode()
                .add(cellPerRow)
                .add(F.objectNode().set("items", F.arrayNode().add(size.deepCopy())));
        target.set("oneOf", oneOf);
        oneOf.forEach(DtSchemaFixups::itemsSize);
    }

    /** The first {@code allOf} entry of {@code s} that {@code has} what a step works on (dt-schema looks there too), else s. */
    private static ObjectNode allOfPart(ObjectNode s, java.util.function.Predicate<ObjectNode> has) {
        if (s.get("allOf") instanceof ArrayNode all) {
            for (JsonNode item : all) {
                if (item instanceof ObjectNode o && has.test(o)) {
                    return o;
                }
            }
        }
        return s;
    }

    /** Item constraints of an integer array describe the cells of one row. */
    private static void itemsIntoRow(String name, ObjectNode s) {
        if (!isIntArray(name, s)) {
            return;
        }
        ObjectNode target = allOfPart(s, o -> o.has("items"));
        if (!target.has("items") || isMatrix(target)) {
            return;
        }
        boolean list = target.get("items") instanceof ArrayNode;
        ObjectNode row = F.objectNode();
        for (String k : ROW_KEYS) {
            if (target.has(k)) {
                row.set(k, target.remove(k));
            }
        }
        target.set("items", list ? F.arrayNode().add(row) : row);
    }

    private static void stringToArray(ObjectNode s) {
        if (isStringSchema(s)) {
            s.set("items", F.arrayNode().add(extractSingle(s)));
        }
    }

    private static void scalarToMatrix(ObjectNode s) {
        if (isIntSchema(s)) {
            s.set(
                    "items",
                    F.arrayNode().add(F.objectNode().set("items", F.arrayNode().add(extractSingle(s)))));
        }
    }

    /** A fixed items list sizes the array unless told otherwise; one of minItems/maxItems alone means both. */
    private static void itemsSize(JsonNode n) {
        if (n instanceof ArrayNode list) {
            list.forEach(DtSchemaFixups::itemsSize);
            return;
        }
        if (!(n instanceof ObjectNode s)) {
            return;
        }
        s.remove("description");
        if (s.has("items")) {
            s.put("type", "array");
            if (s.get("items") instanceof ArrayNode list) {
                putIfAbsent(s, "minItems", F.numberNode(list.size()));
                putIfAbsent(s, "maxItems", F.numberNode(list.size()));
            }
            itemsSize(s.get("items"));
        } else if (s.has("maxItems") && !s.has("minItems")) {
            s.set("minItems", s.get("maxItems"));
        } else if (s.has("minItems") && !s.has("maxItems")) {
            s.set("maxItems", s.get("minItems"));
        }
    }

    /** Draft 7's {@code dependencies} split as 2019-09 has it. */
    private static void draft201909(ObjectNode s) {
        if (!(s.get("dependencies") instanceof ObjectNode deps)) {
            return;
        }
        s.remove("dependencies");
        for (Map.Entry<String, JsonNode> e : entries(deps)) {
            String key = e.getValue().isArray() ? "dependentRequired" : "dependentSchemas";
            ObjectNode target = s.get(key) instanceof ObjectNode o ? o : s.putObject(key);
            target.set(e.getKey(), e.getValue());
        }
    }

    /** A node with interrupts may use interrupts-extended and name an interrupt-parent. */
    private static void interrupts(ObjectNode s) {
        if (!(s.get("properties") instanceof ObjectNode props)) {
            return;
        }
        if ((props.has("interrupts") || props.has("interrupt-controller")) && !props.has("interrupt-parent")) {
            props.put("interrupt-parent", true);
        }
        if (!props.has("interrupts") || props.has("interrupts-extended")) {
            return;
        }
        props.set("interrupts-extended", props.get("interrupts").deepCopy());
        if (!(s.get("required") instanceof ArrayNode required) || indexOf(required, "interrupts") < 0) {
            return;
        }
        ArrayNode either = F.arrayNode();
        either.addObject().putArray("required").add("interrupts");
        either.addObject().putArray("required").add("interrupts-extended");
        if (s.has("oneOf")) {
            ArrayNode all = s.get("allOf") instanceof ArrayNode a ? a : s.putArray("allOf");
            all.addObject().set("oneOf", either);
        } else {
            s.set("oneOf", either);
        }
        required.remove(indexOf(required, "interrupts"));
    }

    /** The properties every node may carry, unless the schema is open anyway. */
    private static void implicitProperties(ObjectNode s) {
        if (!(s.has("properties") || s.has("patternProperties") || s.has("unevaluatedProperties"))
                || isTrue(s.get("additionalProperties"))
                || isTrue(s.get("unevaluatedProperties"))) {
            return;
        }
        if (!s.has("properties")) {
            s.putObject("properties");
        }
        if (!(s.get("properties") instanceof ObjectNode props)) {
            return; // not a schema map; the meta checks report it
        }
        for (String k : List.of("phandle", "status", "secure-status", "$nodename")) {
            putIfAbsent(props, k, F.booleanNode(true));
        }
        List<String> keys = new ArrayList<>();
        props.fieldNames().forEachRemaining(keys::add);
        if (s.get("patternProperties") instanceof ObjectNode pats) {
            pats.fieldNames().forEachRemaining(keys::add);
        }
        if (keys.stream().noneMatch(k -> PINCTRL_NAME.matcher(k).find())) {
            putIfAbsent(props, "pinctrl-names", F.booleanNode(true));
            if (!(s.get("patternProperties") instanceof ObjectNode)) {
                s.putObject("patternProperties");
            }
            ((ObjectNode) s.get("patternProperties")).put("pinctrl-[0-9]+", true);
        }
        if (keys.contains("clocks") && !keys.contains("assigned-clocks")) {
            for (String k : List.of("assigned-clocks", "assigned-clock-rates", "assigned-clock-parents")) {
                props.put(k, true);
            }
        }
    }

    // --- predicates, with dt-schema's notion of "integer" (a bool counts) and "first of a list"

    private static boolean isIntSchema(JsonNode s) {
        return s instanceof ObjectNode o
                && List.of("const", "enum", "minimum", "maximum").stream()
                        .map(k -> first(o.get(k)))
                        .anyMatch(v -> v != null && (v.isIntegralNumber() || v.isBoolean()));
    }

    static boolean isStringSchema(JsonNode s) {
        return s instanceof ObjectNode o
                && List.of("const", "enum", "pattern").stream()
                        .map(k -> first(o.get(k)))
                        .anyMatch(v -> v != null && v.isTextual());
    }

    /** A value, or the first element of a list value; null when absent or an empty list. */
    private static JsonNode first(JsonNode v) {
        if (v instanceof ArrayNode a) {
            return a.isEmpty() ? null : a.get(0);
        }
        return v;
    }

    private static boolean isMatrix(ObjectNode s) {
        JsonNode items = s.get("items");
        if (items instanceof ArrayNode list) {
            for (JsonNode l : list) {
                if (sizesRows(l)) {
                    return true;
                }
            }
            return false;
        }
        return sizesRows(items);
    }

    private static boolean sizesRows(JsonNode n) {
        return n instanceof ObjectNode o && (o.has("items") || o.has("minItems") || o.has("maxItems"));
    }

    /** (minItems, maxItems) with dt-schema's defaults; (0, 0) for a list of other than one schema. */
    static int[] arrayRange(JsonNode n) {
        if (n instanceof ArrayNode a) {
            if (a.size() != 1) {
                return new int[] {0, 0};
            }
            n = a.get(0);
        }
        if (!(n instanceof ObjectNode s)) {
            return new int[] {1, 0};
        }
        if (s.get("items") instanceof ArrayNode list) {
            return new int[] {s.path("minItems").asInt(list.size()), list.size()};
        }
        return new int[] {
            s.path("minItems").asInt(1),
            s.path("maxItems").asInt(s.path("minItems").asInt(0))
        };
    }

    /** An integer array: by its $ref, by a unit suffix of its name, or by integer item constraints. */
    private static boolean isIntArray(String name, ObjectNode s) {
        if (s.get("allOf") instanceof ArrayNode all) {
            for (JsonNode item : all) {
                if (!(item instanceof ObjectNode o)) {
                    continue;
                }
                if (o.has("items")) {
                    s = o;
                    continue;
                }
                if (o.get("$ref") != null) {
                    return INT_ARRAY_REF.matcher(o.get("$ref").asText()).find();
                }
            }
        }
        if (s.get("$ref") != null) {
            return INT_ARRAY_REF.matcher(s.get("$ref").asText()).find();
        }
        if (UNIT_SUFFIX.matcher(name).find() || KNOWN_ARRAYS.contains(name)) {
            return true;
        }
        JsonNode items = s.get("items");
        return items instanceof ArrayNode list ? isIntSchema(first(list)) : isIntSchema(items);
    }

    private static ObjectNode extractSingle(ObjectNode s) {
        ObjectNode out = F.objectNode();
        for (String k : SINGLE_KEYS) {
            if (s.has(k)) {
                out.set(k, s.remove(k));
            }
        }
        return out;
    }

    private static boolean isTrue(JsonNode n) {
        return n != null && n.isBoolean() && n.asBoolean();
    }

    private static boolean isOne(JsonNode n) {
        return n != null && (n.isIntegralNumber() && n.asLong() == 1 || n.isBoolean() && n.asBoolean());
    }

    private static void putIfAbsent(ObjectNode s, String key, JsonNode value) {
        if (!s.has(key)) {
            s.set(key, value);
        }
    }

    private static int indexOf(ArrayNode a, String text) {
        for (int i = 0; i < a.size(); i++) {
            if (text.equals(a.get(i).asText(null))) {
                return i;
            }
        }
        return -1;
    }

    /** A snapshot, so the map may change while its entries are visited. */
    private static List<Map.Entry<String, JsonNode>> entries(ObjectNode s) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        s.fields().forEachRemaining(e -> out.add(Map.entry(e.getKey(), e.getValue())));
        return out;
    }
}
