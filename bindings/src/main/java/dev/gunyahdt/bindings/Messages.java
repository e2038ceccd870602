package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The text of a finding: networknt's messages without their instance-location prefix, and the
 * messages python-jsonschema prints (what dt-validate shows) where it says more than networknt.
 */
final class Messages {

    private Messages() {}

    /** networknt's 'must not be valid to the schema "<evaluation path>" : {…}' names the schema by its value alone here. */
    private static final Pattern NOT_SCHEMA = Pattern.compile(" to the schema \"[^\"]*\" : ");

    /** networknt's message without the {@code <instance location>: } it starts with. */
    static String bare(ValidationMessage m) {
        String s = NOT_SCHEMA.matcher(m.getMessage()).replaceAll(" under ");
        String loc = m.getInstanceLocation().toString();
        return s.startsWith(loc + ": ") ? s.substring(loc.length() + 2) : s;
    }

    /** As {@link #bare}, led by the instance location only when it is not the validated document itself. */
    static String located(ValidationMessage m) {
        return (m.getInstanceLocation().getNameCount() == 0 ? "" : m.getInstanceLocation() + ": ") + bare(m);
    }

    /**
     * python-jsonschema's additionalProperties message (jsonschema._validators.additionalProperties):
     * with {@code patternProperties} beside it, the name and every regex it failed, sorted, each as
     * Python's repr; else "Additional properties are not allowed".
     */
    static String additionalProperty(String name, JsonNode schema) {
        JsonNode patterns = schema == null ? null : schema.get("patternProperties");
        if (patterns != null && patterns.isObject() && patterns.size() > 0) {
            List<String> keys = new ArrayList<>();
            patterns.fieldNames().forEachRemaining(keys::add);
            keys.sort(null); // Python sorts str by code point, as String.compareTo within the BMP
            StringBuilder sb = new StringBuilder(pythonRepr(name)).append(" does not match any of the regexes: ");
            for (int i = 0; i < keys.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(pythonRepr(keys.get(i)));
            }
            return sb.toString();
        }
        return "Additional properties are not allowed (" + pythonRepr(name) + " was unexpected)";
    }

    /** Python's {@code repr()} of a str: single quotes unless only double quotes avoid escaping. */
    static String pythonRepr(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        s.codePoints().forEach(c -> {
            if (c == '\\' || c == q) {
                sb.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append(q).toString();
    }
}
