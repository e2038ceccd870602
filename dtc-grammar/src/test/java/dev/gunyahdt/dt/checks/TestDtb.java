package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blob reader for the checks' differential tests (trusted input: blobs dtc just
 * wrote). The project's real reader lives in dev.gunyahdt.dt.dtb.
 */
final class TestDtb {

    private TestDtb() {}

    static DeviceTree read(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob);
        int offStruct = b.getInt(8);
        int offStrings = b.getInt(12);
        int[] pos = {offStruct};
        while (b.getInt(pos[0]) == 4) { // NOP
            pos[0] += 4;
        }
        if (b.getInt(pos[0]) != 1) {
            throw new IllegalArgumentException("no root node");
        }
        pos[0] += 4;
        Node root = readNode(b, pos, offStrings);
        return new DeviceTree(root, List.of(), false, 0);
    }

    private static Node readNode(ByteBuffer b, int[] pos, int strings) {
        String name = cstr(b, pos[0]);
        pos[0] += align(name.length() + 1);
        List<Property> props = new ArrayList<>();
        List<Node> children = new ArrayList<>();
        while (true) {
            int tag = b.getInt(pos[0]);
            pos[0] += 4;
            switch (tag) {
                case 3 -> {
                    int len = b.getInt(pos[0]);
                    int nameOff = b.getInt(pos[0] + 4);
                    byte[] v = new byte[len];
                    b.get(pos[0] + 8, v);
                    pos[0] += 8 + align(len);
                    props.add(Property.of(cstr(b, strings + nameOff), PropertyValue.ofBytes(v)));
                }
                case 1 -> children.add(readNode(b, pos, strings));
                case 2 -> {
                    return Node.of(name, props, children);
                }
                case 4 -> {}
                default -> throw new IllegalArgumentException("bad tag " + tag);
            }
        }
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    private static String cstr(ByteBuffer b, int at) {
        int end = at;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - at];
        b.get(at, s);
        return new String(s, StandardCharsets.ISO_8859_1);
    }
}
