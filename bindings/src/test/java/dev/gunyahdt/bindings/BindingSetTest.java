package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindingSetTest {

    @TempDir
    Path dir;

    private static String binding(String path, String body) {
        return "%YAML 1.2\n---\n$id: http://devicetree.org/schemas/" + path + "#\n"
                + "$schema: http://devicetree.org/meta-schemas/core.yaml#\ntitle: t\n" + body;
    }

    private void write(String rel, String text) throws Exception {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void refCycleIsAFindingNamingTheCycleAndNotAHang() throws Exception {
        write(
                "a.yaml",
                binding("a.yaml", "properties:\n  compatible:\n    const: x,a\n  foo:\n    $ref: b.yaml#/$defs/f\n"));
        write("b.yaml", binding("b.yaml", "$defs:\n  f:\n    $ref: /schemas/c/c.yaml#\n"));
        write("c/c.yaml", binding("c/c.yaml", "allOf:\n  - $ref: http://devicetree.org/schemas/a.yaml#\n"));
        write("d.yaml", binding("d.yaml", "properties:\n  compatible:\n    const: x,d\n  bar:\n    $ref: a.yaml#\n"));
        BindingSet set = BindingSet.load(List.of(dir), false);
        List<Finding> cycles = set.findings().stream()
                .filter(f -> f.keyword().equals("$ref-cycle"))
                .toList();
        assertEquals(1, cycles.size(), set.findings().toString());
        Finding f = cycles.get(0);
        assertEquals("$ref cycle: a.yaml -> b.yaml -> c/c.yaml -> a.yaml", f.message());
        assertEquals(dir.resolve("a.yaml").toString(), f.file());
        assertEquals(10, f.line());
        assertEquals(11, f.column());
        // the cycle's members and the binding that depends on them are kept out of validation
        assertTrue(set.bindings().isEmpty(), set.bindings().keySet().toString());
    }

    @Test
    void selfReferenceInsideOneDocumentIsNotACycle() throws Exception {
        write("t.yaml", binding("t.yaml", "$defs:\n  a:\n    $ref: '#/$defs/b'\n  b:\n    type: integer\n"));
        BindingSet set = BindingSet.load(List.of(dir), false);
        assertEquals(List.of(), set.findings());
        assertTrue(set.bindings().containsKey("t.yaml"));
    }

    @Test
    void missingReferencedBindingOrPointerIsAPositionedFinding() throws Exception {
        write(
                "a.yaml",
                binding(
                        "a.yaml",
                        "properties:\n  foo:\n    $ref: /schemas/nope.yaml#\n"
                                + "  bar:\n    $ref: /schemas/types.yaml#/definitions/no-such-type\n"));
        BindingSet set = BindingSet.load(List.of(dir), true);
        List<Finding> refs =
                set.findings().stream().filter(f -> f.keyword().equals("$ref")).toList();
        assertEquals(2, refs.size(), set.findings().toString());
        assertEquals(8, refs.get(0).line());
        assertTrue(
                refs.get(0).message().contains("no binding 'nope.yaml'"),
                refs.get(0).message());
        assertEquals(10, refs.get(1).line());
        assertTrue(refs.get(1).message().contains("'/definitions/no-such-type' does not exist in types.yaml"));
        assertFalse(set.bindings().containsKey("a.yaml"));
        assertTrue(set.bindings().containsKey("types.yaml"), "the others still load");
    }

    @Test
    void fileThatFailsToLoadIsAFindingAndTheRestLoad() throws Exception {
        write("bad.yaml", "%YAML 1.2\n---\n$id: http://devicetree.org/schemas/bad.yaml#\nproperties: [\n");
        write("ok.yaml", binding("ok.yaml", "properties:\n  compatible:\n    const: x,ok\n"));
        BindingSet set = BindingSet.load(List.of(dir), false);
        assertEquals(1, set.findings().size());
        Finding f = set.findings().get(0);
        assertEquals("yaml", f.keyword());
        assertEquals(dir.resolve("bad.yaml").toString(), f.file());
        assertTrue(f.line() >= 4, f.render());
        assertTrue(set.bindings().containsKey("ok.yaml"));
    }

    @Test
    void idThatDoesNotMatchThePathIsAFinding() throws Exception {
        write("sub/x.yaml", binding("x.yaml", "properties:\n  compatible:\n    const: x,x\n"));
        BindingSet set = BindingSet.load(List.of(dir), false);
        assertEquals("$id", set.findings().get(0).keyword());
        assertEquals(3, set.findings().get(0).line());
    }

    @Test
    void pythonOnlyRegexIsTranslated() throws Exception {
        write(
                "r.yaml",
                binding(
                        "r.yaml",
                        "properties:\n  compatible:\n    const: x,r\n  x,name:\n"
                                + "    $ref: /schemas/types.yaml#/definitions/string\n    pattern: '^a{,2}$'\n"));
        BindingSet set = BindingSet.load(List.of(dir), true);
        assertEquals(
                "^a{0,2}$",
                set.bindings()
                        .get("r.yaml")
                        .processed()
                        .at("/properties/x,name/items/0/pattern")
                        .asText());
        assertEquals(List.of(), new Validator(set).compileFindings());
    }
}
