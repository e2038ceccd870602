package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gunyahdt.bindings.instance.PropertyTypes;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link Validator} must know of a binding set before it compiles anything: which binding
 * a compatible selects, which bindings have a {@code select} of their own, which compatibles are
 * documented ({@code -m}) and the property-type table. Built from the bindings' processed JSON or
 * read from a {@link BindingCache}, so one DTB's run compiles only the bindings its nodes select.
 */
final class SelectionIndex {

    /** Generic compatibles that match too much to select a binding by (dt-schema drops them from its selects). */
    static final Set<String> GENERIC = Set.of("syscon", "simple-mfd");

    /**
     * A binding something can select.
     *
     * @param compatibles its specific compatibles (when it has no select of its own)
     * @param select      it has an explicit {@code select}
     * @param byNodename  dt-schema's select by {@code $nodename} (no select, no specific compatible)
     * @param selectOnly  for an explicit select that requires a compatible from a fixed set, that set
     *                    (a node with none of them cannot be selected); else null
     */
    record Entry(String path, Set<String> compatibles, boolean select, boolean byNodename, Set<String> selectOnly) {
        boolean bySelect() {
            return select || byNodename;
        }
    }

    final List<Entry> entries;
    /** Every compatible string any binding names, generic ones and select-bindings' included. */
    final Set<String> documented;
    /** Compatible patterns of the set, as dt-schema's generated-compatibles schema holds them. */
    final List<String> documentedPatterns;

    final PropertyTypes types;
    /** Bindings that cannot be compiled, as found when the cache was built; null when not known yet. */
    final List<Finding> compileFindings;

    private SelectionIndex(
            List<Entry> entries,
            Set<String> documented,
            List<String> documentedPatterns,
            PropertyTypes types,
            List<Finding> compileFindings) {
        this.entries = entries;
        this.documented = documented;
        this.documentedPatterns = documentedPatterns;
        this.types = types;
        this.compileFindings = compileFindings;
    }

    SelectionIndex withCompileFindings(List<Finding> findings) {
        return new SelectionIndex(entries, documented, documentedPatterns, types, List.copyOf(findings));
    }

    static SelectionIndex of(Collection<BindingSet.Binding> bindings) {
        List<Entry> entries = new ArrayList<>();
        Set<String> documented = new HashSet<>();
        Map<String, Boolean> patterns = new LinkedHashMap<>();
        patterns.put("^foo", true); // dt-schema allows 'foo' for examples
        for (BindingSet.Binding b : bindings) {
            JsonNode processed = b.processed();
            Set<String> compatibles =
                    Validator.compatibles(processed.path("properties").path("compatible"));
            nestedCompatibles(processed, documented);
            compatiblePatterns(processed, false, patterns);
            JsonNode select = processed.get("select");
            boolean explicitSelect = select != null && !(select.isBoolean() && !select.asBoolean());
            Set<String> specific = new LinkedHashSet<>(compatibles);
            specific.removeAll(GENERIC);
            // dt-schema's select when a binding has neither a select nor a specific compatible: its $nodename
            JsonNode nodename = processed.path("properties").get("$nodename");
            boolean byNodename = select == null
                    && specific.isEmpty()
                    && nodename != null
                    && !(nodename.isBoolean() && nodename.asBoolean());
            if (specific.isEmpty() && !explicitSelect && !byNodename) {
                continue; // a library of definitions (types.yaml) or a binding selected by nothing
            }
            entries.add(new Entry(
                    b.path(), specific, explicitSelect, byNodename, explicitSelect ? selectCompatibles(select) : null));
        }
        // from dt-mk-schema's form, as dt-schema builds it: not from our merged patterns or '#'-name entries
        PropertyTypes types = PropertyTypes.of(
                bindings.stream().map(BindingSet.Binding::dtSchema).toList());
        return new SelectionIndex(entries, documented, new ArrayList<>(patterns.keySet()), types, null);
    }

    void write(DataOutput out) throws IOException {
        out.writeInt(entries.size());
        for (Entry e : entries) {
            out.writeUTF(e.path());
            strings(out, e.compatibles());
            out.writeBoolean(e.select());
            out.writeBoolean(e.byNodename());
            out.writeBoolean(e.selectOnly() != null);
            if (e.selectOnly() != null) {
                strings(out, e.selectOnly());
            }
        }
        strings(out, documented);
        strings(out, documentedPatterns);
        types.write(out);
        out.writeInt(compileFindings.size());
        for (Finding f : compileFindings) {
            out.writeUTF(f.file());
            out.writeUTF(f.keyword());
            out.writeUTF(f.message());
        }
    }

    static SelectionIndex read(DataInput in) throws IOException {
        int n = in.readInt();
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String path = in.readUTF();
            Set<String> compatibles = strings(in);
            boolean select = in.readBoolean();
            boolean byNodename = in.readBoolean();
            Set<String> selectOnly = in.readBoolean() ? strings(in) : null;
            entries.add(new Entry(path, compatibles, select, byNodename, selectOnly));
        }
        Set<String> documented = new HashSet<>(strings(in));
        List<String> patterns = new ArrayList<>(strings(in));
        PropertyTypes types = PropertyTypes.read(in);
        int k = in.readInt();
        List<Finding> compile = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            String file = in.readUTF();
            compile.add(BindingSet.loadFinding(file, 1, 1, in.readUTF(), in.readUTF()));
        }
        return new SelectionIndex(entries, documented, patterns, types, compile);
    }

    private static void strings(DataOutput out, Collection<String> s) throws IOException {
        out.writeInt(s.size());
        for (String x : s) {
            out.writeUTF(x);
        }
    }

    private static Set<String> strings(DataInput in) throws IOException {
        int n = in.readInt();
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(in.readUTF());
        }
        return out;
    }

    /** The catch-all compatible pattern dt-schema leaves out of its generated-compatibles schema. */
    private static final String ANY_COMPATIBLE = "^[a-zA-Z0-9][a-zA-Z0-9,+\\-._]+$";

    private static void compatiblePatterns(JsonNode n, boolean underCompatible, Map<String, Boolean> out) {
        if (n.isObject()) {
            JsonNode p = n.get("pattern");
            if (underCompatible && p != null && p.isTextual() && !p.asText().equals(ANY_COMPATIBLE)) {
                try {
                    java.util.regex.Pattern.compile(p.asText());
                    out.put(p.asText(), true);
                } catch (java.util.regex.PatternSyntaxException e) {
                    // a Python-only pattern documents nothing here
                }
            }
            n.fields()
                    .forEachRemaining(f -> compatiblePatterns(
                            f.getValue(), underCompatible || f.getKey().equals("compatible"), out));
        } else if (n.isArray()) {
            n.forEach(x -> compatiblePatterns(x, underCompatible, out));
        }
    }

    /**
     * The compatibles a select needs one of: it requires {@code compatible} and its compatible
     * schema names only consts/enums (no pattern, no {@code not}); null when the select is anything else.
     */
    private static Set<String> selectCompatibles(JsonNode select) {
        JsonNode required = select.path("required");
        boolean needs = false;
        for (JsonNode r : required) {
            needs |= r.asText().equals("compatible");
        }
        JsonNode c = select.path("properties").path("compatible");
        if (!needs
                || !c.isObject()
                || c.findValue("pattern") != null
                || c.findValue("not") != null
                || c.findValue("$ref") != null) {
            return null;
        }
        Set<String> out = Validator.compatibles(c);
        return out.isEmpty() ? null : out;
    }

    /** Compatibles named by any {@code properties/compatible} in a binding, child-node schemas included. */
    private static void nestedCompatibles(JsonNode n, Set<String> out) {
        if (n.isObject()) {
            JsonNode c = n.path("properties").get("compatible");
            if (c != null) {
                out.addAll(Validator.compatibles(c));
            }
            n.elements().forEachRemaining(x -> nestedCompatibles(x, out));
        } else if (n.isArray()) {
            n.forEach(x -> nestedCompatibles(x, out));
        }
    }
}
