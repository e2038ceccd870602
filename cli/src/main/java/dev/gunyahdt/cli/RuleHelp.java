package dev.gunyahdt.cli;

import dev.gunyahdt.partitioner.rules.Rule;
import dev.gunyahdt.partitioner.rules.Rules;

import java.util.Map;
import java.util.Optional;

/**
 * What each rule of the findings means, for SARIF's {@code shortDescription} and {@code help}: a
 * schema finding's rule is its JSON-Schema constraint, so a reader sees what kind of fix it needs.
 */
final class RuleHelp {

    /** One line, then what to do about it. */
    record Help(String summary, String help) {
    }

    private RuleHelp() {
    }

    private static final Map<String, Help> CONSTRAINTS = Map.ofEntries(
            Map.entry("required", new Help("A property or child node the binding requires is missing",
                    "Add the property the message names, or check that the node's compatible selects the intended binding.")),
            Map.entry("additionalProperties", new Help("A property or child node the binding does not declare",
                    "Remove it, fix its spelling, or document it in the binding; with patternProperties the message lists the regexes the name failed.")),
            Map.entry("unevaluatedProperties", new Help("A property no schema of the binding (or its $refs) evaluated",
                    "The property is not declared by the binding or anything it references; a property whose own schema fails is reported here too (python-jsonschema's rule, as dt-validate).")),
            Map.entry("maxItems", new Help("Too many values", "The property has more entries (cells, strings or rows) than the binding allows.")),
            Map.entry("minItems", new Help("Too few values", "The property has fewer entries (cells, strings or rows) than the binding needs.")),
            Map.entry("items", new Help("An entry of the property is not allowed", "An array entry fails the binding's per-item schema, or there are more entries than items listed.")),
            Map.entry("additionalItems", new Help("More entries than the binding lists", "Remove the extra entries or extend the binding's items list.")),
            Map.entry("const", new Help("A value other than the one the binding fixes", "Use the value the message names.")),
            Map.entry("enum", new Help("A value outside the binding's list", "Use one of the listed values (compatible strings, modes, names).")),
            Map.entry("pattern", new Help("A string that does not match the binding's regex", "Rename or reformat the value so it matches the regex in the message.")),
            Map.entry("type", new Help("A value of the wrong type", "The value is decoded as the binding's type table says (cells, strings, a flag); check its encoding and width.")),
            Map.entry("oneOf", new Help("None (or more than one) of the binding's alternatives holds",
                    "Each alternative's failure is listed after the colon; fix the one that was meant.")),
            Map.entry("anyOf", new Help("None of the binding's alternatives holds", "Each alternative's failure is listed after the colon; fix the one that was meant.")),
            Map.entry("allOf", new Help("A schema every node of this kind must satisfy fails", "See the message for the failing part.")),
            Map.entry("not", new Help("The node matches a shape the binding forbids", "Remove the combination the binding rules out.")),
            Map.entry("minimum", new Help("A value below the binding's minimum", "Raise the value to the minimum in the message.")),
            Map.entry("maximum", new Help("A value above the binding's maximum", "Lower the value to the maximum in the message.")),
            Map.entry("exclusiveMinimum", new Help("A value not above the binding's bound", "Raise the value above the bound.")),
            Map.entry("exclusiveMaximum", new Help("A value not below the binding's bound", "Lower the value below the bound.")),
            Map.entry("multipleOf", new Help("A value that is not a multiple the binding needs", "Use a multiple of the number in the message.")),
            Map.entry("dependentRequired", new Help("A property that needs another one", "Add the property it depends on, or remove it.")),
            Map.entry("dependentSchemas", new Help("A property whose presence needs more of the node", "Satisfy the schema the property brings in.")),
            Map.entry("uniqueItems", new Help("Repeated entries", "Remove the duplicate entries.")),
            Map.entry("contains", new Help("No entry of the kind the binding needs", "Add an entry that matches the binding's contains schema.")),
            Map.entry("minContains", new Help("No entry of the kind the binding needs", "Add an entry that matches the binding's contains schema.")),
            Map.entry("propertyNames", new Help("A property name the binding does not allow", "Rename the property.")),
            Map.entry("false", new Help("A property or node the binding forbids outright", "Remove it.")),
            Map.entry("typeSize", new Help("A value of the wrong cell width", "Write the value with the width the binding's type names (/bits/ 8, 16 or 64).")));

    /** The help of a finding's rule: by constraint for schema findings, by kind for the others. */
    static Help of(String rule, String constraint) {
        if (rule.equals("schema") && constraint == null) {
            return new Help("The input does not satisfy its schema", "See the message; it names the key and the expected shape.");
        }
        Optional<Rule> planRule = Rules.ALL.stream().filter(r -> r.name().equals(rule)).findFirst();
        if (planRule.isPresent()) {
            return new Help("Plan rule: " + planRule.get().summary(), "Change vms.yaml (or the board) at the position "
                    + "given so the rule holds; boards/broken/" + rule + " has a plan that breaks it.");
        }
        if (rule.startsWith("rm/")) {
            return new Help("The Gunyah Resource Manager would refuse the VM config (" + rule.substring(3) + ")",
                    "The real RM's VM_CONFIG_IMAGE + VM_INIT refuse this VM in " + rule.substring(3) + "; the message "
                    + "names the node, the property and why ('gunyah-dt vm-check' judges a VM devicetree alone).");
        }
        if (rule.equals("schema")) {
            Help h = constraint == null ? null : CONSTRAINTS.get(constraint);
            return h != null ? h : new Help("The node does not satisfy a devicetree binding (" + constraint + ")",
                    "See the message and the binding named in the result's properties.");
        }
        return switch (rule) {
            case "unmatched-compatible" -> new Help("No binding documents the node's compatible strings",
                    "Write a binding for the compatible, fix its spelling, or add the directory that holds its binding with --bindings.");
            case "meta", "meta-schema" -> new Help("The binding document breaks dt-schema's meta-schema",
                    "Fix the document as the message says (dt-doc-validate reports the same).");
            case "$ref", "$ref-cycle" -> new Help("A $ref that cannot be resolved, or a cycle of them",
                    "Point the $ref at an existing binding under the schema root (-u), or break the cycle.");
            case "$id" -> new Help("The binding's $id does not match its place under the schema root",
                    "Make $id http://devicetree.org/schemas/<path under the root>#.");
            case "yaml", "io" -> new Help("The YAML document (a binding or a plan) cannot be read", "Fix the YAML at the position given.");
            case "unknown-key", "unknown-value" -> new Help("A key or value vms.yaml does not know",
                    "Use one of the keys or values the message lists (docs/formats.md has every key).");
            case "board-memory" -> new Help("The board's memory needs the plan's board-memory key",
                    "Add board-memory to vms.yaml as the message shows.");
            case "vm-check" -> new Help("A VM config the RM accepts, with a warning", "See the message.");
            case "compile" -> new Help("The binding cannot be compiled into a validator", "See the message.");
            case "example" -> new Help("A binding example fails to compile or to validate",
                    "Fix the example (or the binding) at the line given.");
            case "fatal" -> new Help("The input cannot be read as DTS or DTB", "Fix the syntax error at the position given.");
            default -> new Help("dtc check " + rule, "A check dtc 1.6.1 runs on every tree (dtc -W " + rule
                    + "); turn it off with -W no-" + rule + " where the kernel does.");
        };
    }
}
