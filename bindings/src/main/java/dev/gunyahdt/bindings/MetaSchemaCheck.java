package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.gunyahdt.bindings.schema.Fixups;
import dev.gunyahdt.bindings.yaml.YamlDocument;
import dev.gunyahdt.bindings.yaml.YamlLoadException;
import dev.gunyahdt.bindings.yaml.YamlLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * A binding document validated against an installed dt-schema's meta-schemas (rule
 * {@code meta-schema}), as dt-doc-validate does: the raw document (before any fixup) against the
 * meta-schema its {@code $schema} names ({@code core.yaml} or {@code base.yaml}), with networknt
 * (draft 2019-09). The meta-schemas are read from {@link DtSchema#metaSchemas()} and served offline;
 * their {@code $ref} to the draft-07 meta-schema is answered from networknt's own copy.
 * Reusable and thread-safe once built.
 */
public final class MetaSchemaCheck {

    /** The rule name of findings. */
    public static final String RULE = "meta-schema";

    private static final String META_BASE = "http://devicetree.org/meta-schemas/";
    private static final String DRAFT_2019_09 = "https://json-schema.org/draft/2019-09/schema";
    /** Messages of one failed oneOf/anyOf printed in a finding; dt-doc-validate prints them all, indented. */
    private static final int MAX_BRANCH_MESSAGES = 4;

    private final Map<String, JsonSchema> bySchemaUri = new HashMap<>();
    private final Path root;
    /** Per binding path, its first meta-schema finding (for {@link #checkReferences}); filled on first use. */
    private final Map<String, Optional<Finding>> firstFindingByPath = new ConcurrentHashMap<>();

    private MetaSchemaCheck(Path root, Map<String, JsonNode> documents) {
        this.root = root;
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(
                SpecVersion.VersionFlag.V201909,
                b -> b.schemaLoaders(l -> l.add(iri -> {
                    JsonNode doc = documents.get(fileOf(iri.toString()));
                    return doc == null ? null : () -> new ByteArrayInputStream(json(doc));
                })));
        // networknt's formats are stricter than python-jsonschema's ('email' there is just an '@'): see formats()
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .formatAssertionsEnabled(false)
                .build();
        for (String name : List.of("core.yaml", "base.yaml")) {
            if (documents.containsKey(name)) {
                JsonSchema s = factory.getSchema(SchemaLocation.of(META_BASE + name + "#"), config);
                s.initializeValidators();
                bySchemaUri.put(META_BASE + name + "#", s);
            }
        }
    }

    /**
     * Reads and compiles the meta-schemas of an installed dt-schema.
     *
     * @throws IOException when the folder cannot be read, a meta-schema does not load, or neither
     *                     {@code core.yaml} nor {@code base.yaml} is there
     */
    public static MetaSchemaCheck load(DtSchema dtSchema) throws IOException {
        Path dir = dtSchema.metaSchemas();
        if (!Files.isDirectory(dir)) {
            throw new IOException("no meta-schemas folder at " + dir);
        }
        Map<String, JsonNode> documents = new HashMap<>();
        YamlLoader loader = new YamlLoader();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try {
                    JsonNode root = loader.load(f.toString(), Files.readString(f, StandardCharsets.UTF_8))
                            .root();
                    documents.put(f.getFileName().toString(), prepare(root));
                } catch (YamlLoadException e) {
                    throw new IOException("meta-schema " + f + " does not load: " + e.getMessage(), e);
                }
            }
        }
        if (!documents.containsKey("core.yaml") && !documents.containsKey("base.yaml")) {
            throw new IOException("no core.yaml or base.yaml meta-schema in " + dir);
        }
        try {
            return new MetaSchemaCheck(dtSchema.root(), documents);
        } catch (RuntimeException e) {
            throw new IOException("the meta-schemas in " + dir + " cannot be compiled: " + e.getMessage(), e);
        }
    }

    /** The dt-schema package folder the meta-schemas came from. */
    public Path root() {
        return root;
    }

    /**
     * Findings for one loaded binding; none when its {@code $schema} is not one of the meta-schemas
     * ({@link MetaChecks} reports that).
     */
    public List<Finding> check(YamlDocument doc, String file) {
        List<Finding> out = new ArrayList<>();
        JsonSchema meta = bySchemaUri.get(doc.root().path("$schema").asText(""));
        if (meta == null) {
            return out;
        }
        Set<ValidationMessage> messages;
        try {
            messages = meta.validate(doc.root());
        } catch (RuntimeException e) {
            // networknt tripping over an unusual document must not end the run
            out.add(new Finding(
                    file,
                    1,
                    1,
                    null,
                    null,
                    RULE,
                    null,
                    file,
                    "cannot be checked against " + meta.getSchemaLocation() + ": " + e.getMessage()));
            return out;
        }
        Set<String> seen = new LinkedHashSet<>();
        formats(doc, file, out);
        for (List<ValidationMessage> group : Validator.byCombinator(messages)) {
            Finding f = finding(doc, file, group);
            // the same failure under two meta-schemas (draft-07's and keywords.yaml's uniqueItems on 'enum') is one
            String instanceMessage = f.message().substring(0, f.message().lastIndexOf(" (meta-schema "));
            if (seen.add(f.line() + ":" + f.column() + "|" + f.keyword() + "|" + instanceMessage)) {
                out.add(f);
            }
        }
        out.sort(java.util.Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
        return out;
    }

    /**
     * dt-doc-validate also resolves every {@code $ref} of a document and checks the binding it names
     * against that binding's meta-schema ("Error in referenced schema matching $id"), stopping at the
     * first that fails: so one finding (rule {@link #RULE}, keyword {@code $ref}) at the first
     * {@code $ref} to a document of {@code set} (the document itself too, even by a local {@code #/…}) that fails its
     * meta-schema. Missing documents are {@link BindingSet}'s findings.
     */
    public List<Finding> checkReferences(YamlDocument doc, String file, BindingSet set) {
        List<Finding> out = new ArrayList<>();
        String id = doc.root().path("$id").asText("");
        if (!id.startsWith(BindingSet.SCHEMA_BASE)) {
            return out;
        }
        URI base;
        try {
            base = new URI(id);
        } catch (URISyntaxException e) {
            return out; // BindingSet reports a malformed $id
        }
        references(doc.root(), "", (pointer, ref) -> {
            String path = referencedPath(base, ref);
            BindingSet.Binding b = path == null ? null : set.bindings().get(path);
            if (b == null || !out.isEmpty()) {
                return;
            }
            Optional<Finding> bad = firstFindingByPath.computeIfAbsent(
                    path, k -> check(b.source(), b.file()).stream().findFirst());
            bad.ifPresent(f -> {
                YamlDocument.Position p = doc.positionOf(pointer);
                out.add(new Finding(
                        file,
                        p.line(),
                        p.column(),
                        null,
                        null,
                        "$ref",
                        null,
                        file,
                        "referenced binding " + BindingSet.SCHEMA_BASE + path + " fails its meta-schema: " + b.file()
                                + ":" + f.line() + ":" + f.column() + ": " + f.message()));
            });
        });
        return out;
    }

    /**
     * The binding path a {@code $ref} names ({@code clock/x.yaml}), or null for a foreign one. A local
     * {@code #/…} names the document itself: python-jsonschema resolves it by the {@code $id}, through
     * dt-schema's handler, which checks the document against its meta-schema like any other.
     */
    private static String referencedPath(URI base, String ref) {
        int hash = ref.indexOf('#');
        String document = hash < 0 ? ref : ref.substring(0, hash);
        if (document.isEmpty()) {
            String self = base.toString();
            return self.substring(BindingSet.SCHEMA_BASE.length(), self.length() - (self.endsWith("#") ? 1 : 0));
        }
        try {
            String abs = base.resolve(
                            new URI(null, null, dev.gunyahdt.bindings.schema.Fixups.normalDocument(document), null))
                    .toString();
            return abs.startsWith(BindingSet.SCHEMA_BASE) ? abs.substring(BindingSet.SCHEMA_BASE.length()) : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private interface RefSink {
        void accept(String pointer, String ref);
    }

    private static void references(JsonNode n, String pointer, RefSink sink) {
        if (n instanceof ObjectNode o) {
            o.fields().forEachRemaining(e -> {
                String child = pointer + "/" + escape(e.getKey());
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    sink.accept(child, e.getValue().asText());
                } else {
                    references(e.getValue(), child, sink);
                }
            });
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                references(a.get(i), pointer + "/" + i, sink);
            }
        }
    }

    /** Draft-07 keywords whose value is a schema, a list of schemas or a map of names to schemas. */
    private static final Set<String> DRAFT7_SCHEMA = Set.of(
            "additionalItems",
            "items",
            "contains",
            "additionalProperties",
            "propertyNames",
            "if",
            "then",
            "else",
            "not",
            "allOf",
            "anyOf",
            "oneOf");

    private static final Set<String> DRAFT7_MAPS =
            Set.of("properties", "patternProperties", "definitions", "dependencies");
    private static final String DRAFT7 = "http://json-schema.org/draft-07/schema#";

    /**
     * The two formats python-jsonschema's default checker asserts here (networknt's are off): a
     * maintainer is an 'email' when it holds an '@'; a {@code pattern} or {@code patternProperties}
     * key, wherever the draft-07 meta-schema reaches, must be a 'regex' (compiled here as Java's, after
     * the {@code {,n}} translation, where dt-doc-validate compiles it as Python's).
     */
    private static void formats(YamlDocument doc, String file, List<Finding> out) {
        JsonNode maintainers = doc.root().path("maintainers");
        for (int i = 0; i < maintainers.size(); i++) {
            JsonNode m = maintainers.get(i);
            if (m.isTextual() && !m.asText().contains("@")) {
                String loc = META_BASE + "base.yaml#/properties/maintainers/items/format";
                out.add(at(
                        doc,
                        file,
                        "format",
                        loc,
                        "/maintainers/" + i + ": '" + m.asText() + "' is not a 'email'",
                        "/maintainers/" + i));
            }
        }
        regexes(doc, file, doc.root(), "", out);
        if (doc.root().has("select")) {
            // the root's select is outside the draft-07 keywords, base.yaml sends it through them
            regexes(doc, file, doc.root().get("select"), "/select", out);
        }
    }

    private static void regexes(YamlDocument doc, String file, JsonNode n, String pointer, List<Finding> out) {
        if (!(n instanceof ObjectNode o)) {
            return;
        }
        if (o.get("pattern") != null
                && o.get("pattern").isTextual()
                && !compiles(o.get("pattern").asText())) {
            out.add(at(
                    doc,
                    file,
                    "format",
                    DRAFT7 + "/properties/pattern/format",
                    pointer + "/pattern: '" + o.get("pattern").asText() + "' is not a 'regex'",
                    pointer + "/pattern"));
        }
        if (o.get("patternProperties") instanceof ObjectNode pp) {
            pp.fieldNames().forEachRemaining(k -> {
                if (!compiles(k)) {
                    out.add(at(
                            doc,
                            file,
                            "format",
                            DRAFT7 + "/properties/patternProperties/propertyNames/format",
                            pointer + "/patternProperties: '" + k + "' is not a 'regex'",
                            pointer + "/patternProperties/" + escape(k)));
                }
            });
        }
        o.fields().forEachRemaining(e -> {
            String child = pointer + "/" + escape(e.getKey());
            if (DRAFT7_SCHEMA.contains(e.getKey())) {
                if (e.getValue().isArray()) {
                    for (int i = 0; i < e.getValue().size(); i++) {
                        regexes(doc, file, e.getValue().get(i), child + "/" + i, out);
                    }
                } else {
                    regexes(doc, file, e.getValue(), child, out);
                }
            } else if (DRAFT7_MAPS.contains(e.getKey()) && e.getValue().isObject()) {
                e.getValue()
                        .fields()
                        .forEachRemaining(x -> regexes(doc, file, x.getValue(), child + "/" + escape(x.getKey()), out));
            }
        });
    }

    private static boolean compiles(String regex) {
        try {
            Pattern.compile(Fixups.toJavaRegex(regex));
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    private static Finding at(
            YamlDocument doc, String file, String keyword, String location, String message, String pointer) {
        YamlDocument.Position p = doc.positionOf(pointer);
        return new Finding(
                file,
                p.line(),
                p.column(),
                null,
                null,
                keyword,
                location,
                file,
                message + " (meta-schema " + metaFile(location) + ")");
    }

    /** One finding per error dt-doc-validate would print: a failed oneOf/anyOf is one, with its branches' messages. */
    private static Finding finding(YamlDocument doc, String file, List<ValidationMessage> group) {
        ValidationMessage first = group.get(0);
        int end = Validator.combinatorEnd(first.getEvaluationPath());
        if (end < 0) {
            return at(
                    doc,
                    file,
                    first.getType(),
                    first.getSchemaLocation().toString(),
                    Messages.located(first),
                    instancePath(first, -1));
        }
        String kind = first.getEvaluationPath().getName(end - 1);
        List<ValidationMessage> branches = group.stream()
                .filter(m -> Validator.combinatorEnd(m.getEvaluationPath())
                        != m.getEvaluationPath().getNameCount())
                .toList();
        ValidationMessage own =
                group.stream().filter(m -> !branches.contains(m)).findFirst().orElse(null);
        String location = own != null ? own.getSchemaLocation().toString() : combinatorLocation(first, kind);
        StringBuilder message = new StringBuilder("'" + kind + "' conditional failed, one must be fixed");
        Set<String> parts = new LinkedHashSet<>();
        for (ValidationMessage m : branches.isEmpty() ? group : branches) {
            parts.add(Messages.located(m));
        }
        String sep = ": ";
        int n = 0;
        for (String p : parts) {
            if (n++ == MAX_BRANCH_MESSAGES) {
                message.append("; … (")
                        .append(parts.size() - MAX_BRANCH_MESSAGES)
                        .append(" more)");
                break;
            }
            message.append(sep).append(p);
            sep = "; ";
        }
        String pointer = own != null
                ? instancePath(own, -1)
                : instancePath(first, Validator.instanceDepth(first.getEvaluationPath(), end));
        return at(doc, file, kind, location, message.toString(), pointer);
    }

    /** The failing schema location cut back to its oneOf/anyOf keyword. */
    private static String combinatorLocation(ValidationMessage m, String kind) {
        String s = m.getSchemaLocation().toString();
        int i = s.lastIndexOf("/" + kind + "/");
        return i < 0 ? s : s.substring(0, i + kind.length() + 1);
    }

    /** The binding's JSON pointer an error is about: a failed property name's own key when networknt names it. */
    private static String instancePath(ValidationMessage m, int depth) {
        JsonNodePath loc = m.getInstanceLocation();
        int steps = depth < 0 ? loc.getNameCount() : Math.min(depth, loc.getNameCount());
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < steps; i++) {
            b.append('/').append(escape(String.valueOf(loc.getElement(i))));
        }
        if (depth < 0
                && m.getProperty() != null
                && ("propertyNames".equals(m.getType()) || "additionalProperties".equals(m.getType()))) {
            String key = b + "/" + escape(m.getProperty());
            return key;
        }
        return b.toString();
    }

    private static String metaFile(String location) {
        String s = location.startsWith(META_BASE) ? location.substring(META_BASE.length()) : location;
        int hash = s.indexOf('#');
        return hash < 0 ? s : s.substring(0, hash);
    }

    /** The meta-schema file an IRI names ({@code core.yaml}), or null when it is not one of ours. */
    private static String fileOf(String iri) {
        if (!iri.startsWith(META_BASE)) {
            return null;
        }
        String s = iri.substring(META_BASE.length());
        int hash = s.indexOf('#');
        return hash < 0 ? s : s.substring(0, hash);
    }

    private static byte[] json(JsonNode doc) {
        try {
            return new ObjectMapper().writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException("a loaded YAML tree is always writable as JSON", e);
        }
    }

    /**
     * What a meta-schema needs before networknt takes it: the draft 2019-09 dialect IRI networknt
     * knows; Python-only {@code {,n}} in patterns; a {@code $ref} left empty by a YAML comment
     * ({@code $ref: #/single}, which Python resolves to the document itself) as {@code #}; and
     * {@code additionalProperties} schemas also applied to {@code #}-names (networknt skips those).
     */
    static JsonNode prepare(JsonNode root) {
        if (root instanceof ObjectNode o && o.has("$schema")) {
            o.put("$schema", DRAFT_2019_09);
        }
        fix(root, false);
        return root;
    }

    /** Keywords whose value is a map of names to schemas. */
    private static final Set<String> NAME_MAPS =
            Set.of("properties", "patternProperties", "$defs", "definitions", "dependentSchemas");
    /** Keywords whose value is not a schema (nor holds any). */
    private static final Set<String> NOT_SCHEMAS = Set.of(
            "enum",
            "const",
            "required",
            "dependentRequired",
            "default",
            "examples",
            "description",
            "$id",
            "$schema",
            "$ref",
            "pattern",
            "type",
            "title");

    /** Walks a schema (a name map when {@code names}), fixing what {@link #prepare} says. */
    private static void fix(JsonNode n, boolean names) {
        if (n instanceof ArrayNode a) {
            a.forEach(x -> fix(x, false));
            return;
        }
        if (!(n instanceof ObjectNode o)) {
            return;
        }
        if (names) {
            o.elements().forEachRemaining(x -> fix(x, false));
            return;
        }
        if (o.has("$ref") && o.get("$ref").isNull()) {
            o.put("$ref", "#");
        }
        if (o.get("pattern") != null && o.get("pattern").isTextual()) {
            o.put("pattern", Fixups.toJavaRegex(o.get("pattern").asText()));
        }
        if (o.get("patternProperties") instanceof ObjectNode pp) {
            ObjectNode renamed = JsonNodeFactory.instance.objectNode();
            pp.fields().forEachRemaining(e -> renamed.set(Fixups.toJavaRegex(e.getKey()), e.getValue()));
            o.set("patternProperties", renamed);
        }
        // networknt-notes trap 1: exact when nothing else names properties here
        JsonNode ap = o.get("additionalProperties");
        if (ap instanceof ObjectNode && !o.has("properties") && !o.has("patternProperties")) {
            o.set("patternProperties", JsonNodeFactory.instance.objectNode().set("^#", ap.deepCopy()));
        }
        o.fields().forEachRemaining(e -> {
            if (!NOT_SCHEMAS.contains(e.getKey())) {
                fix(e.getValue(), NAME_MAPS.contains(e.getKey()));
            }
        });
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
