package dev.gunyahdt.bindings.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A binding as the validator takes it: dt-mk-schema's processing ({@link DtSchemaFixups}), then
 * the adaptations that make networknt decide as python-jsonschema does (networknt-notes.md):
 * Python regex syntax, sloppy references, '#'-names under additionalProperties, and the
 * always-true vendor patterns merged for speed.
 */
public final class Fixups {

    static final String DRAFT_2019_09 = "https://json-schema.org/draft/2019-09/schema";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern PY_QUANTIFIER = Pattern.compile("\\{,(\\d+)}");

    private Fixups() {}

    /** dt-mk-schema's processing, then what networknt needs to validate the same way, on a copy of {@code doc}. */
    public static ObjectNode apply(ObjectNode doc) {
        return forNetworknt(asDtMkSchema(doc));
    }

    /** What networknt needs on top of dt-mk-schema's processing, on a copy of {@code dtSchema}. */
    public static ObjectNode forNetworknt(ObjectNode dtSchema) {
        ObjectNode s = dtSchema.deepCopy();
        dropDocumentation(s);
        s.put("$schema", DRAFT_2019_09);
        javaRegex(s);
        normalRefs(s);
        mergeEqualPatterns(s);
        hashNames(s); // after the merge, so the '#'-name rule lists the merged patterns
        return s;
    }

    /**
     * dt-mk-schema's processing alone (no select): what its processed-schema.json holds for the
     * binding, which {@code tests/conformance/fixups-agreement.sh} compares.
     */
    public static ObjectNode asDtMkSchema(ObjectNode doc) {
        ObjectNode s = doc.deepCopy();
        DtSchemaFixups.process(s);
        return s;
    }

    /** Backreferences and comment mode would change meaning inside an alternation: such patterns stay alone. */
    private static final Pattern SELF_REFERRING = Pattern.compile("\\\\[1-9]|\\\\k<|\\(\\?[a-z]*x");

    // dt-schema's own notions of a schema, shared with the property-type table (instance.PropertyTypes)

    /** A string schema: its const, enum (first entry) or pattern is a string. */
    public static boolean isStringSchema(JsonNode s) {
        return DtSchemaFixups.isStringSchema(s);
    }

    /** (minItems, maxItems) of an array schema with dt-schema's defaults; (0, 0) for a list of other than one schema. */
    public static int[] arrayRange(JsonNode s) {
        return DtSchemaFixups.arrayRange(s);
    }

    /** A name with a standard unit suffix ({@code -microvolt}, {@code -hz}, …), an integer array without a $ref. */
    public static boolean hasUnitSuffix(String name) {
        return DtSchemaFixups.UNIT_SUFFIX.matcher(name).find();
    }

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
            t = (java.util.TreeMap<String, Object>)
                    t.computeIfAbsent(String.valueOf(word.charAt(i)), k -> new java.util.TreeMap<String, Object>());
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

    /**
     * Speed, same verdicts: {@code patternProperties} entries with equal schemas become one entry
     * whose pattern is their alternation. vendor-prefixes.yaml's 750 always-true {@code ^vendor,.*}
     * and property-units.yaml's 25 unit suffixes typed uint32-array are tried on every property of
     * every node; one pattern each is enough, as a name matched by two of them was checked twice
     * against the same schema. Always-true entries ({@code true}, {@code {}}) count as equal.
     */
    static void mergeEqualPatterns(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.get("patternProperties") instanceof ObjectNode pats && pats.size() > 1) {
                Map<JsonNode, List<String>> bySchema = new LinkedHashMap<>();
                pats.fields().forEachRemaining(e -> {
                    JsonNode v = e.getValue();
                    // a false schema's message names its pattern: those stay as written
                    if (compiles(e.getKey())
                            && !(v.isBoolean() && !v.asBoolean())
                            && !SELF_REFERRING.matcher(e.getKey()).find()) {
                        JsonNode key = v.isObject() && v.isEmpty() ? BooleanNode.TRUE : v;
                        bySchema.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getKey());
                    }
                });
                bySchema.forEach((schema, patterns) -> {
                    if (patterns.size() > 1) {
                        patterns.forEach(pats::remove);
                        pats.set(merge(patterns), schema);
                    }
                });
            }
            o.elements().forEachRemaining(Fixups::mergeEqualPatterns);
        } else if (n instanceof ArrayNode a) {
            a.forEach(Fixups::mergeEqualPatterns);
        }
    }

    /** description/examples/maintainers are for people. */
    static void dropDocumentation(JsonNode n) {
        drop(n, false);
    }

    private static void drop(JsonNode n, boolean nameMap) {
        if (n instanceof ObjectNode o) {
            if (!nameMap) {
                o.remove(List.of("description", "examples", "maintainers"));
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

    /** Python's {@code {,n}} (0 to n), a syntax error in java.util.regex, as {@code {0,n}}. */
    public static String toJavaRegex(String re) {
        return PY_QUANTIFIER.matcher(re).replaceAll("{0,$1}");
    }

    /**
     * networknt's additionalProperties skips names starting with '#' (networknt-notes trap 1). So
     * a schema closed by {@code additionalProperties: false} also gets a propertyNames rule that
     * holds the '#'-names to the declared ones, and one whose {@code additionalProperties} is a
     * schema ({@code type: object} in w1-gpio.yaml) gets a pattern entry applying that schema to
     * the '#'-names neither listed nor matched by another pattern.
     */
    /**
     * A regex for the '#'-names that neither {@code properties} lists nor another pattern matches:
     * lookaheads at the start, one refusing the listed names, one per pattern refusing a name in
     * which that pattern is found (JSON Schema patterns are unanchored).
     */
    private static String undeclaredHashNames(ObjectNode s) {
        StringBuilder re = new StringBuilder("(?s)^"); // (?s) and \z: a DTB may put a newline in a name
        List<String> listed = new ArrayList<>();
        if (s.get("properties") instanceof ObjectNode props) {
            props.fieldNames().forEachRemaining(name -> listed.add(Pattern.quote(name)));
        }
        if (!listed.isEmpty()) {
            re.append("(?!(?:").append(String.join("|", listed)).append(")\\z)");
        }
        if (s.get("patternProperties") instanceof ObjectNode pats) {
            pats.fieldNames()
                    .forEachRemaining(p -> re.append("(?!.*?(?:").append(p).append("))"));
        }
        return re.append('#').toString();
    }

    static void hashNames(JsonNode n) {
        if (n instanceof ObjectNode s) {
            JsonNode ap = s.get("additionalProperties");
            if (ap != null && ap.isBoolean() && !ap.asBoolean() && !s.has("propertyNames")) {
                ArrayNode allowed = F.arrayNode();
                if (s.get("properties") instanceof ObjectNode props) {
                    props.fieldNames().forEachRemaining(name -> {
                        if (name.startsWith("#")) {
                            allowed.add(name);
                        }
                    });
                }
                ObjectNode rule = F.objectNode();
                rule.putObject("if").put("pattern", "^#");
                ArrayNode anyOf = rule.putObject("then").putArray("anyOf");
                anyOf.addObject().set("enum", allowed);
                if (s.get("patternProperties") instanceof ObjectNode pats) {
                    pats.fieldNames().forEachRemaining(re -> anyOf.addObject().put("pattern", re));
                }
                s.set("propertyNames", rule);
            } else if (ap instanceof ObjectNode schema) {
                ObjectNode pats =
                        s.get("patternProperties") instanceof ObjectNode p ? p : s.putObject("patternProperties");
                pats.set(undeclaredHashNames(s), schema.deepCopy());
            }
            s.elements().forEachRemaining(Fixups::hashNames);
        } else if (n instanceof ArrayNode a) {
            a.forEach(Fixups::hashNames);
        }
    }
}
