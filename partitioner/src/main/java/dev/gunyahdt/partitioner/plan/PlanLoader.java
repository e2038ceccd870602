package dev.gunyahdt.partitioner.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.plan.VmPlan.Affinity;
import dev.gunyahdt.partitioner.plan.VmPlan.CpuRef;
import dev.gunyahdt.partitioner.plan.VmPlan.DeviceRef;
import dev.gunyahdt.partitioner.plan.VmPlan.Hypervisor;
import dev.gunyahdt.partitioner.plan.VmPlan.Memory;
import dev.gunyahdt.partitioner.plan.VmPlan.Scheduling;
import dev.gunyahdt.partitioner.plan.VmPlan.VDevice;
import dev.gunyahdt.partitioner.plan.VmPlan.VDeviceType;
import dev.gunyahdt.partitioner.plan.VmPlan.Vm;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads a {@code vms.yaml}: YAML 1.2 (SnakeYAML Engine, core schema) with limits on size,
 * aliases and nesting; checked against the shipped JSON Schema ({@code vms.schema.json}) with
 * networknt; then turned into a {@link VmPlan}. Every problem names {@code file:line:col}; an
 * unknown key gets a "did you mean" from the keys the schema allows at that place.
 */
public final class PlanLoader {

    /** Where the schema ships, on the classpath. */
    public static final String SCHEMA_RESOURCE = "/dev/gunyahdt/partitioner/plan/vms.schema.json";

    static final int MAX_CODE_POINTS = 1 << 20;
    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 32;

    private static final JsonNode SCHEMA_JSON;
    private static final JsonSchema SCHEMA;

    static {
        try (InputStream in = PlanLoader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + SCHEMA_RESOURCE);
            }
            SCHEMA_JSON = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909).getSchema(SCHEMA_JSON);
    }

    private final String file;
    /** JSON pointer of a value → where the value starts; pointer + "#key" → where its key starts. */
    private final Map<String, Pos> positions = new HashMap<>();

    private PlanLoader(String file) {
        this.file = file;
    }

    /** The shipped schema, as JSON. */
    public static JsonNode schema() {
        return SCHEMA_JSON.deepCopy();
    }

    public static VmPlan load(Path path) {
        byte[] bytes;
        try {
            if (Files.size(path) > 4L * MAX_CODE_POINTS) {
                throw new PlanException("yaml", path.toString(), "larger than the " + MAX_CODE_POINTS + "-character limit for a plan");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new PlanException("yaml", path.toString(), "cannot read: " + e.getMessage());
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), path.toString());
    }

    /** Loads plan text; {@code file} is the name positions are reported under. */
    public static VmPlan parse(String text, String file) {
        return new PlanLoader(file).run(text);
    }

    private VmPlan run(String text) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setCodePointLimit(MAX_CODE_POINTS)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Pos at = e.getProblemMark().map(this::pos).orElse(new Pos(file, 1, 1));
            throw new PlanException("yaml", at, e.getProblem());
        } catch (YamlEngineException e) {
            throw new PlanException("yaml", new Pos(file, 1, 1), e.getMessage());
        } catch (StackOverflowError e) {
            throw new PlanException("yaml", new Pos(file, 1, 1), "nested too deeply");
        }
        if (root.isEmpty()) {
            throw new PlanException("yaml", new Pos(file, 1, 1), "the plan is empty");
        }
        JsonNode json = toJson(root.get(), "", 0);
        validate(json);
        return build(json);
    }

    // ---- YAML → JSON, remembering where each value and key was -------------------------------

    private Pos pos(Mark m) {
        return new Pos(file, m.getLine() + 1, m.getColumn() + 1);
    }

    private Pos startOf(Node n) {
        return n.getStartMark().map(this::pos).orElse(new Pos(file, 1, 1));
    }

    private JsonNode toJson(Node node, String pointer, int depth) {
        if (depth > MAX_DEPTH) {
            throw new PlanException("yaml", startOf(node), "nested deeper than " + MAX_DEPTH + " levels");
        }
        positions.put(pointer, startOf(node));
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof MappingNode map) {
            ObjectNode o = f.objectNode();
            for (NodeTuple t : map.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode key)) {
                    throw new PlanException("yaml", startOf(t.getKeyNode()), "a key must be a plain string");
                }
                String k = key.getValue();
                String child = pointer + "/" + k.replace("~", "~0").replace("/", "~1");
                if (o.has(k)) {
                    // Compose does not check this (only Engine's constructor does): a repeated key
                    // would silently win over the first
                    throw new PlanException("yaml", startOf(key), "duplicate key '" + k + "' (first at "
                            + positions.get(child + "#key") + ")");
                }
                positions.put(child + "#key", startOf(key));
                o.set(k, toJson(t.getValueNode(), child, depth + 1));
            }
            return o;
        }
        if (node instanceof SequenceNode seq) {
            ArrayNode a = f.arrayNode();
            int i = 0;
            for (Node item : seq.getValue()) {
                a.add(toJson(item, pointer + "/" + i++, depth + 1));
            }
            return a;
        }
        ScalarNode s = (ScalarNode) node;
        String v = s.getValue();
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) {
            return f.nullNode();
        }
        if (tag.equals(Tag.BOOL)) {
            return f.booleanNode(v.equalsIgnoreCase("true"));
        }
        if (tag.equals(Tag.INT)) {
            return f.numberNode(integer(v, startOf(node)));
        }
        if (tag.equals(Tag.FLOAT)) {
            return f.textNode(v); // no plan field is fractional: the schema says what was expected
        }
        return f.textNode(v);
    }

    private BigInteger integer(String v, Pos at) {
        String t = v.replace("_", "");
        boolean neg = t.startsWith("-");
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1);
        }
        try {
            BigInteger n = t.startsWith("0x") ? new BigInteger(t.substring(2), 16)
                    : t.startsWith("0o") ? new BigInteger(t.substring(2), 8) : new BigInteger(t);
            return neg ? n.negate() : n;
        } catch (NumberFormatException e) {
            throw new PlanException("yaml", at, "'" + v + "' is not a number");
        }
    }

    // ---- schema ----------------------------------------------------------------------------------

    private void validate(JsonNode json) {
        Set<ValidationMessage> found = SCHEMA.validate(json);
        if (found.isEmpty()) {
            return;
        }
        List<Finding> problems = new ArrayList<>();
        Set<String> unknownAt = new TreeSet<>();
        List<ValidationMessage> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparing((ValidationMessage m) -> positionOf(pointer(m.getInstanceLocation())),
                Comparator.comparingInt(Pos::line).thenComparingInt(Pos::column)).thenComparing(ValidationMessage::getMessage));
        for (ValidationMessage m : sorted) {
            if (m.getType().equals("additionalProperties")) {
                String at = pointer(m.getInstanceLocation());
                String key = m.getProperty();
                String keyPointer = at + "/" + key.replace("~", "~0").replace("/", "~1");
                unknownAt.add(at);
                Pos p = positions.getOrDefault(keyPointer + "#key", positionOf(at));
                List<String> allowed = allowedKeys(m);
                String hint = didYouMean(key, allowed).map(s -> " — did you mean '" + s + "'?").orElse("");
                problems.add(PlanException.problem("unknown-key", p, "unknown key '" + key + "'" + hint
                        + (allowed.isEmpty() ? "" : " (allowed here: " + String.join(", ", allowed) + ")")));
            } else if (m.getType().equals("enum") && json.at(pointer(m.getInstanceLocation())).isTextual()) {
                // a word from a fixed list (e.g. a guest program): name the list and the closest word
                String at = pointer(m.getInstanceLocation());
                String value = json.at(at).asText();
                List<String> allowed = enumValues(m);
                unknownAt.add(at);
                String hint = didYouMean(value, allowed).map(s -> " — did you mean '" + s + "'?").orElse("");
                problems.add(PlanException.problem("unknown-value", positionOf(at), "unknown " + at.substring(at.lastIndexOf('/') + 1)
                        + " '" + value + "'" + hint + " (known: " + String.join(", ", allowed) + ")"));
            }
        }
        problems.sort(Comparator.comparing(Finding::line).thenComparing(Finding::column));
        Set<String> seen = new TreeSet<>();
        for (ValidationMessage m : sorted) {
            String at = pointer(m.getInstanceLocation());
            // A failed oneOf repeats each branch's complaint; once a key is unknown there, the
            // other branches' complaints at the same place only add noise.
            if (m.getType().equals("additionalProperties") || unknownAt.contains(at)
                    || (m.getType().equals("oneOf") && hasOtherAt(sorted, at))) {
                continue;
            }
            String text = (at.isEmpty() ? "the plan" : "'" + at.substring(1) + "'") + " " + stripPath(m);
            if (seen.add(positionOf(at) + ": " + text)) {
                problems.add(PlanException.problem("schema", positionOf(at), text));
            }
        }
        throw new PlanException(problems);
    }

    private static boolean hasOtherAt(List<ValidationMessage> all, String at) {
        return all.stream().anyMatch(m -> !m.getType().equals("oneOf") && pointer(m.getInstanceLocation()).equals(at));
    }

    private static String stripPath(ValidationMessage m) {
        String s = m.getMessage();
        String loc = m.getInstanceLocation().toString();
        if (s.startsWith(loc + ": ")) {
            s = s.substring(loc.length() + 2);
        }
        return s;
    }

    private Pos positionOf(String pointer) {
        String p = pointer;
        while (true) {
            Pos pos = positions.get(p);
            if (pos != null || p.isEmpty()) {
                return pos != null ? pos : new Pos(file, 1, 1);
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    private static String pointer(JsonNodePath path) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            b.append('/').append(String.valueOf(path.getElement(i)).replace("~", "~0").replace("/", "~1"));
        }
        return b.toString();
    }

    /** The keys the schema allows where the unknown one was: the {@code properties} beside the failed keyword. */
    private static List<String> allowedKeys(ValidationMessage m) {
        String loc = m.getSchemaLocation().toString();
        int hash = loc.indexOf('#');
        if (hash < 0) {
            return List.of();
        }
        JsonNode s = SCHEMA_JSON.at(loc.substring(hash + 1));
        if (s.isMissingNode()) {
            return List.of();
        }
        String frag = loc.substring(hash + 1);
        JsonNode parent = SCHEMA_JSON.at(frag.substring(0, Math.max(0, frag.lastIndexOf('/'))));
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = parent.path("properties").fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    /** The words an {@code enum} keyword allows. */
    private static List<String> enumValues(ValidationMessage m) {
        String loc = m.getSchemaLocation().toString();
        int hash = loc.indexOf('#');
        List<String> values = new ArrayList<>();
        if (hash >= 0) {
            SCHEMA_JSON.at(loc.substring(hash + 1)).forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    /** The allowed key closest to {@code key}, when it is close enough to be a likely typo. */
    static Optional<String> didYouMean(String key, List<String> allowed) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String a : allowed) {
            int d = editDistance(key.toLowerCase(), a.toLowerCase());
            if (d < bestD) {
                bestD = d;
                best = a;
            }
        }
        return best != null && bestD <= Math.max(2, best.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- JSON → records (the schema has already said the shapes are right) ----------------------

    private VmPlan build(JsonNode json) {
        JsonNode hyp = json.get("hypervisor");
        Hypervisor hypervisor = new Hypervisor(size(hyp.get("size"), "/hypervisor/size"),
                optSize(hyp.get("base"), "/hypervisor/base"), at("/hypervisor"));
        List<Vm> vms = new ArrayList<>();
        JsonNode list = json.get("vms");
        for (int i = 0; i < list.size(); i++) {
            vms.add(vm(list.get(i), "/vms/" + i));
        }
        String board = json.get("board").asText();
        if (board.indexOf('\0') >= 0) {
            // a path can hold any byte but NUL; the schema's "string" lets it through
            throw new PlanException("schema", at("/board"), "'board' names a file with a NUL character in its name");
        }
        List<VmPlan.BoardMemory> boardMemory = new ArrayList<>();
        JsonNode bm = json.path("board-memory");
        for (int i = 0; i < bm.size(); i++) {
            String q = "/board-memory/" + i;
            boardMemory.add(new VmPlan.BoardMemory(size(bm.get(i).get("base"), q + "/base"),
                    size(bm.get(i).get("size"), q + "/size"), at(q)));
        }
        return new VmPlan(board, at("/board"), hypervisor, vms, boardMemory);
    }

    private Vm vm(JsonNode v, String p) {
        boolean primary = v.path("primary").asBoolean(false);
        JsonNode mem = v.get("memory");
        Memory memory = mem.isObject()
                ? new Memory(size(mem.get("size"), p + "/memory/size"), optSize(mem.get("base"), p + "/memory/base"), at(p + "/memory"))
                : new Memory(size(mem, p + "/memory"), OptionalLong.empty(), at(p + "/memory"));
        int vcpus = v.get("vcpus").asInt();
        Affinity affinity;
        JsonNode aff = v.get("affinity");
        if (aff == null || aff.isTextual()) {
            affinity = new Affinity(true, List.of(), aff == null ? at(p + "/vcpus") : at(p + "/affinity"));
        } else {
            List<CpuRef> cpus = new ArrayList<>();
            for (int i = 0; i < aff.size(); i++) {
                JsonNode c = aff.get(i);
                String cp = p + "/affinity/" + i;
                cpus.add(c.isObject() ? new CpuRef(true, c.get("mpidr").bigIntegerValue().longValue(), at(cp))
                        : new CpuRef(false, c.bigIntegerValue().min(BigInteger.valueOf(Long.MAX_VALUE)).longValue(), at(cp)));
            }
            affinity = new Affinity(false, cpus, at(p + "/affinity"));
        }
        Scheduling sched = v.has("scheduling") ? Scheduling.valueOf(v.get("scheduling").asText().toUpperCase())
                : primary ? Scheduling.PINNED : Scheduling.STATIC;
        List<DeviceRef> devices = new ArrayList<>();
        JsonNode devs = v.path("devices");
        for (int i = 0; i < devs.size(); i++) {
            devices.add(new DeviceRef(devs.get(i).asText(), at(p + "/devices/" + i)));
        }
        List<VDevice> vdevs = new ArrayList<>();
        JsonNode vds = v.path("vdevices");
        for (int i = 0; i < vds.size(); i++) {
            vdevs.add(vdevice(vds.get(i), p + "/vdevices/" + i));
        }
        return new Vm(v.get("name").asText(), at(p), v.has("vmid") ? OptionalInt.of(v.get("vmid").asInt()) : OptionalInt.empty(),
                at(p + "/vmid"), primary, Optional.ofNullable(v.get("owner")).map(JsonNode::asText), at(p + "/owner"),
                memory, vcpus, at(p + "/vcpus"), affinity, sched, at(p + "/scheduling"), devices,
                v.path("console").asBoolean(false), Optional.ofNullable(v.get("bootargs")).map(JsonNode::asText), vdevs,
                Optional.ofNullable(v.get("program")).map(JsonNode::asText));
    }

    private VDevice vdevice(JsonNode d, String p) {
        VDeviceType type = VDeviceType.of(d.get("type").asText()).orElseThrow();
        return new VDevice(type, at(p), d.get("peer").asText(), at(p + "/peer"), d.path("label").asLong(0),
                clampInt(d.get("queue-depth"), 8), at(p + "/queue-depth"),
                clampInt(d.get("message-size"), 240), at(p + "/message-size"),
                d.has("size") ? size(d.get("size"), p + "/size") : 0, optSize(d.get("base"), p + "/base"), at(p + "/size"));
    }

    /** An int field; values beyond int are clamped so the limit rules still see them as too large/small. */
    private static int clampInt(JsonNode n, int dflt) {
        if (n == null) {
            return dflt;
        }
        return n.bigIntegerValue().max(BigInteger.valueOf(Integer.MIN_VALUE)).min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
    }

    private Pos at(String pointer) {
        return positionOf(pointer);
    }

    private long size(JsonNode n, String pointer) {
        try {
            if (n.isIntegralNumber()) {
                BigInteger b = n.bigIntegerValue();
                if (b.bitLength() > 64) {
                    throw new IllegalArgumentException(b + " does not fit in 64 bits");
                }
                return b.longValue();
            }
            return Sizes.parse(n.asText());
        } catch (IllegalArgumentException e) {
            throw new PlanException("schema", at(pointer), e.getMessage());
        }
    }

    private OptionalLong optSize(JsonNode n, String pointer) {
        return n == null ? OptionalLong.empty() : OptionalLong.of(size(n, pointer));
    }
}
