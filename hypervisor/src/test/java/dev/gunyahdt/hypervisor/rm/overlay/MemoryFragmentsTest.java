package dev.gunyahdt.hypervisor.rm.overlay;

import static dev.gunyahdt.hypervisor.rm.overlay.OverlayGeneratorTest.compile;
import static dev.gunyahdt.hypervisor.rm.overlay.OverlayGeneratorTest.names;
import static dev.gunyahdt.hypervisor.rm.overlay.OverlayGeneratorTest.node;
import static dev.gunyahdt.hypervisor.rm.overlay.OverlayGeneratorTest.propNames;
import static dev.gunyahdt.hypervisor.rm.overlay.OverlayGeneratorTest.sameAsFdtoverlay;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * §10.2 steps 1, 3, 4, 5 and the shm node of §10.4: which fragments a base DTB gets, their property order, the
 * phandle of each buffer and its fixup, and fdtoverlay's agreement with our application.
 */
class MemoryFragmentsTest {

    private static final QueuePair RPC = QueuePair.withDefaults(0x1, 0x2, Virq.edge(960), Virq.edge(961));

    /** A base with /reserved-memory: one child at the first shm's address with a phandle, one labelled 7. */
    private static final String BASE_WITH_RESMEM = """
            /dts-v1/;
            / {
            	#address-cells = <2>;
            	#size-cells = <2>;
            	ref = <&shm_a>;
            	intc: intc { phandle = <5>; };
            	memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x8000000>; };
            	reserved-memory {
            		#address-cells = <2>;
            		#size-cells = <2>;
            		ranges;
            		shm_a: region@a0000000 { reg = <0x0 0xa0000000 0x0 0x100000>; no-map; };
            		labelled@c0000000 { reg = <0x0 0xc0000000 0x0 0x1000>; qcom,label = <7>; };
            		other@9c000000 { reg = <0x0 0x9c000000 0x0 0x1000>; };
            	};
            	vsoc { };
            };
            """;

    /** Neither /chosen, /reserved-memory nor /vsoc. */
    private static final String BARE_BASE = """
            /dts-v1/;
            / {
            	#address-cells = <2>;
            	#size-cells = <2>;
            	memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x8000000>; };
            };
            """;

    private static GuestLayout.Buffer buffer(long ipa, long size, long label, int handle) {
        return new GuestLayout.Buffer(
                new GuestLayout.Region(ipa, size),
                label,
                handle,
                List.of(0x80L, 0x81L),
                List.of(),
                Optional.empty(),
                OptionalLong.empty());
    }

    private static VmOverlayInfo vm(GuestLayout layout, List<Vdevice> devs) {
        return new VmOverlayInfo(
                0x80,
                3,
                "svm",
                Optional.empty(),
                Optional.empty(),
                false,
                "/hypervisor/rm",
                List.of(),
                RPC,
                devs,
                Optional.of(layout));
    }

    @Test
    void anIomemNodeIsStepTwoWithItsPropertiesInTheRmOrder() {
        DeviceTree o = IomemProbe.overlay(OverlayStyle.RM);
        // create_iomem_nodes runs before patch_chosen_node: fragment@0 is the iomem node, fragment@1 /chosen
        Node io = o.find("/fragment@0/__overlay__/hypervisor/io").orElseThrow().node();
        assertTrue(o.find("/fragment@1/__overlay__/chosen").isPresent());
        assertEquals(
                List.of(
                        "#address-cells",
                        "#size-cells",
                        "compatible",
                        "reg",
                        "peer",
                        "qcom,rm-mem-handle",
                        "qcom,rm-acl",
                        "qcom,rm-attributes",
                        "qcom,label"),
                io.properties().stream().map(p -> p.name()).toList());
        assertArrayEquals(
                new long[] {1, 0x0900_0000L, 0, 0x1000, 0, 0x9002000L, 0, 0x2000},
                io.property("reg").orElseThrow().value().cells());
        assertArrayEquals(
                new long[] {0, 12},
                io.property("qcom,rm-mem-handle").orElseThrow().value().cells());
        assertArrayEquals(
                new long[] {6, 4},
                io.property("qcom,rm-acl").orElseThrow().value().cells());
        assertArrayEquals(
                new long[] {1, 1},
                io.property("qcom,rm-attributes").orElseThrow().value().cells());
        assertEquals(3, io.property("peer").orElseThrow().value().asCell());
        assertEquals(0x1000, io.property("qcom,label").orElseThrow().value().asCell());
        // the dt-schema style (the Linux binding's /hypervisor only) has no iomem node
        assertTrue(IomemProbe.overlay(OverlayStyle.DTSCHEMA)
                .find("/fragment@0/__overlay__/hypervisor/io")
                .isEmpty());
    }

    @Test
    void aBaseReservedMemoryIsPatchedWhereParcelsMatchAndGetsBuffersForTheRest(@TempDir Path dir) throws Exception {
        byte[] base = compile(BASE_WITH_RESMEM);
        GuestLayout layout = GuestLayout.of(
                DtbReader.read(base, "base"),
                0x0123456789abcdefL,
                List.of(
                        new GuestLayout.Region(0x8000_0000L, 0x800_0000L),
                                new GuestLayout.Region(0xa000_0000L, 0x10_0000L),
                        new GuestLayout.Region(0xc000_0000L, 0x1000), new GuestLayout.Region(0xb000_0000L, 0x2000)),
                List.of(
                        buffer(0xa000_0000L, 0x10_0000L, 1, 11),
                        buffer(0xc000_0000L, 0x1000, 7, 12),
                        buffer(0xb000_0000L, 0x2000, 2, 13)));
        assertTrue(layout.baseReservedMemory() && layout.baseVsoc() && !layout.baseChosen());
        VmOverlayInfo info = vm(
                layout,
                List.of(
                        new Vdevice.SharedMemory("/hypervisor/shm-a", List.of(), 1, OptionalLong.of(0x81)),
                        new Vdevice.SharedMemory("/hypervisor/shm-c", List.of("vendor,x"), 7, OptionalLong.of(0x81)),
                        new Vdevice.SharedMemory("/hypervisor/shm-b", List.of(), 2, OptionalLong.empty())));
        DeviceTree ov = OverlayGenerator.generate(info);

        // step 1: the matching children (by address, by label) patched in address order, then the new buffer;
        // step 3 at "/" (no /chosen in the base); step 4 memory only; no step 5 (the base has /vsoc)
        List<String> targets = ov.root().children().stream()
                .filter(n -> n.name().startsWith("fragment@"))
                .map(n -> n.property("target-path").orElseThrow().value().asString())
                .toList();
        assertEquals(
                List.of(
                        "/reserved-memory/region@a0000000",
                        "/reserved-memory/labelled@c0000000",
                        "/reserved-memory",
                        "/",
                        "/",
                        "/",
                        "/",
                        "/",
                        "/",
                        "/"),
                targets);
        Node patchedByAddress = ov.find("/fragment@0/__overlay__").orElseThrow().node();
        // no reg (the base has it) and no phandle (the base has one: memory-region uses it as is)
        assertEquals(
                List.of("qcom,shared-memory", "no-map", "peers", "qcom,rm-mem-handle", "qcom,label"),
                propNames(patchedByAddress));
        assertEquals(
                List.of("qcom,shared-memory", "no-map", "peers", "qcom,rm-mem-handle", "phandle", "qcom,label"),
                propNames(ov.find("/fragment@1/__overlay__").orElseThrow().node()));
        assertEquals(
                List.of("buffer@b0000000"),
                names(ov.find("/fragment@2/__overlay__").orElseThrow().node().children()));
        assertEquals(
                List.of("chosen", "memory"),
                List.of(
                        ov.find("/fragment@3/__overlay__")
                                .orElseThrow()
                                .node()
                                .children()
                                .get(0)
                                .name(),
                        ov.find("/fragment@4/__overlay__")
                                .orElseThrow()
                                .node()
                                .children()
                                .get(0)
                                .name()));
        // address order, contiguous ranges merged: 0x80000000+128M, 0xa0000000+1M, 0xb0000000+8K, 0xc0000000+4K
        assertArrayEquals(
                new long[] {
                    0,
                    0x8000_0000L,
                    0,
                    0x800_0000L,
                    0,
                    0xa000_0000L,
                    0,
                    0x10_0000L,
                    0,
                    0xb000_0000L,
                    0,
                    0x2000,
                    0,
                    0xc000_0000L,
                    0,
                    0x1000
                },
                ov.find("/fragment@4/__overlay__/memory")
                        .orElseThrow()
                        .node()
                        .property("reg")
                        .orElseThrow()
                        .value()
                        .cells());
        // phandles: the base's 1 for shm-a (literal, no fixup), overlay-local 1 and 2 for the others
        Node shmA = ov.find("/fragment@7/__overlay__/hypervisor/shm-a")
                .orElseThrow()
                .node();
        Node shmC = ov.find("/fragment@8/__overlay__/hypervisor/shm-c")
                .orElseThrow()
                .node();
        Node shmB = ov.find("/fragment@9/__overlay__/hypervisor/shm-b")
                .orElseThrow()
                .node();
        long baseShmA = DtbReader.read(base, "base")
                .find("/reserved-memory/region@a0000000")
                .orElseThrow()
                .node()
                .phandle();
        assertEquals(
                baseShmA, shmA.property("memory-region").orElseThrow().value().asCell());
        assertEquals(1, shmC.property("memory-region").orElseThrow().value().asCell());
        assertEquals(2, shmB.property("memory-region").orElseThrow().value().asCell());
        assertEquals(
                List.of("compatible", "buffer", "memory-region", "qcom,label", "label"), propNames(shmB)); // no peer
        assertEquals(2, shmB.property("buffer").orElseThrow().value().asCell(), "buffer twins memory-region");
        assertEquals(
                List.of("vendor,x", "qcom,shared-memory"),
                shmC.property("compatible").orElseThrow().value().asStrings());
        Node fixups = ov.find("/__local_fixups__").orElseThrow().node();
        assertEquals(List.of("fragment@8", "fragment@9"), names(fixups.children()));
        assertFalse(ov.find("/__local_fixups__/fragment@7").isPresent());

        byte[] merged = OverlayGenerator.apply(base, info);
        DeviceTree m = DtbReader.read(merged, "merged");
        long cPhandle = m.find("/reserved-memory/labelled@c0000000")
                .orElseThrow()
                .node()
                .phandle();
        assertEquals(
                cPhandle,
                m.find("/hypervisor/shm-c")
                        .orElseThrow()
                        .node()
                        .property("memory-region")
                        .orElseThrow()
                        .value()
                        .asCell());
        assertEquals(
                baseShmA,
                m.find("/hypervisor/shm-a")
                        .orElseThrow()
                        .node()
                        .property("memory-region")
                        .orElseThrow()
                        .value()
                        .asCell());
        assertTrue(cPhandle > 5, "overlay phandles move above the base's");
        assertTrue(m.find("/chosen").orElseThrow().node().hasProperty("kaslr-seed"));
        sameAsFdtoverlay(dir, base, OverlayGenerator.dtbo(info), merged);
    }

    @Test
    void aBareBaseGetsChosenReservedMemoryMemoryAndVsoc(@TempDir Path dir) throws Exception {
        byte[] base = compile(BARE_BASE);
        GuestLayout layout = GuestLayout.of(
                DtbReader.read(base, "base"),
                0xfedcba9876543210L,
                List.of(new GuestLayout.Region(0x8000_0000L, 0x800_0000L)),
                List.of());
        VmOverlayInfo info = vm(layout, List.of());
        DeviceTree ov = OverlayGenerator.generate(info);
        assertEquals(
                List.of("chosen"),
                names(ov.find("/fragment@0/__overlay__").orElseThrow().node().children()));
        assertArrayEquals(
                new long[] {0xfedcba98L, 0x76543210L},
                ov.find("/fragment@0/__overlay__/chosen")
                        .orElseThrow()
                        .node()
                        .property("kaslr-seed")
                        .orElseThrow()
                        .value()
                        .cells());
        assertEquals(
                List.of("reserved-memory", "memory"),
                names(ov.find("/fragment@1/__overlay__").orElseThrow().node().children()));
        assertEquals(
                List.of("vsoc"),
                names(ov.find("/fragment@2/__overlay__").orElseThrow().node().children()));
        assertEquals(
                List.of("hypervisor"),
                names(ov.find("/fragment@3/__overlay__").orElseThrow().node().children()));
        byte[] merged = OverlayGenerator.apply(base, info);
        // "memory" merges into the base's memory@80000000, as libfdt's name lookup does
        assertEquals(
                List.of("memory@80000000"),
                node(merged, "/").children().stream()
                        .map(Node::name)
                        .filter(n -> n.startsWith("memory"))
                        .toList());
        sameAsFdtoverlay(dir, base, OverlayGenerator.dtbo(info), merged);
        // the dt-schema style has the same memory fragments, its memory node with a unit address (root-node.yaml
        // wants one when the base has no memory node to merge into), and no /vsoc (simple-bus.yaml rejects the name)
        DeviceTree dts = OverlayGenerator.generate(info, OverlayStyle.DTSCHEMA);
        assertEquals(
                List.of("chosen", "reserved-memory,memory@80000000", "hypervisor"),
                dts.root().children().stream()
                        .filter(n -> n.name().startsWith("fragment@"))
                        .map(n -> String.join(
                                ",", names(n.child("__overlay__").orElseThrow().children())))
                        .toList());
    }

    @Test
    void rangesMergeAndMustFitTheRootCells() {
        assertEquals(
                List.of(new GuestLayout.Region(0x1000, 0x3000), new GuestLayout.Region(0x5000, 0x1000)),
                GuestLayout.merge(List.of(
                        new GuestLayout.Region(0x5000, 0x1000),
                        new GuestLayout.Region(0x2000, 0x2000),
                        new GuestLayout.Region(0x1000, 0x1000),
                        new GuestLayout.Region(0x1800, 0x800))));
        GuestLayout oneCell = new GuestLayout(
                1, 1, false, true, true, 0, List.of(new GuestLayout.Region(0x1_0000_0000L, 0x1000)), List.of());
        assertThrows(IllegalArgumentException.class, () -> OverlayGenerator.generate(vm(oneCell, List.of())));
        assertThrows(
                IllegalArgumentException.class,
                () -> new GuestLayout(0, 1, false, true, true, 0, List.of(), List.of()));
        // a shm node needs the buffer of its label
        GuestLayout none = new GuestLayout(2, 2, false, true, true, 0, List.of(), List.of());
        assertThrows(
                IllegalArgumentException.class,
                () -> vm(
                        none,
                        List.of(new Vdevice.SharedMemory("/hypervisor/shm", List.of(), 3, OptionalLong.empty()))));
        // the primary's overlay is §10.5's single fragment: no layout
        assertThrows(
                IllegalArgumentException.class,
                () -> VmOverlayInfo.primary(3, RPC).withLayout(none));
    }
}
