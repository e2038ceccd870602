package dev.gunyahdt.dt.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.inspect.Inspection.Format;
import java.util.List;
import org.junit.jupiter.api.Test;

class InspectionTest {

    private static Inspection board(boolean symbols) {
        return Inspection.of(Dts.blobTree(Dts.BOARD, symbols));
    }

    /** The DTS rendering compiles (without -@) back to the very blob it was read from. */
    private static void assertRoundTrip(byte[] blob) {
        String dts = Inspection.of(DtbReader.read(blob, "in.dtb")).render(Format.DTS, null);
        assertArrayEquals(blob, Dts.blob(dts, false), () -> "does not compile back to the same blob:\n" + dts);
    }

    @Test
    void labelsComeFromSymbolsAndPhandleCellsBecomeReferences() {
        String soc = board(true).render(Format.DTS, "/soc");
        assertEquals("""
                // /soc
                soc {
                	compatible = "simple-bus";
                	#address-cells = <0x1>;
                	#size-cells = <0x1>;
                	ranges = <0x0 0x0 0x0 0x40000000>;

                	uart0: serial@9000000 {
                		compatible = "arm,pl011", "arm,primecell";
                		reg = <0x9000000 0x1000>;
                		interrupts = <0x0 0x1 0x4 /* SPI 1 level-high */>;
                		clocks = <&clk>, <&clk>;
                		resets = <&rst 0x3>, <&rst 0x4>;
                		clock-names = "uartclk", "apb_pclk";
                		phandle = <0x4>;
                	};

                	timer {
                		interrupts = <0x1 0xd 0xf08 /* PPI 13 level-low cpus 0xf */>, <0x1 0xe 0x2 /* PPI 14 edge-falling */>;
                	};

                	dma@1000 {
                		reg = <0x1000 0x100>;
                		interrupts-extended = <&gic 0x0 0x7 0x4 /* SPI 7 level-high */>, <&gic 0x1 0x9 0x8 /* PPI 9 level-low */>;
                	};
                };
                """, soc);
    }

    @Test
    void wholeTreeHeaderAndInterruptMap() {
        String dts = board(true).render(Format.DTS, null);
        assertTrue(
                dts.startsWith(
                        "/dts-v1/;\n\n/ {\n\t#address-cells = <0x2>;\n\t#size-cells = <0x2>;\n\tinterrupt-parent = <&gic>;\n"),
                dts);
        assertTrue(dts.contains("\tgic: interrupt-controller@8000000 {\n"), dts);
        assertTrue(dts.contains("\t\treg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>;\n"), dts);
        assertTrue(
                dts.contains("\t\tinterrupt-map = <0x0 0x0 0x0 0x1 &gic 0x0 0x0 0x0 0x3 0x4 /* SPI 3 level-high */>, "
                        + "<0x0 0x0 0x0 0x2 &gic 0x0 0x0 0x0 0x4 0x1 /* SPI 4 edge-rising */>;\n"),
                dts);
        assertTrue(dts.contains("\t__symbols__ {\n\t\tgic = \"/interrupt-controller@8000000\";\n"), dts);
        assertFalse(dts.contains("/plugin/"), dts);
    }

    @Test
    void withoutSymbolsReferencesArePaths() {
        Inspection in = board(false);
        assertEquals(List.of(), in.labels("/clock"));
        assertEquals(
                List.of(
                        new CellRef(0, "/reset-controller", null, CellRef.Source.PROPERTY),
                        new CellRef(8, "/reset-controller", null, CellRef.Source.PROPERTY)),
                in.references("/soc/serial@9000000", "resets"));
        assertTrue(in.render(Format.DTS, null)
                .contains("resets = <&{/reset-controller} 0x3>, <&{/reset-controller} 0x4>;"));
    }

    @Test
    void interruptsAreDecodedForGicParentsOnly() {
        Inspection in = board(true);
        assertEquals(List.of("SPI 1 level-high"), in.interrupts("/soc/serial@9000000", "interrupts"));
        assertEquals(
                List.of("PPI 13 level-low cpus 0xf", "PPI 14 edge-falling"), in.interrupts("/soc/timer", "interrupts"));
        assertEquals(
                List.of("SPI 7 level-high", "PPI 9 level-low"), in.interrupts("/soc/dma@1000", "interrupts-extended"));
        assertEquals(List.of("SPI 3 level-high", "SPI 4 edge-rising"), in.interrupts("/pcie", "interrupt-map"));
        assertEquals(
                List.of(
                        new CellRef(16, "/interrupt-controller@8000000", "gic", CellRef.Source.PROPERTY),
                        new CellRef(56, "/interrupt-controller@8000000", "gic", CellRef.Source.PROPERTY)),
                in.references("/pcie", "interrupt-map"));

        // an interrupt controller that is not a GIC: entries are split, but not decoded
        Inspection other = Inspection.of(Dts.blobTree("""
                /dts-v1/;
                / {
                	intc: intc { interrupt-controller; #interrupt-cells = <2>; compatible = "vendor,intc"; };
                	dev { interrupt-parent = <&intc>; interrupts = <5 1>, <6 2>; };
                };
                """, true));
        assertEquals(List.of(), other.interrupts("/dev", "interrupts"));
        assertTrue(other.render(Format.DTS, "/dev").contains("interrupts = <0x5 0x1>, <0x6 0x2>;"));
    }

    @Test
    void dtsRoundTripsToTheSameBlob() {
        assertRoundTrip(Dts.blob(Dts.BOARD, true));
        assertRoundTrip(Dts.blob(Dts.BOARD, false));
    }

    @Test
    void onlyKnownPhandlesBecomeReferences() {
        Inspection in = Inspection.of(Dts.blobTree("""
                /dts-v1/;
                / {
                	clk: clock { #clock-cells = <1>; };
                	a { clocks = <0x99 1>; };
                	b { clocks = <&clk 1>, <0x99 2>; };
                	c { vendor,clk = <&clk>; };
                	d { compatible = "abc"; reg = <0x61626300>; };
                	gpio: gpio { gpio-controller; #gpio-cells = <2>; hog { gpio-hog; gpios = <1 0>; }; };
                	e { reset-gpios = <&gpio 1 0>; };
                };
                """, false));
        String dts = in.render(Format.DTS, null);
        assertTrue(dts.contains("clocks = <0x99 0x1>;"), dts);
        // the walk stops where the phandle is unknown: it cannot tell where the next entry starts
        assertTrue(dts.contains("clocks = <&{/clock} 0x1>, <0x99 0x2>;"), dts);
        // not a standard phandle property: stays a number in a blob
        assertTrue(dts.contains("vendor,clk = <0x1>;"), dts);
        // reg is numbers even when its bytes happen to read as a string
        assertTrue(dts.contains("reg = <0x61626300>;"), dts);
        // a gpio hog's cells are relative to its parent: 0x1 is not the clock's phandle there
        assertTrue(dts.contains("gpios = <0x1 0x0>;"), dts);
        assertTrue(dts.contains("reset-gpios = <&{/gpio} 0x1 0x0>;"), dts);
    }

    @Test
    void sourceReferencesAreKeptForDtsInput() {
        DeviceTree t = Dts.sourceTree("""
                /dts-v1/;
                / {
                	clk: clock { #clock-cells = <1>; };
                	c { vendor,clk = <&clk 7>; mixed = "ab", <&clk>; path = &clk; };
                };
                """);
        Inspection in = Inspection.of(t);
        assertEquals(
                List.of(new CellRef(0, "/clock", "clk", CellRef.Source.SOURCE)), in.references("/c", "vendor,clk"));
        assertEquals(List.of(new CellRef(3, "/clock", "clk", CellRef.Source.SOURCE)), in.references("/c", "mixed"));
        String dts = in.render(Format.DTS, "/c");
        assertTrue(dts.contains("vendor,clk = <&clk 0x7>;"), dts);
        assertTrue(dts.contains("mixed = \"ab\", <&clk>;"), dts);
        assertTrue(dts.contains("path = \"/clock\";"), dts);
    }

    @Test
    void pathOptionTakesPathsAndLabels() {
        Inspection in = board(true);
        assertEquals(in.render(Format.TREE, "/soc/serial@9000000"), in.render(Format.TREE, "uart0"));
        assertEquals(in.render(Format.TREE, "/soc/serial@9000000"), in.render(Format.TREE, "&uart0"));
        assertEquals(in.render(Format.TREE, "/soc/serial@9000000"), in.render(Format.TREE, "&{/soc/serial@9000000}"));
        DtException e = assertThrows(DtException.class, () -> in.render(Format.DTS, "/soc/nope"));
        assertEquals("error: no node at path '/soc/nope'", e.render());
        e = assertThrows(DtException.class, () -> in.render(Format.DTS, "nolabel"));
        assertTrue(e.getMessage().startsWith("no node labelled 'nolabel'"));
    }

    @Test
    void treeOutline() {
        assertEquals("""
                /  "test,board"
                  interrupt-controller@8000000  gic:  "arm,gic-v3"  reg 0x8000000 size 0x10000, 0x80a0000 size 0xf60000
                  clock  clk:  "fixed-clock"
                  reset-controller  rst:
                  soc  "simple-bus"
                    serial@9000000  uart0:  "arm,pl011", "arm,primecell"  reg 0x9000000 size 0x1000  irq SPI 1 level-high
                    timer  irq PPI 13 level-low cpus 0xf, PPI 14 edge-falling
                    dma@1000  reg 0x1000 size 0x100
                  pcie
                  __symbols__
                """, board(true).render(Format.TREE, null));
    }

    @Test
    void treeOutlineJoinsMultiCellAddresses() {
        Inspection in = Inspection.of(Dts.blobTree("""
                /dts-v1/;
                / {
                	#address-cells = <2>; #size-cells = <2>;
                	memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x80000000>, <0x8 0x0 0x1 0x0>; };
                	pci { #address-cells = <3>; #size-cells = <0>; dev@1 { reg = <0x800 0x0 0x1>; }; };
                };
                """, false));
        assertEquals("""
                /
                  memory@40000000  reg 0x40000000 size 0x80000000, 0x800000000 size 0x100000000
                  pci
                    dev@1  reg <0x800 0x0 0x1>
                """, in.render(Format.TREE, null));
    }

    @Test
    void jsonTypesValuesAndEscapes() {
        Inspection in = Inspection.of(Dts.blobTree("""
                /dts-v1/;
                / {
                	clk: clock { #clock-cells = <0>; };
                	n: node@1 {
                		s = "a\\"b\\n", "c";
                		c = <1 2>;
                		b = [01 02 03];
                		w = /bits/ 64 <0x123456789abcdef0>;
                		clocks = <&clk>;
                		e;
                	};
                };
                """, true));
        assertEquals("""
                {
                  "name": "node@1",
                  "path": "/node@1",
                  "labels": ["n"],
                  "properties": [
                    {"name": "s", "type": "strings", "value": ["a\\"b\\n", "c"]},
                    {"name": "c", "type": "cells", "value": [1, 2]},
                    {"name": "b", "type": "bytes", "value": "010203"},
                    {"name": "w", "type": "cells", "value": [305419896, 2596069104]},
                    {"name": "clocks", "type": "cells", "value": [{"phandle": 1, "ref": "&clk", "path": "/clock"}]},
                    {"name": "e", "type": "empty"},
                    {"name": "phandle", "type": "cells", "value": [2]}
                  ],
                  "children": []
                }
                """, in.render(Format.JSON, "n"));
        String whole = in.render(Format.JSON, null);
        assertTrue(
                whole.startsWith(
                        "{\n  \"name\": \"/\",\n  \"path\": \"/\",\n  \"labels\": [],\n  \"properties\": [],\n  \"children\": [\n    {\n      \"name\": \"clock\","),
                whole);
    }

    @Test
    void jsonFromSourceKeepsBitWidths() {
        Inspection in = Inspection.of(Dts.sourceTree("""
                /dts-v1/;
                / { n { w = /bits/ 64 <0x123456789abcdef0>; h = /bits/ 16 <1 2>; m = "x", <3>; }; };
                """));
        String json = in.render(Format.JSON, "/n");
        assertTrue(
                json.contains(
                        "{\"name\": \"w\", \"type\": \"cells\", \"bits\": 64, \"value\": [\"0x123456789abcdef0\"]}"),
                json);
        assertTrue(json.contains("{\"name\": \"h\", \"type\": \"cells\", \"bits\": 16, \"value\": [1, 2]}"), json);
        assertTrue(
                json.contains(
                        "{\"name\": \"m\", \"type\": \"mixed\", \"value\": [{\"type\": \"strings\", \"value\": [\"x\"]}, {\"type\": \"cells\", \"value\": [3]}]}"),
                json);
        String dts = in.render(Format.DTS, "/n");
        assertTrue(dts.contains("w = /bits/ 64 <0x123456789abcdef0>;"), dts);
        assertTrue(dts.contains("h = /bits/ 16 <0x1 0x2>;"), dts);
    }

    @Test
    void oddBytesStillRoundTrip() {
        byte[] blob = Dts.blob("""
                /dts-v1/;
                /memreserve/ 0x10000 0x2000;
                / {
                	a = [00 32 4b 00];
                	b = "tab\\there", "q\\"\\\\", "\\x01\\x7f\\xff";
                	c = [01 02 03 04 05];
                	d = "";
                	e = "", "";
                	f = [00 00 00 00];
                };
                """, false);
        assertRoundTrip(blob);
    }

    @Test
    void rootLabelsAndBootCpu() {
        byte[] blob = Dts.blob("""
                /dts-v1/;
                / {
                	x { interrupt-parent = <&{/}>; };
                	__symbols__ { top = "/"; };
                };
                """, false);
        DeviceTree t = DtbReader.read(blob, "r.dtb").withBootCpuidPhys(3);
        Inspection in = Inspection.of(t);
        assertEquals(List.of("top"), in.labels("/"));
        String dts = in.render(Format.DTS, null);
        assertTrue(dts.contains("// the blob header's boot CPU is 0x3: compile with -b 3 to keep it\n\n/ {\n"), dts);
        assertTrue(dts.contains("interrupt-parent = <&{/}>;"), dts);
        assertArrayEquals(blob, Dts.blob(dts, false), dts);
        assertTrue(in.render(Format.TREE, null).startsWith("/  top:\n"));
    }
}
