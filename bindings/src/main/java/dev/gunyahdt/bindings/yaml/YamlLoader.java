package dev.gunyahdt.bindings.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
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

/**
 * Loads dt-schema binding documents safely: YAML 1.2 core-schema rules (so {@code on}/{@code no}
 * stay strings, as dt-schema reads them), and limits on document size, nesting depth, aliases
 * and the number of nodes after alias expansion, so a hostile file costs bounded time and memory.
 * Every node keeps its line and column. Thread-safe.
 */
public final class YamlLoader {

    /** Limits for one document. */
    public record Limits(int maxCodePoints, int maxDepth, int maxAliases, int maxNodes) {
        /** Generous for real bindings (the largest 6.1 kernel binding is ~60 KB, depth ~15). */
        public static Limits defaults() {
            return new Limits(4 * 1024 * 1024, 64, 100, 200_000);
        }
    }

    private final Limits limits;

    public YamlLoader(Limits limits) {
        this.limits = limits;
    }

    public YamlLoader() {
        this(Limits.defaults());
    }

    /**
     * Parses {@code text} named {@code name}; every failure is a YamlLoadException with a position.
     * One leniency of ruamel.yaml (dt-schema's reader) is kept: a lone {@code -} as an entry of a
     * flow collection ({@code [a, -, b]}) is the string "-", where YAML 1.2 refuses it
     * (pinctrl/ralink,mt7620-pinctrl.yaml in Linux 6.1 has one).
     */
    public YamlDocument load(String name, String text) throws YamlLoadException {
        String t = text;
        for (int tries = 0; ; tries++) {
            try {
                return loadStrict(name, t);
            } catch (YamlLoadException e) {
                String lenient = tries < 100 ? quoteLoneDash(t, e) : null;
                if (lenient == null) {
                    throw e;
                }
                t = lenient;
            }
        }
    }

    /**
     * {@code text} with the {@code -} the error points at quoted, when it is a lone dash entry of a
     * flow collection (followed by {@code ,}, {@code ]} or {@code &#125;}); else null. Quoting adds two
     * columns to the rest of that line only.
     */
    private static String quoteLoneDash(String text, YamlLoadException e) {
        if (!e.getMessage().contains("found character '-' that cannot start any token")) {
            return null;
        }
        int at = 0;
        for (int line = 1; line < e.line(); line++) {
            at = text.indexOf('\n', at) + 1;
            if (at == 0) {
                return null;
            }
        }
        at += e.column() - 1;
        if (at >= text.length() || text.charAt(at) != '-') {
            return null;
        }
        int next = at + 1;
        while (next < text.length() && (text.charAt(next) == ' ' || text.charAt(next) == '\t')) {
            next++;
        }
        if (next >= text.length() || ",]}".indexOf(text.charAt(next)) < 0) {
            return null;
        }
        return text.substring(0, at) + "'-'" + text.substring(at + 1);
    }

    private YamlDocument loadStrict(String name, String text) throws YamlLoadException {
        if (text.codePointCount(0, text.length()) > limits.maxCodePoints()) {
            throw new YamlLoadException(
                    name, 1, 1, "document is larger than " + limits.maxCodePoints() + " characters");
        }
        LoadSettings settings = LoadSettings.builder()
                .setLabel(name)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(limits.maxAliases())
                .setCodePointLimit(limits.maxCodePoints())
                .setUseMarks(true)
                .build();
        try {
            checkDepth(name, text, settings);
            Optional<Node> root = new Compose(settings).composeString(text);
            if (root.isEmpty()) {
                throw new YamlLoadException(name, 1, 1, "empty document");
            }
            Map<String, YamlDocument.Position> positions = new HashMap<>();
            Converter c = new Converter(name, positions);
            JsonNode json = c.convert(root.get(), "", 0);
            return new YamlDocument(name, json, positions);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            String msg = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new YamlLoadException(
                    name, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, "YAML: " + msg);
        } catch (YamlEngineException e) {
            throw new YamlLoadException(name, 1, 1, "YAML: " + firstLine(e.getMessage()));
        } catch (StackOverflowError e) {
            // defence in depth: the depth pre-pass should make this unreachable
            throw new YamlLoadException(name, 1, 1, "YAML: nesting too deep");
        }
    }

    /** The composer recurses per nesting level; count depth on the flat event stream first. */
    private void checkDepth(String name, String text, LoadSettings settings) throws YamlLoadException {
        int depth = 0;
        for (Event e : new Parse(settings).parseString(text)) {
            switch (e.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (++depth > limits.maxDepth()) {
                        Mark m = e.getStartMark().orElse(null);
                        throw new YamlLoadException(
                                name,
                                m == null ? 1 : m.getLine() + 1,
                                m == null ? 1 : m.getColumn() + 1,
                                "YAML nesting deeper than " + limits.maxDepth() + " levels");
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                default -> {}
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private final class Converter {
        private final String name;
        private final Map<String, YamlDocument.Position> positions;
        private final Map<Node, Boolean> onPath = new IdentityHashMap<>();
        private int nodes;

        Converter(String name, Map<String, YamlDocument.Position> positions) {
            this.name = name;
            this.positions = positions;
        }

        JsonNode convert(Node n, String pointer, int depth) throws YamlLoadException {
            Mark start = n.getStartMark().orElse(null);
            int line = start == null ? 1 : start.getLine() + 1;
            int col = start == null ? 1 : start.getColumn() + 1;
            // aliases can multiply a small file into a huge tree ("billion laughs"): cap the total
            if (++nodes > limits.maxNodes()) {
                throw new YamlLoadException(
                        name,
                        line,
                        col,
                        "YAML expands to more than " + limits.maxNodes()
                                + " nodes (alias expansion); refusing to load");
            }
            if (depth > limits.maxDepth()) {
                throw new YamlLoadException(
                        name,
                        line,
                        col,
                        "YAML nesting deeper than " + limits.maxDepth() + " levels (after alias expansion)");
            }
            if (onPath.put(n, Boolean.TRUE) != null) {
                throw new YamlLoadException(
                        name, line, col, "YAML alias refers to its own ancestor (recursive structure)");
            }
            positions.putIfAbsent(pointer, new YamlDocument.Position(line, col));
            try {
                if (n instanceof ScalarNode s) {
                    return scalar(s, line, col);
                }
                if (n instanceof SequenceNode seq) {
                    ArrayNode a = JsonNodeFactory.instance.arrayNode();
                    int i = 0;
                    for (Node item : seq.getValue()) {
                        a.add(convert(item, pointer + "/" + i++, depth + 1));
                    }
                    return a;
                }
                MappingNode map = (MappingNode) n;
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                for (NodeTuple t : map.getValue()) {
                    if (!(t.getKeyNode() instanceof ScalarNode k)) {
                        throw new YamlLoadException(name, line, col, "YAML mapping key is not a scalar");
                    }
                    String key = k.getValue();
                    if (o.has(key)) {
                        // the composer keeps both; JSON (and dt-schema) cannot
                        Mark km = k.getStartMark().orElse(null);
                        throw new YamlLoadException(
                                name,
                                km == null ? line : km.getLine() + 1,
                                km == null ? col : km.getColumn() + 1,
                                "YAML: duplicate key '" + key + "'");
                    }
                    String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                    o.set(key, convert(t.getValueNode(), child, depth + 1));
                }
                return o;
            } finally {
                onPath.remove(n);
            }
        }

        private JsonNode scalar(ScalarNode s, int line, int col) throws YamlLoadException {
            String v = s.getValue();
            Tag tag = s.getTag();
            JsonNodeFactory f = JsonNodeFactory.instance;
            if (tag.equals(Tag.NULL)) {
                return f.nullNode();
            }
            if (tag.equals(Tag.BOOL)) {
                return f.booleanNode(v.equalsIgnoreCase("true"));
            }
            if (tag.equals(Tag.INT)) {
                BigInteger b = parseInt(v);
                if (b == null) {
                    throw new YamlLoadException(name, line, col, "YAML: bad integer '" + v + "'");
                }
                return b.bitLength() < 64 ? f.numberNode(b.longValue()) : f.numberNode(b);
            }
            if (tag.equals(Tag.FLOAT)) {
                try {
                    return f.numberNode(
                            Double.parseDouble(v.replace(".inf", "Infinity").replace(".nan", "NaN")));
                } catch (NumberFormatException e) {
                    return f.textNode(v);
                }
            }
            return f.textNode(v);
        }
    }

    private static BigInteger parseInt(String v) {
        try {
            String s = v;
            boolean neg = false;
            if (s.startsWith("-") || s.startsWith("+")) {
                neg = s.startsWith("-");
                s = s.substring(1);
            }
            BigInteger b;
            if (s.startsWith("0x")) {
                b = new BigInteger(s.substring(2), 16);
            } else if (s.startsWith("0o")) {
                b = new BigInteger(s.substring(2), 8);
            } else {
                b = new BigInteger(s);
            }
            return neg ? b.negate() : b;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
