package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.instance.InstanceBuilder;
import dev.gunyahdt.bindings.instance.PropertyTypes;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Blob trees are untrusted: random trees whose cells-properties, interrupt parents, maps, phandle
 * arrays, plugin fixups and typed values disagree with each other in every way must still build
 * (no exception, no endless loop) and build the same twice, then validate against the built-in
 * bindings without an exception escaping. Seeded, so a failure repeats.
 */
class InstanceBuilderFuzzTest {

    private static final String[] NAMES = {
        "interrupts",
        "interrupt-map",
        "reg",
        "ranges",
        "#address-cells",
        "#size-cells",
        "#interrupt-cells",
        "interrupt-parent",
        "phandle",
        "clocks",
        "#clock-cells",
        "reset-gpios",
        "#gpio-cells",
        "clock-frequency",
        "pm_qos",
        "compatible",
        "x,untyped",
        "interconnects",
        "#interconnect-cells",
        "interrupts-extended",
        "gpio",
        "status",
        "x,rate"
    };
    private static final long[] CELLS = {0, 1, 2, 3, 4, 0xffffffffL, 0x80000000L, 0x7fffffffL, 5};

    @Test
    void randomBlobTreesBuildAndValidateWithoutEscapingErrors() throws Exception {
        ObjectNode schema = (ObjectNode) new ObjectMapper().readTree("""
                {"properties": {
                  "clocks": {"$ref": "/schemas/types.yaml#/definitions/phandle-array"},
                  "clock-frequency": {"oneOf": [{"$ref": "/schemas/types.yaml#/definitions/uint32"},
                                                {"$ref": "/schemas/types.yaml#/definitions/uint64"}]},
                  "x,rate": {"$ref": "/schemas/types.yaml#/definitions/uint64-matrix",
                             "items": {"minItems": 1, "maxItems": 2147483647}},
                  "status": {"$ref": "/schemas/types.yaml#/definitions/string"}}}
                """);
        PropertyTypes types = PropertyTypes.of(List.of(schema));
        Validator validator = new Validator(BindingSet.builtin());
        Random r = new Random(20261121);
        for (int round = 0; round < 400; round++) {
            DeviceTree t = new DeviceTree(node(r, "", 0), List.of(), r.nextBoolean(), 0);
            List<String> first = build(t, types);
            assertEquals(first, build(t, types), "round " + round);
            validator.validate(t, "fuzz.dtb");
        }
    }

    private static List<String> build(DeviceTree t, PropertyTypes types) {
        InstanceBuilder b = new InstanceBuilder(t.phandles(), types);
        List<String> out = new ArrayList<>();
        t.walk((NodeCursor at) -> out.add(b.build(at).toString()));
        return out;
    }

    private static Node node(Random r, String name, int depth) {
        List<Property> props = new ArrayList<>();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            String p = NAMES[r.nextInt(NAMES.length)];
            if (props.stream().noneMatch(x -> x.name().equals(p))) {
                props.add(Property.of(p, PropertyValue.ofBytes(value(r))));
            }
        }
        List<Node> children = new ArrayList<>();
        if (depth < 3) {
            int c = r.nextInt(4);
            for (int i = 0; i < c; i++) {
                children.add(node(r, "n" + depth + "x" + i, depth + 1));
            }
            if (depth == 0 && r.nextInt(4) == 0) {
                children.add(Node.of(
                        "__fixups__",
                        List.of(Property.of(
                                "ext", PropertyValue.ofBytes("/n0x0:clocks:0\0/n0x1:reset-gpios:4\0".getBytes()))),
                        List.of()));
                Node local = Node.of(
                        "n0x0",
                        List.of(Property.of("clocks", PropertyValue.ofBytes(cells(0, 8, 0xffffffffL)))),
                        List.of());
                children.add(Node.of("__local_fixups__", List.of(), List.of(local)));
            }
        }
        return Node.of(name, props, children);
    }

    private static byte[] value(Random r) {
        if (r.nextInt(5) == 0) {
            byte[] b = new byte[r.nextInt(7)];
            r.nextBytes(b);
            return b;
        }
        long[] c = new long[r.nextInt(10)];
        for (int i = 0; i < c.length; i++) {
            c[i] = CELLS[r.nextInt(CELLS.length)];
        }
        return cells(c);
    }

    private static byte[] cells(long... c) {
        ByteBuffer b = ByteBuffer.allocate(4 * c.length);
        for (long x : c) {
            b.putInt((int) x);
        }
        return b.array();
    }
}
