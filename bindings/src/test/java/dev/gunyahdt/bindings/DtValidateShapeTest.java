package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gunyahdt.dt.DeviceTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Findings shaped as dt-validate 2022.08 reports them (bindings/README.md, "How dt-validate reports"). */
class DtValidateShapeTest {

    @TempDir
    Path dir;

    private void binding(String path, String body) throws Exception {
        Files.writeString(
                dir.resolve(path),
                "%YAML 1.2\n---\n$id: http://devicetree.org/schemas/" + path + "#\n"
                        + "$schema: http://devicetree.org/meta-schemas/core.yaml#\ntitle: t\n" + body);
    }

    private List<Finding> lint(String nodeBody) throws Exception {
        BindingSet set = BindingSet.load(List.of(dir), true);
        DeviceTree t = Trees.compile(Trees.write(
                dir,
                "t.dts",
                "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n"
                        + "\t#size-cells = <1>;\n\tdev {\n\t\tcompatible = \"x,dev\";\n" + nodeBody + "\t};\n};\n"));
        List<Finding> out = new ArrayList<>();
        for (Finding f : new Validator(set).validate(t, "t.dts")) {
            if (f.binding().endsWith("dev.yaml")) {
                out.add(f);
            }
        }
        return out;
    }

    private static final String EITHER = "properties:\n  compatible:\n    const: x,dev\n"
            + "  x,a:\n    type: boolean\n  x,b:\n    type: boolean\n"
            + "oneOf:\n  - required: [x,a]\n  - required: [x,b]\nadditionalProperties: false\n";

    @Test
    void aFailedOneOfIsOneFindingNamedOneOf() throws Exception {
        binding("dev.yaml", EITHER);
        List<Finding> f = lint("");
        assertEquals(1, f.size(), f.toString());
        assertEquals("oneOf", f.get(0).keyword());
        assertEquals(null, f.get(0).property());
        assertEquals("/dev", f.get(0).node());
        assertTrue(
                f.get(0).message().startsWith("'oneOf' conditional failed, one must be fixed: "),
                f.get(0).message());
    }

    @Test
    void aOneOfOfMissingPropertiesIsNotHeldAgainstADisabledNode() throws Exception {
        binding("dev.yaml", EITHER);
        assertEquals(List.of(), lint("\t\tstatus = \"disabled\";\n"));
    }

    @Test
    void unmatchedWhenAnyCompatibleStringIsUndocumentedPatternsIncluded() throws Exception {
        binding("dev.yaml", "properties:\n  compatible:\n    const: x,dev\n");
        binding("gen.yaml", "properties:\n  compatible:\n    items:\n      - pattern: \"^x,gen-[0-9]+$\"\n");
        Validator v = new Validator(BindingSet.load(List.of(dir), true));
        assertTrue(v.documentsNode(List.of("x,dev")));
        assertTrue(v.documentsNode(List.of("x,gen-7", "x,dev")));
        assertFalse(v.documentsNode(List.of("x,dev", "y,other")));
        assertFalse(v.documentsNode(List.of("syscon")));
    }

    @Test
    void manyOpenPatternsBecomeOneTrieWithTheSameVerdicts() throws Exception {
        StringBuilder b = new StringBuilder("select: true\nproperties: {}\npatternProperties:\n");
        for (int i = 0; i < 20; i++) {
            b.append("  \"^v").append(i).append(",.*\": true\n");
        }
        b.append("  \"^[a-z#][a-z-]*$\": true\nadditionalProperties: false\n");
        binding("vp.yaml", b.toString());
        binding("dev.yaml", "properties:\n  compatible:\n    const: x,dev\n");
        BindingSet set = BindingSet.load(List.of(dir), true);
        JsonNode pats = set.bindings().get("vp.yaml").processed().get("patternProperties");
        assertTrue(pats.size() < 5, pats.toString());
        DeviceTree t = Trees.compile(Trees.write(
                dir,
                "v.dts",
                "/dts-v1/;\n/ {\n\tn {\n\t\tv13,ok = <1>;\n\t\tv1,ok;\n\t\tzz,bad = <1>;\n\t\tv13x,bad;\n\t};\n};\n"));
        List<String> bad = new ArrayList<>();
        for (Finding f : new Validator(set).validate(t, "v.dts")) {
            if (f.binding().endsWith("vp.yaml")) {
                bad.add(f.node() + ":" + f.property() + ":" + f.keyword());
            }
        }
        assertEquals(
                List.of("/n:v13x,bad:additionalProperties", "/n:zz,bad:additionalProperties"),
                bad.stream().sorted().toList());
    }

    /**
     * python-jsonschema 4.10.3's unevaluatedProperties rule (UnevaluatedPropertiesTest has the small cases):
     * a property whose own subschema fails is also unevaluated; properties a failed {@code $ref} evaluated
     * are not (an {@code allOf} branch holding that {@code $ref} would count only if it passed).
     */
    @Test
    void unevaluatedAsDtValidateSeesIt() throws Exception {
        binding(
                "base.yaml",
                "properties:\n  x,p:\n    $ref: /schemas/types.yaml#/definitions/uint32\n"
                        + "  x,q:\n    type: boolean\nrequired: [\"x,missing\"]\n");
        binding(
                "dev.yaml",
                "$ref: base.yaml#\nproperties:\n  compatible:\n    const: x,dev\n"
                        + "  x,n:\n    $ref: /schemas/types.yaml#/definitions/uint32\n    maximum: 3\n"
                        + "unevaluatedProperties: false\n");
        List<String> got = new ArrayList<>();
        for (Finding f : lint("\t\tx,p = <1>;\n\t\tx,q;\n\t\tx,n = <7>;\n")) {
            got.add(f.property() + ":" + f.keyword());
        }
        assertEquals(
                List.of("x,missing:required", "x,n:maximum", "x,n:unevaluatedProperties"),
                got.stream().sorted().toList());
    }

    /** dt-schema's typeSize: the width a value was written with tells types.yaml's uint32 and uint64 branches apart. */
    @Test
    void typeSizeIsTheWidthTheValueWasWrittenWith() throws Exception {
        binding(
                "dev.yaml",
                "properties:\n  compatible:\n    const: x,dev\n"
                        + "  x,rate:\n    oneOf:\n      - typeSize: 32\n      - typeSize: 64\n");
        assertEquals(List.of(), lint("\t\tx,rate = /bits/ 64 <5>;\n"));
        assertEquals(List.of(), lint("\t\tx,rate = <5>;\n"));
        List<Finding> f = lint("\t\tx,rate = /bits/ 16 <5>;\n");
        assertEquals(1, f.size(), f.toString());
        assertEquals("x,rate", f.get(0).property());
        assertTrue(
                f.get(0).message().contains("size is 16, expected 32"), f.get(0).message());
    }

    /** networknt-notes trap 1 for an additionalProperties schema: '#'-names are held to it too (w1-gpio.yaml). */
    @Test
    void hashNamesMeetAnAdditionalPropertiesSchema() throws Exception {
        binding(
                "dev.yaml",
                "properties:\n  compatible:\n    const: x,dev\n  '#x-cells':\n    const: 1\n"
                        + "additionalProperties:\n  type: object\n");
        assertEquals(List.of(), lint("\t\t#x-cells = <1>;\n"));
        List<Finding> f = lint("\t\t#gpio-cells = <1>;\n");
        assertEquals(1, f.size(), f.toString());
        assertEquals("#gpio-cells", f.get(0).property());
        assertEquals("type", f.get(0).keyword());
    }
}
