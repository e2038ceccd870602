package dev.gunyahdt.dt.diag;

import dev.gunyahdt.dt.SourceSpan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One finding about an input, in the shape every verb reports (text, JSON, SARIF, JUnit): dtc's
 * checks ({@link #of(Diagnostic, String)}), binding validation, the partitioner's plan rules and
 * the Resource Manager's VM-config checks all hand their findings over as this.
 *
 * @param file           the input (DTS/DTB, plan, binding) the position is in
 * @param line           1-based line, or null when the input has no positions (DTB)
 * @param column         1-based column, or null
 * @param node           full path of the node the finding is about, or null
 * @param property       the property at fault, or null
 * @param severity       error or warning
 * @param rule           what found it: a dtc check name, {@code schema}, {@code unmatched-compatible},
 *                       {@code fatal}, a binding-document rule, a plan rule ({@code spi-exclusive}),
 *                       or {@code rm/<RM function>} for the Resource Manager's checks
 * @param schema         the binding file that imposed a schema finding (or the binding a
 *                       check-bindings finding is about), else null
 * @param constraint     the violated JSON-Schema keyword for schema findings, else null
 * @param schemaLocation where that keyword sits in the processed binding, else null
 * @param message        what is wrong, without the position
 * @param bindings       every binding that holds this (node, property, constraint), {@code schema}
 *                       first; empty when no binding is involved
 */
public record Finding(String file, Integer line, Integer column, String node, String property, Severity severity,
                      String rule, String schema, String constraint, String schemaLocation, String message,
                      List<String> bindings) {

    public Finding {
        bindings = List.copyOf(bindings);
    }

    public Finding(String file, Integer line, Integer column, String node, String property, Severity severity,
                   String rule, String schema, String constraint, String schemaLocation, String message) {
        this(file, line, column, node, property, severity, rule, schema, constraint, schemaLocation, message,
                schema == null ? List.of() : List.of(schema));
    }

    /** A finding with no binding involved, at {@code span} (or in {@code file} when there is none). */
    public static Finding at(SourceSpan span, String file, String node, String property, Severity severity,
                             String rule, String message) {
        return new Finding(span != null ? span.file() : file, span != null ? span.firstLine() : null,
                span != null ? span.firstColumn() : null, node, property, severity, rule, null, null, null, message);
    }

    /** A finding at a line and column of {@code file} ({@code line} 0: no position), with no node. */
    public static Finding at(String file, int line, int column, Severity severity, String rule, String message) {
        return new Finding(file, line > 0 ? line : null, line > 0 ? column : null, null, null, severity, rule, null,
                null, null, message);
    }

    /** A dtc check's finding; {@code file} names blob input, which has no source position. */
    public static Finding of(Diagnostic d, String file) {
        return at(d.span(), file, d.nodePath(), d.property(), d.severity(), d.rule(), d.message());
    }

    /** An input that could not be read at all (rule {@code fatal}). */
    public static Finding fatal(DtException e, String file) {
        return at(e.span(), file, null, null, Severity.ERROR, "fatal", e.getMessage());
    }

    public Finding withRule(String newRule) {
        return new Finding(file, line, column, node, property, severity, newRule, schema, constraint, schemaLocation,
                message, bindings);
    }

    public Finding withFile(String newFile) {
        return new Finding(newFile, line, column, node, property, severity, rule, schema, constraint, schemaLocation,
                message, bindings);
    }

    /** Whether this finding fails a run that fails on {@code level} ({@code error} or {@code warning}). */
    public boolean fails(String level) {
        return severity == Severity.ERROR || level.equals("warning");
    }

    /** The SARIF/JUnit rule: a schema finding's rule is its constraint ({@code schema/maxItems}). */
    public String ruleId() {
        return rule.equals("schema") && constraint != null ? "schema/" + constraint : rule;
    }

    /** {@code file:line:col}, or {@code file} alone when there is no position. */
    public String where() {
        return line == null ? file : file + ":" + line + ":" + column;
    }

    /**
     * One finding per (file, node, property, constraint) of the schema findings, in first-seen
     * order, listing every binding that holds it (dt-validate prints such a failure once per
     * binding); other findings pass through.
     */
    public static List<Finding> mergeByConstraint(List<Finding> findings) {
        Map<List<Object>, Integer> at = new HashMap<>();
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
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
            Finding first = out.get(i);
            Set<String> union = new LinkedHashSet<>(first.bindings);
            union.addAll(f.bindings);
            out.set(i, new Finding(first.file, first.line, first.column, first.node, first.property,
                    first.severity, first.rule, first.schema, first.constraint, first.schemaLocation,
                    first.message, new ArrayList<>(union)));
        }
        return out;
    }

    /** {@code file:line:col: severity: node: property: message [rule …]}, one line. */
    public String text() {
        StringBuilder sb = new StringBuilder(where());
        sb.append(": ").append(severity.word()).append(": ");
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
