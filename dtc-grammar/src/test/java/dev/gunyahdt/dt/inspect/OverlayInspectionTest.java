package dev.gunyahdt.dt.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.inspect.Inspection.Format;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverlayInspectionTest {

    static final String OVERLAY = """
            /dts-v1/;
            /plugin/;
            &uart0 {
            	status = "okay";
            	clocks = <&clk>, <&clk>;
            };
            &{/soc} {
            	newdev: dev@1000 {
            		reg = <0x1000 0x10>;
            		interrupt-parent = <&gic>;
            		interrupts = <0 42 1>;
            		other = <&newdev>;
            		phandle-list = <&{/fragment@1/__overlay__/mine} 1 2>;
            		odd = "ab", <&newdev>;
            	};
            	mine {
            		#foo-cells = <2>;
            	};
            };
            """;

    @Test
    void fixupsBecomeLabelReferencesInAPluginPrintout() {
        byte[] blob = Dts.blob(OVERLAY, true);
        Inspection in = Inspection.of(DtbReader.read(blob, "o.dtbo"));
        assertTrue(in.isOverlay());
        assertEquals(
                List.of(new CellRef(0, null, "uart0", CellRef.Source.FIXUP)), in.references("/fragment@0", "target"));
        assertEquals(
                List.of(new CellRef(0, "/fragment@1/__overlay__/mine", null, CellRef.Source.LOCAL_FIXUP)),
                in.references("/fragment@1/__overlay__/dev@1000", "phandle-list"));
        assertEquals("""
                /dts-v1/;
                /plugin/;

                / {

                	fragment@0 {
                		target = <&uart0>;

                		__overlay__ {
                			status = "okay";
                			clocks = <&clk>, <&clk>;
                		};
                	};

                	fragment@1 {
                		target-path = "/soc";

                		__overlay__ {

                			newdev: dev@1000 {
                				reg = <0x1000 0x10>;
                				interrupt-parent = <&gic>;
                				interrupts = <0x0 0x2a 0x1>;
                				other = <&newdev>;
                				phandle-list = <&{/fragment@1/__overlay__/mine} 0x1 0x2>;
                				odd = [61 62 00], <&newdev>;
                				phandle = <0x1>;
                			};

                			mine {
                				#foo-cells = <0x2>;
                				phandle = <0x2>;
                			};
                		};
                	};

                	__symbols__ {
                		newdev = "/fragment@1/__overlay__/dev@1000";
                	};
                };
                """, in.render(Format.DTS, null));
    }

    @Test
    void overlaysRoundTrip() {
        for (boolean symbols : new boolean[] {false, true}) {
            byte[] blob = Dts.blob(OVERLAY, symbols);
            String dts = Inspection.of(DtbReader.read(blob, "o.dtbo")).render(Format.DTS, null);
            assertArrayEquals(blob, Dts.blob(dts, false), dts);
        }
    }

    @Test
    void gicInterruptsInsideAnOverlayDecodeWhenTheParentIsLocal() {
        Inspection in = Inspection.of(Dts.blobTree("""
                /dts-v1/;
                /plugin/;
                &{/} {
                	vgic: intc { compatible = "arm,gic-400"; #interrupt-cells = <3>; interrupt-controller; };
                	dev { interrupt-parent = <&vgic>; interrupts = <0 5 4>; };
                };
                """, false));
        assertEquals(List.of("SPI 5 level-high"), in.interrupts("/fragment@0/__overlay__/dev", "interrupts"));
    }

    @Test
    void fixupsThatDoNotPlaceKeepTheTreeVerbatim() {
        // a hand-written __fixups__ naming a property that does not exist: print a plain tree
        // that keeps the fixup nodes, and show the resolvable reference as a comment only
        byte[] blob = Dts.blob("""
                /dts-v1/;
                / {
                	a { prop = <0xffffffff>; };
                	__fixups__ { uart0 = "/a:prop:0"; clk = "/nope:x:0"; };
                };
                """, false);
        Inspection in = Inspection.of(DtbReader.read(blob, "odd.dtbo"));
        assertTrue(in.isOverlay());
        String dts = in.render(Format.DTS, null);
        assertFalse(dts.contains("/plugin/"), dts);
        assertTrue(dts.contains("prop = <0xffffffff /* &uart0 */>;"), dts);
        assertTrue(dts.contains("__fixups__ {"), dts);
        assertArrayEquals(blob, Dts.blob(dts, false), dts);
    }

    @Test
    void aFixupLabelIsNotAlsoPlacedOnALocalNode() {
        // hand-made: the overlay's own symbol 'clk' would capture the external reference &clk
        // if it were printed as a label, so it is left off the node
        byte[] blob = Dts.blob("""
                /dts-v1/;
                / {
                	m { phandle = <1>; };
                	n { clocks = <0xffffffff>; };
                	__symbols__ { clk = "/m"; };
                	__fixups__ { clk = "/n:clocks:0"; };
                };
                """, false);
        Inspection in = Inspection.of(DtbReader.read(blob, "o.dtbo"));
        assertEquals(List.of(new CellRef(0, null, "clk", CellRef.Source.FIXUP)), in.references("/n", "clocks"));
        assertEquals(List.of(), in.labels("/m"));
        String dts = in.render(Format.DTS, null);
        assertTrue(dts.contains("\tm {\n"), dts);
        assertArrayEquals(blob, Dts.blob(dts, false), dts);
    }

    @Test
    void emptyFixupNodesArePrintedAsTheyAre() {
        // as the Gunyah RM writes them: fixup nodes present but empty; dtc would not create them
        byte[] blob = Dts.blob("""
                /dts-v1/;
                / {
                	fragment@0 { target-path = "/"; __overlay__ { hypervisor { }; }; };
                	__fixups__ { };
                	__local_fixups__ { };
                };
                """, false);
        String dts = Inspection.of(DtbReader.read(blob, "o.dtbo")).render(Format.DTS, null);
        assertTrue(dts.startsWith("/dts-v1/;\n/plugin/;\n"), dts);
        assertTrue(dts.contains("\t__fixups__ {\n\t};\n"), dts);
        assertArrayEquals(blob, Dts.blob(dts, false), dts);
    }

    @Test
    void fixupsDtcWouldOrderOtherwiseKeepTheTreeVerbatim() {
        // __symbols__ after the fixup nodes: dtc would append the rebuilt fixups after it
        byte[] blob = Dts.blob("""
                /dts-v1/;
                / {
                	fragment@0 { target = <0xffffffff>; __overlay__ { x = <1>; }; };
                	__fixups__ { uart0 = "/fragment@0:target:0"; };
                	__symbols__ { };
                };
                """, false);
        String dts = Inspection.of(DtbReader.read(blob, "o.dtbo")).render(Format.DTS, null);
        assertFalse(dts.contains("/plugin/"), dts);
        assertTrue(dts.contains("target = <0xffffffff /* &uart0 */>;"), dts);
        assertArrayEquals(blob, Dts.blob(dts, false), dts);

        // and fixup entries in another order than dtc's tree order
        byte[] swapped = Dts.blob("""
                /dts-v1/;
                / {
                	a { p = <0xffffffff>; };
                	b { p = <0xffffffff>; };
                	__fixups__ { x = "/b:p:0", "/a:p:0"; };
                };
                """, false);
        String dts2 = Inspection.of(DtbReader.read(swapped, "o.dtbo")).render(Format.DTS, null);
        assertFalse(dts2.contains("/plugin/"), dts2);
        assertArrayEquals(swapped, Dts.blob(dts2, false), dts2);
    }

    @Test
    void localFixupsInDtcOrderAreRebuilt() {
        byte[] blob = Dts.blob("""
                /dts-v1/;
                / {
                	n: n { phandle = <1>; };
                	b { c { p = <1 0 1>; }; };
                	a { q = <1>; };
                	__local_fixups__ { b { c { p = <0 8>; }; }; a { q = <0>; }; };
                };
                """, false);
        Inspection in = Inspection.of(DtbReader.read(blob, "o.dtbo"));
        String dts = in.render(Format.DTS, null);
        assertTrue(dts.contains("/plugin/"), dts);
        assertTrue(dts.contains("p = <&{/n} 0x0 &{/n}>;"), dts);
        assertArrayEquals(blob, Dts.blob(dts, false), dts);
    }
}
