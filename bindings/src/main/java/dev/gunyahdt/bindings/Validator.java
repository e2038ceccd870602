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

    /** Generic compatibles that match too much to select a binding by (dt-schema drops them from its selects). */
    private static final Set<String> GENERIC = SelectionIndex.GENERIC;

    /** A binding compiled for networknt: its schema, and its select's ({@code select} null when it has none). */
    private record Compiled(
            BindingSet.Binding binding, SelectionIndex.Entry entry, JsonSchema schema, JsonSchema select) {}

    private static final java.util.regex.Pattern QUOTED_NAME = java.util.regex.Pattern.compile("property '([^']+)'");

    /** Bindings compile on first use (a DTB's run needs few of them); null: this one cannot be compiled. */
    private final Map<String, Optional<Compiled>> compiled = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, Finding> compileFailures = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, List<SelectionIndex.Entry>> byCompatible = new HashMap<>();
    private final List<SelectionIndex.Entry> bySelect = new ArrayList<>();
    private final SelectionIndex index;
    /**
     * Compatible patterns of the set (a {@code pattern} under any {@code compatible} key), as dt-schema's
     * generated-compatibles schema holds them; its catch-all vendor pattern excluded, {@code ^foo} added.
     */
    private volatile List<java.util.regex.Pattern> documentedPatterns;
    /** Types of property names across the set, to decode DTB values (dt-schema's dt-extract-props table). */
    private final PropertyTypes types;
    /** The set's bindings by path, for the schema around a failed keyword (its regexes, for the message). */
    private final Map<String, BindingSet.Binding> bindings;

    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;

    public Validator(BindingSet set) {
        bindings = set.bindings();
        // the documents are served as JSON; networknt would read a ".yaml" IRI with its YAML mapper,
        // which is slower and refuses keys over 1024 characters (Fixups.mergeEqualPatterns makes long ones)
        factory = JsonSchemaFactory.getInstance(
                SpecVersion.VersionFlag.V201909,
                b -> b.yamlMapper(new com.fasterxml.jackson.databind.ObjectMapper())
                        .metaSchema(UnevaluatedProperties.metaSchema()) // python-jsonschema's rule, as dt-validate
                        .schemaLoaders(l -> l.add(iri -> iri.toString().startsWith(BindingSet.SCHEMA_BASE)
                                ? () -> set.processedJson(iri.toString())
                                : null)));
        config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .regularExpressionFactory(new MemoRegex())
                .build();
        index = set.index();
        types = index.types;
        Set<String> known = new HashSet<>();
        if (index.compileFindings != null) {
            index.compileFindings.forEach(f -> known.add(f.file()));
        }
        for (SelectionIndex.Entry e : index.entries) {
            BindingSet.Binding b = bindings.get(e.path());
            if (b == null || known.contains(b.file())) {
                continue; // found uncompilable when the cache was built: not applied, as before
            }
            if (e.bySelect()) {
                bySelect.add(e);
            } else {
                for (String compat : e.compatibles()) {
                    byCompatible.computeIfAbsent(compat, k -> new ArrayList<>()).add(e);
                }
            }
        }
    }

    /** The binding compiled (once, under a lock: networknt's factory fills shared caches), or empty. */
    private Optional<Compiled> compiled(SelectionIndex.Entry e) {
        Optional<Compiled> c = compiled.get(e.path());
        if (c != null) {
            return c;
        }
        synchronized (compiled) {
            return compiled.computeIfAbsent(e.path(), k -> compile(e));
        }
    }

    private Optional<Compiled> compile(SelectionIndex.Entry e) {
        BindingSet.Binding b = bindings.get(e.path());
        try {
            JsonSchema schema = factory.getSchema(SchemaLocation.of(b.id() + "#"), config);
            schema.initializeValidators();
            JsonSchema sel = null;
            if (e.bySelect()) {
                sel = factory.getSchema(
                        SchemaLocation.of(b.id() + (e.byNodename() ? "#/properties/$nodename" : "#/select")), config);
                sel.initializeValidators();
            }
            return Optional.of(new Compiled(b, e, schema, sel));
        } catch (RuntimeException x) {
            compileFailures.put(
                    e.path(),
                    BindingSet.loadFinding(b.file(), 1, 1, "compile", "binding cannot be compiled: " + x.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * Whether some binding names {@code compatible} in a {@code compatible} schema, its own or a
     * child node's (for {@code lint -m}).
     */
    public boolean documents(String compatible) {
        return index.documented.contains(compatible);
    }

    /**
     * Whether a node with these compatible strings is documented, as dt-validate -m decides: each
     * string is named (const, enum) or matched (pattern) under some binding's {@code compatible} key.
     */
    public boolean documentsNode(List<String> compatibles) {
        // dt-validate -m: every string must be documented (its generated schema is `items: anyOf`)
        if (documentedPatterns == null) { // only -m needs them
            documentedPatterns = index.documentedPatterns.stream()
                    .map(java.util.regex.Pattern::compile)
                    .toList();
        }
        return compatibles.stream()
                .allMatch(c -> index.documented.contains(c)
                        || documentedPatterns.stream()
                                .anyMatch(p -> p.matcher(c).find()));
    }

    /**
     * Bindings that loaded but could not be compiled into validators (they are not applied). From a
     * cached set, as found when the cache was built; otherwise every binding is compiled to find them.
     */
    public List<Finding> compileFindings() {
        if (index.compileFindings != null) {
            return index.compileFindings;
        }
        List<Finding> out = new ArrayList<>();
        for (SelectionIndex.Entry e : index.entries) {
            if (bindings.containsKey(e.path()) && compiled(e).isEmpty()) {
                out.add(compileFailures.get(e.path()));
            }
        }
        return out;
    }

    /** Findings for every node of {@code tree}; {@code file} names the input for findings without a source span. */
    public List<Finding> validate(DeviceTree tree, String file) {
        InstanceBuilder builder = new InstanceBuilder(tree.phandles(), types);
        List<Finding> out = new ArrayList<>();
        TypeSize.WIDTHS.set(builder::bitsOf);
        try {
            tree.walk(at -> {
                if (!underGenerated(at)) {
                    validateNode(at, builder, file, out);
                }
            });
        } finally {
            TypeSize.WIDTHS.remove();
        }
        return out;
    }

    private static final java.util.Comparator<Finding> FINDING_ORDER = java.util.Comparator.comparing(
                    (Finding f) -> f.node() == null ? "" : f.node())
            .thenComparing(f -> f.property() == null ? "" : f.property())
            .thenComparing(f -> f.keyword() == null ? "" : f.keyword())
            .thenComparing(f -> f.message() == null ? "" : f.message());

    private static boolean underGenerated(NodeCursor at) {
        for (NodeCursor c = at; c != null; c = c.parent()) {
            if (InstanceBuilder.isGenerated(c.node())) {
                return true;
            }
        }
        return false;
    }

    private void validateNode(NodeCursor at, InstanceBuilder builder, String file, List<Finding> out) {
        List<Compiled> matched = new ArrayList<>();
        Optional<Property> compat = at.node().property("compatible");
        if (compat.isPresent() && compat.get().value().isStringList()) {
            Set<SelectionIndex.Entry> seen = new LinkedHashSet<>();
            for (String c : compat.get().value().asStrings()) {
                if (!GENERIC.contains(c)) {
                    seen.addAll(byCompatible.getOrDefault(c, List.of()));
                }
            }
            seen.forEach(e -> compiled(e).ifPresent(matched::add));
        }
        ObjectNode instance = null;
        if (!matched.isEmpty() || !bySelect.isEmpty()) {
            instance = builder.build(at);
        }
        List<String> strings = compat.isPresent() && compat.get().value().isStringList()
                ? compat.get().value().asStrings()
                : List.of();
        for (SelectionIndex.Entry e : bySelect) {
            if (e.selectOnly() != null && strings.stream().noneMatch(e.selectOnly()::contains)) {
                continue;
            }
            Optional<Compiled> c = compiled(e);
            if (c.isPresent()
                    && c.get()
                            .select()
                            .validate(e.byNodename() ? instance.get("$nodename") : instance)
                            .isEmpty()) {
                matched.add(c.get());
            }
        }
        if (matched.isEmpty()) {
            return;
        }
        for (Compiled c : matched) {
            Set<String> keys = new LinkedHashSet<>();
            List<Finding> found = new ArrayList<>();
            for (List<ValidationMessage> group : byCombinator(c.schema().validate(instance))) {
                Finding f = reduce(at, c.binding(), group, file);
                // the same error reached on several paths (a $ref'd schema and its referrer) is one finding
                if (f != null && keys.add(f.node() + "|" + f.property() + "|" + f.keyword() + "|" + f.message())) {
                    found.add(f);
                }
            }
            // networknt's message order varies from run to run; the report must not
            found.sort(FINDING_ORDER);
            out.addAll(found);
        }
    }

    /**
     * Groups networknt's messages as python-jsonschema reports them (what dt-validate prints): every
     * error under a failed {@code oneOf}/{@code anyOf} belongs to that combinator's one error, the
     * outermost combinator on the evaluation path, at one instance location; other errors stand alone.
     */
    static List<List<ValidationMessage>> byCombinator(Set<ValidationMessage> messages) {
        Map<String, List<ValidationMessage>> groups = new LinkedHashMap<>();
        int alone = 0;
        for (ValidationMessage m : messages) {
            int end = combinatorEnd(m.getEvaluationPath());
            String key = end < 0
                    ? "#" + alone++
                    : prefix(m.getEvaluationPath(), end) + "@"
                            + prefix(m.getInstanceLocation(), instanceDepth(m.getEvaluationPath(), end));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
        }
        return new ArrayList<>(groups.values());
    }

    /** Index just past the outermost oneOf/anyOf keyword on an evaluation path, or -1. */
    static int combinatorEnd(JsonNodePath path) {
        for (int i = 0; i < path.getNameCount(); i++) {
            String n = path.getName(i);
            if (n.equals("oneOf") || n.equals("anyOf")) {
                return i + 1;
            }
        }
        return -1;
    }

    private static String prefix(JsonNodePath path, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n && i < path.getNameCount(); i++) {
            b.append('/').append(path.getName(i));
        }
        return b.toString();
    }

    /** How many instance steps the first {@code end} elements of an evaluation path take. */
    static int instanceDepth(JsonNodePath eval, int end) {
        int depth = 0;
        for (int i = 0; i < end; i++) {
            switch (eval.getName(i)) {
                case "properties", "patternProperties", "dependentSchemas" -> {
                    i++;
                    depth += eval.getName(i - 1).equals("dependentSchemas") ? 0 : 1;
                }
                case "items", "prefixItems" -> {
                    if (i + 1 < end && eval.getName(i + 1).matches("\\d+")) {
                        i++;
                    }
                    depth++;
                }
                case "additionalProperties",
                        "unevaluatedProperties",
                        "additionalItems",
                        "unevaluatedItems",
                        "contains",
                        "propertyNames" -> depth++;
                case "allOf", "oneOf", "anyOf" -> i++;
                default -> {
                    // $ref, if, then, else, not: same instance
                }
            }
        }
        return depth;
    }

    /**
     * One finding for a group of {@link #byCombinator}, or null when dt-validate would not report it:
     * on a disabled node it drops missing-property errors, and a failed combinator whose errors
     * are all missing properties.
     */
    private Finding reduce(NodeCursor at, BindingSet.Binding binding, List<ValidationMessage> group, String file) {
        ValidationMessage first = group.get(0);
        int end = combinatorEnd(first.getEvaluationPath());
        if (end < 0) {
            Finding f = finding(at, binding, first, file, -1);
            return "required".equals(first.getType()) && disabled(at, f.node()) ? null : f;
        }
        String kind = first.getEvaluationPath().getName(end - 1);
        List<ValidationMessage> branches = group.stream()
                .filter(m -> combinatorEnd(m.getEvaluationPath())
                        != m.getEvaluationPath().getNameCount())
                .toList();
        ValidationMessage own =
                group.stream().filter(m -> !branches.contains(m)).findFirst().orElse(null);
        int depth = instanceDepth(first.getEvaluationPath(), end);
        Finding where = finding(at, binding, own != null ? own : first, file, own != null ? -1 : depth);
        if (disabled(at, where.node()) && branches.stream().allMatch(m -> "required".equals(m.getType()))) {
            return null;
        }
        String schemaLocation = own != null
                ? own.getSchemaLocation().toString()
                : binding.id() + "#" + prefix(first.getEvaluationPath(), end);
        StringBuilder message = new StringBuilder("'" + kind + "' conditional failed, one must be fixed");
        String sep = ": ";
        for (ValidationMessage m : branches.isEmpty() ? group : branches) {
            message.append(sep).append(Messages.located(m));
            sep = "; ";
        }
        String property = where.property();
        if (own == null && property != null && depth == 0) {
            property = null; // a node-level combinator: the branch's missing property is not the subject
        }
        return new Finding(
                where.file(),
                where.line(),
                where.column(),
                where.node(),
                property,
                kind,
                schemaLocation,
                binding.file(),
                message.toString());
    }

    /** dt-validate's disabled test: the nearest status at or above the node says "disabled". */
    private static boolean disabled(NodeCursor at, String nodePath) {
        NodeCursor n = at;
        String rel = nodePath.equals(at.path())
                ? ""
                : nodePath.substring(at.path().equals("/") ? 1 : at.path().length() + 1);
        for (String part : rel.isEmpty() ? new String[0] : rel.split("/")) {
            Optional<Node> child = n.node().child(part);
            if (child.isEmpty()) {
                break;
            }
            n = n.child(child.get());
        }
        for (NodeCursor c = n; c != null; c = c.parent()) {
            Optional<Property> status = c.node().property("status");
            if (status.isPresent()) {
                return status.get().value().isStringList()
                        && status.get().value().asStrings().contains("disabled");
            }
        }
        return false;
    }

    /** A finding at {@code m}'s instance location, or at its first {@code depth} steps when depth >= 0. */
    private Finding finding(NodeCursor at, BindingSet.Binding binding, ValidationMessage m, String file, int depth) {
        NodeCursor node = at;
        String property = null;
        JsonNodePath loc = m.getInstanceLocation();
        int steps = depth < 0 ? loc.getNameCount() : Math.min(depth, loc.getNameCount());
        for (int i = 0; i < steps && property == null; i++) {
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
        if (property == null
                && depth < 0
                && m.getProperty() != null
                && (keyword.equals("required")
                        || keyword.equals("additionalProperties")
                        || keyword.equals("unevaluatedProperties")
                        || keyword.equals("dependentRequired"))) {
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
        SourceSpan span = property == null
                ? null
                : node.node().property(property).map(Property::span).orElse(null);
        if (span == null) {
            span = node.node().span();
        }
        String message = Messages.bare(m);
        if (keyword.equals("additionalProperties") && finalProperty != null) {
            // as dt-validate prints it: the regexes the name failed, when the schema has any
            message = Messages.additionalProperty(
                    finalProperty, schemaAround(schemaLocation.replaceFirst("/additionalProperties$", "")));
        } else if (keyword.equals("required") && finalProperty != null && m.getProperty() != null) {
            message = Messages.pythonRepr(finalProperty) + " is a required property"; // as jsonschema says it
        }
        return new Finding(
                span != null ? span.file() : file,
                span != null ? span.firstLine() : 0,
                span != null ? span.firstColumn() : 0,
                node.path(),
                finalProperty,
                keyword,
                schemaLocation,
                binding.file(),
                message);
    }

    /**
     * The schema at {@code location} ({@code IRI#pointer}) as dt-mk-schema processed it (our merged
     * patterns are not dt-validate's), else as networknt runs it; null when it is not in the set.
     */
    private JsonNode schemaAround(String location) {
        int hash = location.indexOf('#');
        if (hash < 0 || !location.startsWith(BindingSet.SCHEMA_BASE)) {
            return null;
        }
        BindingSet.Binding b = bindings.get(location.substring(BindingSet.SCHEMA_BASE.length(), hash));
        if (b == null) {
            return null;
        }
        try {
            com.fasterxml.jackson.core.JsonPointer pointer =
                    com.fasterxml.jackson.core.JsonPointer.compile(location.substring(hash + 1));
            JsonNode n = b.dtSchema().at(pointer);
            return n.isMissingNode() ? b.processed().at(pointer) : n;
        } catch (IllegalArgumentException e) {
            return null;
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
                if (!f.getKey().equals("const")
                        && !f.getKey().equals("enum")
                        && !f.getKey().equals("not")) {
                    collectStrings(f.getValue(), out);
                }
            });
        } else if (n.isArray()) {
            n.forEach(x -> collectStrings(x, out));
        }
    }
}
