package dev.gunyahdt.dt.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected text from {@code dtc -s -I dts -O dts} 1.6.1 on:
 * <pre>
 * /memreserve/ 0x2000 0x10; /memreserve/ 0x1000 0x30; /memreserve/ 0x1000 0x20;
 * /memreserve/ 0xf000000000000000 0x20;
 * / { zz = <1>; B = <2>; a = <3>; #a = <4>; a-b = <5>; a,b = <6>; _x = <7>; a0 = <8>;
 *     n@10 { }; n@9 { }; n { }; N { }; n@a { }; m-1 { }; m,1 { }; m_1 { }; };
 * </pre>
 */
class TreeSorterTest {

    @Test
    void sortsLikeDtcDashS() {
        List<Property> props = new ArrayList<>();
        String[] names = {"zz", "B", "a", "#a", "a-b", "a,b", "_x", "a0"};
        for (int i = 0; i < names.length; i++) {
            props.add(Property.of(names[i], PropertyValue.ofCells(i + 1)));
        }
        List<Node> kids = new ArrayList<>();
        for (String n : new String[] {"n@10", "n@9", "n", "N", "n@a", "m-1", "m,1", "m_1"}) {
            // a grandchild pair checks that sorting reaches every level
            kids.add(Node.of(
                    n,
                    List.of(),
                    n.equals("n")
                            ? List.of(Node.of("y", List.of(), List.of()), Node.of("x", List.of(), List.of()))
                            : List.of()));
        }
        DeviceTree t = new DeviceTree(
                Node.of("", props, kids),
                List.of(
                        MemReserve.of(0x2000, 0x10),
                        MemReserve.of(0x1000, 0x30),
                        MemReserve.of(0x1000, 0x20),
                        MemReserve.of(0xf000000000000000L, 0x20)),
                false,
                0);
        StringBuilder want = new StringBuilder("""
                /dts-v1/;

                /memreserve/\t0x0000000000001000 0x0000000000000020;
                /memreserve/\t0x0000000000001000 0x0000000000000030;
                /memreserve/\t0x0000000000002000 0x0000000000000010;
                /memreserve/\t0xf000000000000000 0x0000000000000020;
                / {
                \t#a = <0x04>;
                \tB = <0x02>;
                \t_x = <0x07>;
                \ta = <0x03>;
                \ta,b = <0x06>;
                \ta-b = <0x05>;
                \ta0 = <0x08>;
                \tzz = <0x01>;
                """);
        for (String n : new String[] {"N", "m,1", "m-1", "m_1", "n", "n@10", "n@9", "n@a"}) {
            want.append("\n\t").append(n).append(" {\n");
            if (n.equals("n")) {
                want.append("\n\t\tx {\n\t\t};\n\n\t\ty {\n\t\t};\n");
            }
            want.append("\t};\n");
        }
        want.append("};\n");
        assertEquals(want.toString(), DtsPrinter.print(TreeSorter.sort(t)));
    }
}
