package dev.gunyahdt.cli;

import static dev.gunyahdt.cli.LintCommandTest.JSON;
import static dev.gunyahdt.cli.LintCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
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

/** The shape of lint's output (issue 16, item 4): merged findings, dt-validate's regex message, JUnit per input. */
class LintOutputTest {

    @TempDir
    Path tmp;

    private static String binding(String name, String body) {
        return "%YAML 1.2\n---\n$id: http://devicetree.org/schemas/" + name + "#\n"
                + "$schema: http://devicetree.org/meta-schemas/core.yaml#\ntitle: " + name + "\n"
                + "maintainers:\n  - A <a@example.org>\n" + body;
    }

    private Path bindings(String... nameAndBody) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b"));
        for (int i = 0; i < nameAndBody.length; i += 2) {
            Files.writeString(dir.resolve(nameAndBody[i]), binding(nameAndBody[i], nameAndBody[i + 1]));
        }
        return dir;
    }

    private Path dts(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, body);
        return p;
    }

    private static final String UART = "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
            + "\tuart@1000 {\n\t\tcompatible = \"acme,uart\";\n\t\treg = <0x1000 0x100>;\n\t\tacme,speed = <5>;\n\t};\n};\n";

    @Test
    void oneFindingPerNodePropertyConstraintListingEveryBinding() throws Exception {
        String body = "properties:\n  compatible:\n    const: acme,uart\nrequired:\n  - compatible\n  - clocks\n"
                + "additionalProperties: true\n";
        Path dir = bindings("acme-a.yaml", body, "acme-b.yaml", body);
        Path p = dts("uart.dts", UART);
        LintCommandTest.Run r = run("lint", "--bindings", dir.toString(), "--format", "json", p.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode a = JSON.readTree(r.out());
        assertEquals(1, a.size(), r.out()); // not one per binding
        JsonNode f = a.get(0);
        assertEquals("clocks", f.get("property").asText());
        assertEquals("required", f.get("constraint").asText());
        assertEquals(
                List.of(
                        dir.resolve("acme-a.yaml").toString(),
                        dir.resolve("acme-b.yaml").toString()),
                strings(f.get("bindings")));
        assertEquals(dir.resolve("acme-a.yaml").toString(), f.get("schema").asText());
        assertEquals("'clocks' is a required property", f.get("message").asText());

        // SARIF: one result under the constraint's rule, every binding in its properties
        JsonNode sarif = JSON.readTree(run("lint", "--bindings", dir.toString(), "--format", "sarif", p.toString())
                .out());
        JsonNode results = sarif.at("/runs/0/results");
        assertEquals(1, results.size(), sarif.toString());
        assertEquals("schema/required", results.get(0).get("ruleId").asText());
        assertEquals(
                List.of(
                        dir.resolve("acme-a.yaml").toString(),
                        dir.resolve("acme-b.yaml").toString()),
                strings(results.get(0).at("/properties/bindings")));
        JsonNode rule = sarif.at(
                "/runs/0/tool/driver/rules/" + results.get(0).get("ruleIndex").asInt());
        assertEquals("schema/required", rule.get("id").asText());
        assertTrue(rule.at("/help/text").asText().startsWith("Add the property"), rule.toString());

        String text = run("lint", "--bindings", dir.toString(), p.toString()).out();
        assertTrue(
                text.endsWith("; bindings " + dir.resolve("acme-a.yaml") + ", " + dir.resolve("acme-b.yaml") + "]\n"),
                text);
        assertTrue(text.contains(": error: /uart@1000: clocks: 'clocks' is a required property ["), text);
    }

    @Test
    void aPropertyNoRegexMatchesNamesTheRegexesAsDtValidate() throws Exception {
        Path dir = bindings(
                "acme-uart.yaml",
                "properties:\n  compatible:\n    const: acme,uart\n  reg:\n    maxItems: 1\n"
                        + "patternProperties:\n  '^acme,baud-[0-9]+$': true\n  \"^it's\\\\.\": true\nadditionalProperties: false\n");
        LintCommandTest.Run r = run(
                "lint",
                "--bindings",
                dir.toString(),
                "--format",
                "json",
                dts("uart.dts", UART).toString());
        JsonNode a = JSON.readTree(r.out());
        assertEquals(1, a.size(), r.out());
        assertEquals("additionalProperties", a.get(0).get("constraint").asText());
        assertEquals("acme,speed", a.get(0).get("property").asText());
        // python-jsonschema's text: sorted regexes, each as Python's repr (backslashes doubled, "…" around a ')
        // (dt-mk-schema adds pinctrl-[0-9]+ to every binding)
        assertEquals(
                "'acme,speed' does not match any of the regexes: '^acme,baud-[0-9]+$', \"^it's\\\\.\", 'pinctrl-[0-9]+'",
                a.get(0).get("message").asText());

        // dt-mk-schema gives every closed node schema pinctrl-[0-9]+, a child node's too; dt-validate 2022.08 on
        // this binding and tree prints "uart@1000: port: 'b' does not match any of the regexes: 'pinctrl-[0-9]+'"
        Path closed = Files.createDirectories(tmp.resolve("c"));
        Files.writeString(
                closed.resolve("acme-uart.yaml"),
                binding(
                        "acme-uart.yaml",
                        "properties:\n  compatible:\n    const: acme,uart\n  reg:\n    maxItems: 1\n"
                                + "  port:\n    type: object\n    properties:\n      a: true\n    additionalProperties: false\n"
                                + "additionalProperties: false\n"));
        Path withPort =
                dts("port.dts", UART.replace("\t\tacme,speed = <5>;\n", "\t\tport {\n\t\t\tb = <1>;\n\t\t};\n"));
        JsonNode c = JSON.readTree(run("lint", "--bindings", closed.toString(), "--format", "json", withPort.toString())
                .out());
        assertEquals(1, c.size(), c.toString());
        assertEquals(
                "'b' does not match any of the regexes: 'pinctrl-[0-9]+'",
                c.get(0).get("message").asText());
        assertEquals("/uart@1000/port", c.get(0).get("node").asText());
    }

    @Test
    void junitGroupsFindingsByInputAndWarningsDoNotFail() throws Exception {
        Path dir = bindings(
                "acme-uart.yaml",
                "properties:\n  compatible:\n    const: acme,uart\n"
                        + "required:\n  - clocks\nadditionalProperties: true\n");
        // the failing node comes from an included file: its finding names that file but belongs to the input
        Files.writeString(
                tmp.resolve("soc.dtsi"),
                "/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
                        + "\tuart@1000 {\n\t\tcompatible = \"acme,uart\";\n\t\treg = <0x1000 0x100>;\n\t};\n};\n");
        Path board = dts("board.dts", "/dts-v1/;\n#include \"soc.dtsi\"\n/ {\n\tmodel = \"m\";\n};\n");
        // only a dtc warning (unit address without reg)
        Path warn = dts("warn.dts", "/dts-v1/;\n/ {\n\tfoo@1 {\n\t};\n};\n");
        LintCommandTest.Run r =
                run("lint", "--bindings", dir.toString(), "--format", "junit", board.toString(), warn.toString());
        assertEquals(1, r.status(), r.err());
        Document d = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8)));
        NodeList suites = d.getElementsByTagName("testsuite");
        assertEquals(2, suites.getLength(), r.out());
        Element b = (Element) suites.item(0);
        assertEquals(board.toString(), b.getAttribute("name"));
        assertEquals("1", b.getAttribute("failures"));
        assertTrue(
                ((Element) b.getElementsByTagName("testcase").item(0))
                        .getAttribute("name")
                        .contains("(" + tmp.resolve("soc.dtsi") + ":4:"),
                r.out());
        Element w = (Element) suites.item(1);
        assertEquals(warn.toString(), w.getAttribute("name"));
        assertEquals("0", w.getAttribute("failures"));
        assertEquals(0, w.getElementsByTagName("failure").getLength());
        assertEquals(1, w.getElementsByTagName("system-out").getLength());
        assertEquals("1", d.getDocumentElement().getAttribute("failures"));

        LintCommandTest.Run strict = run("lint", "--fail-on", "warning", "--format", "junit", warn.toString());
        assertEquals(1, strict.status());
        assertTrue(
                strict.out().contains("<testsuites name=\"gunyah-dt lint\" tests=\"1\" failures=\"1\""), strict.out());
    }

    @Test
    void aBindingReportedNotUsedIsNotApplied() throws Exception {
        Path dir = bindings(
                "acme-uart.yaml",
                "properties:\n  compatible:\n    const: acme,uart\n"
                        + "  clocks:\n    $ref: /schemas/acme-missing.yaml#\nrequired:\n  - clocks\nadditionalProperties: true\n");
        LintCommandTest.Run r =
                run("lint", "--bindings", dir.toString(), dts("uart.dts", UART).toString());
        assertTrue(r.err().contains("gunyah-dt lint: binding not used: " + dir.resolve("acme-uart.yaml")), r.err());
        assertEquals("", r.out()); // its 'clocks' requirement is not applied
        assertEquals(0, r.status());
    }

    @Test
    void summaryCountsFilesErrorsAndWarnings() throws Exception {
        Path dir = bindings(
                "acme-uart.yaml",
                "properties:\n  compatible:\n    const: acme,uart\n"
                        + "required:\n  - clocks\nadditionalProperties: true\n");
        Path warn = dts("warn.dts", "/dts-v1/;\n/ {\n\tfoo@1 {\n\t};\n};\n");
        LintCommandTest.Run r = run(
                "lint",
                "--bindings",
                dir.toString(),
                "--format",
                "json",
                dts("uart.dts", UART).toString(),
                warn.toString());
        assertTrue(r.err().matches("(?s).*gunyah-dt lint: 2 files, 1 error, 1 warning in \\d+\\.\\d s\n"), r.err());
        JSON.readTree(r.out()); // stdout stays one JSON document
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }
}
