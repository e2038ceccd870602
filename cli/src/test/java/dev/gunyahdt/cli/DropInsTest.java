package dev.gunyahdt.cli;

import static dev.gunyahdt.cli.LintCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dt-schema drop-ins the kernel's Makefiles call (issue 16, item 2). */
class DropInsTest {

    @TempDir
    Path tmp;

    private Path bindings() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bindings"));
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
                  - clocks
                additionalProperties: true
                examples:
                  - |
                    #define BASE 0x1000
                    uart@1000 {
                        compatible = "acme,uart";
                        reg = <BASE 0x100>;
                    };
                  - |
                    uart@2000 {
                        compatible = "acme,uart";
                        reg = <(BASE + 0x1000) 0x100>;
                    };
                """);
        return dir;
    }

    private Path dts() throws Exception {
        Path p = tmp.resolve("board.dts");
        Files.writeString(
                p,
                "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tuart@1000 {\n"
                        + "\t\tcompatible = \"acme,uart\";\n\t\treg = <0x1000 0x100>;\n\t};\n\tfoo@1 {\n\t};\n};\n");
        return p;
    }

    @Test
    void dtValidatePrintsBindingFindingsAsDtValidateDoesThroughADtMkSchemaCache() throws Exception {
        Path dir = bindings();
        Path list = tmp.resolve("list");
        Files.writeString(list, dir.resolve("acme-uart.yaml") + "\n");
        Path processed = tmp.resolve("processed-schema.json");
        LintCommandTest.Run mk = run("dt-mk-schema", "-j", "-u", "-o", processed.toString(), "@" + list);
        assertEquals(0, mk.status(), mk.err());
        assertTrue(Files.size(processed) > 0);

        LintCommandTest.Run r = run("dt-validate", "-u", dir.toString(), "-p", processed.toString(), dts().toString());
        assertEquals(0, r.status(), r.err()); // dt-validate's status does not count failures
        // the binding's finding with its "From schema" line; dtc's unit_address_vs_reg warning is dtc's to print
        // (with dt-schema installed, its root-node.yaml findings on this bare root come too, as from dt-validate)
        assertTrue(
                r.out()
                        .contains(dts() + ": /uart@1000: 'clocks' is a required property\n\tFrom schema: "
                                + dir.resolve("acme-uart.yaml") + "\n"),
                r.out());
        assertTrue(!r.out().contains("unit_address_vs_reg"), r.out());
    }

    /** dt-mk-schema reports a binding it leaves out, not one kept with a $ref to nothing (dt-doc-validate's to report). */
    @Test
    void dtMkSchemaReportsOnlyTheBindingsItLeavesOut() throws Exception {
        Path dir = bindings();
        Files.writeString(
                dir.resolve("acme-dangling.yaml"),
                Files.readString(dir.resolve("acme-uart.yaml"))
                        .replace("acme-uart.yaml", "acme-dangling.yaml")
                        .replace("const: acme,uart", "const: acme,dangling")
                        .replace("  reg:\n", "  clocks:\n    $ref: /schemas/acme-missing.yaml#\n  reg:\n"));
        Files.writeString(
                dir.resolve("acme-broken.yaml"),
                "$id: http://devicetree.org/schemas/acme-broken.yaml#\n" + "title: [unclosed\n");
        LintCommandTest.Run mk = run(
                "dt-mk-schema",
                "-j",
                "-o",
                tmp.resolve("p.cache").toString(),
                dir.resolve("acme-uart.yaml").toString());
        assertEquals(0, mk.status(), mk.err());
        assertTrue(mk.err().contains("acme-broken.yaml") && mk.err().contains("(binding left out)"), mk.err());
        // with dt-schema's core, references are lenient as dt-schema's (the binding is kept); without it, strict
        assertEquals(
                dev.gunyahdt.bindings.DtSchema.locate().isEmpty(), mk.err().contains("acme-dangling.yaml"), mk.err());
    }

    @Test
    void aProcessedSchemaThatIsNotOursIsNeverOverwritten() throws Exception {
        Path dir = bindings();
        Path processed = tmp.resolve("processed-schema.json");
        Files.writeString(processed, "{\"dt-mk-schema\": \"output\"}");
        LintCommandTest.Run r = run("dt-validate", "-u", dir.toString(), "-p", processed.toString(), dts().toString());
        assertTrue(r.out().contains("'clocks' is a required property"), r.out());
        assertEquals("{\"dt-mk-schema\": \"output\"}", Files.readString(processed));
    }

    @Test
    void dtExtractExampleWritesEveryExampleAsOneSource() throws Exception {
        LintCommandTest.Run r =
                run("dt-extract-example", bindings().resolve("acme-uart.yaml").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("/dts-v1/;\n/plugin/;"), r.out());
        assertTrue(r.out().contains("example-0 {") && r.out().contains("example-1 {"), r.out());
        // the second example uses the first one's #define: one source, as dt_binding_check compiles it
        Path dts = tmp.resolve("ex.dts");
        Files.writeString(dts, r.out());
        assertEquals(
                0,
                run("dtc", "-q", "-O", "dtb", "-o", tmp.resolve("ex.dtb").toString(), dts.toString())
                        .status());
    }

    /** A binding without examples still gives a source dtc compiles (dt_binding_check builds a blob for every file). */
    @Test
    void dtExtractExampleOfABindingWithoutExamplesIsAnEmptyRoot() throws Exception {
        Path dir = bindings();
        Path none = dir.resolve("acme-none.yaml");
        Files.writeString(
                none,
                Files.readString(dir.resolve("acme-uart.yaml"))
                        .replaceAll("(?s)examples:.*", "")
                        .replace("acme-uart.yaml", "acme-none.yaml"));
        LintCommandTest.Run r = run("dt-extract-example", none.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("compatible = \"foo\";") && !r.out().contains("example-0"), r.out());
        Path dts = tmp.resolve("none.dts");
        Files.writeString(dts, r.out());
        LintCommandTest.Run dtc =
                run("dtc", "-q", "-O", "dtb", "-o", tmp.resolve("none.dtb").toString(), dts.toString());
        assertEquals(0, dtc.status(), dtc.err());
    }

    @Test
    void dtDocValidateChecksDocumentsWithoutExamples() throws Exception {
        Path dir = bindings();
        Files.writeString(dir.resolve("bad.yaml"), "$id: http://devicetree.org/schemas/bad.yaml#\ntitle: x\n");
        LintCommandTest.Run r = run(
                "dt-doc-validate", "-u", dir.toString(), dir.resolve("bad.yaml").toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("bad.yaml"), r.out());
        assertEquals(
                0,
                run(
                                "dt-doc-validate",
                                "-u",
                                dir.toString(),
                                dir.resolve("acme-uart.yaml").toString())
                        .status());
    }
}
