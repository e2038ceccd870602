package dev.gunyahdt.hypervisor.rm.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.dtb.DtbOptions;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay of reference §10: the worked example of §10.6, the primary variant of §10.5, the
 * vdevice nodes of §10.4, and the RM's refusal of a base that already has /hypervisor. Expected
 * trees are the reference's listings, compiled with our own dtc-compatible compiler.
 */
public class OverlayGeneratorTest {

    /** A small guest base DTB (what a VM image would carry, minus its VM config). */
    static final String BASE_DTS = """
            /dts-v1/;
            / {
            	#address-cells = <2>;
            	#size-cells = <2>;
            	compatible = "linux,dummy-virt";
            	chosen { bootargs = "console=hvc0"; };
            	memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x8000000>; };
            };
            """;

    /** §10.6, "Resulting merged /hypervisor subtree in the guest DTB", as listed there. */
    static final String WORKED_EXAMPLE_MERGED = """
            /dts-v1/;
            / {
            hypervisor {
            	#address-cells = <2>;
            	#size-cells = <0>;
            	compatible = "gunyah-hypervisor", "qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus";

            	qcom,gunyah-vm {
            		compatible = "qcom,gunyah-vm-id-1.0", "qcom,gunyah-vm-id";
            		qcom,vmid = <45>;
            		qcom,owner-vmid = <3>;
            		qcom,vendor = "Qualcomm";
            		qcom,image-name = "svm";
            	};

            	gunyah-resource-mgr@2 {
            		compatible = "gunyah-resource-manager", "qcom,resource-manager", "qcom,resource-manager-1-0",
            			     "qcom,gunyah-message-queue", "qcom,gunyah-capability";
            		reg = <0x0 0x1>, <0x0 0x2>;
            		interrupts = <0 928 1>, <0 929 1>;
            		qcom,free-irq-start = <0>;
            		qcom,is-full-duplex;
            		qcom,tx-message-size = <240>;
            		qcom,rx-message-size = <240>;
            		qcom,tx-queue-depth = <8>;
            		qcom,rx-queue-depth = <8>;
            		qcom,vdevice-handle = <0>;
            	};
            };
            };
            """;

    /** §10.5 / the end of §10.6: the same link for the primary VM (vmid 3). */
    static final String PRIMARY_MERGED = """
            /dts-v1/;
            / {
            hypervisor {
            	#address-cells = <2>;
            	#size-cells = <0>;
            	compatible = "qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus";
            	qcom,gunyah-vm {
            		compatible = "qcom,gunyah-vm-id-1.0", "qcom,gunyah-vm-id";
            		qcom,vmid = <3>;
            		qcom,vendor = "Qualcomm";
            	};
            	qcom,resource-manager-rpc@0000000000000001 {
            		compatible = "gunyah-resource-manager", "qcom,resource-manager-1-0", "qcom,resource-manager";
            		reg = <0x0 0x1>, <0x0 0x2>;
            		interrupts = <0 928 1>, <0 929 1>;
            		qcom,free-irq-start = <960>;
            		qcom,is-full-duplex;
            		qcom,tx-message-size = <240>;
            		qcom,rx-message-size = <240>;
            		qcom,tx-queue-depth = <8>;
            		qcom,rx-queue-depth = <8>;
            	};
            };
            };
            """;

    static VmOverlayInfo workedExample() {
        return VmOverlayInfo.secondary(
                45,
                3,
                "svm",
                "/hypervisor/gunyah-resource-mgr",
                QueuePair.withDefaults(0x1, 0x2, Virq.edge(960), Virq.edge(961)),
                List.of());
    }

    static VmOverlayInfo primary() {
        return VmOverlayInfo.primary(3, QueuePair.withDefaults(0x1, 0x2, Virq.edge(960), Virq.edge(961)));
    }

    @Test
    void workedExampleMergesToTheReferenceListing(@TempDir Path dir) throws Exception {
        byte[] base = compile(BASE_DTS);
        byte[] merged = OverlayGenerator.apply(base, workedExample());
        assertSubtreeEquals(node(compile(WORKED_EXAMPLE_MERGED), "/hypervisor"), node(merged, "/hypervisor"));
        // the rest of the base is untouched
        assertEquals(node(base, "/chosen").properties(), node(merged, "/chosen").properties());
        sameAsFdtoverlay(dir, base, OverlayGenerator.dtbo(workedExample()), merged);
    }

    @Test
    void workedExampleOverlayHasTheEmissionOrderOfSection10() {
        DeviceTree ov = DtbReader.read(OverlayGenerator.dtbo(workedExample()), "dtbo");
        assertEquals(
                List.of("fragment@0", "fragment@1", "__fixups__", "__local_fixups__"),
                names(ov.root().children()));
        for (String f : List.of("/fragment@0", "/fragment@1")) {
            Node frag = ov.find(f).orElseThrow().node();
            assertEquals(List.of("target-path"), propNames(frag));
            assertEquals("/", frag.property("target-path").orElseThrow().value().asString());
            assertEquals(List.of("__overlay__"), names(frag.children()));
        }
        assertTrue(ov.find("/__fixups__").orElseThrow().node().properties().isEmpty());
        assertTrue(
                ov.find("/__local_fixups__").orElseThrow().node().properties().isEmpty());

        Node hyp = ov.find("/fragment@0/__overlay__/hypervisor").orElseThrow().node();
        assertEquals(List.of("#address-cells", "#size-cells", "compatible"), propNames(hyp));
        assertEquals(List.of("qcom,gunyah-vm"), names(hyp.children()));
        assertEquals(
                List.of("compatible", "qcom,vmid", "qcom,owner-vmid", "qcom,vendor", "qcom,image-name"),
                propNames(hyp.children().get(0)));

        Node wrapper =
                ov.find("/fragment@1/__overlay__/hypervisor").orElseThrow().node();
        assertTrue(wrapper.properties().isEmpty(), "construct-path wrapper nodes carry no properties");
        assertEquals(List.of("gunyah-resource-mgr@2"), names(wrapper.children()));
        assertEquals(
                List.of(
                        "compatible",
                        "reg",
                        "interrupts",
                        "qcom,free-irq-start",
                        "qcom,is-full-duplex",
                        "qcom,tx-message-size",
                        "qcom,rx-message-size",
                        "qcom,tx-queue-depth",
                        "qcom,rx-queue-depth",
                        "qcom,vdevice-handle"),
                propNames(wrapper.children().get(0)));
    }

    @Test
    void fdtoverlayReversesNewPropertiesAndWeDoToo() throws Exception {
        // What the merge order actually is (fdtoverlay inserts each new property first): the
        // reference lists emission order, the merged blob holds it reversed.
        Node vm = node(OverlayGenerator.apply(compile(BASE_DTS), workedExample()), "/hypervisor/qcom,gunyah-vm");
        assertEquals(
                List.of("qcom,image-name", "qcom,vendor", "qcom,owner-vmid", "qcom,vmid", "compatible"), propNames(vm));
    }

    @Test
    void primaryVariantEqualsSection10_5(@TempDir Path dir) throws Exception {
        byte[] base = compile(BASE_DTS);
        byte[] merged = OverlayGenerator.apply(base, primary());
        assertSubtreeEquals(node(compile(PRIMARY_MERGED), "/hypervisor"), node(merged, "/hypervisor"));

        DeviceTree ov = DtbReader.read(OverlayGenerator.dtbo(primary()), "dtbo");
        assertEquals(
                List.of("fragment@0", "__fixups__", "__local_fixups__"),
                names(ov.root().children()));
        Node hyp = ov.find("/fragment@0/__overlay__/hypervisor").orElseThrow().node();
        assertEquals(List.of("qcom,gunyah-vm", "qcom,resource-manager-rpc@0000000000000001"), names(hyp.children()));
        assertEquals(
                List.of("compatible", "qcom,vmid", "qcom,vendor"),
                propNames(hyp.children().get(0)));
        assertEquals(
                List.of(
                        "compatible",
                        "reg",
                        "interrupts",
                        "qcom,free-irq-start",
                        "qcom,is-full-duplex",
                        "qcom,tx-message-size",
                        "qcom,rx-message-size",
                        "qcom,tx-queue-depth",
                        "qcom,rx-queue-depth"),
                propNames(hyp.children().get(1)));
        sameAsFdtoverlay(dir, base, OverlayGenerator.dtbo(primary()), merged);
    }

    /**
     * The dt-schema style: the upstream Linux binding's shape, the same for a secondary with vdevices and for the
     * primary — /hypervisor {compatible "gunyah-hypervisor", 2/0 cells} with one gunyah-resource-mgr@<TX CapID>.
     */
    @Test
    void dtschemaStyleIsTheUpstreamBindingShapeForEveryVm(@TempDir Path dir) throws Exception {
        String expected = """
                /dts-v1/;
                / { #address-cells = <2>; #size-cells = <2>;
                	hypervisor { #address-cells = <2>; #size-cells = <0>; compatible = "gunyah-hypervisor";
                		gunyah-resource-mgr@1 { compatible = "gunyah-resource-manager";
                			reg = <0x0 0x1 0x0 0x2>; interrupts = <0 928 1>, <0 929 1>; };
                	};
                };
                """;
        byte[] base = compile(BASE_DTS);
        for (VmOverlayInfo vm : List.of(withVdevices(), primary())) {
            byte[] dtbo = OverlayGenerator.dtbo(vm, OverlayStyle.DTSCHEMA);
            DeviceTree ov = DtbReader.read(dtbo, "dtbo");
            assertEquals(
                    List.of("fragment@0", "__fixups__", "__local_fixups__"),
                    names(ov.root().children()));
            Node hyp =
                    ov.find("/fragment@0/__overlay__/hypervisor").orElseThrow().node();
            assertEquals(List.of("#address-cells", "#size-cells", "compatible"), propNames(hyp));
            assertEquals(
                    List.of("compatible", "reg", "interrupts"),
                    propNames(hyp.children().get(0)));
            byte[] merged = OverlayGenerator.apply(base, vm, OverlayStyle.DTSCHEMA);
            assertSubtreeEquals(node(compile(expected), "/hypervisor"), node(merged, "/hypervisor"));
            sameAsFdtoverlay(dir, base, dtbo, merged);
        }
        assertEquals(Optional.of(OverlayStyle.DTSCHEMA), OverlayStyle.of("dtschema"));
        assertEquals(Optional.empty(), OverlayStyle.of("DTSCHEMA"));
    }

    @Test
    void primaryNodeNamePadsTheTxCapIdTo16Digits() throws Exception {
        VmOverlayInfo vm =
                VmOverlayInfo.primary(3, QueuePair.withDefaults(0x1c0ffee5aL, 0x2, Virq.edge(960), Virq.edge(961)));
        Node hyp = node(OverlayGenerator.apply(compile(BASE_DTS), vm), "/hypervisor");
        assertTrue(hyp.child("qcom,resource-manager-rpc@00000001c0ffee5a").isPresent());
    }

    /** A secondary VM with a message-queue pair, a receiving doorbell and a source doorbell. */
    static VmOverlayInfo withVdevices() {
        List<Vdevice> devs = List.of(
                new Vdevice.MessageQueuePair(
                        "/hypervisor/msgq-pair",
                        List.of("vendor,test-pair"),
                        QueuePair.withDefaults(0x10, 0x11, Virq.edge(962), Virq.edge(963)),
                        0,
                        Optional.of("peer-vm"),
                        OptionalLong.of(46),
                        7),
                new Vdevice.Doorbell(
                        "/hypervisor/doorbell", List.of(), 0xABC0000000000012L, Optional.of(Virq.edge(964)), 8),
                new Vdevice.Doorbell("/hypervisor/doorbell-source", List.of(), 0x13, Optional.empty(), 9),
                new Vdevice.MessageQueue("/hypervisor/mq", List.of(), 0x14, Virq.edge(965), true, 64, 4, 10));
        return new VmOverlayInfo(
                45,
                3,
                "svm",
                Optional.of("urn:test"),
                Optional.of("01234567-89AB-cdef-0123-456789ABCDEF"),
                false,
                "/hypervisor/gunyah-resource-mgr",
                List.of(),
                QueuePair.withDefaults(0x1, 0x2, Virq.edge(960), Virq.edge(961)),
                devs);
    }

    static final String VDEVICES_MERGED = """
            /dts-v1/;
            / {
            hypervisor {
            	#address-cells = <2>;
            	#size-cells = <0>;
            	compatible = "gunyah-hypervisor", "qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus";
            	qcom,gunyah-vm {
            		compatible = "qcom,gunyah-vm-id-1.0", "qcom,gunyah-vm-id";
            		qcom,vmid = <45>;
            		qcom,owner-vmid = <3>;
            		qcom,vendor = "Qualcomm";
            		qcom,image-name = "svm";
            		qcom,vm-uri = "urn:test";
            		qcom,vm-guid = "01234567-89ab-cdef-0123-456789abcdef";
            		qcom,peers = "peer-vm";
            	};
            	gunyah-resource-mgr@2 {
            		compatible = "gunyah-resource-manager", "qcom,resource-manager", "qcom,resource-manager-1-0",
            			     "qcom,gunyah-message-queue", "qcom,gunyah-capability";
            		reg = <0x0 0x1>, <0x0 0x2>;
            		interrupts = <0 928 1>, <0 929 1>;
            		qcom,free-irq-start = <0>;
            		qcom,is-full-duplex;
            		qcom,tx-message-size = <240>;
            		qcom,rx-message-size = <240>;
            		qcom,tx-queue-depth = <8>;
            		qcom,rx-queue-depth = <8>;
            		qcom,vdevice-handle = <0>;
            	};
            	msgq-pair@11 {
            		compatible = "vendor,test-pair", "qcom,gunyah-message-queue", "qcom,gunyah-capability";
            		reg = <0x0 0x10>, <0x0 0x11>;
            		interrupts = <0 930 1>, <0 931 1>;
            		qcom,peer-vmid = <46>;
            		qcom,free-irq-start = <0>;
            		qcom,is-full-duplex;
            		qcom,tx-message-size = <240>;
            		qcom,rx-message-size = <240>;
            		qcom,tx-queue-depth = <8>;
            		qcom,rx-queue-depth = <8>;
            		qcom,vdevice-handle = <0>;
            		peer = "peer-vm";
            		qcom,label = <7>;
            		label = <7>;
            	};
            	doorbell@abc0000000000012 {
            		compatible = "qcom,gunyah-doorbell", "qcom,gunyah-capability";
            		reg = <0xabc00000 0x12>;
            		interrupts = <0 932 1>;
            		qcom,label = <8>;
            		label = <8>;
            	};
            	doorbell-source@13 {
            		compatible = "qcom,gunyah-doorbell-source", "qcom,gunyah-capability";
            		reg = <0x0 0x13>;
            		qcom,label = <9>;
            		label = <9>;
            	};
            	mq@14 {
            		compatible = "qcom,gunyah-message-queue", "qcom,gunyah-capability";
            		reg = <0x0 0x14>;
            		is-sender;
            		tx_message_size = <64>;
            		tx_queue_depth = <4>;
            		interrupts = <0 933 1>;
            		qcom,label = <10>;
            		label = <10>;
            	};
            };
            };
            """;

    @Test
    void secondaryWithVdevicesGivesTheSection10_4Nodes(@TempDir Path dir) throws Exception {
        byte[] base = compile(BASE_DTS);
        byte[] merged = OverlayGenerator.apply(base, withVdevices());
        assertSubtreeEquals(node(compile(VDEVICES_MERGED), "/hypervisor"), node(merged, "/hypervisor"));

        DeviceTree ov = DtbReader.read(OverlayGenerator.dtbo(withVdevices()), "dtbo");
        assertEquals(
                List.of(
                        "fragment@0",
                        "fragment@1",
                        "fragment@2",
                        "fragment@3",
                        "fragment@4",
                        "fragment@5",
                        "__fixups__",
                        "__local_fixups__"),
                names(ov.root().children()));
        // one fragment per vdevice, RM-RPC first, then the list order
        List<String> leaves = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            leaves.add(ov.find("/fragment@" + i + "/__overlay__/hypervisor")
                    .orElseThrow()
                    .node()
                    .children()
                    .get(0)
                    .name());
        }
        assertEquals(
                List.of(
                        "gunyah-resource-mgr@2",
                        "msgq-pair@11",
                        "doorbell@abc0000000000012",
                        "doorbell-source@13",
                        "mq@14"),
                leaves);
        // emission order equals the reference order, which the expected listing above follows
        Node expected = node(compile(VDEVICES_MERGED), "/hypervisor");
        for (int i = 1; i <= 5; i++) {
            Node leaf = ov.find("/fragment@" + i + "/__overlay__/hypervisor")
                    .orElseThrow()
                    .node()
                    .children()
                    .get(0);
            assertEquals(propNames(expected.child(leaf.name()).orElseThrow()), propNames(leaf), leaf.name());
        }
        assertEquals(
                propNames(expected.child("qcom,gunyah-vm").orElseThrow()),
                propNames(ov.find("/fragment@0/__overlay__/hypervisor/qcom,gunyah-vm")
                        .orElseThrow()
                        .node()));
        sameAsFdtoverlay(dir, base, OverlayGenerator.dtbo(withVdevices()), merged);
    }

    @Test
    void pairWithoutPeerVdeviceHasNoPeerPropertiesAndNoPeersList() throws Exception {
        VmOverlayInfo vm = VmOverlayInfo.secondary(
                45,
                3,
                "svm",
                "/hypervisor/gunyah-resource-mgr",
                QueuePair.withDefaults(0x1, 0x2, Virq.edge(960), Virq.edge(961)),
                List.of(new Vdevice.MessageQueuePair(
                        "/hypervisor/msgq-pair",
                        List.of(),
                        new QueuePair(0x10, 0x11, Virq.edge(962), Virq.edge(963), 128, 64, 16, 4),
                        3,
                        Optional.empty(),
                        OptionalLong.empty(),
                        7)));
        byte[] merged = OverlayGenerator.apply(compile(BASE_DTS), vm);
        Node pair = node(merged, "/hypervisor/msgq-pair@11");
        assertTrue(pair.property("peer").isEmpty()
                && pair.property("qcom,peer-vmid").isEmpty());
        assertEquals(
                3, pair.property("qcom,vdevice-handle").orElseThrow().value().asCell());
        assertEquals(
                128, pair.property("qcom,tx-message-size").orElseThrow().value().asCell());
        assertEquals(
                64, pair.property("qcom,rx-message-size").orElseThrow().value().asCell());
        assertEquals(
                16, pair.property("qcom,tx-queue-depth").orElseThrow().value().asCell());
        assertEquals(
                4, pair.property("qcom,rx-queue-depth").orElseThrow().value().asCell());
        assertTrue(node(merged, "/hypervisor/qcom,gunyah-vm")
                .property("qcom,peers")
                .isEmpty());
    }

    @Test
    void baseWithHypervisorIsRefusedWithDenied() throws Exception {
        byte[] base = compile(BASE_DTS.replace("chosen {", "hypervisor { };\n\tchosen {"));
        OverlayRefusedException e =
                assertThrows(OverlayRefusedException.class, () -> OverlayGenerator.apply(base, workedExample()));
        assertEquals(RmError.DENIED, e.error());
        // a unit address does not hide it: libfdt's lookup of "hypervisor" matches "hypervisor@0"
        byte[] base2 = compile(BASE_DTS.replace("chosen {", "hypervisor@0 { };\n\tchosen {"));
        assertEquals(
                RmError.DENIED,
                assertThrows(OverlayRefusedException.class, () -> OverlayGenerator.apply(base2, workedExample()))
                        .error());
        // but a node that merely starts with the name is no /hypervisor
        byte[] base3 = compile(BASE_DTS.replace("chosen {", "hypervisors { };\n\tchosen {"));
        assertTrue(node(OverlayGenerator.apply(base3, workedExample()), "/hypervisor")
                .hasProperty("compatible"));
    }

    @Test
    void malformedBaseIsADtExceptionNotACrash() {
        byte[] junk = "not a devicetree blob at all".getBytes(StandardCharsets.US_ASCII);
        assertThrows(dev.gunyahdt.dt.diag.DtException.class, () -> OverlayGenerator.apply(junk, workedExample()));
    }

    @Test
    void virqCellsFollowSection6_4() {
        assertArrayEquals(new long[] {0, 928, 1}, Virq.edge(960).cells());
        assertArrayEquals(new long[] {1, 11, 4}, new Virq(27, true).cells());
        assertArrayEquals(new long[] {2, 5, 1}, Virq.edge(4101).cells());
        assertArrayEquals(new long[] {3, 0, 1}, Virq.edge(1056).cells());
        assertThrows(IllegalArgumentException.class, () -> Virq.edge(1020));
        assertThrows(IllegalArgumentException.class, () -> Virq.edge(15));
    }

    @Test
    void configLimitsAreChecked() {
        QueuePair q = QueuePair.withDefaults(1, 2, Virq.edge(960), Virq.edge(961));
        assertThrows(
                IllegalArgumentException.class,
                () -> VmOverlayInfo.secondary(45, 3, "x".repeat(80), "/hypervisor/rm", q, List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> VmOverlayInfo.secondary(45, 3, "svm", "hypervisor/rm", q, List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new VmOverlayInfo(
                        45,
                        3,
                        "svm",
                        Optional.empty(),
                        Optional.of("0123-bad"),
                        false,
                        "/hypervisor/rm",
                        List.of(),
                        q,
                        List.of()));
    }

    // ---- helpers ---------------------------------------------------------------------------

    static byte[] compile(String dts) {
        CompileOptions o = new CompileOptions(
                CompileOptions.Format.DTS,
                CompileOptions.Format.DTB,
                DtbOptions.defaults(),
                -1,
                false,
                List.of(),
                false,
                PhandleFormat.EPAPR,
                List.of(),
                false,
                false,
                false,
                false,
                Map.of());
        return new Compiler(o)
                .compile(Path.of("-"), dts.getBytes(StandardCharsets.UTF_8), "out.dtb")
                .output();
    }

    static Node node(byte[] blob, String path) {
        return DtbReader.read(blob, "blob")
                .find(path)
                .orElseThrow(() -> new AssertionError("no " + path))
                .node();
    }

    /** Same children (by name, any order) and, per node, the same properties by name and bytes. */
    static void assertSubtreeEquals(Node expected, Node actual) {
        assertEquals(props(expected), props(actual), "properties of " + expected.name());
        assertEquals(
                new TreeMap<>(childMap(expected)).keySet(),
                new TreeMap<>(childMap(actual)).keySet(),
                "children of " + expected.name());
        for (Node c : expected.children()) {
            assertSubtreeEquals(c, actual.child(c.name()).orElseThrow());
        }
    }

    static Map<String, String> props(Node n) {
        Map<String, String> out = new TreeMap<>();
        for (Property p : n.properties()) {
            out.put(p.name(), HexFormat.of().formatHex(p.value().bytes()));
        }
        return out;
    }

    static Map<String, Node> childMap(Node n) {
        Map<String, Node> out = new LinkedHashMap<>();
        n.children().forEach(c -> out.put(c.name(), c));
        return out;
    }

    static List<String> names(List<Node> nodes) {
        return nodes.stream().map(Node::name).toList();
    }

    static List<String> propNames(Node n) {
        return n.properties().stream().map(Property::name).toList();
    }

    /** When fdtoverlay 1.6.1 is installed: it gives the same merged bytes as our application. */
    public static void sameAsFdtoverlay(Path dir, byte[] base, byte[] dtbo, byte[] ours)
            throws IOException, InterruptedException {
        Path tool = Path.of("/usr/bin/fdtoverlay");
        if (!Files.isExecutable(tool)) {
            return;
        }
        Files.write(dir.resolve("base.dtb"), base);
        Files.write(dir.resolve("ov.dtbo"), dtbo);
        Process p = new ProcessBuilder(tool.toString(), "-i", "base.dtb", "-o", "out.dtb", "ov.dtbo")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "fdtoverlay: " + msg);
        assertArrayEquals(Files.readAllBytes(dir.resolve("out.dtb")), ours, "fdtoverlay vs OverlayGenerator.apply");
    }
}
