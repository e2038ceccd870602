package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.yaml.YamlDocument;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cheap part of what dt-doc-validate's meta-schemas enforce on a binding document (rule
 * {@code meta}): {@code $schema} form, {@code title} and {@code maintainers} present, only the
 * allowed top-level keys, property schemas that are schemas (a YAML list under {@code compatible:}
 * is the classic slip), and vendor properties that say their type. The {@code $id} form and its
 * match with the file's place are checked by {@link BindingSet} already.
 */
public final class MetaChecks {

    private static final Set<String> SCHEMA_URIS =
            Set.of("http://devicetree.org/meta-schemas/core.yaml#", "http://devicetree.org/meta-schemas/base.yaml#");

    /** Top-level keys dt-schema 2022.08 allows in a binding (its base meta-schema's list). */
    private static final Set<String> TOP_LEVEL = Set.of(
            "$id",
            "$schema",
            "title",
            "description",
            "examples",
            "required",
            "allOf",
            "anyOf",
            "oneOf",
            "definitions",
            "$defs",
            "additionalProperties",
            "dependencies",
            "dependentRequired",
            "dependentSchemas",
            "patternProperties",
            "properties",
            "if",
            "then",
            "else",
            "unevaluatedProperties",
            "deprecated",
            "maintainers",
            "select",
            "$ref");

    /** Vendor names that need no type: common unit and consumer suffixes, linux,*, regex-like names. */
    private static final List<Pattern> VENDOR_EXEMPT = List.of(
            Pattern.compile("[\\[\\]*{}$^\\\\]+"),
            Pattern.compile("^linux,.*$"),
            Pattern.compile("-(gpio|gpios)$"),
            Pattern.compile("-supply$"),
            Pattern.compile("^rcar_sound,"),
            Pattern.compile("-(bits|-kBps|percent|bp|mhz|hz|sec|ms|us|ns|ps|mm)$"),
            Pattern.compile("-(nanoamp|microamp|microamp-hours|ohms|micro-ohms|microwatt-hours)$"),
            Pattern.compile("-(microvolt|(femto|pico)farads|celsius|millicelsius|kelvin|kpascal)$"));

    /** Vendor {@code -names} lists are string arrays by their suffix; they need only a description. */
    private static final Pattern VENDOR_NAMES = Pattern.compile(",.*-names$");

    private static final Pattern TYPES_REF = Pattern.compile("types\\.yaml#/definitions/");
    private static final Pattern LOCAL_REF = Pattern.compile("^#/(definitions|\\$defs)/");

    private MetaChecks() {}

    /** Findings (rule {@code meta}) for one loaded document; {@code file} names it in findings. */
    public static List<Finding> check(YamlDocument doc, String file) {
        List<Finding> out = new ArrayList<>();
        if (!(doc.root() instanceof ObjectNode root)) {
            return out; // BindingSet reports a non-mapping document
        }
        JsonNode schema = root.get("$schema");
        if (schema == null) {
            out.add(at(
                    doc,
                    file,
                    "",
                    "'$schema' is missing (want "
                            + SCHEMA_URIS.stream().sorted().findFirst().get() + ")"));
        } else if (!SCHEMA_URIS.contains(schema.asText())) {
            out.add(at(
                    doc,
                    file,
                    "/$schema",
                    "'$schema' is '" + schema.asText()
                            + "'; dt-schema accepts http://devicetree.org/meta-schemas/core.yaml# or …/base.yaml#"));
        }
        JsonNode title = root.get("title");
        if (title == null || !title.isTextual() || title.asText().isBlank()) {
            out.add(at(doc, file, title == null ? "" : "/title", "'title' is missing or not a string"));
        } else if (title.asText().length() > 100) {
            out.add(at(doc, file, "/title", "'title' is longer than 100 characters"));
        }
        JsonNode maintainers = root.get("maintainers");
        if (maintainers == null) {
            out.add(at(doc, file, "", "'maintainers' is missing (a list of email addresses)"));
        } else if (!maintainers.isArray() || maintainers.isEmpty()) {
            out.add(at(doc, file, "/maintainers", "'maintainers' must be a non-empty list of email addresses"));
        } else {
            for (int i = 0; i < maintainers.size(); i++) {
                if (!maintainers.get(i).isTextual()
                        || !maintainers.get(i).asText().contains("@")) {
                    out.add(at(doc, file, "/maintainers/" + i, "a maintainer must be an email address"));
                }
            }
        }
        JsonNode examples = root.get("examples");
        if (examples != null && (!examples.isArray() || !allText(examples))) {
            out.add(at(doc, file, "/examples", "'examples' must be a list of strings (DTS snippets)"));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_LEVEL.contains(key)) {
                out.add(at(doc, file, "/" + escape(key), "top-level key '" + key + "' is not allowed in a binding"));
            }
        }
        propertySchemas(doc, file, root, "", true, out);
        return out;
    }

    /** Every {@code properties:} entry must be a schema; top-level vendor properties must also say their type. */
    private static void propertySchemas(
            YamlDocument doc, String file, JsonNode n, String pointer, boolean top, List<Finding> out) {
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                propertySchemas(doc, file, n.get(i), pointer + "/" + i, false, out);
            }
            return;
        }
        if (!n.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String child = pointer + "/" + escape(e.getKey());
            // dt-doc-validate 2022.08 checks a binding against draft-07, where $defs is no keyword: nothing under it
            // is meta-checked (definitions is), so Linux 6.1's qcom,pmic-mpp.yaml passes with a list under $defs
            if (e.getKey().equals("examples")
                    || e.getKey().equals("description")
                    || e.getKey().equals("maintainers")
                    || e.getKey().equals("$defs")) {
                continue;
            }
            if (e.getKey().equals("properties") && e.getValue().isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> ps = e.getValue().fields(); ps.hasNext(); ) {
                    Map.Entry<String, JsonNode> p = ps.next();
                    String pp = child + "/" + escape(p.getKey());
                    if (p.getValue().isArray()) {
                        out.add(at(
                                doc,
                                file,
                                pp,
                                "property '" + p.getKey() + "' holds a YAML list, not a schema"
                                        + " (write its list under 'items:', 'enum:', 'oneOf:' or 'anyOf:')"));
                        continue;
                    }
                    if (top
                            && vendor(p.getKey())
                            && VENDOR_NAMES.matcher(p.getKey()).find()) {
                        if (!p.getValue().isObject() || !p.getValue().has("description")) {
                            out.add(at(doc, file, pp, "vendor property '" + p.getKey() + "' needs a description"));
                        }
                    } else if (top && vendor(p.getKey()) && !typed(p.getValue())) {
                        out.add(at(
                                doc,
                                file,
                                pp,
                                "vendor property '" + p.getKey() + "' needs a type: a $ref to"
                                        + " /schemas/types.yaml#/definitions/…, 'type: boolean', or string 'enum'/'const';"
                                        + " and a description"));
                    }
                    propertySchemas(doc, file, p.getValue(), pp, false, out);
                }
            } else {
                propertySchemas(doc, file, e.getValue(), child, false, out);
            }
        }
    }

    private static boolean vendor(String name) {
        if (!name.contains(",") || name.startsWith("#")) {
            return false;
        }
        return VENDOR_EXEMPT.stream().noneMatch(p -> p.matcher(name).find());
    }

    /** dt-schema's vendor-props choices, simplified: boolean, string enum/const, or a types.yaml/local $ref. */
    private static boolean typed(JsonNode s) {
        if (!s.isObject()) {
            return false;
        }
        boolean described = s.has("description");
        if ("boolean".equals(s.path("type").asText(null))) {
            return described;
        }
        if (s.has("enum") || s.has("const")) {
            return described;
        }
        String ref = s.path("$ref").asText("");
        if (ref.isEmpty() && s.path("allOf").isArray() && !s.path("allOf").isEmpty()) {
            ref = s.path("allOf").get(0).path("$ref").asText("");
        }
        if (TYPES_REF.matcher(ref).find()) {
            return described;
        }
        return LOCAL_REF.matcher(ref).find();
    }

    private static boolean allText(JsonNode a) {
        for (JsonNode x : a) {
            if (!x.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static Finding at(YamlDocument doc, String file, String pointer, String message) {
        YamlDocument.Position p = doc.positionOf(pointer);
        return new Finding(file, p.line(), p.column(), null, null, "meta", null, file, message);
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
