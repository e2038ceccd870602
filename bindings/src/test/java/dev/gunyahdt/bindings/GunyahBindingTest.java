package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gunyahdt.dt.DeviceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Gunyah bindings against the /hypervisor trees of gunyah-model.md §10.5–§10.6: the trees as
 * the RM writes them validate clean; each broken variant (one textual edit of a clean tree) gives
 * a finding at the right file:line:col with the right node, property and violated keyword.
 */
class GunyahBindingTest {

    private static Validator validator;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void load() {
        BindingSet set = BindingSet.builtin();
        assertEquals(List.of(), set.findings(), "built-in bindings load cleanly");
        validator = new Validator(set);
        assertEquals(List.of(), validator.compileFindings(), "built-in bindings compile");
    }

    @Test
    void secondaryVmTreeOfTheWorkedExampleIsClean() {
        assertEquals(List.of(), Trees.validate(validator, Trees.resource("dts/svm-hypervisor.dts")));
    }

    @Test
    void primaryVmTreeWithVdevicesIsClean() {
        assertEquals(List.of(), Trees.validate(validator, Trees.resource("dts/hlos-hypervisor.dts")));
    }

    static final String UPSTREAM = """
            /dts-v1/;
            / {
            	#address-cells = <2>;
            	#size-cells = <2>;
            	hypervisor {
            		compatible = "gunyah-hypervisor";
            		#address-cells = <2>;
            		#size-cells = <0>;
            		gunyah-resource-mgr@a8ab85dcf7bed9d5 {
            			compatible = "gunyah-resource-manager";
            			reg = <0xa8ab85dc 0xf7bed9d5>, <0xa8ab85dc 0xf7be7a5c>;
            			interrupts = <0 928 1>, <0 929 1>;
            		};
            	};
            };
            """;

    /** The upstream-Linux shape ('boot --overlay-style dtschema') is held to its own binding. */
    @Test
    void upstreamShapeIsCheckedByItsBinding() {
        assertEquals(List.of(), Trees.validate(validator, Trees.write(tmp, "upstream.dts", UPSTREAM)));
        List<Finding> f = Trees.validate(
                validator,
                Trees.write(
                        tmp,
                        "upstream-bad.dts",
                        UPSTREAM.replace(
                                "interrupts = <0 928 1>, <0 929 1>;",
                                "interrupts = <0 928 1>;\n\t\t\tqcom,vmid = <45>;")));
        assertEquals(
                List.of(
                        "/hypervisor/gunyah-resource-mgr@a8ab85dcf7bed9d5 interrupts minItems gunyah-hypervisor-upstream.yaml",
                        "/hypervisor/gunyah-resource-mgr@a8ab85dcf7bed9d5 qcom,vmid additionalProperties gunyah-hypervisor-upstream.yaml"),
                f.stream()
                        .map(x -> x.node() + " " + x.property() + " " + x.keyword() + " "
                                + x.binding().substring(x.binding().lastIndexOf('/') + 1))
                        .sorted()
                        .toList(),
                f.toString());
    }

    /**
     * One broken variant.
     *
     * @param base     svm or hlos
     * @param find     text replaced (must occur in the base; the first occurrence after {@code within})
     * @param replace  its replacement
     * @param within   text of the node the edit is in (searching starts there)
     * @param node     expected node path
     * @param property expected property (or child node name for an unknown child)
     * @param keyword  expected violated keyword
     * @param anchor   text whose position the finding must point at (searched from {@code within}),
     *                 or null for a missing property, where the node's own line is expected
     */
    record Variant(
            String name,
            String base,
            String find,
            String replace,
            String within,
            String node,
            String property,
            String keyword,
            String anchor) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final String RM = "gunyah-resource-mgr@2 {";
    static final String VM = "qcom,gunyah-vm {";
    static final String HYP = "hypervisor {";
    static final String RM_PATH = "/hypervisor/gunyah-resource-mgr@2";
    static final String VM_PATH = "/hypervisor/qcom,gunyah-vm";

    static Stream<Variant> variants() {
        return Stream.of(
                new Variant(
                        "missing reg",
                        "svm",
                        "reg = <0x0 0x1>, <0x0 0x2>;\n",
                        "",
                        RM,
                        RM_PATH,
                        "reg",
                        "required",
                        null),
                new Variant(
                        "#size-cells 1",
                        "svm",
                        "#size-cells = <0>;",
                        "#size-cells = <1>;",
                        HYP,
                        "/hypervisor",
                        "#size-cells",
                        "const",
                        "#size-cells"),
                new Variant(
                        "three interrupts",
                        "svm",
                        "interrupts = <0 928 1>, <0 929 1>;",
                        "interrupts = <0 928 1>, <0 929 1>, <0 930 1>;",
                        RM,
                        RM_PATH,
                        "interrupts",
                        "maxItems",
                        "interrupts ="),
                new Variant(
                        "compatibles in the wrong order",
                        "svm",
                        "\"qcom,resource-manager\", \"qcom,resource-manager-1-0\"",
                        "\"qcom,resource-manager-1-0\", \"qcom,resource-manager\"",
                        RM,
                        RM_PATH,
                        "compatible",
                        "const",
                        "compatible"),
                new Variant(
                        "unknown property (additionalProperties)",
                        "svm",
                        "qcom,image-name = \"svm\";",
                        "qcom,image-name = \"svm\";\n\t\t\tqcom,bogus = <1>;",
                        VM,
                        VM_PATH,
                        "qcom,bogus",
                        "additionalProperties",
                        "qcom,bogus"),
                new Variant(
                        "unknown property (unevaluatedProperties)",
                        "svm",
                        "qcom,vdevice-handle = <0>;",
                        "qcom,vdevice-handle = <0>;\n\t\t\tqcom,console;",
                        RM,
                        RM_PATH,
                        "qcom,console",
                        "unevaluatedProperties",
                        "qcom,console"),
                new Variant(
                        "unknown #-property (trap 1)",
                        "svm",
                        "qcom,image-name = \"svm\";",
                        "qcom,image-name = \"svm\";\n\t\t\t#foo-cells = <1>;",
                        VM,
                        VM_PATH,
                        "#foo-cells",
                        "additionalProperties",
                        "#foo-cells"),
                new Variant(
                        "string where a cell is due",
                        "svm",
                        "qcom,vmid = <45>;",
                        "qcom,vmid = \"45\";",
                        VM,
                        VM_PATH,
                        "qcom,vmid",
                        "type",
                        "qcom,vmid"),
                new Variant(
                        "missing qcom,vmid",
                        "svm",
                        "qcom,vmid = <45>;\n",
                        "",
                        VM,
                        VM_PATH,
                        "qcom,vmid",
                        "required",
                        null),
                new Variant(
                        "secondary VM without owner",
                        "svm",
                        "qcom,owner-vmid = <3>;\n",
                        "",
                        VM,
                        VM_PATH,
                        "qcom,owner-vmid",
                        "required",
                        null),
                new Variant(
                        "wrong vendor",
                        "svm",
                        "\"Qualcomm\"",
                        "\"Acme\"",
                        VM,
                        VM_PATH,
                        "qcom,vendor",
                        "const",
                        "qcom,vendor"),
                new Variant(
                        "message size over the hypervisor's 1023",
                        "svm",
                        "qcom,tx-message-size = <240>;",
                        "qcom,tx-message-size = <1024>;",
                        RM,
                        RM_PATH,
                        "qcom,tx-message-size",
                        "maximum",
                        "qcom,tx-message-size"),
                new Variant(
                        "secondary free-irq-start not 0",
                        "svm",
                        "qcom,free-irq-start = <0>;",
                        "qcom,free-irq-start = <960>;",
                        RM,
                        RM_PATH,
                        "qcom,free-irq-start",
                        "const",
                        "qcom,free-irq-start"),
                new Variant(
                        "RM vdevice-handle not 0",
                        "svm",
                        "qcom,vdevice-handle = <0>;",
                        "qcom,vdevice-handle = <1>;",
                        RM,
                        RM_PATH,
                        "qcom,vdevice-handle",
                        "const",
                        "qcom,vdevice-handle"),
                new Variant(
                        "flag with a value",
                        "svm",
                        "qcom,is-full-duplex;",
                        "qcom,is-full-duplex = <1>;",
                        RM,
                        RM_PATH,
                        "qcom,is-full-duplex",
                        "oneOf",
                        "qcom,is-full-duplex"),
                new Variant(
                        "#address-cells 1",
                        "svm",
                        "#address-cells = <2>;\n\t\t#size-cells = <0>;",
                        "#address-cells = <1>;\n\t\t#size-cells = <0>;",
                        HYP,
                        "/hypervisor",
                        "#address-cells",
                        "const",
                        "#address-cells"),
                new Variant(
                        "one reg entry",
                        "svm",
                        "reg = <0x0 0x1>, <0x0 0x2>;",
                        "reg = <0x0 0x1>;",
                        RM,
                        RM_PATH,
                        "reg",
                        "minItems",
                        "reg ="),
                new Variant(
                        "hypervisor compatible without simple-bus",
                        "svm",
                        ", \"simple-bus\"",
                        "",
                        HYP,
                        "/hypervisor",
                        "compatible",
                        "oneOf",
                        "compatible"),
                new Variant(
                        "missing qcom,gunyah-vm",
                        "svm",
                        "qcom,gunyah-vm {",
                        "qcom,not-vm {",
                        HYP,
                        "/hypervisor",
                        "qcom,gunyah-vm",
                        "required",
                        null),
                new Variant(
                        "bad vm-guid",
                        "svm",
                        "qcom,image-name = \"svm\";",
                        "qcom,image-name = \"svm\";\n\t\t\tqcom,vm-guid = \"not-a-guid\";",
                        VM,
                        VM_PATH,
                        "qcom,vm-guid",
                        "pattern",
                        "qcom,vm-guid"),
                new Variant(
                        "bad status (dt-core)",
                        "svm",
                        "qcom,vdevice-handle = <0>;",
                        "qcom,vdevice-handle = <0>;\n\t\t\tstatus = \"broken\";",
                        RM,
                        RM_PATH,
                        "status",
                        "pattern",
                        "status"),
                new Variant(
                        "string reg (dt-core)",
                        "svm",
                        "reg = <0x0 0x1>, <0x0 0x2>;",
                        "reg = \"tx\", \"rx\";",
                        RM,
                        RM_PATH,
                        "reg",
                        "type",
                        "reg ="),
                new Variant(
                        "image name as a cell",
                        "svm",
                        "qcom,image-name = \"svm\";",
                        "qcom,image-name = <5>;",
                        VM,
                        VM_PATH,
                        "qcom,image-name",
                        "type",
                        "qcom,image-name"),
                new Variant(
                        "primary VM with an owner",
                        "hlos",
                        "qcom,vmid = <3>;",
                        "qcom,vmid = <3>;\n\t\t\tqcom,owner-vmid = <3>;",
                        VM,
                        VM_PATH,
                        "qcom,owner-vmid",
                        "false",
                        "qcom,owner-vmid"),
                new Variant(
                        "primary VM with a secondary-style RM name",
                        "hlos",
                        "qcom,resource-manager-rpc@0000000000000001 {",
                        "gunyah-resource-mgr@2 {",
                        HYP,
                        RM_PATH,
                        null,
                        "false",
                        null),
                new Variant(
                        "message-queue pair with one interrupt",
                        "hlos",
                        "interrupts = <0 930 1>, <0 931 1>;",
                        "interrupts = <0 930 1>;",
                        "vm-pair@5 {",
                        "/hypervisor/vm-pair@5",
                        "interrupts",
                        "minItems",
                        "interrupts ="),
                new Variant(
                        "one-way queue both sender and receiver",
                        "hlos",
                        "is-receiver;",
                        "is-receiver;\n\t\t\tis-sender;",
                        "vm-queue@7 {",
                        "/hypervisor/vm-queue@7",
                        null,
                        "oneOf",
                        null),
                new Variant(
                        "doorbell source with an interrupt",
                        "hlos",
                        "reg = <0x0 0x9>;",
                        "reg = <0x0 0x9>;\n\t\t\tinterrupts = <0 934 1>;",
                        "doorbell-source@9 {",
                        "/hypervisor/doorbell-source@9",
                        "interrupts",
                        "false",
                        "interrupts ="),
                new Variant(
                        "doorbell receiver without an interrupt",
                        "hlos",
                        "interrupts = <0 933 1>;\n",
                        "",
                        "doorbell@8 {",
                        "/hypervisor/doorbell@8",
                        "interrupts",
                        "required",
                        null),
                new Variant(
                        "pair without a label",
                        "hlos",
                        "qcom,label = <7>;\n",
                        "",
                        "vm-pair@5 {",
                        "/hypervisor/vm-pair@5",
                        "qcom,label",
                        "required",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void brokenVariantGivesAPositionedFinding(Variant v) throws IOException {
        String base = Files.readString(Trees.resource("dts/" + v.base() + "-hypervisor.dts"));
        int from = base.indexOf(v.within());
        int at = base.indexOf(v.find(), from);
        assertTrue(from >= 0 && at >= 0, "variant edit applies");
        String text = base.substring(0, at)
                + v.replace()
                + base.substring(at + v.find().length());
        Path file = Trees.write(tmp, v.name().replaceAll("[^a-z0-9]+", "-") + ".dts", text);

        List<Finding> findings = Trees.validate(validator, file);
        String all = findings.stream().map(Finding::render).collect(Collectors.joining("\n"));
        Finding f = findings.stream()
                .filter(x -> v.node().equals(x.node())
                        && java.util.Objects.equals(v.property(), x.property())
                        && v.keyword().equals(x.keyword()))
                .findFirst()
                .orElseGet(() ->
                        fail("no (" + v.node() + ", " + v.property() + ", " + v.keyword() + ") finding in:\n" + all));

        assertEquals(file.toString(), f.file());
        int[] expected = v.anchor() != null
                ? position(text, text.indexOf(v.anchor(), text.indexOf(v.within())))
                : position(text, text.indexOf(nodeLine(v), 0));
        assertEquals(expected[0], f.line(), "line of " + f.render());
        if (v.anchor() != null) {
            assertEquals(expected[1], f.column(), "column of " + f.render());
        } else {
            assertTrue(f.column() > 0);
        }
        assertTrue(f.schemaLocation().startsWith(BindingSet.SCHEMA_BASE), f.schemaLocation());
        assertTrue(f.binding().startsWith("builtin:bindings/"), f.binding());
        assertFalse(f.message().isBlank());
    }

    /** The text of the line that opens the variant's node (for findings placed on the node). */
    private static String nodeLine(Variant v) {
        String leaf = v.node().substring(v.node().lastIndexOf('/') + 1);
        return leaf.equals("hypervisor") ? HYP : leaf + " {";
    }

    /** 1-based line and column of a character offset. */
    private static int[] position(String text, int offset) {
        assertTrue(offset >= 0);
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, offset - lineStart + 1};
    }

    @Test
    void variantCountMeetsTheBrief() {
        assertTrue(variants().count() >= 20);
    }

    @Test
    void theWorkedExampleTreeHasTheDocumentedShape() {
        DeviceTree t = Trees.compile(Trees.resource("dts/svm-hypervisor.dts"));
        assertTrue(t.find("/hypervisor/gunyah-resource-mgr@2").isPresent());
    }
}
