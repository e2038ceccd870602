package dev.gunyahdt.dt.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeDiffTest {

    /** The board of {@link Dts#BOARD} with its top-level nodes in another order: dtc numbers the phandles differently. */
    static final String REORDERED = """
            /dts-v1/;
            / {
            	compatible = "test,board";
            	#size-cells = <2>;
            	#address-cells = <2>;
            	interrupt-parent = <&gic>;
            	rst: reset-controller {
            		#reset-cells = <1>;
            	};
            	soc {
            		#address-cells = <1>;
            		#size-cells = <1>;
            		compatible = "simple-bus";
            		ranges = <0x0 0x0 0x0 0x40000000>;
            		dma@1000 {
            			reg = <0x1000 0x100>;
            			interrupts-extended = <&gic 0 7 4>, <&gic 1 9 8>;
            		};
            		uart0: serial@9000000 {
            			compatible = "arm,pl011", "arm,primecell";
            			reg = <0x9000000 0x1000>;
            			resets = <&rst 3>, <&rst 4>;
            			interrupts = <0 1 4>;
            			clocks = <&clk>, <&clk>;
            			clock-names = "uartclk", "apb_pclk";
            		};
            		timer {
            			interrupts = <1 13 0xf08>, <1 14 2>;
            		};
            	};
            	clk: clock {
            		compatible = "fixed-clock";
            		#clock-cells = <0>;
            		clock-frequency = <24000000>;
            	};
            	pcie {
            		#interrupt-cells = <1>;
            		#address-cells = <3>;
            		interrupt-map-mask = <0x1800 0 0 7>;
            		interrupt-map = <0 0 0 1 &gic 0 0 0 3 4>, <0 0 0 2 &gic 0 0 0 4 1>;
            	};
            	gic: interrupt-controller@8000000 {
            		compatible = "arm,gic-v3";
            		#interrupt-cells = <3>;
            		interrupt-controller;
            		reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>;
            		#address-cells = <2>;
            		#size-cells = <2>;
            	};
            };
            """;

    private static List<String> diff(DeviceTree a, DeviceTree b) {
        return TreeDiff.compare(a, b).stream().map(TreeDiff.Change::render).toList();
    }

    @Test
    void phandleRenumberingIsNoDifference() {
        for (boolean symbols : new boolean[] {false, true}) {
            byte[] a = Dts.blob(Dts.BOARD, symbols);
            byte[] b = Dts.blob(REORDERED, symbols);
            assertFalse(Arrays.equals(a, b));
            DeviceTree ta = DtbReader.read(a, "a.dtb");
            DeviceTree tb = DtbReader.read(b, "b.dtb");
            // the phandles really were numbered differently
            assertFalse(ta.find("/clock").get().node().phandle()
                    == tb.find("/clock").get().node().phandle());
            assertEquals(List.of(), diff(ta, tb));
        }
    }

    @Test
    void aSourceAndItsBlobAreTheSame() {
        assertEquals(List.of(), diff(Dts.sourceTree(Dts.BOARD), Dts.blobTree(REORDERED, false)));
    }

    @Test
    void realDifferencesAreListedByPath() {
        String changed = REORDERED
                .replace("clocks = <&clk>, <&clk>;", "clocks = <&clk>, <&gic>;\n\t\t\tstatus = \"okay\";")
                .replace("interrupts = <0 1 4>;", "interrupts = <0 2 4>;")
                .replace("\t\ttimer {\n\t\t\tinterrupts = <1 13 0xf08>, <1 14 2>;\n\t\t};\n", "")
                .replace("\tpcie {", "\tnew: extra@0 { reg = <0 0 0 1>; };\n\tpcie {");
        List<String> d = diff(Dts.blobTree(Dts.BOARD, false), Dts.blobTree(changed, false));
        assertEquals(
                List.of(
                        "+ /extra@0",
                        "+ /extra@0:reg = <0x0 0x0 0x0 0x1>",
                        // gic has no #clock-cells: only the first tree's walk reaches the second cell, and
                        // that is enough to compare it by target
                        "~ /soc/serial@9000000:clocks = <&{/clock} &{/clock}> -> <&{/clock} &{/interrupt-controller@8000000}>",
                        "~ /soc/serial@9000000:interrupts = <0x0 0x1 0x4> -> <0x0 0x2 0x4>",
                        "+ /soc/serial@9000000:status = \"okay\"",
                        "- /soc/timer",
                        "- /soc/timer:interrupts = <0x1 0xd 0xf08 0x1 0xe 0x2>"),
                d);
    }

    @Test
    void headerDifferences() {
        DeviceTree a = Dts.blobTree("/dts-v1/;\n/memreserve/ 0x1000 0x100;\n/ { };\n", false);
        DeviceTree b = Dts.blobTree("/dts-v1/;\n/memreserve/ 0x2000 0x100;\n/ { };\n", false)
                .withBootCpuidPhys(1);
        assertEquals(
                List.of("- /memreserve/ = 0x1000 0x100", "+ /memreserve/ = 0x2000 0x100", "~ boot-cpuid = 0x0 -> 0x1"),
                diff(a, b));
    }

    @Test
    void overlaysCompareFixupsAsSetsAndReferencesByLabel() {
        String one = """
                /dts-v1/;
                /plugin/;
                &a { x = <&ext1>; };
                &b { y = <&ext2>; };
                """;
        String two = """
                /dts-v1/;
                /plugin/;
                &b { y = <&ext2>; };
                &a { x = <&ext1>; };
                """;
        // fragment numbering follows the source order, so the fragments swap places: that is a
        // real difference, but the fixup lists themselves compare as sets
        List<String> d = diff(Dts.blobTree(one, false), Dts.blobTree(two, false));
        assertEquals(
                List.of(
                        "~ /__fixups__:a = \"/fragment@0:target:0\" -> \"/fragment@1:target:0\"",
                        "~ /__fixups__:b = \"/fragment@1:target:0\" -> \"/fragment@0:target:0\"",
                        "~ /__fixups__:ext1 = \"/fragment@0/__overlay__:x:0\" -> \"/fragment@1/__overlay__:x:0\"",
                        "~ /__fixups__:ext2 = \"/fragment@1/__overlay__:y:0\" -> \"/fragment@0/__overlay__:y:0\"",
                        "~ /fragment@0:target = <&a> -> <&b>",
                        "- /fragment@0/__overlay__:x = <&ext1>",
                        "+ /fragment@0/__overlay__:y = <&ext2>",
                        "~ /fragment@1:target = <&b> -> <&a>",
                        "+ /fragment@1/__overlay__:x = <&ext1>",
                        "- /fragment@1/__overlay__:y = <&ext2>"),
                d);
        assertEquals(
                List.of(),
                diff(Dts.blobTree(one, true), Dts.blobTree(one, false)).stream()
                        .filter(s -> !s.contains("__symbols__"))
                        .toList());
    }

    @Test
    void vendorPhandleCellsCompareByTargetToo() {
        // 'vendor,pipes' is no standard phandle property, but its cells differ only by numbering
        String a = """
                /dts-v1/;
                / {
                	p0: p0 { };
                	p1: p1 { };
                	x { vendor,pipes = <&p0 &p1>; vendor,count = <2>; };
                	z { vendor,other = <&p1>; };
                };
                """;
        String b = """
                /dts-v1/;
                / {
                	z { vendor,other = <&p1>; };
                	x { vendor,pipes = <&p0 &p1>; vendor,count = <2>; };
                	p1: p1 { };
                	p0: p0 { };
                };
                """;
        DeviceTree ta = Dts.blobTree(a, false);
        DeviceTree tb = Dts.blobTree(b, false);
        assertFalse(ta.find("/p0").get().node().phandle()
                == tb.find("/p0").get().node().phandle());
        assertEquals(List.of(), diff(ta, tb));
        // a renumbered cell must still name the same node; one that does not is a change (shown
        // as the numbers, since nothing says they are phandles)
        assertEquals(
                List.of("~ /x:vendor,pipes = <&{/p0} 0x2> -> <&{/p0} 0x3>", "+ /z:phandle = <phandle>"),
                diff(ta, Dts.blobTree(b.replace("<&p0 &p1>", "<&p0 &z>").replace("z {", "z: z {"), false)));
        // the limit: in a property the analysis does not know, equal numbers are taken as equal
        // (here both trees hold <1 2>, naming p0, p1 in one and p1, p0 in the other)
        assertEquals(List.of(), diff(ta, Dts.blobTree(b.replace("<&p0 &p1>", "<&p1 &p0>"), false)));
    }
}
