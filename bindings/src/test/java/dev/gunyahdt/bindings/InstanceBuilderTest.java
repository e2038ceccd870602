package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.instance.InstanceBuilder;
import dev.gunyahdt.bindings.instance.PropertyTypes;
import dev.gunyahdt.dt.DeviceTree;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceBuilderTest {

    @TempDir
    Path dir;

    @Test
    void valuesKeepTheirSourceGroupingAndTypes() {
        Path f = Trees.write(dir, "i.dts", """
                /dts-v1/;
                / {
                	#address-cells = <2>;
                	#size-cells = <1>;
                	interrupt-parent = <&gic>;
                	gic: intc { #interrupt-cells = <3>; phandle = <5>; };
                	dev@1 {
                		compatible = "a,b", "c";
                		flag;
                		cells = <1 2>, <3>;
                		mixed = "s", <7>;
                		bytes = [01 ff];
                		wide = /bits/ 64 <0xffffffffffffffff>;
                		ref = <&gic 9>;
                		reg = <0 1 2 0 3 4>;
                		interrupts = <0 1 4 0 2 4>;
                	};
                };
                """);
        DeviceTree t = Trees.compile(f);
        ObjectNode o = new InstanceBuilder(t.phandles()).build(t.find("/dev@1").orElseThrow());
        assertEquals(
                "{\"$nodename\":[\"dev@1\"],\"compatible\":[\"a,b\",\"c\"],\"flag\":true,"
                        + "\"cells\":[[1,2],[3]],\"mixed\":[\"s\",[7]],\"bytes\":[[1,255]],"
                        + "\"wide\":[[18446744073709551615]],\"ref\":[[5,9]],"
                        + "\"reg\":[[0,1,2],[0,3,4]],\"interrupts\":[[0,1,4],[0,2,4]]}",
                o.toString());
    }

    @Test
    void dtbValuesAreTypedByTheBindingSet() throws Exception {
        Path f = Trees.write(dir, "d.dts", """
                /dts-v1/;
                / {
                	#address-cells = <1>;
                	#size-cells = <1>;
                	gpio: gpio { #gpio-cells = <2>; phandle = <7>; };
                	clk: clk { #clock-cells = <1>; phandle = <8>; };
                	bus {
                		#address-cells = <1>;
                		#size-cells = <1>;
                		ranges = <0 0x1000 0x100 0x200 0x2000 0x100>;
                		dev {
                			names = "a", "b";
                			reset-gpios = <7 1 0 7 2 1>;
                			clocks = <8 3 8 4>;
                			offset = <0xfffffffe>;
                			big = /bits/ 64 <5>;
                			m = <1 2 3 4 5 6>;
                			untyped = <1 2>;
                		};
                	};
                };
                """);
        DeviceTree t = dev.gunyahdt.dt.dtb.DtbReader.read(
                dev.gunyahdt.dt.dtb.DtbWriter.write(Trees.compile(f), dev.gunyahdt.dt.dtb.DtbOptions.defaults()),
                "d.dtb");
        ObjectNode schema = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"properties": {
                  "names": {"$ref": "/schemas/types.yaml#/definitions/string-array"},
                  "offset": {"$ref": "/schemas/types.yaml#/definitions/int32"},
                  "big": {"$ref": "/schemas/types.yaml#/definitions/uint64"},
                  "m": {"$ref": "/schemas/types.yaml#/definitions/uint32-matrix",
                        "items": {"minItems": 3, "maxItems": 3}},
                  "clocks": {"$ref": "/schemas/types.yaml#/definitions/phandle-array"}},
                 "patternProperties": {"-gpios$": {"$ref": "/schemas/types.yaml#/definitions/phandle-array"}}}
                """);
        PropertyTypes types = PropertyTypes.of(java.util.List.of(schema));
        ObjectNode bus =
                new InstanceBuilder(t.phandles(), types).build(t.find("/bus").orElseThrow());
        assertEquals("[[0,4096,256],[512,8192,256]]", bus.get("ranges").toString());
        assertEquals("[\"bus\"]", bus.get("$nodename").toString());
        // child nodes carry no $nodename: dt-validate names a node only when it reaches it
        assertEquals(
                "{\"names\":[\"a\",\"b\"],"
                        + "\"reset-gpios\":[[7,1,0],[7,2,1]],\"clocks\":[[8,3],[8,4]],\"offset\":[[-2]],"
                        + "\"big\":[[5]],\"m\":[[1,2,3],[4,5,6]],\"untyped\":[[1,2]]}",
                bus.get("dev").toString());
    }

    private ObjectNode fromBlob(String dts, String node, String schemaJson) throws Exception {
        DeviceTree t = dev.gunyahdt.dt.dtb.DtbReader.read(
                dev.gunyahdt.dt.dtb.DtbWriter.write(
                        Trees.compile(Trees.write(dir, "b.dts", dts)), dev.gunyahdt.dt.dtb.DtbOptions.defaults()),
                "b.dtb");
        ObjectNode schema = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(schemaJson);
        return new InstanceBuilder(t.phandles(), PropertyTypes.of(java.util.List.of(schema)))
                .build(t.find(node).orElseThrow());
    }

    /**
     * dt-validate's blob reader: the nearest interrupt controller above a node sets its interrupts'
     * width (over an interrupt-parent inherited from the root); interrupt-map entries are sized by
     * the parent the first one names; __symbols__ is no node.
     */
    @Test
    void interruptsAndInterruptMapAreCutAsDtValidateCutsThem() throws Exception {
        String dts = """
                /dts-v1/;
                / {
                	#address-cells = <1>;
                	#size-cells = <1>;
                	interrupt-parent = <&gic>;
                	gic: gic { interrupt-controller; #interrupt-cells = <3>; #address-cells = <0>; };
                	spmi: spmi {
                		interrupt-controller;
                		#interrupt-cells = <4>;
                		pmic {
                			leds { interrupts = <3 0xd8 1 1 3 0xd8 2 1>; };
                		};
                	};
                	pcie {
                		#address-cells = <3>;
                		#interrupt-cells = <1>;
                		interrupt-map = <0 0 0 1 &gic 0 100 4>, <0 0 0 2 &gic 0 101 4>;
                	};
                };
                """;
        ObjectNode root = fromBlob(dts, "/", "{}");
        assertEquals(
                "[[3,216,1,1],[3,216,2,1]]",
                root.at("/spmi/pmic/leds/interrupts").toString());
        assertEquals(
                2,
                root.at("/pcie/interrupt-map").size(),
                root.at("/pcie/interrupt-map").toString());
        assertEquals("[0,0,0,1,1,0,100,4]", root.at("/pcie/interrupt-map/0").toString());
        assertEquals(false, root.has("__symbols__"));
    }

    /**
     * dt-validate's reading of values its type table does not settle: an untyped printable string is
     * a string, other untyped cells one row, untyped odd bytes raw bytes; with two integer types a
     * value that reads as a string is one (clock-frequency = "M|m" on mt7622); a type only described
     * under $defs is no type (rockchip's pm_qos).
     */
    @Test
    void valuesTheTypeTableDoesNotSettleAreReadAsDtValidateReadsThem() throws Exception {
        String dts = """
                /dts-v1/;
                / {
                	dev {
                		label-ish = "text";
                		cells = <1 2 3>;
                		odd = /bits/ 8 <1 2 3>;
                		clock-frequency = <0x4d7c6d00>;
                		pm_qos = <1 2 3>;
                	};
                };
                """;
        String schema = """
                {"properties": {"clock-frequency": {"oneOf": [
                    {"$ref": "/schemas/types.yaml#/definitions/uint32"},
                    {"$ref": "/schemas/types.yaml#/definitions/uint64"}]}},
                 "$defs": {"pd": {"properties": {"pm_qos": {"$ref": "/schemas/types.yaml#/definitions/phandle-array",
                    "items": {"maxItems": 1}}}}}}
                """;
        ObjectNode dev = fromBlob(dts, "/dev", schema);
        assertEquals("[\"text\"]", dev.get("label-ish").toString());
        assertEquals("[[1,2,3]]", dev.get("cells").toString());
        assertEquals(true, dev.get("odd").isBinary(), dev.get("odd").toString());
        assertEquals("[\"M|m\"]", dev.get("clock-frequency").toString());
        assertEquals("[[1,2,3]]", dev.get("pm_qos").toString());
    }

    /** A plugin's unresolved phandles (-1) are found by its __fixups__, as dt-validate reads binding examples. */
    @Test
    void unresolvedPhandlesOfAPluginAreFoundByItsFixups() throws Exception {
        String dts = """
                /dts-v1/;
                /plugin/;
                / {
                	dev {
                		clocks = <&ext 1 &ext 2>;
                		reset-gpios = <&gpx 3 0 &gpx 4 1>;
                	};
                };
                """;
        String schema = """
                {"properties": {"clocks": {"$ref": "/schemas/types.yaml#/definitions/phandle-array"}}}
                """;
        ObjectNode dev = fromBlob(dts, "/dev", schema);
        assertEquals("[[4294967295,1],[4294967295,2]]", dev.get("clocks").toString());
        assertEquals(
                "[[4294967295,3,0],[4294967295,4,1]]", dev.get("reset-gpios").toString());
    }

    /**
     * A name typed phandle-array by one binding and uint32 by another (dma-router.yaml's and
     * snps,dma-spear1340.yaml's dma-masters) is read as one row of cells and then split by the
     * plugin's fixups, as dtb.py's fixup_phandles splits every name with a phandle-array type: two
     * one-phandle rows, which dma-router.yaml's {@code items: maxItems: 1} accepts (st,stm32-dmamux.yaml's
     * example; dt-validate reports nothing there).
     */
    @Test
    void aPhandleArrayAmongSeveralTypesIsStillSplitByTheFixups() throws Exception {
        String dts = """
                /dts-v1/;
                /plugin/;
                / {
                	dev { dma-masters = <&dma1>, <&dma2>; };
                };
                """;
        String schema = """
                {"properties": {"dma-masters": {"$ref": "/schemas/types.yaml#/definitions/phandle-array",
                                                "items": {"maxItems": 1}},
                                "other": {"properties": {"dma-masters": {"$ref": "/schemas/types.yaml#/definitions/uint32"}}}}}
                """;
        ObjectNode dev = fromBlob(dts, "/dev", schema);
        assertEquals("[[4294967295],[4294967295]]", dev.get("dma-masters").toString());
    }

    /**
     * More of dt-validate's blob reader: reg cut by the nearest ancestor's cells (not the parent's
     * defaults) and always read as cells; a hog's gpios not split; gpio-ranges with an unknown
     * phandle ends; a phandle-array cut by the binding's row size keeps a short last row.
     */
    @Test
    void regHogsAndFixedRowsAreReadAsDtValidateReadsThem() throws Exception {
        String dts = """
                /dts-v1/;
                / {
                	#address-cells = <1>;
                	#size-cells = <1>;
                	bus {
                		dev@2000 { reg = <0x2000 0x10 0x3000 0x10>; };
                		word@61626300 { reg = <0x61626300 0x10>; };
                	};
                	gpio: gpio {
                		#gpio-cells = <2>;
                		gpio-controller;
                		phandle = <7>;
                		gpio-ranges = <0x99 0 0 32>;
                		hog { gpio-hog; gpios = <5 0 6 0>; };
                	};
                	dev { pwms = <7 1 2 7 3>; };
                };
                """;
        String schema = """
                {"properties": {"pwms": {"$ref": "/schemas/types.yaml#/definitions/phandle-array",
                                         "items": {"minItems": 3, "maxItems": 3}},
                                "gpio-ranges": {"$ref": "/schemas/types.yaml#/definitions/phandle-array"}}}
                """;
        ObjectNode root = fromBlob(dts, "/", schema);
        assertEquals("[[8192,16],[12288,16]]", root.at("/bus/dev@2000/reg").toString());
        assertEquals("[[1633837824,16]]", root.at("/bus/word@61626300/reg").toString());
        assertEquals("[[5,0,6,0]]", root.at("/gpio/hog/gpios").toString());
        assertEquals("[]", root.at("/gpio/gpio-ranges").toString());
        assertEquals("[[7,1,2],[7,3]]", root.at("/dev/pwms").toString());
    }
}
