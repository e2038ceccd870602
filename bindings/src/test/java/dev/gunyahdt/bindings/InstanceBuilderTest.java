package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.instance.InstanceBuilder;
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
}
