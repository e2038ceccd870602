package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link UnevaluatedProperties} against python-jsonschema 4.10.3's verdicts on the same small schemas and
 * instances. The expectations in {@code unevaluated/cases.json} were produced by running
 * {@code tests/conformance/unevaluated_cases.py} with Debian's {@code /usr/bin/python3} (jsonschema 4.10.3,
 * {@code Draft201909Validator}), the interpreter and library dt-validate 2022.08 uses.
 */
class UnevaluatedPropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonSchema compile(JsonNode schema, int n) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(
                SpecVersion.VersionFlag.V201909, b -> b.metaSchema(UnevaluatedProperties.metaSchema()));
        SchemaValidatorsConfig config =
                SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
        JsonSchema s = factory.getSchema(SchemaLocation.of("https://cases.test/case-" + n + ".json"), schema, config);
        s.initializeValidators();
        return s;
    }

    /** "instance-path|name" for every unevaluatedProperties message, as the generator records python's. */
    private static Set<String> unevaluated(Set<ValidationMessage> messages) {
        Set<String> out = new TreeSet<>();
        for (ValidationMessage m : messages) {
            if (m.getType().equals(UnevaluatedProperties.KEYWORD)) {
                out.add(m.getInstanceLocation().toString() + "|" + m.getProperty());
            }
        }
        return out;
    }

    @TestFactory
    List<DynamicTest> sameVerdictsAsPythonJsonschema4103() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/unevaluated/cases.json")) {
            doc = JSON.readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        int n = 0;
        for (JsonNode c : doc.get("cases")) {
            int index = n++;
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                Set<ValidationMessage> messages =
                        compile(c.get("schema"), index).validate(c.get("instance"));
                Set<String> expected = new TreeSet<>();
                c.get("unevaluated").forEach(x -> expected.add(x.asText()));
                assertEquals(expected, unevaluated(messages), messages.toString());
                assertEquals(c.get("valid").asBoolean(), messages.isEmpty(), messages.toString());
            }));
        }
        assertTrue(tests.size() >= 16, "cases loaded");
        return tests;
    }

    @Test
    void messageIsDtValidatesSentenceWithTheInstancePath() throws Exception {
        JsonNode schema = JSON.readTree("{\"properties\":{\"child\":{\"unevaluatedProperties\":false}}}");
        Set<ValidationMessage> m = compile(schema, 99).validate(JSON.readTree("{\"child\":{\"x,y\":1}}"));
        assertEquals(1, m.size(), m.toString());
        ValidationMessage only = m.iterator().next();
        assertEquals("/child: Unevaluated properties are not allowed ('x,y' was unexpected)", only.getMessage());
        assertEquals("x,y", only.getProperty());
        assertEquals(
                "/properties/child/unevaluatedProperties",
                only.getEvaluationPath().toString());
    }
}
