package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gunyahdt.bindings.yaml.YamlDocument;
import java.util.ArrayList;
import java.util.List;

/**
 * A binding's {@code examples:} as one compilable DTS, the way {@code make dt_binding_check}
 * (dt-extract-example) builds it: every example of the file in one source, so one example's
 * {@code #include} serves the next; a snippet goes inside a node {@code example-N} of a root node
 * with one-cell addresses and sizes, unless it has a root node of its own, which is taken as it
 * is. The source is a plugin, so references to labels outside the snippets become fixups instead
 * of errors. Positions in the generated DTS map back to the binding file.
 */
public final class Examples {

    /** The source's first lines. */
    private static final String[] PREAMBLE = {
        "/dts-v1/;", "/plugin/; // labels the snippets refer to but do not define become fixups",
    };
    /**
     * The root a snippet without one is wrapped in, before its {@code example-N} node: the properties
     * and values dt-extract-example gives it, so the blob is the one dt_binding_check validates.
     */
    private static final String[] ROOT = {
        "/ {", "\tcompatible = \"foo\";", "\tmodel = \"foo\";", "\t#address-cells = <1>;", "\t#size-cells = <1>;",
    };
    /** dt-extract-example's test for an example with its own root node: "/ {" at the very start. */
    private static final java.util.regex.Pattern ROOT_NODE = java.util.regex.Pattern.compile("\\A/\\s*\\{");

    /**
     * One example's place in the source.
     *
     * @param index     its index in {@code examples:}
     * @param dtsFirst  DTS line of the snippet's first line
     * @param lines     how many lines the snippet has
     * @param firstLine binding-file line of the snippet's first line (0 when unknown)
     * @param indent    columns the snippet is indented by in the binding file
     */
    public record Example(int index, int dtsFirst, int lines, int firstLine, int indent) {

        /** Whether a DTS line is one of this snippet's. */
        public boolean holds(int dtsLine) {
            return dtsLine >= dtsFirst && dtsLine < dtsFirst + lines;
        }

        /** A DTS line inside the snippet → the binding-file line, or 0 for the wrapper's own lines. */
        public int bindingLine(int dtsLine) {
            return firstLine <= 0 || !holds(dtsLine) ? 0 : firstLine + dtsLine - dtsFirst;
        }
    }

    /** A file's examples as one DTS source. */
    public record Source(String dts, List<Example> examples) {

        /** The example a DTS line belongs to: the last one whose snippet starts before it, else the first. */
        public Example at(int dtsLine) {
            Example found = examples.get(0);
            for (Example e : examples) {
                if (e.dtsFirst() <= dtsLine) {
                    found = e;
                }
            }
            return found;
        }

        /** The example whose {@code example-N} node holds a node path, or null. */
        public Example byNode(String nodePath) {
            java.util.regex.Matcher m = EXAMPLE_NODE.matcher(nodePath == null ? "" : nodePath);
            if (m.find()) {
                int i = Integer.parseInt(m.group(1));
                for (Example e : examples) {
                    if (e.index() == i) {
                        return e;
                    }
                }
            }
            return null;
        }
    }

    private static final java.util.regex.Pattern EXAMPLE_NODE =
            java.util.regex.Pattern.compile("^/example-(\\d+)(/|$)");

    private Examples() {}

    /**
     * What dt-extract-example writes for a binding without examples: the wrapper's root alone, which
     * dtc compiles (dt_binding_check builds and validates a blob for every binding file).
     */
    public static String withoutExamples() {
        StringBuilder dts = new StringBuilder();
        for (String p : PREAMBLE) {
            dts.append(p).append('\n');
        }
        for (String r : ROOT) {
            dts.append(r).append('\n');
        }
        return dts.append("};\n").toString();
    }

    /**
     * The examples of a loaded binding. {@code text} is the binding file's text (for the snippets'
     * indentation); a non-string entry is skipped ({@link MetaChecks} reports it). Null when there
     * are none.
     */
    public static Source of(YamlDocument doc, String text) {
        JsonNode examples = doc.root().path("examples");
        if (!examples.isArray()) {
            return null;
        }
        String[] lines = text.split("\n", -1);
        StringBuilder dts = new StringBuilder();
        for (String p : PREAMBLE) {
            dts.append(p).append('\n');
        }
        int line = PREAMBLE.length + 1;
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            JsonNode e = examples.get(i);
            if (!e.isTextual()) {
                continue;
            }
            // a block scalar starts at its '|' indicator; its content begins on the next line
            YamlDocument.Position p = doc.positionOf("/examples/" + i);
            int first = 0;
            int indent = 0;
            String indicator = p.line() >= 1 && p.line() <= lines.length ? lines[p.line() - 1] : "";
            boolean block = p.column() - 1 < indicator.length()
                    && (indicator.charAt(p.column() - 1) == '|' || indicator.charAt(p.column() - 1) == '>');
            if (block) {
                first = p.line() + 1;
                for (int l = p.line(); l < lines.length; l++) {
                    if (!lines[l].isBlank()) {
                        indent = lines[l].length() - lines[l].stripLeading().length();
                        break;
                    }
                }
            }
            String snippet = e.asText().endsWith("\n") ? e.asText() : e.asText() + "\n";
            int snippetLines = (int) snippet.lines().count();
            if (ROOT_NODE.matcher(snippet).lookingAt()) {
                out.add(new Example(i, line, snippetLines, first, indent));
                dts.append(snippet);
                line += snippetLines;
                continue;
            }
            for (String r : ROOT) {
                dts.append(r).append('\n');
            }
            dts.append("\texample-").append(i).append(" {\n");
            // as dt-extract-example does: a snippet with interrupts but no parent gets the example node as
            // its interrupt controller, with as many cells as the first specifier has
            int cells = interruptCells(snippet);
            dts.append("\t\t#address-cells = <1>; #size-cells = <1>;");
            if (cells > 0) {
                dts.append(" interrupt-controller; #interrupt-cells = <")
                        .append(cells)
                        .append(">;");
            }
            dts.append('\n');
            line += ROOT.length + 2;
            out.add(new Example(i, line, snippetLines, first, indent));
            dts.append(snippet);
            line += snippetLines;
            dts.append("\t};\n};\n");
            line += 2;
        }
        return out.isEmpty() ? null : new Source(dts.toString(), out);
    }

    /**
     * dt-extract-example 2022.08's rule: the first {@code interrupts = <…>} after whitespace whose
     * cells hold only letters, digits, spaces, '|', '_' and parentheses.
     */
    private static final java.util.regex.Pattern INTERRUPTS =
            java.util.regex.Pattern.compile("\\sinterrupts\\s*=\\s*<([0-9a-zA-Z |()_]+)>");
    /** What it drops before counting: from the first '(' to the end, and every ')'. */
    private static final java.util.regex.Pattern PARENS = java.util.regex.Pattern.compile("\\(.+|\\)");

    /**
     * The {@code #interrupt-cells} dt-extract-example gives the example node: the words of the
     * snippet's first {@code interrupts} value once a parenthesised tail is cut to one word (an
     * {@code interrupt-parent} in the snippet does not stop it); 0 when there is none.
     */
    static int interruptCells(String snippet) {
        java.util.regex.Matcher m = INTERRUPTS.matcher(snippet);
        if (!m.find()) {
            return 0;
        }
        String cells = PARENS.matcher(m.group(1)).replaceAll("0").strip();
        return cells.isEmpty() ? 0 : cells.split("\\s+").length;
    }
}
