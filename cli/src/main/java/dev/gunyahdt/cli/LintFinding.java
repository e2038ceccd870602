package dev.gunyahdt.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One finding of {@code lint} or {@code check-bindings}, in the shape every output format prints.
 *
 * @param file           the input (DTS/DTB) or binding file
 * @param line           1-based line, or null when the input has no positions (DTB)
 * @param column         1-based column, or null
 * @param node           full path of the node the check or binding applied to, or null
 * @param property       the property at fault, or null
 * @param severity       {@code error} or {@code warning}
 * @param rule           a dtc check name, {@code schema}, {@code unmatched-compatible}, {@code fatal},
 *                       or a binding-document rule ({@code meta}, {@code $ref}, {@code example}, …)
 * @param schema         the binding file that imposed a schema finding (or the binding a
 *                       check-bindings finding is about), else null
 * @param constraint     the violated JSON-Schema keyword for schema findings, else null
 * @param schemaLocation where that keyword sits in the processed binding, else null
 * @param message        what is wrong
 * @param bindings       every binding that holds this (node, property, constraint), {@code schema} first;
 *                       empty when no binding is involved
 */
record LintFinding(String file, Integer line, Integer column, String node, String property, String severity,
                   String rule, String schema, String constraint, String schemaLocation, String message,
                   List<String> bindings) {

    LintFinding {
        bindings = List.copyOf(bindings);
    }

    LintFinding(String file, Integer line, Integer column, String node, String property, String severity,
                String rule, String schema, String constraint, String schemaLocation, String message) {
        this(file, line, column, node, property, severity, rule, schema, constraint, schemaLocation, message,
                schema == null ? List.of() : List.of(schema));
    }

    /** Whether this finding fails a run that fails on {@code level} ({@code error} or {@code warning}). */
    boolean fails(String level) {
        return severity.equals("error") || level.equals("warning");
    }

    /** The SARIF/JUnit rule: a schema finding's rule is its constraint ({@code schema/maxItems}). */
    String ruleId() {
        return rule.equals("schema") && constraint != null ? "schema/" + constraint : rule;
    }

    /**
     * One finding per (file, node, property, constraint) of the schema findings, in first-seen
     * order, listing every binding that holds it (dt-validate prints such a failure once per
     * binding); other findings pass through.
     */
    static List<LintFinding> mergeByConstraint(List<LintFinding> findings) {
        Map<List<Object>, Integer> at = new HashMap<>();
        List<LintFinding> out = new ArrayList<>();
        for (LintFinding f : findings) {
            if (!f.rule.equals("schema")) {
                out.add(f);
                continue;
            }
            List<Object> key = Arrays.asList(f.file, f.node, f.property, f.constraint);
            Integer i = at.get(key);
            if (i == null) {
                at.put(key, out.size());
                out.add(f);
                continue;
            }
            LintFinding first = out.get(i);
            Set<String> union = new LinkedHashSet<>(first.bindings);
            union.addAll(f.bindings);
            out.set(i, new LintFinding(first.file, first.line, first.column, first.node, first.property,
                    first.severity, first.rule, first.schema, first.constraint, first.schemaLocation,
                    first.message, new ArrayList<>(union)));
        }
        return out;
    }

    /** A binding's finding on a tree (rule {@code schema}); a blob's findings have no position. */
    static LintFinding schema(dev.gunyahdt.bindings.Finding f) {
        return new LintFinding(f.file(), f.line() > 0 ? f.line() : null, f.line() > 0 ? f.column() : null,
                f.node(), f.property(), "error", "schema", f.binding(), f.keyword(), f.schemaLocation(),
                f.message());
    }

    /** {@code file:line:col: severity: node: property: message [rule …]}, one line. */
    String text() {
        StringBuilder sb = new StringBuilder(file);
        if (line != null) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ").append(severity).append(": ");
        if (node != null) {
            sb.append(node).append(": ");
        }
        if (property != null) {
            sb.append(property).append(": ");
        }
        sb.append(message).append(" [").append(rule);
        if (constraint != null) {
            sb.append(": ").append(constraint);
            if (schemaLocation != null) {
                sb.append(" at ").append(schemaLocation);
            }
        }
        List<String> others = bindings.stream().filter(b -> !b.equals(file)).toList();
        if (others.size() == 1) {
            sb.append("; binding ").append(others.get(0));
        } else if (others.size() > 1) {
            sb.append("; bindings ").append(String.join(", ", others));
        }
        return sb.append(']').toString();
    }
}
