package dev.gunyahdt.dt.spec;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.dtb.DtbReader;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecLookupsTest {

    private static final String BOARD = """
            /dts-v1/;
            / {
                #address-cells = <2>; #size-cells = <2>;
                interrupt-parent = <&gic>;
                gic: intc@8000000 {
                    #interrupt-cells = <3>; #address-cells = <0>; interrupt-controller;
                    reg = <0 0x8000000 0 0x10000>;
                };
                soc {
                    #address-cells = <1>; #size-cells = <1>;
                    ranges = <0x0 0x0 0x40000000 0x100000>;
                    uart@1000 { reg = <0x1000 0x100>; interrupts = <0 5 4>; };
                    bus@2000 {
                        #address-cells = <1>; #size-cells = <1>;
                        uart@10 { reg = <0x10 0x10>; };
                    };
                };
                pcie@10000000 {
                    device_type = "pci";
                    #address-cells = <3>; #size-cells = <2>; #interrupt-cells = <1>;
                    reg = <0 0x10000000 0 0x1000>;
                    ranges = <0x02000000 0 0x20000000 0 0x20000000 0 0x1000000>;
                    interrupt-map-mask = <0x1800 0 0 7>;
                    interrupt-map = <0x0000 0 0 1 &gic 0 3 4>,
                                    <0x0800 0 0 1 &gic 0 4 4>;
                };
                gpio0: gpio { gpio-controller; #gpio-cells = <2>; };
                conn: connector {
                    #gpio-cells = <2>;
                    gpio-map = <0 0 &gpio0 12 0>, <1 0 &gpio0 13 0>;
                    gpio-map-mask = <0xf 0>;
                    gpio-map-pass-thru = <0 0x1>;
                };
                loop1: a { interrupt-parent = <&loop2>; };
                loop2: b { interrupt-parent = <&loop1>; };
            };
            """;

    private static final DeviceTree TREE = compile(BOARD);

    /** Through the compile pipeline and back from the blob: phandles resolved, as every caller sees a tree. */
    private static DeviceTree compile(String dts) {
        CompileOptions d = CompileOptions.defaults();
        CompileOptions o = new CompileOptions(CompileOptions.Format.DTS, CompileOptions.Format.DTB, d.dtb(), -1, false,
                List.of(), false, d.phandles(), List.of(), false, false, false, false, Map.of());
        Compilation c = new Compiler(o).compile(Path.of("-"), dts.getBytes(StandardCharsets.ISO_8859_1), "-");
        if (c.failed()) {
            throw new AssertionError("test source does not compile: " + c.messages());
        }
        return DtbReader.read(c.output(), "t.dtb");
    }

    private static NodeCursor at(String path) {
        return TREE.find(path).orElseThrow();
    }

    @Test
    void addressAndSizeCellsDefaultToTwoAndOne() {
        NodeCursor gic = at("/intc@8000000");
        assertEquals(0, Addressing.addressCells(gic));
        assertEquals(Addressing.DEFAULT_SIZE_CELLS, Addressing.sizeCells(gic));
        assertEquals(1, Addressing.addressCells(at("/soc")));
        // of_irq_parse_raw's count: the node's own, else the nearest ancestor's
        assertEquals(1, Addressing.inheritedAddressCells(at("/soc/uart@1000")));
    }

    @Test
    void aCountThatIsNotOneCellIsAPositionedError() {
        DeviceTree bad = compile("/dts-v1/; / { n { #address-cells = <1 2>; }; };");
        DtException e = assertThrows(DtException.class,
                () -> Addressing.addressCells(bad.find("/n").orElseThrow()));
        assertTrue(e.getMessage().startsWith("/n: #address-cells: expected one cell"), e.getMessage());
        assertEquals(-1, Addressing.countOrNone(bad.find("/n").orElseThrow().node(), "#address-cells", 2));
    }

    @Test
    void theInterruptParentIsInheritedUntilANodeWithInterruptCells() {
        assertEquals("/intc@8000000", Interrupts.parent(at("/soc/uart@1000"), TREE.phandles()).path());
        DtException loop = assertThrows(DtException.class, () -> Interrupts.parent(at("/a"), TREE.phandles()));
        assertTrue(loop.getMessage().contains("form a loop"), loop.getMessage());
    }

    @Test
    void anInterruptMapRowCarriesUnitAddressesAndIsRoutedUnderItsMask() {
        NexusMap map = NexusMap.read(at("/pcie@10000000"), "interrupt", TREE.phandles());
        assertEquals(2, map.rows().size());
        NexusMap.Row second = map.rows().get(1);
        assertEquals(8, second.start());
        assertEquals(12, second.phandleAt());
        assertEquals(0, second.parentUnit().length); // the GIC's #address-cells = <0>
        assertArrayEquals(new long[] {0, 4, 4}, second.parentSpec());
        // device 1 (0x0800), function bits masked off, INTA
        NexusMap.Routed r = map.route(new long[] {0x0900, 0, 0}, new long[] {1}).orElseThrow();
        assertEquals("/intc@8000000", r.parent().path());
        assertArrayEquals(new long[] {0, 4, 4}, r.spec());
        assertTrue(map.route(new long[] {0x1000, 0, 0}, new long[] {1}).isEmpty());
    }

    @Test
    void everyOtherMapIsReadTheSameWayWithPassThrough() {
        NexusMap map = NexusMap.read(at("/connector"), "gpio", TREE.phandles());
        assertEquals(0, map.unitCells());
        NexusMap.Routed r = map.route(new long[0], new long[] {0x11, 1}).orElseThrow(); // mask keeps 0x1
        assertEquals("/gpio", r.parent().path());
        assertArrayEquals(new long[] {13, 1}, r.spec()); // the flags cell passes through
    }

    @Test
    void aRowNamingNoNodeSaysHowARowIsLaidOut() {
        DeviceTree bad = compile("""
                /dts-v1/;
                / { n { #interrupt-cells = <1>; #address-cells = <0>; interrupt-map = <1 7 0 1>; }; };
                """);
        DtException e = assertThrows(DtException.class,
                () -> NexusMap.read(bad.find("/n").orElseThrow(), "interrupt", bad.phandles()));
        assertTrue(e.getMessage().contains("phandle 0x7 refers to no node"), e.getMessage());
    }

    @Test
    void rangesTranslateUpToTheRootAndSayWhyNot() {
        NodeCursor uart = at("/soc/uart@1000");
        Property reg = uart.node().property("reg").orElseThrow();
        assertEquals(BigInteger.valueOf(0x40001000L), Ranges.toCpu(at("/soc"), new long[] {0x1000}, uart, reg).address());
        Ranges.Translation none = Ranges.toCpu(at("/soc/bus@2000"), new long[] {0x10}, uart, reg);
        assertNull(none.address());
        assertEquals("/soc/bus@2000 has no ranges: its children's addresses are not CPU addresses", none.untranslatable());
        Ranges.Translation outside = Ranges.toCpu(at("/soc"), new long[] {0x200000}, uart, reg);
        assertTrue(outside.untranslatable().contains("outside every ranges entry"));
        // PCI: the space code must match, the two low cells are the address
        NodeCursor pcie = at("/pcie@10000000");
        assertEquals(BigInteger.valueOf(0x20000010L),
                Ranges.toCpu(pcie, new long[] {0x02000000, 0, 0x20000010}, pcie, reg).address());
        assertTrue(!Ranges.toCpu(pcie, new long[] {0x01000000, 0, 0x20000010}, pcie, reg).translated());
    }

    @Test
    void cellReadersAreBigEndian() {
        byte[] b = {0x12, 0x34, 0x56, 0x78, (byte) 0x9a, (byte) 0xbc, (byte) 0xde, (byte) 0xf0};
        assertEquals(0x12345678L, Cells.u32(b, 0));
        assertEquals(0x9abcdef0L, Cells.u32(b, 4));
        assertEquals(0x123456789abcdef0L, Cells.u64(b, 0));
        assertEquals(0x1_0000_0002L, Cells.join(new long[] {1, 2}, 0, 2));
        assertArrayEquals(new long[] {1, 2}, Cells.split(BigInteger.valueOf(0x1_0000_0002L), 2));
        assertNull(Cells.split(BigInteger.ONE.shiftLeft(64), 2));
        assertArrayEquals(new long[] {0x1_0000_0002L}, Cells.pairs(new long[] {1, 2, 3}));
    }
}
