package dev.gunyahdt.cli;

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
 */
record LintFinding(String file, Integer line, Integer column, String node, String property, String severity,
                   String rule, String schema, String constraint, String schemaLocation, String message) {

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
        if (schema != null && !schema.equals(file)) {
            sb.append("; binding ").append(schema);
        }
        return sb.append(']').toString();
    }
}
