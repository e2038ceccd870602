package dev.gunyahdt.dt.print;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * A minimal, trusting DTB reader for these tests only, so the printer can be tested before the
 * real reader (package dev.gunyahdt.dt.dtb) lands. Values come out as raw bytes with no
 * markers, exactly as the real reader must give them.
 */
final class TestBlobReader {

    private TestBlobReader() {
    }

    static DeviceTree read(byte[] blob) {
        ByteBuffer bb = ByteBuffer.wrap(blob);
        if (bb.getInt(0) != 0xd00dfeed) {
            throw new IllegalArgumentException("not a blob");
        }
        int offStruct = bb.getInt(8);
        int offStrings = bb.getInt(12);
        int offRsv = bb.getInt(16);
        long bootCpu = bb.getInt(28) & 0xffffffffL;
        List<MemReserve> rsv = new ArrayList<>();
        for (int p = offRsv; ; p += 16) {
            long a = bb.getLong(p);
            long s = bb.getLong(p + 8);
            if (a == 0 && s == 0) {
                break;
            }
            rsv.add(MemReserve.of(a, s));
        }
        record Open(String name, List<Property> props, List<Node> kids) {
        }
        Deque<Open> stack = new ArrayDeque<>();
        Node root = null;
        int p = offStruct;
        while (true) {
            int tok = bb.getInt(p);
            p += 4;
            switch (tok) {
                case 1 -> {
                    int e = p;
                    while (blob[e] != 0) {
                        e++;
                    }
                    stack.push(new Open(new String(blob, p, e - p, StandardCharsets.ISO_8859_1),
                            new ArrayList<>(), new ArrayList<>()));
                    p = (e + 1 + 3) & ~3;
                }
                case 2 -> {
                    Open o = stack.pop();
                    Node n = Node.of(o.name(), o.props(), o.kids());
                    if (stack.isEmpty()) {
                        root = n;
                    } else {
                        stack.peek().kids().add(n);
                    }
                }
                case 3 -> {
                    int len = bb.getInt(p);
                    int nameOff = bb.getInt(p + 4);
                    int s = offStrings + nameOff;
                    int e = s;
                    while (blob[e] != 0) {
                        e++;
                    }
                    String name = new String(blob, s, e - s, StandardCharsets.ISO_8859_1);
                    byte[] val = Arrays.copyOfRange(blob, p + 8, p + 8 + len);
                    stack.peek().props().add(Property.of(name, PropertyValue.ofBytes(val)));
                    p = (p + 8 + len + 3) & ~3;
                }
                case 4 -> {
                }
                case 9 -> {
                    return new DeviceTree(root, rsv, false, bootCpu);
                }
                default -> throw new IllegalArgumentException("bad token " + tok);
            }
        }
    }
}
