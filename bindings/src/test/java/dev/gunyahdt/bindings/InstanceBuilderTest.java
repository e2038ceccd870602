package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.instance.InstanceBuilder;
import dev.gunyahdt.bindings.instance.PropertyTypes;
import dev.gunyahdt.dt.DeviceTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals("{\"$nodename\":[\"dev@1\"],\"compatible\":[\"a,b\",\"c\"],\"flag\":true,"
                + "\"cells\":[[1,2],[3]],\"mixed\":[\"s\",[7]],\"bytes\":[[1,255]],"
                + "\"wide\":[[18446744073709551615]],\"ref\":[[5,9]],"
                + "\"reg\":[[0,1,2],[0,3,4]],\"interrupts\":[[0,1,4],[0,2,4]]}", o.toString());
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
        DeviceTree t = dev.gunyahdt.dt.dtb.DtbReader.read(dev.gunyahdt.dt.dtb.DtbWriter.write(Trees.compile(f),
                dev.gunyahdt.dt.dtb.DtbOptions.defaults()), "d.dtb");
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
        ObjectNode bus = new InstanceBuilder(t.phandles(), types).build(t.find("/bus").orElseThrow());
        assertEquals("[[0,4096,256],[512,8192,256]]", bus.get("ranges").toString());
        assertEquals("[\"bus\"]", bus.get("$nodename").toString());
        // child nodes carry no $nodename: dt-validate names a node only when it reaches it
        assertEquals("{\"names\":[\"a\",\"b\"],"
                + "\"reset-gpios\":[[7,1,0],[7,2,1]],\"clocks\":[[8,3],[8,4]],\"offset\":[[-2]],"
                + "\"big\":[[5]],\"m\":[[1,2,3],[4,5,6]],\"untyped\":[[1,2]]}", bus.get("dev").toString());
    }
}
