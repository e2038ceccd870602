package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.bindings.yaml.YamlDocument;
import dev.gunyahdt.bindings.yaml.YamlLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MetaChecks on the built-in bindings, and the wrapping and line mapping of Examples. */
class MetaChecksExamplesTest {

    @Test
    void builtinBindingsPassTheMetaChecks() {
        for (BindingSet.Binding b : BindingSet.builtin().bindings().values()) {
            assertEquals(List.of(), MetaChecks.check(b.source(), b.file()), b.file());
        }
    }

    @Test
    void listUnderCompatibleIsReportedAtTheList() throws Exception {
        YamlDocument d = new YamlLoader().load("x.yaml", """
                $id: http://devicetree.org/schemas/x.yaml#
                $schema: http://devicetree.org/meta-schemas/core.yaml#
                title: X
                maintainers:
                  - A <a@example.org>
                properties:
                  compatible:
                    - items:
                        - const: a,b
                """);
        List<Finding> f = MetaChecks.check(d, "x.yaml");
        assertEquals(1, f.size(), f.toString());
        assertEquals(8, f.get(0).line());
        assertEquals(5, f.get(0).column());
        assertEquals("meta", f.get(0).keyword());
    }

    @Test
    void examplesAreOneSourceWrappedUnlessTheyStartWithARootAndMapBackToTheBindingLines() throws Exception {
        String text = """
                $id: http://devicetree.org/schemas/x.yaml#
                examples:
                  - |
                    #include <dt-bindings/x.h>
                    node@1 {
                        interrupts = <0 (1 | 2) 4>;
                    };
                  - |
                    / {
                        model = "m";
                    };
                """;
        YamlDocument d = new YamlLoader().load("x.yaml", text);
        Examples.Source src = Examples.of(d, text);
        assertEquals(2, src.examples().size());
        Examples.Example e = src.examples().get(0);
        assertEquals(4, e.firstLine());
        assertEquals(4, e.indent());
        // as dt-extract-example: one source, the second example's #include-free root taken as it is
        assertEquals("""
                /dts-v1/;
                /plugin/; // labels the snippets refer to but do not define become fixups
                / {
                \tcompatible = "foo";
                \tmodel = "foo";
                \t#address-cells = <1>;
                \t#size-cells = <1>;
                \texample-0 {
                \t\t#address-cells = <1>; #size-cells = <1>; interrupt-controller; #interrupt-cells = <2>;
                #include <dt-bindings/x.h>
                node@1 {
                    interrupts = <0 (1 | 2) 4>;
                };
                \t};
                };
                / {
                    model = "m";
                };
                """, src.dts());
        assertEquals(10, e.dtsFirst());
        assertEquals(6, e.bindingLine(12));
        assertEquals(0, e.bindingLine(9));
        assertEquals(0, e.bindingLine(14));
        Examples.Example root = src.examples().get(1);
        assertEquals(16, root.dtsFirst());
        assertEquals(10, root.bindingLine(17));
        assertEquals(root, src.at(17));
        assertEquals(e, src.at(12));
        assertEquals(e, src.byNode("/example-0/node@1"));
    }

    @Test
    void interruptCellsAsDtExtractExampleCountsThem() {
        // a parenthesised tail is one cell; '<' or '+' inside keep the value from matching at all
        assertEquals(2, Examples.interruptCells(" interrupts = <5 (1 | 2) 4>;"));
        assertEquals(0, Examples.interruptCells(" interrupts = <5 (1 << 2)>;"));
        assertEquals(
                3,
                Examples.interruptCells(
                        " interrupt-parent = <&gic>;\n interrupts = <GIC_SPI 5 IRQ_TYPE_LEVEL_HIGH>, <0 1 2>;"));
        assertEquals(1, Examples.interruptCells(" interrupts = <0>, <2>;"));
        assertEquals(0, Examples.interruptCells(" reg = <1 2>;"));
    }
}
