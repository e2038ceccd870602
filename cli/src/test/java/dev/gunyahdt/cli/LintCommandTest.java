package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code gunyah-dt lint} on the §10.6 secondary-VM tree: clean (but for dtc's simple_bus_reg
 * warnings on the RM's own nodes), and a broken variant in each output format.
 */
class LintCommandTest {

    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(
                args,
                new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true), new PrintStream(err, true)));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path resource(String name) {
        try {
            return Path.of(
                    LintCommandTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String svm() throws Exception {
        return Files.readString(resource("lint/svm-hypervisor.dts"));
    }

    /** 1-based line and column of the first {@code needle} in {@code text}. */
    static int[] position(String text, String needle) {
        int at = text.indexOf(needle);
        assertTrue(at >= 0, needle);
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, at - lineStart + 1}; // dtc counts a tab as one column
    }

    /**
     * The svm tree with three RM interrupts and no qcom,vmid: four findings, as dt-validate 2022.08 reports
     * them — interrupts maxItems, qcom,vmid required, and (python-jsonschema 4.10's unevaluatedProperties
     * rule: a property whose own subschema fails is not evaluated) interrupts unevaluated at the RM node and
     * the failed qcom,gunyah-vm child unevaluated at /hypervisor.
     */
    static final int BROKEN_FINDINGS = 4;

    /** The svm tree with three RM interrupts and no qcom,vmid. */
    Path broken() throws Exception {
        String text = svm().replace(
                        "interrupts = <0 928 1>, <0 929 1>;", "interrupts = <0 928 1>, <0 929 1>, <0 930 1>;")
                .replace("\t\t\tqcom,vmid = <45>;\n", "");
        Path p = tmp.resolve("broken.dts");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void workedExampleIsCleanButForTheRmNodesSimpleBusRegWarnings() throws Exception {
        String file = resource("lint/svm-hypervisor.dts").toString();
        Run clean = run("lint", "-W", "no-simple_bus_reg", file);
        assertEquals("", clean.out());
        assertTrue(clean.err().matches("gunyah-dt lint: 1 file, 0 errors, 0 warnings in \\d+\\.\\d s\n"), clean.err());
        assertEquals(0, clean.status());
        assertEquals("", run("lint", "-q", "-W", "no-simple_bus_reg", file).err());

        // warnings alone do not fail the run unless --fail-on warning
        Run plain = run("lint", file);
        assertEquals(0, plain.status());
        assertTrue(plain.err().startsWith("gunyah-dt lint: 1 file, 0 errors, 2 warnings in "), plain.err());
        assertEquals(1, run("lint", "--fail-on", "warning", file).status());
        assertEquals(2, run("lint", "--fail-on", "info", file).status());
        assertEquals(
                file
                        + ":26:18: warning: /hypervisor/qcom,gunyah-vm: missing or empty reg/ranges property [simple_bus_reg]\n"
                        + file
                        + ":34:25: warning: /hypervisor/gunyah-resource-mgr@2: simple-bus unit address format error, expected \"1\" [simple_bus_reg]\n",
                plain.out());
    }

    @Test
    void brokenVariantAsJson() throws Exception {
        Path p = broken();
        String text = Files.readString(p);
        Run r = run("lint", "-W", "no-simple_bus_reg", "--format", "json", p.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode a = JSON.readTree(r.out());
        assertEquals(BROKEN_FINDINGS, a.size(), r.out());
        List<String> unevaluated = new ArrayList<>();
        for (JsonNode f : a) {
            if (f.get("constraint").asText().equals("unevaluatedProperties")) {
                unevaluated.add(f.get("node").asText() + ":" + f.get("property").asText() + ":"
                        + f.get("message").asText());
            }
        }
        // the message without networknt's instance-location prefix ("/gunyah-resource-mgr@2: …", ": …")
        assertEquals(
                List.of(
                        "/hypervisor/gunyah-resource-mgr@2:interrupts:Unevaluated properties"
                                + " are not allowed ('interrupts' was unexpected)",
                        "/hypervisor:qcom,gunyah-vm:Unevaluated properties are not allowed ('qcom,gunyah-vm' was unexpected)"),
                unevaluated.stream().sorted().toList());
        // no finding keeps a location prefix or an empty field ("operating-points-v2: : Unevaluated …")
        for (JsonNode f : a) {
            String m = f.get("message").asText();
            assertTrue(!m.isEmpty() && !m.matches("^[/$:#].*") && !m.contains(": :") && !m.startsWith(" "), m);
        }
        JsonNode irq = find(a, "interrupts");
        int[] pos = position(text, "interrupts = <0 928");
        assertEquals(p.toString(), irq.get("file").asText());
        assertEquals(pos[0], irq.get("line").asInt());
        assertEquals(pos[1], irq.get("column").asInt());
        assertEquals("/hypervisor/gunyah-resource-mgr@2", irq.get("node").asText());
        assertEquals("error", irq.get("severity").asText());
        assertEquals("schema", irq.get("rule").asText());
        assertEquals(
                "builtin:bindings/gunyah-hypervisor.yaml", irq.get("schema").asText());
        assertEquals("maxItems", irq.get("constraint").asText());
        assertTrue(
                irq.get("message").asText().contains("at most 2"),
                irq.get("message").asText());

        JsonNode vmid = find(a, "qcom,vmid");
        int[] vm = position(text, "{\n\t\t\tcompatible = \"qcom,gunyah-vm-id"); // a node's span starts at its '{'
        assertEquals("/hypervisor/qcom,gunyah-vm", vmid.get("node").asText());
        assertEquals(vm[0], vmid.get("line").asInt());
        assertEquals(vm[1], vmid.get("column").asInt());
        assertEquals("required", vmid.get("constraint").asText());
        for (String field :
                List.of("file", "line", "column", "node", "property", "severity", "rule", "schema", "message")) {
            assertTrue(vmid.has(field), field);
        }
    }

    /** The finding for {@code property} other than its unevaluatedProperties echo. */
    private static JsonNode find(JsonNode array, String property) {
        for (JsonNode f : array) {
            if (property.equals(f.path("property").asText(null))
                    && !"unevaluatedProperties".equals(f.path("constraint").asText())) {
                return f;
            }
        }
        throw new AssertionError("no finding for " + property + " in " + array);
    }

    @Test
    void brokenVariantAsText() throws Exception {
        Path p = broken();
        int[] pos = position(Files.readString(p), "interrupts = <0 928");
        Run r = run("lint", "-W", "no-simple_bus_reg", p.toString());
        assertEquals(1, r.status());
        List<String> lines = r.out().lines().toList();
        assertEquals(BROKEN_FINDINGS, lines.size(), r.out());
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.startsWith(p + ":" + pos[0] + ":" + pos[1]
                                        + ": error: /hypervisor/gunyah-resource-mgr@2: interrupts: ")
                                && l.contains(
                                        "[schema: maxItems at http://devicetree.org/schemas/gunyah-hypervisor.yaml#")
                                && l.endsWith("; binding builtin:bindings/gunyah-hypervisor.yaml]")),
                r.out());
    }

    @Test
    void brokenVariantAsSarif() throws Exception {
        Path p = broken();
        int[] pos = position(Files.readString(p), "interrupts = <0 928");
        Run r = run("lint", "-W", "no-simple_bus_reg", "--format", "sarif", p.toString());
        assertEquals(1, r.status());
        JsonNode s = JSON.readTree(r.out());
        assertEquals("2.1.0", s.get("version").asText());
        assertEquals(1, s.get("runs").size());
        JsonNode run = s.get("runs").get(0);
        assertEquals("gunyah-dt", run.at("/tool/driver/name").asText());
        // one rule per constraint, each with its help text
        List<String> ruleIds = new ArrayList<>();
        run.at("/tool/driver/rules").forEach(rule -> {
            ruleIds.add(rule.get("id").asText());
            assertTrue(!rule.at("/help/text").asText().isEmpty(), rule.toString());
            assertTrue(!rule.at("/shortDescription/text").asText().isEmpty(), rule.toString());
        });
        assertEquals(
                List.of("schema/maxItems", "schema/required", "schema/unevaluatedProperties"),
                ruleIds.stream().sorted().toList());
        assertEquals(BROKEN_FINDINGS, run.get("results").size());
        JsonNode irq = null;
        for (JsonNode res : run.get("results")) {
            if ("interrupts".equals(res.at("/properties/property").asText())
                    && "maxItems".equals(res.at("/properties/constraint").asText())) {
                irq = res;
            }
        }
        assertTrue(irq != null, r.out());
        assertEquals("schema/maxItems", irq.get("ruleId").asText());
        assertEquals(
                "schema/maxItems",
                run.at("/tool/driver/rules/" + irq.get("ruleIndex").asInt() + "/id")
                        .asText());
        assertEquals(
                "[\"builtin:bindings/gunyah-hypervisor.yaml\"]",
                irq.at("/properties/bindings").toString());
        assertEquals("error", irq.get("level").asText());
        assertEquals(
                p.toString(),
                irq.at("/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertEquals(
                pos[0], irq.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertEquals(
                pos[1],
                irq.at("/locations/0/physicalLocation/region/startColumn").asInt());
        assertEquals(
                "/hypervisor/gunyah-resource-mgr@2:interrupts",
                irq.at("/locations/0/logicalLocations/0/fullyQualifiedName").asText());
        assertEquals("maxItems", irq.at("/properties/constraint").asText());
    }

    @Test
    void brokenAndCleanFilesAsJunit() throws Exception {
        Path p = broken();
        String clean = resource("lint/svm-hypervisor.dts").toString();
        Run r = run("lint", "-W", "no-simple_bus_reg", "--format", "junit", clean, p.toString());
        assertEquals(1, r.status());
        Document d = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8)));
        NodeList suites = d.getElementsByTagName("testsuite");
        assertEquals(2, suites.getLength());
        Element cleanSuite = (Element) suites.item(0);
        assertEquals(clean, cleanSuite.getAttribute("name"));
        assertEquals("1", cleanSuite.getAttribute("tests"));
        assertEquals("0", cleanSuite.getAttribute("failures"));
        assertEquals(0, cleanSuite.getElementsByTagName("failure").getLength());
        Element bad = (Element) suites.item(1);
        assertEquals(p.toString(), bad.getAttribute("name"));
        assertEquals(String.valueOf(BROKEN_FINDINGS), bad.getAttribute("tests"));
        assertEquals(String.valueOf(BROKEN_FINDINGS), bad.getAttribute("failures"));
        NodeList failures = bad.getElementsByTagName("failure");
        assertEquals(BROKEN_FINDINGS, failures.getLength());
        List<String> names = new ArrayList<>();
        NodeList cases = bad.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            names.add(((Element) cases.item(i)).getAttribute("name"));
            assertEquals(p.toString(), ((Element) cases.item(i)).getAttribute("classname"));
        }
        int[] pos = position(Files.readString(p), "interrupts = <0 928");
        assertTrue(
                names.contains(
                        "schema/maxItems /hypervisor/gunyah-resource-mgr@2:interrupts (" + pos[0] + ":" + pos[1] + ")"),
                names.toString());
        assertTrue(((Element) failures.item(0)).getAttribute("type").startsWith("schema/"));
    }

    @Test
    void dtbInputHasNoPositions() throws Exception {
        Path dts = broken();
        Compilation c = new Compiler(
                        CompileOptions.defaults().withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB))
                .compile(dts, null, "-");
        Path dtb = tmp.resolve("broken.dtb");
        Files.write(dtb, c.output());
        Run r = run("lint", "-W", "no-simple_bus_reg", "--format", "json", dtb.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode a = JSON.readTree(r.out());
        JsonNode vmid = find(a, "qcom,vmid");
        assertEquals(dtb.toString(), vmid.get("file").asText());
        assertTrue(vmid.get("line").isNull());
        assertTrue(vmid.get("column").isNull());
        assertEquals("/hypervisor/qcom,gunyah-vm", vmid.get("node").asText());
        assertEquals("required", vmid.get("constraint").asText());
    }

    @Test
    void unmatchedCompatibleWithDashM() throws Exception {
        String text = svm().replace(
                        "\tgic: interrupt-controller@3000000 {",
                        "\tuart@9000000 {\n\t\tcompatible = \"acme,uart\";\n\t\treg = <0x0 0x9000000 0x0 0x1000>;\n\t};\n\n"
                                + "\tgic: interrupt-controller@3000000 {");
        Path p = tmp.resolve("unmatched.dts");
        Files.writeString(p, text);
        Run without = run("lint", "-W", "no-simple_bus_reg", p.toString());
        assertEquals(0, without.status(), without.out());
        assertEquals("", without.out());
        Run r = run("lint", "-m", "-W", "no-simple_bus_reg", "--format", "json", p.toString());
        assertEquals(0, r.status()); // unmatched-compatible is a warning
        assertEquals(
                1,
                run("lint", "-m", "--fail-on", "warning", "-W", "no-simple_bus_reg", p.toString())
                        .status());
        JsonNode a = JSON.readTree(r.out());
        // arm,gic-v3 has no binding here either; the Gunyah nodes all match
        assertEquals(2, a.size(), r.out());
        JsonNode uart = a.get(0).get("node").asText().equals("/uart@9000000") ? a.get(0) : a.get(1);
        assertEquals("unmatched-compatible", uart.get("rule").asText());
        assertEquals("warning", uart.get("severity").asText());
        assertEquals("compatible", uart.get("property").asText());
        int[] pos = position(text, "compatible = \"acme,uart\"");
        assertEquals(pos[0], uart.get("line").asInt());
        assertEquals(
                "no binding matches compatible 'acme,uart'", uart.get("message").asText());
    }

    @Test
    void manyFilesInOneRunAndExtraBindingDirectories() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(dir.resolve("acme-uart.yaml"), """
                %YAML 1.2
                ---
                $id: http://devicetree.org/schemas/acme-uart.yaml#
                $schema: http://devicetree.org/meta-schemas/core.yaml#
                title: ACME UART
                maintainers:
                  - A <a@example.org>
                properties:
                  compatible:
                    const: acme,uart
                  reg:
                    maxItems: 1
                required:
                  - compatible
                  - reg
                  - clocks
                additionalProperties: true
                """);
        String text = svm().replace(
                        "\tgic: interrupt-controller@3000000 {",
                        "\tuart@9000000 {\n\t\tcompatible = \"acme,uart\";\n\t\treg = <0x0 0x9000000 0x0 0x1000>;\n\t};\n\n"
                                + "\tgic: interrupt-controller@3000000 {");
        Path p = tmp.resolve("uart.dts");
        Files.writeString(p, text);
        String clean = resource("lint/svm-hypervisor.dts").toString();
        Run r = run(
                "lint",
                "--bindings",
                dir.toString(),
                "-W",
                "no-simple_bus_reg",
                "--format",
                "json",
                clean,
                p.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode a = JSON.readTree(r.out());
        assertEquals(1, a.size(), r.out());
        assertEquals("/uart@9000000", a.get(0).get("node").asText());
        assertEquals("clocks", a.get(0).get("property").asText());
        assertEquals(
                dir.resolve("acme-uart.yaml").toString(), a.get(0).get("schema").asText());
    }

    @Test
    void exitStatusForUsageAndIoProblems() throws Exception {
        assertEquals(2, run("lint").status());
        assertEquals(
                2,
                run(
                                "lint",
                                "--format",
                                "xml",
                                resource("lint/svm-hypervisor.dts").toString())
                        .status());
        Run missing = run("lint", tmp.resolve("nope.dts").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("nope.dts: no such file"), missing.err());
        assertEquals(
                2,
                run(
                                "lint",
                                "--bindings",
                                tmp.resolve("nodir").toString(),
                                resource("lint/svm-hypervisor.dts").toString())
                        .status());
        // a missing file does not stop the others being linted
        Run mixed =
                run("lint", "-W", "no-simple_bus_reg", tmp.resolve("nope.dts").toString(), broken().toString());
        assertEquals(2, mixed.status());
        assertEquals(BROKEN_FINDINGS, mixed.out().lines().count(), mixed.out());
    }

    @Test
    void syntaxErrorIsAFatalFindingWithItsPosition() throws Exception {
        Path p = tmp.resolve("syntax.dts");
        Files.writeString(p, "/dts-v1/;\n/ {\n\tfoo = <1;\n};\n");
        Run r = run("lint", "--format", "json", p.toString());
        assertEquals(1, r.status());
        JsonNode a = JSON.readTree(r.out());
        assertEquals(1, a.size());
        assertEquals("fatal", a.get(0).get("rule").asText());
        assertEquals(3, a.get(0).get("line").asInt());
    }
}
