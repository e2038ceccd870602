package dev.gunyahdt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partitioner rules and the RM's refusals reach {@code --format sarif} (and json, junit) with their file,
 * line and column, through the one finding type and the formatter lint uses.
 */
class VerbFindingsTest {

    static final Path REPO = PartitionCommandTest.REPO;

    /** The one result of a SARIF run, after checking the run against the SARIF 2.1.0 schema. */
    static JsonNode onlyResult(String sarif) throws Exception {
        JsonNode root = LintCommandTest.JSON.readTree(sarif);
        JsonSchema schema = SarifSchemaTest.sarifSchema();
        assertEquals(java.util.Set.of(), schema.validate(root), sarif);
        JsonNode results = root.at("/runs/0/results");
        assertEquals(1, results.size(), sarif);
        return results.get(0);
    }

    static void assertAt(JsonNode result, Path file, int line, int column) {
        JsonNode phys = result.at("/locations/0/physicalLocation");
        assertEquals(file.toString(), phys.at("/artifactLocation/uri").asText(), result.toString());
        assertEquals(line, phys.at("/region/startLine").asInt(), result.toString());
        assertEquals(column, phys.at("/region/startColumn").asInt(), result.toString());
    }

    @Test
    void aPartitionerRuleIsInSarifWithLineAndColumn(@TempDir Path dir) throws Exception {
        Path plan = REPO.resolve("boards/broken/vdevice-with-owner/vms.yaml");
        PartitionCommandTest.Run r = PartitionCommandTest.run("partition", plan.getParent().toString(),
                "-o", dir.resolve("out").toString(), "--format", "sarif");
        assertEquals(1, r.status(), r.err());
        JsonNode res = onlyResult(r.out());
        assertEquals("vdevice-with-owner", res.get("ruleId").asText());
        assertEquals("error", res.get("level").asText());
        assertTrue(res.at("/message/text").asText().startsWith("shm between 'svm2' and 'svm': "), res.toString());
        assertAt(res, plan, 19, 15);
        JsonNode rule = LintCommandTest.JSON.readTree(r.out()).at("/runs/0/tool/driver/rules/0");
        assertTrue(rule.at("/shortDescription/text").asText().startsWith("Plan rule: shm and one-way message queues"),
                rule.toString());
        // the report goes to stderr, as text output prints it
        assertTrue(r.err().startsWith("vdevice-with-owner: " + plan + ":19:15: shm between"), r.err());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void vmCheckRefusalsAreInSarifAtTheirSourcePosition() throws Exception {
        Path dts = REPO.resolve("hypervisor/src/test/resources/vm-check/14-affinity-count.dts");
        PartitionCommandTest.Run text = PartitionCommandTest.run("vm-check", dts.toString());
        assertEquals(1, text.status(), text.err());
        String at = text.out().lines().filter(l -> l.startsWith("  at ")).findFirst().orElseThrow().substring(5);
        String[] pos = at.substring(dts.toString().length() + 1).split(":");

        PartitionCommandTest.Run r = PartitionCommandTest.run("vm-check", "--format", "sarif", dts.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode res = onlyResult(r.out());
        assertEquals("rm/parse_vcpus", res.get("ruleId").asText());
        assertAt(res, dts, Integer.parseInt(pos[0]), Integer.parseInt(pos[1]));
        assertEquals(text.out(), r.err(), "the verdicts go to stderr unchanged");
    }

    @Test
    void buildsRmRefusalIsInSarifAtTheVmsPlanEntry(@TempDir Path dir) throws Exception {
        Path plan = PartitionCommandTest.BUILD.resolve("rm-refuses/vms.yaml");
        PartitionCommandTest.Run r = PartitionCommandTest.run("build", plan.getParent().toString(),
                "-o", dir.resolve("out").toString(), "--format", "sarif");
        assertEquals(1, r.status(), r.err());
        JsonNode res = onlyResult(r.out());
        assertEquals("rm/vm_config_update_parsed", res.get("ruleId").asText());
        assertAt(res, plan, 11, 5);
        assertEquals("base-address: the Gunyah RM would refuse vm/svm.dtb (vmid 0x80): 0x1000000000 is outside a secondary's "
                + "36-bit IPA space (64 GiB)", res.at("/message/text").asText());
        assertEquals("/qcom,vm-config/memory:base-address",
                res.at("/locations/0/logicalLocations/0/fullyQualifiedName").asText(), res.toString());
        assertTrue(r.err().contains("the Gunyah RM would refuse 1 VM config(s) (vm-check); nothing written"), r.err());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void theOtherFormatsCarryThePositionToo(@TempDir Path dir) throws Exception {
        Path plan = REPO.resolve("boards/broken/vdevice-with-owner/vms.yaml");
        PartitionCommandTest.Run json = PartitionCommandTest.run("partition", plan.getParent().toString(),
                "-o", dir.toString(), "--format", "json");
        JsonNode f = LintCommandTest.JSON.readTree(json.out()).get(0);
        assertEquals(plan.toString(), f.get("file").asText());
        assertEquals(19, f.get("line").asInt());
        assertEquals(15, f.get("column").asInt());
        assertEquals("vdevice-with-owner", f.get("rule").asText());
        PartitionCommandTest.Run junit = PartitionCommandTest.run("build", plan.getParent().toString(),
                "-o", dir.toString(), "--format", "junit");
        assertEquals(1, junit.status());
        assertTrue(junit.out().contains("<testcase name=\"vdevice-with-owner  (19:15)\""), junit.out());
        assertTrue(junit.out().contains("<failure message=\"shm between"), junit.out());
        // a clean build: the plan and the board as passing suites, exit 0
        PartitionCommandTest.Run clean = PartitionCommandTest.run("build", REPO.resolve("boards/qemu-virt").toString(),
                "-o", dir.resolve("q").toString(), "--format", "sarif");
        assertEquals(0, clean.status(), clean.err());
        assertEquals(0, LintCommandTest.JSON.readTree(clean.out()).at("/runs/0/results").size());
        assertTrue(clean.err().contains("wrote "), clean.err());
    }
}
