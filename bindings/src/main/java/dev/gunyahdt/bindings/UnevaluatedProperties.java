package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AbstractJsonValidator;
import com.networknt.schema.AbstractKeyword;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonValidator;
import com.networknt.schema.Keyword;
import com.networknt.schema.PropertiesValidator;
import com.networknt.schema.RefValidator;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.ValidationContext;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.Vocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code unevaluatedProperties} decided as python-jsonschema 4.10.3 decides it (what dt-validate 2022.08
 * runs), in place of networknt's annotation-based keyword. Learnt by running and reading 4.10.3 (not
 * copied); the rule, walked over the schema object holding the keyword, with the instance:
 * <ul>
 * <li>a name under {@code properties} is evaluated when present and its own subschema passes;</li>
 * <li>a name some {@code patternProperties} pattern finds (Python {@code re.search}) is evaluated, valid or not;</li>
 * <li>{@code additionalProperties}/{@code unevaluatedProperties}: {@code true} evaluates every name,
 * {@code false} none, a schema none (4.10.3 reads its keys as property names and crashes when one is present);</li>
 * <li>{@code $ref} is followed whatever its result; {@code dependentSchemas} of a present name are followed
 * whatever their result; {@code allOf}/{@code anyOf}/{@code oneOf} branches are followed each when it passes
 * on its own; {@code if} and {@code then} when the {@code if} passes, else {@code else}.</li>
 * </ul>
 * networknt instead drops everything a failed subschema evaluated, so names evaluated only inside a failed
 * {@code $ref} came back "unevaluated" and names whose own subschema failed did not.
 * Findings: one message per unexpected name, in dt-validate's words.
 */
final class UnevaluatedProperties extends AbstractKeyword {

    static final String KEYWORD = "unevaluatedProperties";
    /** Bound on nested {@code $ref}/branch steps at one instance (a {@code $ref: "#"} loop would recurse forever). */
    private static final int MAX_DEPTH = 48;

    /** Walks by schema location; each built once, on first use, under the map's lock (building compiles subschemas). */
    private final Map<String, Walk> walks = new ConcurrentHashMap<>();

    private UnevaluatedProperties() {
        super(KEYWORD);
    }

    /**
     * Draft 2019-09 with this keyword and dt-schema's {@link TypeSize}. The applicator vocabulary is replaced too: networknt puts a
     * vocabulary's keywords over the builder's, so a plain keyword override would be undone.
     */
    static JsonMetaSchema metaSchema() {
        UnevaluatedProperties ours = new UnevaluatedProperties();
        Vocabulary applicator = Vocabulary.V201909_APPLICATOR;
        Keyword[] keywords = applicator.getKeywords().stream()
                .map(k -> k.getValue().equals(KEYWORD) ? ours : k)
                .toArray(Keyword[]::new);
        Vocabulary replaced = new Vocabulary(applicator.getIri(), keywords);
        return JsonMetaSchema.builder(JsonMetaSchema.getV201909())
                .keyword(ours)
                .keyword(new TypeSize())
                .vocabularyFactory(iri -> iri.equals(applicator.getIri()) ? replaced : null)
                .build();
    }

    @Override
    public JsonValidator newValidator(
            SchemaLocation schemaLocation,
            JsonNodePath evaluationPath,
            JsonNode schemaNode,
            JsonSchema parentSchema,
            ValidationContext validationContext) {
        if (!schemaNode.isObject() && !schemaNode.isBoolean()) {
            throw new IllegalArgumentException("the value of 'unevaluatedProperties' must be a schema");
        }
        JsonSchema each = schemaNode.isBoolean()
                ? null
                : validationContext.newSchema(schemaLocation, evaluationPath, schemaNode, parentSchema);
        return new Check(schemaLocation, evaluationPath, schemaNode, parentSchema, each);
    }

    private Walk walkOf(JsonSchema schema) {
        String key = schema.getSchemaLocation().toString();
        Walk w = walks.get(key);
        if (w != null) {
            return w;
        }
        synchronized (walks) {
            w = walks.get(key);
            if (w == null) {
                w = new Walk(schema);
                walks.put(key, w);
            }
            return w;
        }
    }

    /** The validator at one {@code unevaluatedProperties} site; {@code parent} is the schema object holding it. */
    private final class Check extends AbstractJsonValidator {
        private final JsonNode value;
        private final JsonSchema parent;
        private final JsonSchema each;

        Check(
                SchemaLocation location,
                JsonNodePath evaluationPath,
                JsonNode value,
                JsonSchema parent,
                JsonSchema each) {
            super(location, evaluationPath, UnevaluatedProperties.this, value);
            this.value = value;
            this.parent = parent;
            this.each = each;
        }

        @Override
        public Set<ValidationMessage> validate(ExecutionContext ctx, JsonNode node, JsonNode root, JsonNodePath at) {
            if (!node.isObject() || value.isBoolean() && value.asBoolean()) {
                return Collections.emptySet();
            }
            Set<String> evaluated = new HashSet<>();
            collect(walkOf(parent), ctx, node, root, at, evaluated, 0);
            Set<ValidationMessage> out = new LinkedHashSet<>();
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (evaluated.contains(name)
                        || each != null && valid(each, ctx, node.get(name), root, at.append(name))) {
                    continue;
                }
                String text = at + ": Unevaluated properties are not allowed ('" + name + "' was unexpected)";
                out.add(ValidationMessage.builder()
                        .type(KEYWORD)
                        .code("unevaluated")
                        .property(name)
                        .instanceLocation(at)
                        .evaluationPath(getEvaluationPath())
                        .schemaLocation(getSchemaLocation())
                        .instanceNode(node)
                        .arguments(name)
                        .messageSupplier(() -> text)
                        .build());
            }
            if (!out.isEmpty() && ctx.isFailFast()) {
                throw new com.networknt.schema.FailFastAssertionException(
                        out.iterator().next());
            }
            return out;
        }
    }

    private void collect(
            Walk w, ExecutionContext ctx, JsonNode node, JsonNode root, JsonNodePath at, Set<String> out, int depth) {
        if (depth > MAX_DEPTH) {
            return;
        }
        if (w.ref != null) {
            collect(walkOf(w.ref), ctx, node, root, at, out, depth + 1);
        }
        if (w.everyName) {
            node.fieldNames().forEachRemaining(out::add);
        }
        for (Map.Entry<String, JsonSchema> p : w.properties.entrySet()) {
            JsonNode v = node.get(p.getKey());
            if (v != null && valid(p.getValue(), ctx, v, root, at.append(p.getKey()))) {
                out.add(p.getKey());
            }
        }
        if (!w.patterns.isEmpty()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (w.patterns.stream().anyMatch(re -> re.matcher(name).find())) {
                    out.add(name);
                }
            }
        }
        for (Map.Entry<String, JsonSchema> d : w.dependentSchemas.entrySet()) {
            if (node.has(d.getKey())) {
                collect(walkOf(d.getValue()), ctx, node, root, at, out, depth + 1);
            }
        }
        for (JsonSchema branch : w.branches) {
            if (valid(branch, ctx, node, root, at)) {
                collect(walkOf(branch), ctx, node, root, at, out, depth + 1);
            }
        }
        if (w.ifSchema != null) {
            if (valid(w.ifSchema, ctx, node, root, at)) {
                collect(walkOf(w.ifSchema), ctx, node, root, at, out, depth + 1);
                if (w.thenSchema != null) {
                    collect(walkOf(w.thenSchema), ctx, node, root, at, out, depth + 1);
                }
            } else if (w.elseSchema != null) {
                collect(walkOf(w.elseSchema), ctx, node, root, at, out, depth + 1);
            }
        }
    }

    /** Whether {@code schema} passes on {@code node}, whatever the caller's fail-fast state. */
    private static boolean valid(
            JsonSchema schema, ExecutionContext ctx, JsonNode node, JsonNode root, JsonNodePath at) {
        boolean failFast = ctx.isFailFast();
        try {
            ctx.setFailFast(false);
            return schema.validate(ctx, node, root, at).isEmpty();
        } finally {
            ctx.setFailFast(failFast);
        }
    }

    /** What one schema object contributes to the evaluated names, its subschemas compiled. */
    private static final class Walk {
        final Map<String, JsonSchema> properties = new LinkedHashMap<>();
        final List<Pattern> patterns = new ArrayList<>();
        final Map<String, JsonSchema> dependentSchemas = new LinkedHashMap<>();
        final List<JsonSchema> branches = new ArrayList<>();
        boolean everyName;
        JsonSchema ref;
        JsonSchema ifSchema;
        JsonSchema thenSchema;
        JsonSchema elseSchema;

        Walk(JsonSchema self) {
            JsonNode n = self.getSchemaNode();
            if (!n.isObject()) {
                return;
            }
            JsonNode ref = n.get("$ref");
            if (ref != null && ref.isTextual()) {
                this.ref = new RefTarget(self, ref).target();
            }
            for (String k : List.of("properties", "additionalProperties", KEYWORD)) {
                everyName |= n.path(k).isBoolean() && n.path(k).asBoolean();
            }
            JsonNode props = n.get("properties");
            if (props != null && props.isObject()) {
                Map<String, JsonSchema> compiled = compiledProperties(self);
                props.fields()
                        .forEachRemaining(f -> properties.put(
                                f.getKey(),
                                compiled.containsKey(f.getKey())
                                        ? compiled.get(f.getKey())
                                        : sub(self, f.getValue(), "properties", f.getKey())));
            }
            JsonNode pats = n.get("patternProperties");
            if (pats != null && pats.isObject()) {
                pats.fieldNames().forEachRemaining(p -> {
                    try {
                        patterns.add(Pattern.compile(p));
                    } catch (PatternSyntaxException e) {
                        // networknt refused the binding already; nothing is evaluated by this pattern
                    }
                });
            }
            JsonNode deps = n.get("dependentSchemas");
            if (deps != null && deps.isObject()) {
                deps.fields()
                        .forEachRemaining(f -> dependentSchemas.put(
                                f.getKey(), sub(self, f.getValue(), "dependentSchemas", f.getKey())));
            }
            for (String k : List.of("allOf", "anyOf", "oneOf")) {
                JsonNode list = n.get(k);
                if (list != null && list.isArray()) {
                    for (int i = 0; i < list.size(); i++) {
                        branches.add(sub(self, list.get(i), k, i));
                    }
                }
            }
            if (n.has("if")) {
                ifSchema = sub(self, n.get("if"), "if");
                thenSchema = n.has("then") ? sub(self, n.get("then"), "then") : null;
                elseSchema = n.has("else") ? sub(self, n.get("else"), "else") : null;
            }
        }

        /** networknt's own compiled {@code properties} subschemas, to avoid compiling them twice. */
        private static Map<String, JsonSchema> compiledProperties(JsonSchema self) {
            for (JsonValidator v : self.getValidators()) {
                if (v instanceof PropertiesValidator p) {
                    return p.getSchemas();
                }
            }
            return Map.of();
        }

        private static JsonSchema sub(JsonSchema parent, JsonNode node, Object... path) {
            SchemaLocation location = parent.getSchemaLocation();
            JsonNodePath evaluation = parent.getEvaluationPath();
            for (Object step : path) {
                if (step instanceof Integer i) {
                    location = location.append(i);
                    evaluation = evaluation.append(i);
                } else {
                    location = location.append((String) step);
                    evaluation = evaluation.append((String) step);
                }
            }
            JsonSchema s = parent.getValidationContext().newSchema(location, evaluation, node, parent);
            s.initializeValidators(); // compiled here, under the walks lock, not lazily on several threads
            return s;
        }
    }

    /** networknt's own {@code $ref} resolution, to reach the schema a reference names. */
    private static final class RefTarget extends RefValidator {
        RefTarget(JsonSchema self, JsonNode ref) {
            super(
                    self.getSchemaLocation().append("$ref"),
                    self.getEvaluationPath().append("$ref"),
                    ref,
                    self,
                    self.getValidationContext());
        }

        JsonSchema target() {
            JsonSchema t = schema.getSchema();
            if (t != null) {
                t.initializeValidators();
            }
            return t;
        }
    }
}
