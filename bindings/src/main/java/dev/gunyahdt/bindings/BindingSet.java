package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.schema.Fixups;
import dev.gunyahdt.bindings.yaml.YamlDocument;
import dev.gunyahdt.bindings.yaml.YamlLoadException;
import dev.gunyahdt.bindings.yaml.YamlLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A set of dt-schema binding documents, loaded, reference-checked and fixed up, ready for a
 * {@link Validator}. Documents are keyed by their path under the schema root, as their
 * {@code $id} {@code http://devicetree.org/schemas/<path>#} names them. Problems with a document
 * (bad YAML, a {@code $ref} to nothing, a {@code $ref} cycle) are {@link #findings()} and keep
 * that document (and those that depend on it) out of validation; they never stop the load.
 */
public final class BindingSet {

    public static final String SCHEMA_BASE = "http://devicetree.org/schemas/";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The bindings shipped in this module's resources (bindings/index.txt lists them). */
    private static final String BUILTIN = "bindings/";

    /**
     * One loaded binding: its place under the schema root ({@code path}), its file, the YAML it was
     * read from (null when it comes from a {@link BindingCache}), the document as dt-mk-schema
     * processes it ({@code dtSchema}; the property-type table is built from this) and that, adapted
     * for networknt ({@code processed}, what the validator runs). A cached binding's JSON is parsed
     * on first use, so a run that validates a few nodes reads a few bindings.
     */
    public static final class Binding {
        private final String path;
        private final String file;
        private final YamlDocument source;
        private final java.util.function.Supplier<ObjectNode> dtSchema;
        private final java.util.function.Supplier<ObjectNode> processed;
        /** The processed JSON as the cache holds it, or null (then it is written from {@link #processed}). */
        private final java.util.function.Supplier<byte[]> processedJson;

        Binding(String path, String file, YamlDocument source, ObjectNode dtSchema, ObjectNode processed) {
            this(path, file, source, () -> dtSchema, () -> processed, null);
        }

        Binding(
                String path,
                String file,
                YamlDocument source,
                java.util.function.Supplier<ObjectNode> dtSchema,
                java.util.function.Supplier<ObjectNode> processed,
                java.util.function.Supplier<byte[]> processedJson) {
            this.path = path;
            this.file = file;
            this.source = source;
            this.dtSchema = dtSchema;
            this.processed = processed;
            this.processedJson = processedJson;
        }

        /** The processed document as JSON bytes (what networknt's schema loader reads). */
        byte[] processedJson() {
            if (processedJson != null) {
                return processedJson.get();
            }
            try {
                return JSON.writeValueAsBytes(processed());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public String path() {
            return path;
        }

        public String file() {
            return file;
        }

        public YamlDocument source() {
            return source;
        }

        public ObjectNode dtSchema() {
            return dtSchema.get();
        }

        public ObjectNode processed() {
            return processed.get();
        }

        public String id() {
            return SCHEMA_BASE + path;
        }
    }

    private final Map<String, Binding> bindings;
    private final List<Finding> findings;
    private volatile SelectionIndex index;

    private BindingSet(Map<String, Binding> bindings, List<Finding> findings) {
        this(bindings, findings, null);
    }

    BindingSet(Map<String, Binding> bindings, List<Finding> findings, SelectionIndex index) {
        this.bindings = bindings;
        this.findings = List.copyOf(findings);
        this.index = index;
    }

    /** What a validator needs to select bindings: read from the cache, or built from every binding once. */
    SelectionIndex index() {
        SelectionIndex i = index;
        if (i == null) {
            synchronized (this) {
                if (index == null) {
                    index = SelectionIndex.of(bindings.values());
                }
                i = index;
            }
        }
        return i;
    }

    /** The module's own core types and Gunyah bindings. */
    public static BindingSet builtin() {
        return load(List.of(), true);
    }

    /**
     * Every {@code *.yaml} under each directory (a later directory's file wins over an earlier one
     * with the same path), plus the built-in set first when {@code withBuiltin}.
     */
    public static BindingSet load(List<Path> dirs, boolean withBuiltin) {
        return load(dirs, List.of(), withBuiltin);
    }

    /**
     * As {@link #load(List, boolean)} with an installed dt-schema's core schemas (its
     * {@code schemas/} folder, see {@link DtSchema}) in place of the built-in core set
     * ({@code types.yaml}, {@code dt-core.yaml}); the built-in Gunyah bindings are still loaded.
     */
    public static BindingSet loadWithCore(Path coreSchemas, List<Path> dirs) {
        return loadWithCore(coreSchemas, dirs, List.of());
    }

    /** As {@link #loadWithCore(Path, List)}, plus single binding files placed as {@link #load(List, List, boolean)} does. */
    public static BindingSet loadWithCore(Path coreSchemas, List<Path> dirs, List<Path> files) {
        Inputs in = inputs(coreSchemas, dirs, true);
        addFiles(in.sources(), files);
        return build(in.sources(), in.findings(), in.lenient());
    }

    /**
     * What a load reads: the documents by path, problems met listing them, and whether unresolved
     * {@code $ref}s are dropped (lenient, with an installed dt-schema's core) or keep a document out.
     */
    record Inputs(Map<String, Source> sources, List<Finding> findings, boolean lenient) {
        /**
         * The documents in order: their path under the root, file name and bytes (a cache key's
         * input); with {@code statOnly}, a file's size and modification time stand for its bytes.
         */
        void feed(java.security.MessageDigest digest, boolean statOnly) throws IOException {
            digest.update((lenient ? "lenient\n" : "strict\n").getBytes(StandardCharsets.UTF_8));
            for (Source s : sources.values()) {
                digest.update((s.path() + "\0" + s.file() + "\0").getBytes(StandardCharsets.UTF_8));
                if (statOnly && s.local() != null) {
                    String stat = s.stat();
                    if (stat == null) {
                        java.nio.file.attribute.BasicFileAttributes a =
                                Files.readAttributes(s.local(), java.nio.file.attribute.BasicFileAttributes.class);
                        stat = a.size() + " " + a.lastModifiedTime().toMillis();
                    }
                    digest.update((stat + "\n").getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                byte[] text = s.local() != null
                        ? Files.readAllBytes(s.local())
                        : s.reader().read().getBytes(StandardCharsets.UTF_8);
                digest.update(
                        java.nio.ByteBuffer.allocate(8).putLong(text.length).array());
                digest.update(text);
            }
        }
    }

    /** The inputs of {@link #loadWithCore} ({@code coreSchemas} non-null) or {@link #load(List, boolean)}. */
    static Inputs inputs(Path coreSchemas, List<Path> dirs, boolean withBuiltin) {
        List<Finding> findings = new ArrayList<>();
        if (coreSchemas == null) {
            return new Inputs(sources(dirs, withBuiltin, findings), findings, false);
        }
        List<Path> all = new ArrayList<>();
        all.add(coreSchemas);
        all.addAll(dirs);
        Map<String, Source> sources = sources(all, false, findings);
        for (String rel : builtinIndex()) {
            if (!CORE.contains(rel)) {
                sources.putIfAbsent(
                        rel, new Source(rel, "builtin:" + BUILTIN + rel, null, null, () -> resource(BUILTIN + rel)));
            }
        }
        return new Inputs(sources, findings, true);
    }

    /** The set the inputs make. */
    static BindingSet build(Inputs in) {
        return build(in.sources(), new ArrayList<>(in.findings()), in.lenient());
    }

    /** The built-in documents an installed dt-schema's core set replaces. */
    private static final Set<String> CORE = Set.of("types.yaml", "dt-core.yaml");

    private static Map<String, Source> sources(List<Path> dirs, boolean withBuiltin, List<Finding> findings) {
        Map<String, Source> sources = new TreeMap<>();
        if (withBuiltin) {
            for (String rel : builtinIndex()) {
                sources.put(
                        rel, new Source(rel, "builtin:" + BUILTIN + rel, null, null, () -> resource(BUILTIN + rel)));
            }
        }
        for (Path dir : dirs) {
            try {
                // one walk gives each file's size and time too (the cache's quick key), no second stat
                Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult visitFile(
                            Path f, java.nio.file.attribute.BasicFileAttributes a) {
                        if (f.toString().endsWith(".yaml")) {
                            String rel = dir.relativize(f).toString().replace('\\', '/');
                            sources.put(
                                    rel,
                                    new Source(
                                            rel,
                                            f.toString(),
                                            f,
                                            a.size() + " "
                                                    + a.lastModifiedTime().toMillis(),
                                            () -> Files.readString(f, StandardCharsets.UTF_8)));
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                findings.add(
                        loadFinding(dir.toString(), 0, 0, "io", "cannot read binding directory: " + e.getMessage()));
            }
        }
        return sources;
    }

    private static final java.util.regex.Pattern ID_LINE = java.util.regex.Pattern.compile(
            "^\\$id:\\s*[\"']?" + java.util.regex.Pattern.quote(SCHEMA_BASE) + "([^#\"'\\s]+)",
            java.util.regex.Pattern.MULTILINE);

    /**
     * As {@link #load(List, boolean)}, plus single binding files: each is keyed by the path its
     * {@code $id} names when the file's path ends with it (so it sits at its place under a schema
     * root), else by its file name. Siblings of a file are not loaded.
     */
    public static BindingSet load(List<Path> dirs, List<Path> files, boolean withBuiltin) {
        List<Finding> findings = new ArrayList<>();
        Map<String, Source> sources = sources(dirs, withBuiltin, findings);
        addFiles(sources, files);
        return build(sources, findings, false);
    }

    /** Each file keyed by the path its {@code $id} names when the file's path ends with it, else by its name. */
    private static void addFiles(Map<String, Source> sources, List<Path> files) {
        for (Path f : files) {
            String rel = f.getFileName().toString();
            try {
                java.util.regex.Matcher m = ID_LINE.matcher(Files.readString(f, StandardCharsets.UTF_8));
                String p = f.toString().replace('\\', '/');
                if (m.find() && (p.equals(m.group(1)) || p.endsWith("/" + m.group(1)))) {
                    rel = m.group(1);
                }
            } catch (IOException | UncheckedIOException e) {
                // reported when the source is read below
            }
            sources.put(rel, new Source(rel, f.toString(), f, null, () -> Files.readString(f, StandardCharsets.UTF_8)));
        }
    }

    interface Reader {
        String read() throws IOException;
    }

    /**
     * A document to load: its path under the root, its file name, the file (null for a built-in
     * one), its size and time when the directory walk saw them (else null), and how to read it.
     */
    record Source(String path, String file, Path local, String stat, Reader reader) {}

    /**
     * {@code lenient}: as dt-schema, a {@code $ref} to a missing document or pointer only fails
     * where it is used, so the referring binding is kept with that {@code $ref} dropped (it still is
     * a finding); strict: the binding is kept out of validation.
     */
    private static BindingSet build(Map<String, Source> sources, List<Finding> findings, boolean lenient) {
        YamlLoader loader = new YamlLoader();
        Map<String, YamlDocument> docs = new LinkedHashMap<>();
        Map<String, String> files = new LinkedHashMap<>();
        for (Source s : sources.values()) {
            try {
                YamlDocument d = loader.load(s.file(), s.reader().read());
                if (!(d.root() instanceof ObjectNode)) {
                    findings.add(loadFinding(s.file(), 1, 1, "yaml", "a binding must be a YAML mapping"));
                    continue;
                }
                String expected = SCHEMA_BASE + s.path() + "#";
                String id = d.root().path("$id").asText("");
                if (!id.equals(expected)) {
                    YamlDocument.Position p = d.positionOf("/$id");
                    findings.add(loadFinding(
                            s.file(),
                            p.line(),
                            p.column(),
                            "$id",
                            "$id is '" + id + "' but the file's place under the schema root makes it '" + expected
                                    + "'"));
                }
                docs.put(s.path(), d);
                files.put(s.path(), s.file());
            } catch (YamlLoadException e) {
                findings.add(loadFinding(e.file(), e.line(), e.column(), "yaml", e.getMessage()));
            } catch (IOException | RuntimeException e) {
                findings.add(loadFinding(s.file(), 0, 0, "io", "cannot read: " + e.getMessage()));
            }
        }
        Map<String, List<String>> unresolved = lenient ? new LinkedHashMap<>() : null;
        Set<String> broken = References.check(docs, files, findings, unresolved);
        Map<String, Binding> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlDocument> e : docs.entrySet()) {
            if (!broken.contains(e.getKey())) {
                ObjectNode root = (ObjectNode) e.getValue().root();
                List<String> drop = unresolved == null ? List.of() : unresolved.getOrDefault(e.getKey(), List.of());
                if (!drop.isEmpty()) {
                    root = root.deepCopy();
                    for (String pointer : drop) {
                        JsonNode holder = root.at(pointer.substring(0, pointer.lastIndexOf('/')));
                        if (holder instanceof ObjectNode o) {
                            o.remove("$ref");
                        }
                    }
                }
                ObjectNode dtSchema = Fixups.asDtMkSchema(root);
                out.put(
                        e.getKey(),
                        new Binding(
                                e.getKey(),
                                files.get(e.getKey()),
                                e.getValue(),
                                dtSchema,
                                Fixups.forNetworknt(dtSchema)));
            }
        }
        return new BindingSet(out, findings);
    }

    static Finding loadFinding(String file, int line, int col, String rule, String message) {
        return new Finding(file, line, col, null, null, rule, null, file, message);
    }

    /** The bindings that loaded cleanly, by path. */
    public Map<String, Binding> bindings() {
        return bindings;
    }

    /** Problems found while loading (about binding files, not trees). */
    public List<Finding> findings() {
        return findings;
    }

    /** The processed (fixed-up) JSON of a binding by its IRI, for the validator's schema loader. */
    InputStream processedJson(String iri) throws IOException {
        String path = iri.startsWith(SCHEMA_BASE) ? iri.substring(SCHEMA_BASE.length()) : iri;
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        Binding b = bindings.get(path);
        if (b == null) {
            throw new IOException("no binding " + iri + " (references are resolved offline only)");
        }
        return new ByteArrayInputStream(b.processedJson());
    }

    private static List<String> builtinIndex() {
        try {
            List<String> out = new ArrayList<>();
            for (String line : resource(BUILTIN + "index.txt").split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.trim());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = BindingSet.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Offline {@code $ref} resolution and cycle detection over a set of documents. */
    static final class References {

        private record Ref(String from, String pointer, String target, String fragment) {}

        /**
         * Adds findings; returns the documents unusable for validation. With {@code unresolved}
         * (lenient), a {@code $ref} to nothing does not make its document unusable: its pointer
         * is added there instead.
         */
        static Set<String> check(
                Map<String, YamlDocument> docs,
                Map<String, String> files,
                List<Finding> findings,
                Map<String, List<String>> unresolved) {
            Map<String, List<Ref>> edges = new LinkedHashMap<>();
            Set<String> broken = new LinkedHashSet<>();
            for (Map.Entry<String, YamlDocument> e : docs.entrySet()) {
                List<Ref> refs = new ArrayList<>();
                collect(e.getKey(), e.getValue().root(), "", refs);
                List<Ref> external = new ArrayList<>();
                for (Ref r : refs) {
                    YamlDocument.Position p = e.getValue().positionOf(r.pointer());
                    if (r.target() == null) {
                        findings.add(loadFinding(
                                files.get(e.getKey()),
                                p.line(),
                                p.column(),
                                "$ref",
                                "$ref '" + raw(e.getValue(), r) + "' is outside " + SCHEMA_BASE
                                        + " and cannot be resolved offline"));
                        unusable(e.getKey(), r, broken, unresolved);
                        continue;
                    }
                    YamlDocument target = docs.get(r.target());
                    if (target == null) {
                        findings.add(loadFinding(
                                files.get(e.getKey()),
                                p.line(),
                                p.column(),
                                "$ref",
                                "$ref '" + raw(e.getValue(), r) + "': no binding '" + r.target()
                                        + "' in the binding directories"));
                        unusable(e.getKey(), r, broken, unresolved);
                        continue;
                    }
                    if (!r.fragment().isEmpty()
                            && target.root().at(r.fragment()).isMissingNode()) {
                        findings.add(loadFinding(
                                files.get(e.getKey()),
                                p.line(),
                                p.column(),
                                "$ref",
                                "$ref '" + raw(e.getValue(), r) + "': '" + r.fragment() + "' does not exist in "
                                        + r.target()));
                        unusable(e.getKey(), r, broken, unresolved);
                        continue;
                    }
                    if (!r.target().equals(e.getKey())) {
                        external.add(r);
                    }
                }
                edges.put(e.getKey(), external);
            }
            // a cycle of documents referring to each other: report each once, by its members in order
            Set<String> done = new LinkedHashSet<>();
            Set<Set<String>> reported = new LinkedHashSet<>();
            for (String start : edges.keySet()) {
                dfs(start, new ArrayList<>(), new ArrayList<>(), done, edges, docs, files, findings, broken, reported);
            }
            // documents that reference an unusable one are unusable too
            boolean changed = true;
            while (changed) {
                changed = false;
                for (Map.Entry<String, List<Ref>> e : edges.entrySet()) {
                    if (!broken.contains(e.getKey())
                            && e.getValue().stream().anyMatch(r -> broken.contains(r.target()))) {
                        broken.add(e.getKey());
                        changed = true;
                    }
                }
            }
            return broken;
        }

        private static void unusable(String doc, Ref r, Set<String> broken, Map<String, List<String>> unresolved) {
            if (unresolved == null) {
                broken.add(doc);
            } else {
                unresolved.computeIfAbsent(doc, k -> new ArrayList<>()).add(r.pointer());
            }
        }

        private static void dfs(
                String at,
                List<String> path,
                List<Ref> via,
                Set<String> done,
                Map<String, List<Ref>> edges,
                Map<String, YamlDocument> docs,
                Map<String, String> files,
                List<Finding> findings,
                Set<String> broken,
                Set<Set<String>> reported) {
            int i = path.indexOf(at);
            if (i >= 0) {
                List<String> cycle = new ArrayList<>(path.subList(i, path.size()));
                if (reported.add(new LinkedHashSet<>(cycle))) {
                    Ref first = via.get(i);
                    YamlDocument.Position p = docs.get(first.from()).positionOf(first.pointer());
                    cycle.add(at);
                    findings.add(loadFinding(
                            files.get(first.from()),
                            p.line(),
                            p.column(),
                            "$ref-cycle",
                            "$ref cycle: " + String.join(" -> ", cycle)));
                    broken.addAll(cycle);
                }
                return;
            }
            if (done.contains(at)) {
                return;
            }
            path.add(at);
            for (Ref r : edges.getOrDefault(at, List.of())) {
                via.add(r);
                dfs(r.target(), path, via, done, edges, docs, files, findings, broken, reported);
                via.remove(via.size() - 1);
            }
            path.remove(path.size() - 1);
            done.add(at);
        }

        private static String raw(YamlDocument d, Ref r) {
            return d.root().at(r.pointer()).asText();
        }

        private static void collect(String self, JsonNode n, String pointer, List<Ref> out) {
            if (n instanceof ObjectNode o) {
                o.fields().forEachRemaining(e -> {
                    String child = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                    if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                        out.add(resolve(self, e.getValue().asText(), child));
                    } else {
                        collect(self, e.getValue(), child, out);
                    }
                });
            } else if (n instanceof ArrayNode a) {
                for (int i = 0; i < a.size(); i++) {
                    collect(self, a.get(i), pointer + "/" + i, out);
                }
            }
        }

        /** {@code /schemas/x.yaml#/a}, {@code x.yaml}, {@code #/a} or the full IRI → (document path, fragment). */
        static Ref resolve(String self, String ref, String pointer) {
            try {
                URI abs = new URI(SCHEMA_BASE + self).resolve(new URI(ref.replace(" ", "%20")));
                String s = abs.toString();
                int hash = s.indexOf('#');
                String doc = hash < 0 ? s : s.substring(0, hash);
                String frag = hash < 0 ? "" : java.net.URLDecoder.decode(s.substring(hash + 1), StandardCharsets.UTF_8);
                frag = Fixups.normalFragment(frag);
                doc = Fixups.normalDocument(doc);
                if (!doc.startsWith(SCHEMA_BASE)) {
                    return new Ref(self, pointer, null, frag);
                }
                return new Ref(self, pointer, doc.substring(SCHEMA_BASE.length()), frag);
            } catch (URISyntaxException | IllegalArgumentException e) {
                return new Ref(self, pointer, null, "");
            }
        }
    }
}
