package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gunyahdt.bindings.yaml.YamlDocument;

import java.util.ArrayList;
import java.util.List;

/**
 * A binding's {@code examples:} as compilable DTS, the way {@code make dt_binding_check} treats
 * them: each snippet goes inside a node {@code example-N} of a plugin root with one-cell
 * addresses and sizes (plugin, so references to labels outside the snippet become fixups instead
 * of errors). Positions in the generated DTS map back to the binding file.
 */
public final class Examples {

    /** Lines of the wrapper before the snippet's first line. */
    private static final String[] HEAD = {
            "/dts-v1/;",
            "/plugin/; // labels the snippet refers to but does not define become fixups",
            "/ {",
            "\tcompatible = \"example\";",
            "\tmodel = \"example\";",
            "\t#address-cells = <1>;",
            "\t#size-cells = <1>;",
    };

    /**
     * One example.
     *
     * @param index     its index in {@code examples:}
     * @param dts       the wrapped DTS source
     * @param firstLine binding-file line of the snippet's first line (0 when unknown)
     * @param indent    columns the snippet is indented by in the binding file
     */
    public record Example(int index, String dts, int firstLine, int indent) {

        /** The DTS line of the snippet's first line. */
        public int dtsFirstLine() {
            return HEAD.length + 3; // head, the example-N line, its cells line
        }

        /** A DTS line inside the snippet → the binding-file line, or 0 for the wrapper's own lines. */
        public int bindingLine(int dtsLine) {
            int offset = dtsLine - dtsFirstLine();
            return firstLine <= 0 || offset < 0 || dtsLine > dtsFirstLine() + snippetLines() - 1 ? 0 : firstLine + offset;
        }

        private int snippetLines() {
            return (int) dts.lines().count() - HEAD.length - 4;
        }
    }

    private Examples() {
    }

    /**
     * The examples of a loaded binding. {@code text} is the binding file's text (for the snippets'
     * indentation); a non-string entry is skipped ({@link MetaChecks} reports it).
     */
    public static List<Example> of(YamlDocument doc, String text) {
        List<Example> out = new ArrayList<>();
        JsonNode examples = doc.root().path("examples");
        if (!examples.isArray()) {
            return out;
        }
        String[] lines = text.split("\n", -1);
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
            boolean block = p.column() - 1 < indicator.length() && (indicator.charAt(p.column() - 1) == '|'
                    || indicator.charAt(p.column() - 1) == '>');
            if (block) {
                first = p.line() + 1;
                for (int l = p.line(); l < lines.length; l++) {
                    if (!lines[l].isBlank()) {
                        indent = lines[l].length() - lines[l].stripLeading().length();
                        break;
                    }
                }
            }
            out.add(new Example(i, wrap(i, e.asText()), first, indent));
        }
        return out;
    }

    private static final java.util.regex.Pattern INTERRUPTS =
            java.util.regex.Pattern.compile("(?<![\\w,-])interrupts\\s*=\\s*<([^>]*)>");

    /** Cells of the snippet's first {@code interrupts} specifier (top-level tokens), 0 when none or it has a parent. */
    static int interruptCells(String snippet) {
        if (snippet.contains("interrupt-parent") || snippet.contains("interrupts-extended")) {
            return 0;
        }
        java.util.regex.Matcher m = INTERRUPTS.matcher(snippet);
        if (!m.find()) {
            return 0;
        }
        int depth = 0;
        int tokens = 0;
        boolean inToken = false;
        for (char c : m.group(1).toCharArray()) {
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            boolean space = Character.isWhitespace(c);
            if (depth == 0 && space) {
                inToken = false;
            } else if (!inToken) {
                inToken = true;
                tokens++;
            }
        }
        return tokens;
    }

    private static String wrap(int index, String snippet) {
        StringBuilder sb = new StringBuilder();
        for (String h : HEAD) {
            sb.append(h).append('\n');
        }
        sb.append("\texample-").append(index).append(" {\n");
        // as dt-extract-example does: a snippet with interrupts but no parent gets the example node as
        // its interrupt controller, with as many cells as the first specifier has
        int cells = interruptCells(snippet);
        sb.append("\t\t#address-cells = <1>; #size-cells = <1>;");
        if (cells > 0) {
            sb.append(" interrupt-controller; #interrupt-cells = <").append(cells).append(">;");
        }
        sb.append('\n');
        sb.append(snippet);
        if (!snippet.endsWith("\n")) {
            sb.append('\n');
        }
        sb.append("\t};\n");
        sb.append("};\n");
        return sb.toString();
    }
}
