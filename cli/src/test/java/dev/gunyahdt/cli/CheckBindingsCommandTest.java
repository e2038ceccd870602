package dev.gunyahdt.cli;

import static dev.gunyahdt.cli.LintCommandTest.JSON;
import static dev.gunyahdt.cli.LintCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gunyah-dt check-bindings} on the Gunyah bindings and on broken binding documents. */
class CheckBindingsCommandTest {

    /** The module's own bindings, as files (tests run in cli/). */
    static final Path GUNYAH = Path.of("../bindings/src/main/resources/bindings");

    @TempDir
    Path tmp;

    static final String HEADER = """
            # SPDX-License-Identifier: BSD-3-Clause
            %YAML 1.2
            ---
            $id: http://devicetree.org/schemas/NAME.yaml#
            $schema: http://devicetree.org/meta-schemas/core.yaml#

            title: A test binding

            maintainers:
              - Someone <someone@example.org>

            """;

    Path binding(String name, String body) throws Exception {
        Path p = tmp.resolve(name + ".yaml");
        Files.writeString(p, HEADER.replace("NAME", name) + body);
        return p;
    }

    static JsonNode json(Run r) throws Exception {
        return JSON.readTree(r.out());
    }

    record Run(int status, String out, String err) {}

    static Run check(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "check-bindings";
        System.arraycopy(args, 0, all, 1, args.length);
        LintCommandTest.Run r = run(all);
        return new Run(r.status(), r.out(), r.err());
    }

    @Test
    void gunyahBindingsAreClean() throws Exception {
        // every built-in binding, its examples compiled with dt_binding_check's flags and validated; the
        // hypervisor example is the RM's /hypervisor shape, which dtc's simple_bus_reg warns about (as
        // dt_binding_check would), so that check is off here as in the lint tests
        Run r = check("--format", "json", "-W", "no-simple_bus_reg", GUNYAH.toString());
        assertEquals("[]", json(r).toString(), r.out());
        assertEquals(0, r.status());
        Run text = check("-W", "no-simple_bus_reg", GUNYAH.toString());
        assertEquals("", text.out());
        assertEquals(0, text.status());
    }

    @Test
    void singleGunyahFileIsPlacedByItsId() {
        Run r = check(
                "-W",
                "no-simple_bus_reg",
                GUNYAH.resolve("gunyah-hypervisor.yaml").toString());
        assertEquals("", r.out());
        assertEquals(0, r.status());
    }

    /** Issue 3 acceptance 1: the August 2022 shape, a YAML list under compatible, is rejected at its line. */
    @Test
    void compatibleHoldingAListIsRejectedWithItsLine() throws Exception {
        Path p = binding("list-compat", """
                properties:
                  compatible:
                    - items:
                        - const: qcom,gunyah-hypervisor-1.0
                        - const: qcom,gunyah-hypervisor

                required:
                  - compatible

                additionalProperties: false
                """);
        Run r = check("--format", "json", p.toString());
        assertEquals(1, r.status());
        JsonNode a = json(r);
        assertEquals(1, a.size(), r.out());
        JsonNode f = a.get(0);
        assertEquals(p.toString(), f.get("file").asText());
        assertEquals("meta", f.get("rule").asText());
        assertEquals(14, f.get("line").asInt()); // "    - items:"
        assertEquals(5, f.get("column").asInt());
        assertTrue(
                f.get("message").asText().startsWith("property 'compatible' holds a YAML list, not a schema"),
                f.toString());
        Run text = check(p.toString());
        assertEquals(
                p + ":14:5: error: property 'compatible' holds a YAML list, not a schema (write its list under"
                        + " 'items:', 'enum:', 'oneOf:' or 'anyOf:') [meta]\n",
                text.out());
    }

    /** dt-doc-validate 2022.08 meta-checks {@code definitions} but not {@code $defs} (a draft-07 meta-schema). */
    @Test
    void aListUnderDefsIsNotMetaCheckedButUnderDefinitionsItIs() throws Exception {
        String state = """
                  pinstate:
                    type: object
                    properties:
                      vendor,paired:
                        - description: a list where a schema belongs
                properties:
                  compatible:
                    const: vendor,foo

                required:
                  - compatible

                additionalProperties: false
                """;
        Path defs = binding("list-in-defs", "$defs:\n" + state);
        Run r = check(defs.toString());
        assertEquals(0, r.status(), r.out());
        Path definitions = binding("list-in-definitions", "definitions:\n" + state);
        Run d = check(definitions.toString());
        assertEquals(1, d.status());
        assertTrue(d.out().contains("property 'vendor,paired' holds a YAML list, not a schema"), d.out());
    }

    private static void assumeDtSchema() {
        assumeTrue(
                dev.gunyahdt.bindings.DtSchema.locate().isPresent(),
                "no installed dt-schema (python3 package dtschema): --dtschema tests skipped");
    }

    /** With the installed meta-schemas the same shape is a meta-schema finding too, at the same line. */
    @Test
    void dtschemaMetaSchemasRejectTheListAtItsLine() throws Exception {
        assumeDtSchema();
        Path p = binding("list-compat", """
                properties:
                  compatible:
                    - items:
                        - const: qcom,gunyah-hypervisor-1.0
                additionalProperties: false
                """);
        Run r = check("--dtschema", "auto", "--format", "json", p.toString());
        assertEquals(1, r.status(), r.err());
        List<String> got = new ArrayList<>();
        for (JsonNode f : json(r)) {
            got.add(f.get("line").asInt() + ":" + f.get("column").asInt() + " "
                    + f.get("rule").asText() + " " + f.get("constraint").asText() + " "
                    + f.get("schemaLocation").asText());
        }
        assertEquals(
                List.of("14:5 meta null null", "14:5 meta-schema type http://json-schema.org/draft-07/schema#/type"),
                got);
        Run text = check("--dtschema", "auto", p.toString());
        assertTrue(
                text.out()
                        .contains(p + ":14:5: error: /properties/compatible: array found, [object, boolean]"
                                + " expected (meta-schema http://json-schema.org/draft-07/schema) [meta-schema: type at"
                                + " http://json-schema.org/draft-07/schema#/type]\n"),
                text.out());
    }

    @Test
    void dtschemaGunyahBindingsHaveNoMetaSchemaFinding() throws Exception {
        assumeDtSchema();
        Run r = check("--dtschema", "auto", "--format", "json", "-W", "no-simple_bus_reg", GUNYAH.toString());
        List<String> rules = new ArrayList<>();
        for (JsonNode f : json(r)) {
            rules.add(f.get("rule").asText() + " " + f.get("schema").asText());
        }
        // only the hypervisor example's known conflicts with dt-schema's simple-bus.yaml (bindings README)
        assertEquals(
                List.of(), rules.stream().filter(x -> !x.startsWith("example ")).toList(), r.out());
        assertEquals(4, rules.size(), r.out());
    }

    @Test
    void dtschemaNotInstalledThereIsAUsageError() throws Exception {
        Run r = check("--dtschema", tmp.toString(), GUNYAH.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(
                r.err().contains("--dtschema " + tmp + ": not a dt-schema package folder (no schemas/types.yaml)"),
                r.err());
    }

    @Test
    void metaSchemaBasics() throws Exception {
        Path p = tmp.resolve("meta.yaml");
        Files.writeString(p, """
                %YAML 1.2
                ---
                $id: http://devicetree.org/schemas/meta.yaml#
                $schema: http://json-schema.org/draft/2019-09/schema

                compatibles: wrong-key

                properties:
                  compatible:
                    const: acme,meta
                  acme,untyped:
                    description: has no type
                  acme,typed:
                    description: has a type
                    $ref: /schemas/types.yaml#/definitions/uint32
                  acme,flag:
                    type: boolean
                    description: a flag
                  acme,mode:
                    enum: [ fast, slow ]
                    description: a string choice
                  vdd-supply: true

                additionalProperties: false
                """);
        Run r = check("--format", "json", p.toString());
        assertEquals(1, r.status());
        List<String> got = new ArrayList<>();
        for (JsonNode f : json(r)) {
            got.add(f.get("line").asInt() + ":" + f.get("column").asInt() + " "
                    + f.get("rule").asText() + " " + f.get("message").asText().replaceAll(" \\(.*|;.*|:.*", ""));
        }
        assertEquals(
                List.of(
                        "4:10 meta '$schema' is 'http",
                        "3:1 meta 'title' is missing or not a string",
                        "3:1 meta 'maintainers' is missing",
                        "6:14 meta top-level key 'compatibles' is not allowed in a binding",
                        "12:5 meta vendor property 'acme,untyped' needs a type"),
                got);
    }

    @Test
    void unresolvedReferenceCycleAndBadYaml() throws Exception {
        Path missing = binding("missing", """
                properties:
                  compatible:
                    const: acme,missing
                  acme,x:
                    description: refers to nothing
                    $ref: /schemas/nowhere.yaml#/definitions/x
                additionalProperties: false
                """);
        binding("a", "allOf:\n  - $ref: b.yaml#\n");
        binding("b", "allOf:\n  - $ref: a.yaml#\n");
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "%YAML 1.2\n---\n$id: [unclosed\n");
        Run r = check("--no-examples", "--format", "json", tmp.toString());
        assertEquals(1, r.status());
        List<String> got = new ArrayList<>();
        for (JsonNode f : json(r)) {
            got.add(Path.of(f.get("file").asText()).getFileName() + ":"
                    + f.get("line").asInt() + " " + f.get("rule").asText());
        }
        assertTrue(got.contains("missing.yaml:17 $ref"), got.toString());
        assertTrue(got.contains("a.yaml:13 $ref-cycle"), got.toString());
        assertTrue(got.stream().anyMatch(s -> s.startsWith("bad.yaml:") && s.endsWith(" yaml")), got.toString());
        JsonNode cycle = null;
        for (JsonNode f : json(r)) {
            if (f.get("rule").asText().equals("$ref-cycle")) {
                cycle = f;
            }
        }
        assertEquals(
                "$ref cycle: a.yaml -> b.yaml -> a.yaml", cycle.get("message").asText());
    }

    @Test
    void failingExampleNamesBindingExampleIndexAndLine() throws Exception {
        Path p = binding("acme-widget", """
                properties:
                  compatible:
                    const: acme,widget
                  reg:
                    maxItems: 1
                  interrupts:
                    maxItems: 1

                required:
                  - compatible
                  - reg

                additionalProperties: false

                examples:
                  - |
                    widget@1000 {
                        compatible = "acme,widget";
                        reg = <0x1000 0x10>;
                        interrupts = <0 5 4>;
                    };
                  - |
                    widget@2000 {
                        compatible = "acme,widget";
                        reg = <0x2000 0x10>, <0x3000 0x10>;
                        interrupts = <0 6 4>, <0 7 4>;
                        acme,unknown = <1>;
                    };
                """);
        Run r = check("--format", "json", p.toString());
        assertEquals(1, r.status(), r.out());
        List<String> got = new ArrayList<>();
        for (JsonNode f : json(r)) {
            assertEquals("example", f.get("rule").asText());
            assertEquals(p.toString(), f.get("schema").asText());
            got.add(f.get("line").asInt() + ":" + f.get("column").asInt() + " "
                    + f.get("node").asText() + " "
                    + f.get("property").asText() + " " + f.get("constraint").asText() + " "
                    + f.get("message").asText().substring(0, 10));
        }
        // example 1 starts on line 34 ("    widget@2000 {"); its reg is on 36, interrupts 37, acme,unknown 38
        assertEquals(
                List.of(
                        "36:9 /example-1/widget@2000 reg maxItems example 1:",
                        "37:9 /example-1/widget@2000 interrupts maxItems example 1:",
                        "38:9 /example-1/widget@2000 acme,unknown additionalProperties example 1:"),
                got);
    }

    @Test
    void usageProblems() {
        assertEquals(2, check().status());
        assertEquals(2, check(tmp.resolve("none").toString()).status());
    }

    /** Issue 16: a subdirectory or a single file resolves its $refs and reads its $id through the schema root. */
    @Test
    void aSubdirectoryOrAFileIsCheckedAgainstItsSchemaRoot(@org.junit.jupiter.api.io.TempDir Path root)
            throws Exception {
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        String head = "%YAML 1.2\n---\n$schema: http://devicetree.org/meta-schemas/core.yaml#\n"
                + "maintainers:\n  - A <a@example.org>\n";
        Files.writeString(
                root.resolve("b/common.yaml"),
                head + "$id: http://devicetree.org/schemas/b/common.yaml#\n"
                        + "title: Common\nselect: false\nproperties:\n  acme,speed:\n    description: speed\n"
                        + "    $ref: /schemas/types.yaml#/definitions/uint32\nadditionalProperties: true\n");
        Files.writeString(
                root.resolve("a/uart.yaml"),
                head + "$id: http://devicetree.org/schemas/a/uart.yaml#\n"
                        + "title: UART\nallOf:\n  - $ref: /schemas/b/common.yaml#\nproperties:\n  compatible:\n"
                        + "    const: acme,uart\nunevaluatedProperties: false\n");
        for (String[] args : List.of(
                new String[] {root.resolve("a").toString()},
                new String[] {"-u", root.toString(), root.resolve("a").toString()},
                new String[] {root.resolve("a/uart.yaml").toString()})) {
            Run r = check(args);
            assertEquals("", r.out(), String.join(" ", args));
            assertEquals(0, r.status());
        }
        // the same file checked as its own root: its $id and $ref are wrong there, as before
        Run own = check("-u", root.resolve("a").toString(), root.resolve("a").toString());
        assertTrue(own.out().contains("[$id]") && own.out().contains("[$ref]"), own.out());
        assertEquals(
                2, check("-u", root.resolve("nope").toString(), root.toString()).status());
    }
}
