package dev.gunyahdt.dt.dtb;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The tree of src/test/resources/.../dtb/sample.dts, built by hand, and the golden blobs. */
final class Samples {

    private Samples() {}

    static DeviceTree sampleTree() {
        Node child = Node.of("child", List.of(Property.of("cells", PropertyValue.ofCells(3))), List.of());
        Node node1 = Node.of(
                "node@1",
                List.of(
                        Property.of("compatible", PropertyValue.ofStrings(List.of("foo", "bar"))),
                        Property.of("reg", PropertyValue.ofCells(1, 0x10)),
                        Property.of("address-cells", PropertyValue.EMPTY)),
                List.of(child));
        Node other = Node.of("other", List.of(Property.of("pat", PropertyValue.ofCells(1, 2, 3))), List.of());
        Node root = Node.of(
                "",
                List.of(
                        Property.of("#address-cells", PropertyValue.ofCells(1)),
                        Property.of("#size-cells", PropertyValue.ofCells(1)),
                        Property.of("cells", PropertyValue.ofCells(2)),
                        Property.of("ress", PropertyValue.ofString("x")),
                        Property.of("empty", PropertyValue.EMPTY),
                        Property.of("b8", PropertyValue.ofBytes(new byte[] {1, 2, 3}))),
                List.of(node1, other));
        return new DeviceTree(
                root, List.of(MemReserve.of(0x1000, 0x2000), MemReserve.of(0x80000000L, 0x100)), false, 3);
    }

    static byte[] golden(String name) {
        try (InputStream in = Samples.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hexDump(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            sb.append(i % 16 == 0 ? (i == 0 ? "" : "\n") + String.format("%04x:", i) : "")
                    .append(String.format(" %02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
