package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SARIF that {@code lint --format sarif} prints validates against the OASIS SARIF 2.1.0
 * schema (test resource {@code sarif/}), for clean input, schema findings, dtc-check findings,
 * blob input (no columns) and {@code -m} findings together.
 */
class SarifSchemaTest {

    @TempDir
    Path tmp;

    static JsonSchema sarifSchema() throws Exception {
        try (InputStream in =
                SarifSchemaTest.class.getClassLoader().getResourceAsStream("sarif/sarif-schema-2.1.0.json")) {
            JsonNode schema = LintCommandTest.JSON.readTree(in);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
        }
    }

    @Test
    void everyShapeOfLintOutputIsValidSarif() throws Exception {
        JsonSchema schema = sarifSchema();
        String svm = LintCommandTest.svm();
        Path clean = tmp.resolve("clean.dts");
        Files.writeString(clean, svm);
        Path broken = tmp.resolve("broken.dts");
        Files.writeString(
                broken,
                svm.replace("interrupts = <0 928 1>, <0 929 1>;", "interrupts = <0 928 1>, <0 929 1>, <0 930 1>;")
                        .replace("\t\t\tqcom,vmid = <45>;\n", "")
                        // a dtc check finding beside the schema findings
                        .replaceFirst("};\\s*$", "\textra@1 { };\n};\n")); // unit_address_vs_reg
        Path blob = tmp.resolve("broken.dtb");
        LintCommandTest.Run compiled = LintCommandTest.run("dtc", "-q", "-o", blob.toString(), broken.toString());
        assertEquals(0, compiled.status(), compiled.err());

        LintCommandTest.Run r = LintCommandTest.run(
                "lint", "-m", "--format", "sarif", clean.toString(), broken.toString(), blob.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode sarif = LintCommandTest.JSON.readTree(r.out());
        Set<ValidationMessage> errors = schema.validate(sarif);
        assertTrue(errors.isEmpty(), errors + "\n" + r.out());

        // The schema has teeth: a level SARIF does not define is refused.
        JsonNode mutated = sarif.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) mutated.at("/runs/0/results/0")).put("level", "fatal");
        assertTrue(!schema.validate(mutated).isEmpty());

        JsonNode results = sarif.at("/runs/0/results");
        assertTrue(results.size() >= 4, r.out());
        boolean blobResult = false;
        boolean dtcCheck = false;
        for (JsonNode res : results) {
            String uri =
                    res.at("/locations/0/physicalLocation/artifactLocation/uri").asText();
            if (uri.equals(blob.toString())) {
                blobResult = true;
                assertTrue(res.at("/locations/0/physicalLocation/region").isMissingNode(), res.toString());
            }
            // a dtc check is a rule of its own, named as dtc names it, with help saying how to turn it off
            if (res.get("ruleId").asText().equals("unit_address_vs_reg")) {
                dtcCheck = true;
                JsonNode rule = sarif.at(
                        "/runs/0/tool/driver/rules/" + res.get("ruleIndex").asInt());
                assertEquals("unit_address_vs_reg", rule.get("id").asText());
                assertTrue(rule.at("/help/text").asText().contains("-W no-unit_address_vs_reg"), rule.toString());
                assertEquals("warning", rule.at("/defaultConfiguration/level").asText());
            }
        }
        assertTrue(blobResult && dtcCheck, r.out());
        // rules are listed once each, schema ones by constraint
        java.util.List<String> ids = new java.util.ArrayList<>();
        sarif.at("/runs/0/tool/driver/rules")
                .forEach(rule -> ids.add(rule.get("id").asText()));
        assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), ids.toString());
        assertTrue(ids.contains("schema/maxItems") && ids.contains("unmatched-compatible"), ids.toString());
    }

    @Test
    void aCleanRunIsValidSarifWithNoResults() throws Exception {
        Path clean = tmp.resolve("clean.dts");
        Files.writeString(clean, LintCommandTest.svm());
        LintCommandTest.Run r =
                LintCommandTest.run("lint", "-W", "no-simple_bus_reg", "--format", "sarif", clean.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        JsonNode sarif = LintCommandTest.JSON.readTree(r.out());
        assertTrue(sarifSchema().validate(sarif).isEmpty(), r.out());
        assertEquals(0, sarif.at("/runs/0/results").size());
    }
}
