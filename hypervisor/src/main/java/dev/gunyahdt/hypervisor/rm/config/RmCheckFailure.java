package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.diag.Severity;

/**
 * Why the real Resource Manager refuses a VM config: where (node, property, and a source position when the
 * input was DTS), the rule in our words, and the upstream RM function the rule comes from. {@code crash} marks
 * inputs on which the RM itself would abort (an {@code assert}); they are refusals here.
 */
public final class RmCheckFailure extends RuntimeException {
    /**
     * The RM stage that refuses, as {@code vm_creation_init} tells them apart: the DT parse (RM error
     * MEM_INVALID), {@code vm_config_update_parsed} (ARGUMENT_INVALID), {@code vm_config_create_vdevices}
     * (NORESOURCE).
     */
    public enum Stage { PARSE, UPDATE, VDEVICES }

    private final Stage stage;
    private final String path;
    private final String property;
    private final String function;
    private final String reason;
    private final boolean crash;
    private SourceSpan span;

    RmCheckFailure(Stage stage, String path, String property, String function, String reason, boolean crash) {
        super(stage + ": " + path + (property == null ? "" : ": " + property) + ": " + reason + " [" + function + "]");
        this.stage = stage;
        this.path = path;
        this.property = property;
        this.function = function;
        this.reason = reason;
        this.crash = crash;
    }

    static RmCheckFailure parse(String path, String property, String function, String reason) {
        return new RmCheckFailure(Stage.PARSE, path, property, function, reason, false);
    }

    static RmCheckFailure update(String path, String property, String function, String reason) {
        return new RmCheckFailure(Stage.UPDATE, path, property, function, reason, false);
    }

    static RmCheckFailure vdevices(String path, String property, String function, String reason) {
        return new RmCheckFailure(Stage.VDEVICES, path, property, function, reason, false);
    }

    static RmCheckFailure crash(String path, String property, String function, String reason) {
        return new RmCheckFailure(Stage.PARSE, path, property, function, reason, true);
    }

    RmCheckFailure at(SourceSpan s) {
        if (span == null) {
            span = s;
        }
        return this;
    }

    public Stage stage() {
        return stage;
    }

    /** The node the rule is about ({@code /qcom,vm-config/vcpus}). */
    public String path() {
        return path;
    }

    /** The property, or null for a rule about the node as a whole. */
    public String property() {
        return property;
    }

    /** The RM function the rule comes from ({@code parse_vcpus}, {@code handle_vcpu}, …). */
    public String function() {
        return function;
    }

    public String reason() {
        return reason;
    }

    /** True where the RM would abort on an {@code assert} rather than refuse cleanly. */
    public boolean crash() {
        return crash;
    }

    /** The source position of the node or property, or null for a blob. */
    public SourceSpan span() {
        return span;
    }

    /**
     * This refusal as a finding about {@code file} (rule {@code rm/<function>}), at the source position of
     * the node or property when the input was DTS.
     */
    public Finding finding(String file) {
        return Finding.at(span, file, path, property, Severity.ERROR, "rm/" + function,
                reason + (crash ? " (where the RM aborts)" : ""));
    }

    /** One line: {@code node: property: reason (function)}. */
    public String describe() {
        return path + (property == null ? "" : ": " + property) + ": " + reason + " (" + function
                + (crash ? ", where the RM aborts" : "") + ")";
    }
}
