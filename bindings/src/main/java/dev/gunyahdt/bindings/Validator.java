package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.gunyahdt.bindings.instance.InstanceBuilder;
import dev.gunyahdt.bindings.instance.PropertyTypes;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.SourceSpan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Validates DeviceTrees against a {@link BindingSet} with networknt (draft 2019-09). A node is
 * checked against every binding whose {@code compatible} schema names one of the node's
 * compatible strings (an index, not a scan), and every binding with an explicit {@code select}
 * that the node's instance satisfies. Bindings are compiled once; a Validator is reusable and
 * thread-safe.
 */
public final class Validator {

    /** Generic compatibles that match too much to select a binding by (as dt-schema drops them). */
    private static final Set<String> GENERIC = Set.of("syscon", "simple-mfd", "simple-bus");

    private record Compiled(BindingSet.Binding binding, JsonSchema schema, JsonSchema select, Set<String> declared) {
    }

    private static final java.util.regex.Pattern QUOTED_NAME = java.util.regex.Pattern.compile("property '([^']+)'");

    private final List<Finding> compileFindings = new ArrayList<>();
    private final Map<String, List<Compiled>> byCompatible = new HashMap<>();
    private final List<Compiled> bySelect = new ArrayList<>();
    /** Every compatible string any loaded binding names, generic ones and select-bindings' included. */
    private final Set<String> documented = new HashSet<>();
    /** Types of property names across the set, to decode DTB values (dt-schema's dt-extract-props table). */
    private final PropertyTypes types;

    public Validator(BindingSet set) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909,
                b -> b.schemaLoaders(l -> l.add(iri -> iri.toString().startsWith(BindingSet.SCHEMA_BASE)
                        ? () -> set.processedJson(iri.toString()) : null)));
        types = PropertyTypes.of(set.bindings().values().stream().map(BindingSet.Binding::processed).toList());
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
        for (BindingSet.Binding b : set.bindings().values()) {
            Set<String> compatibles = compatibles(b.processed().path("properties").path("compatible"));
            nestedCompatibles(b.processed(), documented);
            JsonNode select = b.processed().get("select");
            boolean explicitSelect = select != null && !(select.isBoolean() && !select.asBoolean());
            if (compatibles.isEmpty() && !explicitSelect) {
                continue; // a library of definitions (types.yaml) or a binding selected by nothing
            }
            try {
                JsonSchema schema = factory.getSchema(SchemaLocation.of(b.id() + "#"), config);
                schema.initializeValidators();
                JsonSchema sel = null;
                if (explicitSelect) {
                    sel = factory.getSchema(SchemaLocation.of(b.id() + "#/select"), config);
                    sel.initializeValidators();
                }
                Set<String> declared = new HashSet<>();
                declaredProperties(b.processed(), declared);
                Compiled c = new Compiled(b, schema, sel, declared);
                if (explicitSelect) {
                    bySelect.add(c);
                } else {
                    for (String compat : compatibles) {
                        byCompatible.computeIfAbsent(compat, k -> new ArrayList<>()).add(c);
                    }
                }
            } catch (RuntimeException e) {
                compileFindings.add(BindingSet.loadFinding(b.file(), 1, 1, "compile",
                        "binding cannot be compiled: " + e.getMessage()));
            }
        }
    }

    /**
     * Whether some binding names {@code compatible} in a {@code compatible} schema, its own or a
     * child node's (for {@code lint -m}).
     */
    public boolean documents(String compatible) {
        return documented.contains(compatible);
    }

    /**
     * Whether a node with these compatible strings is documented, as dt-validate -m decides: the
     * generic {@code syscon}/{@code simple-mfd}/{@code simple-bus} count only when the node has
     * nothing more specific.
     */
    public boolean documentsNode(List<String> compatibles) {
        boolean specific = compatibles.stream().anyMatch(c -> !GENERIC.contains(c));
        return compatibles.stream().filter(c -> !specific || !GENERIC.contains(c)).anyMatch(documented::contains);
    }

    /** Bindings that loaded but could not be compiled into validators. */
    public List<Finding> compileFindings() {
        return List.copyOf(compileFindings);
    }

    /** Findings for every node of {@code tree}; {@code file} names the input for findings without a source span. */
    public List<Finding> validate(DeviceTree tree, String file) {
        InstanceBuilder builder = new InstanceBuilder(tree.phandles(), types);
        List<Finding> out = new ArrayList<>();
        tree.walk(at -> validateNode(at, builder, file, out));
        return out;
    }

    private void validateNode(NodeCursor at, InstanceBuilder builder, String file, List<Finding> out) {
        List<Compiled> matched = new ArrayList<>();
        Optional<Property> compat = at.node().property("compatible");
        if (compat.isPresent() && compat.get().value().isStringList()) {
            Set<Compiled> seen = new LinkedHashSet<>();
            for (String c : compat.get().value().asStrings()) {
                if (!GENERIC.contains(c)) {
                    seen.addAll(byCompatible.getOrDefault(c, List.of()));
                }
            }
            matched.addAll(seen);
        }
        ObjectNode instance = null;
        if (!matched.isEmpty() || !bySelect.isEmpty()) {
            instance = builder.build(at);
        }
        for (Compiled c : bySelect) {
            if (c.select().validate(instance).isEmpty()) {
                matched.add(c);
            }
        }
        if (matched.isEmpty()) {
            return;
        }
        boolean disabled = at.node().property("status").map(p -> p.value().asString())
                .filter(s -> s.equals("disabled")).isPresent();
        for (Compiled c : matched) {
            Set<String> keys = new LinkedHashSet<>();
            List<Finding> found = new ArrayList<>();
            for (ValidationMessage m : c.schema().validate(instance)) {
                // dt-validate does not hold a disabled node to `required` (networknt-notes trap 6)
                if (disabled && "required".equals(m.getType())) {
                    continue;
                }
                Finding f = finding(at, c.binding(), m, file);
                // networknt repeats errors per anyOf/oneOf branch and per unevaluatedProperties level (trap 5)
                if (keys.add(f.node() + "|" + f.property() + "|" + f.keyword() + "|" + f.message())) {
                    found.add(f);
                }
            }
            out.addAll(withoutEchoes(found, c.declared()));
        }
    }

    /**
     * When a subschema fails, networknt forgets what it evaluated, so every property it declares
     * comes back as "unevaluated" too (networknt-notes trap 5). On a node that has a real finding,
     * drop unevaluatedProperties findings for names the binding declares.
     */
    private static List<Finding> withoutEchoes(List<Finding> found, Set<String> declared) {
        Set<String> nodesWithRealFindings = new HashSet<>();
        for (Finding f : found) {
            if (!f.keyword().equals("unevaluatedProperties")) {
                nodesWithRealFindings.add(f.node());
            }
        }
        List<Finding> out = new ArrayList<>();
        for (Finding f : found) {
            boolean unevaluated = f.keyword().equals("unevaluatedProperties") && f.property() != null;
            String child = (f.node().equals("/") ? "" : f.node()) + "/" + f.property();
            // a child node whose own schema failed comes back unevaluated at its parent too
            boolean failedChild = unevaluated && nodesWithRealFindings.stream()
                    .anyMatch(n -> n.equals(child) || n.startsWith(child + "/"));
            boolean echo = failedChild || unevaluated && nodesWithRealFindings.contains(f.node())
                    && declared.contains(f.property());
            if (!echo) {
                out.add(f);
            }
        }
        return out;
    }

    private static void declaredProperties(JsonNode n, Set<String> out) {
        if (n.isObject()) {
            JsonNode props = n.get("properties");
            if (props != null && props.isObject()) {
                props.fieldNames().forEachRemaining(out::add);
            }
            n.elements().forEachRemaining(x -> declaredProperties(x, out));
        } else if (n.isArray()) {
            n.forEach(x -> declaredProperties(x, out));
        }
    }

    private static Finding finding(NodeCursor at, BindingSet.Binding binding, ValidationMessage m, String file) {
        NodeCursor node = at;
        String property = null;
        JsonNodePath loc = m.getInstanceLocation();
        for (int i = 0; i < loc.getNameCount() && property == null; i++) {
            Object el = loc.getElement(i);
            if (!(el instanceof String name)) {
                break;
            }
            Optional<Node> child = node.node().child(name);
            if (child.isPresent() && !node.node().hasProperty(name)) {
                node = node.child(child.get());
            } else {
                property = name;
            }
        }
        String keyword = m.getType();
        if (property == null && m.getProperty() != null
                && (keyword.equals("required") || keyword.equals("additionalProperties")
                || keyword.equals("unevaluatedProperties") || keyword.equals("dependentRequired"))) {
            property = m.getProperty();
        }
        String schemaLocation = m.getSchemaLocation().toString();
        // our propertyNames rule stands in for additionalProperties on '#'-names (Fixups.implicitProperties);
        // networknt names the offending key only in its message text
        boolean hashRule = keyword.equals("propertyNames") && schemaLocation.endsWith("/propertyNames");
        if (hashRule) {
            keyword = "additionalProperties";
            java.util.regex.Matcher k = QUOTED_NAME.matcher(m.getMessage());
            property = k.find() ? k.group(1) : property;
            schemaLocation = schemaLocation.substring(0, schemaLocation.length() - "propertyNames".length())
                    + "additionalProperties";
        }
        String finalProperty = property;
        SourceSpan span = property == null ? null
                : node.node().property(property).map(Property::span).orElse(null);
        if (span == null) {
            span = node.node().span();
        }
        String message = m.getMessage();
        if (hashRule) {
            message = "property '" + finalProperty + "' is not defined in the schema and the schema does not allow"
                    + " additional properties";
        }
        return new Finding(span != null ? span.file() : file, span != null ? span.firstLine() : 0,
                span != null ? span.firstColumn() : 0, node.path(), finalProperty, keyword, schemaLocation,
                binding.file(), message);
    }

    /** Compatibles named by any {@code properties/compatible} in a binding, child-node schemas included. */
    private static void nestedCompatibles(JsonNode n, Set<String> out) {
        if (n.isObject()) {
            JsonNode c = n.path("properties").get("compatible");
            if (c != null) {
                collectStrings(c, out);
            }
            n.elements().forEachRemaining(x -> nestedCompatibles(x, out));
        } else if (n.isArray()) {
            n.forEach(x -> nestedCompatibles(x, out));
        }
    }

    /** Every string a binding's {@code compatible} schema can accept as a const or enum, anywhere inside it. */
    static Set<String> compatibles(JsonNode schema) {
        Set<String> out = new LinkedHashSet<>();
        collectStrings(schema, out);
        return out;
    }

    private static void collectStrings(JsonNode n, Set<String> out) {
        if (n.isObject()) {
            JsonNode c = n.get("const");
            if (c != null && c.isTextual()) {
                out.add(c.asText());
            }
            JsonNode e = n.get("enum");
            if (e != null && e.isArray()) {
                e.forEach(x -> {
                    if (x.isTextual()) {
                        out.add(x.asText());
                    }
                });
            }
            n.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("const") && !f.getKey().equals("enum") && !f.getKey().equals("not")) {
                    collectStrings(f.getValue(), out);
                }
            });
        } else if (n.isArray()) {
            n.forEach(x -> collectStrings(x, out));
        }
    }
}
