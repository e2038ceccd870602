package dev.gunyahdt.bindings;

/**
 * One problem found by loading bindings or validating a tree against them.
 *
 * @param file           the file the finding is about (the DTS source for tree findings, the binding for load findings)
 * @param line           1-based line, or 0 when unknown (DTB input)
 * @param column         1-based column, or 0 when unknown
 * @param node           full path of the node the binding applied to (null for binding-load findings)
 * @param property       the property at fault, or null for the node as a whole
 * @param keyword        the violated JSON-Schema keyword ({@code required}, {@code maxItems}, …), or a load rule
 *                       ({@code yaml}, {@code $ref}, {@code $ref-cycle}, {@code $id}, {@code compile})
 * @param schemaLocation where the keyword sits ({@code http://devicetree.org/schemas/x.yaml#/properties/reg/maxItems})
 * @param binding        the binding file that imposed it
 * @param message        what is wrong, for people
 */
public record Finding(String file, int line, int column, String node, String property, String keyword,
                      String schemaLocation, String binding, String message) {

    /**
     * This as a finding on a tree (rule {@code schema}, severity error) in the shape every verb reports;
     * a blob's findings have no position.
     */
    public dev.gunyahdt.dt.diag.Finding asSchemaFinding() {
        return new dev.gunyahdt.dt.diag.Finding(file, line > 0 ? line : null, line > 0 ? column : null, node, property,
                dev.gunyahdt.dt.diag.Severity.ERROR, "schema", binding, keyword, schemaLocation, message);
    }

    /** {@code file:line:col: node: property: message [keyword at schemaLocation]}. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(file);
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (node != null) {
            sb.append(node).append(": ");
        }
        if (property != null) {
            sb.append(property).append(": ");
        }
        sb.append(message);
        if (schemaLocation != null) {
            sb.append(" [").append(keyword).append(" at ").append(schemaLocation).append(']');
        }
        return sb.toString();
    }
}
