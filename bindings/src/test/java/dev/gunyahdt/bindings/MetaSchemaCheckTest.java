package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gunyahdt.bindings.yaml.YamlDocument;
import dev.gunyahdt.bindings.yaml.YamlLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MetaSchemaCheck} against the installed dt-schema's meta-schemas (Debian's {@code dt-schema}
 * 2022.08; CI installs it). Skipped, with the reason, where no dt-schema is installed.
 */
class MetaSchemaCheckTest {

    private static MetaSchemaCheck check;

    @BeforeAll
    static void load() throws Exception {
        Optional<DtSchema> dt = DtSchema.locate();
        assumeTrue(dt.isPresent(), "no installed dt-schema (python3 package dtschema): meta-schema tests skipped");
        check = MetaSchemaCheck.load(dt.get());
    }

    private static final String HEADER = """
            %YAML 1.2
            ---
            $id: http://devicetree.org/schemas/x.yaml#
            $schema: http://devicetree.org/meta-schemas/core.yaml#
            title: X
            maintainers:
              - A <a@example.org>
            """;

    private static List<Finding> run(String body) throws Exception {
        YamlDocument d = new YamlLoader().load("x.yaml", HEADER + body);
        return check.check(d, "x.yaml");
    }

    @Test
    void builtinBindingsAreClean() {
        for (BindingSet.Binding b : BindingSet.builtin().bindings().values()) {
            assertEquals(List.of(), check.check(b.source(), b.file()), b.file());
        }
    }

    /** The August 2022 shape: a YAML list under compatible; dt-doc-validate: "is not of type 'object', 'boolean'". */
    @Test
    void compatibleHoldingAListIsReportedAtItsLine() throws Exception {
        List<Finding> f = run("""
                properties:
                  compatible:
                    - items:
                        - const: qcom,gunyah-hypervisor-1.0
                        - const: qcom,gunyah-hypervisor
                additionalProperties: false
                """);
        assertEquals(1, f.size(), f.toString());
        Finding x = f.get(0);
        assertEquals("x.yaml", x.file());
        assertEquals(10, x.line()); // "    - items:"
        assertEquals(5, x.column());
        assertEquals("type", x.keyword());
        assertEquals("http://json-schema.org/draft-07/schema#/type", x.schemaLocation());
        assertEquals(
                "/properties/compatible: array found, [object, boolean] expected"
                        + " (meta-schema http://json-schema.org/draft-07/schema)",
                x.message());
    }

    @Test
    void unknownTopLevelKeyIsReportedAtTheKey() throws Exception {
        List<Finding> f = run("""
                properties:
                  compatible:
                    const: acme,x
                compatibles: acme,x
                additionalProperties: false
                """);
        assertEquals(1, f.size(), f.toString());
        assertEquals(11, f.get(0).line());
        assertEquals("propertyNames", f.get(0).keyword());
        assertEquals(
                "http://devicetree.org/meta-schemas/base.yaml#/propertyNames",
                f.get(0).schemaLocation());
        assertTrue(
                f.get(0)
                        .message()
                        .startsWith("property 'compatibles' name is not valid: does not have a value"
                                + " in the enumeration [\"$id\", \"$schema\""),
                f.get(0).message());
        assertTrue(
                f.get(0).message().endsWith("(meta-schema base.yaml)"), f.get(0).message());
    }

    @Test
    void vendorPropertyWithoutTypeIsOneOfFailure() throws Exception {
        List<Finding> f = run("""
                properties:
                  compatible:
                    const: acme,x
                  acme,untyped:
                    description: has no type
                  acme,typed:
                    description: has a type
                    $ref: /schemas/types.yaml#/definitions/uint32
                  acme,clock-names:
                    description: a vendor names list needs only a description
                additionalProperties: false
                """);
        assertEquals(1, f.size(), f.toString());
        Finding x = f.get(0);
        assertEquals(12, x.line()); // "    description: has no type", the schema's first node
        assertEquals("oneOf", x.keyword());
        assertEquals(
                "http://devicetree.org/meta-schemas/vendor-props.yaml#/additionalProperties/oneOf", x.schemaLocation());
        assertTrue(
                x.message()
                        .startsWith("'oneOf' conditional failed, one must be fixed: /properties/acme,untyped:"
                                + " required property 'type' not found"),
                x.message());
    }

    /** networknt skips '#'-names under additionalProperties (networknt-notes trap 1); the prepared meta-schemas do not. */
    @Test
    void hashPropertySchemasAreChecked() throws Exception {
        List<Finding> f = run("""
                properties:
                  '#acme-cells':
                    const: 1
                    maxItems: 1
                additionalProperties: false
                """);
        assertEquals(
                List.of(
                        "propertyNames at http://devicetree.org/meta-schemas/keywords.yaml#/definitions/scalar-prop-list/propertyNames",
                        "propertyNames at http://devicetree.org/meta-schemas/cell.yaml#/single/propertyNames"),
                f.stream().map(x -> x.keyword() + " at " + x.schemaLocation()).toList());
        assertEquals(List.of(10, 11), f.stream().map(Finding::line).toList());
    }

    @Test
    void coreMetaSchemaWantsAdditionalOrUnevaluatedProperties() throws Exception {
        List<Finding> f = run("""
                properties:
                  compatible:
                    const: acme,x
                """);
        assertEquals(1, f.size(), f.toString());
        assertEquals("oneOf", f.get(0).keyword());
        assertEquals(
                "http://devicetree.org/meta-schemas/core.yaml#/allOf/1/oneOf",
                f.get(0).schemaLocation());
        assertEquals(3, f.get(0).line()); // the document mapping starts at $id
    }

    /** python-jsonschema's format checker: 'email' wants an '@', 'regex' must compile; networknt's formats are off. */
    @Test
    void emailAndRegexFormats() throws Exception {
        YamlDocument d = new YamlLoader().load("x.yaml", """
                $id: http://devicetree.org/schemas/x.yaml#
                $schema: http://devicetree.org/meta-schemas/core.yaml#
                title: X
                maintainers:
                  - Nobody
                properties:
                  acme,pat:
                    description: a pattern that does not compile
                    $ref: /schemas/types.yaml#/definitions/string
                    pattern: '^(unclosed'
                patternProperties:
                  '^a{,2}$': true
                  '^b(': true
                additionalProperties: false
                """);
        List<String> got = check.check(d, "x.yaml").stream()
                .map(f -> f.line() + ":" + f.column() + " " + f.keyword() + " " + f.message())
                .toList();
        assertEquals(
                List.of(
                        "5:5 format /maintainers/0: 'Nobody' is not a 'email' (meta-schema base.yaml)",
                        "10:14 format /properties/acme,pat/pattern: '^(unclosed' is not a 'regex'"
                                + " (meta-schema http://json-schema.org/draft-07/schema)",
                        "13:10 format /patternProperties: '^b(' is not a 'regex' (meta-schema http://json-schema.org/draft-07/schema)"),
                got); // Python's {,2} is a regex
    }

    /** dt-doc-validate: "Error in referenced schema matching $id" for the first $ref'd binding failing its meta-schema. */
    @Test
    void referencedBindingFailingItsMetaSchema(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), HEADER.replace("x.yaml", "bad.yaml") + """
                properties:
                  compatible:
                    - const: acme,bad
                  child:
                    $ref: '#/$defs/child'
                $defs:
                  child:
                    type: object
                additionalProperties: false
                """);
        Files.writeString(dir.resolve("good.yaml"), HEADER.replace("x.yaml", "good.yaml") + """
                properties:
                  compatible:
                    const: acme,good
                  child:
                    $ref: bad.yaml#
                  other:
                    $ref: /schemas/bad.yaml#
                additionalProperties: false
                """);
        BindingSet set = BindingSet.load(List.of(dir), true);
        BindingSet.Binding good = set.bindings().get("good.yaml");
        assertEquals(List.of(), check.check(good.source(), good.file()));
        List<Finding> f = check.checkReferences(good.source(), good.file(), set);
        assertEquals(1, f.size(), f.toString());
        assertEquals(12, f.get(0).line()); // the first $ref
        assertEquals("$ref", f.get(0).keyword());
        assertEquals(
                "referenced binding http://devicetree.org/schemas/bad.yaml fails its meta-schema: "
                        + dir.resolve("bad.yaml")
                        + ":10:5: /properties/compatible: array found, [object, boolean] expected"
                        + " (meta-schema http://json-schema.org/draft-07/schema)",
                f.get(0).message());
        // a local '#/…' is resolved through the $id too, so a failing document refers to a failing binding
        BindingSet.Binding bad = set.bindings().get("bad.yaml");
        List<Finding> self = check.checkReferences(bad.source(), bad.file(), set);
        assertEquals(
                List.of("12:11 referenced binding http://devicetree.org/schemas/bad.yaml fails its meta-schema"),
                self.stream()
                        .map(x ->
                                x.line() + ":" + x.column() + " " + x.message().replaceAll(": /.*", ""))
                        .toList());
    }

    @Test
    void otherSchemaDialectIsLeftToMetaChecks() throws Exception {
        YamlDocument d = new YamlLoader().load("y.yaml", """
                $id: http://devicetree.org/schemas/y.yaml#
                $schema: http://json-schema.org/draft/2019-09/schema
                wrong: 1
                """);
        assertEquals(List.of(), check.check(d, "y.yaml"));
    }
}
