package dev.gunyahdt.dt.overlay;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test helpers: a canonical text of a tree (node order, property order, value bytes) that a
 * DeviceTree and a dtc-written blob can both be turned into, a small builder for hand-made
 * resolved trees, and a way to run /usr/bin/dtc.
 */
final class TreeText {

    private TreeText() {}

    static String of(DeviceTree t) {
        StringBuilder sb = new StringBuilder();
        t.walk(c -> {
            sb.append(c.path()).append('\n');
            for (Property p : c.node().properties()) {
                sb.append("  ")
                        .append(p.name())
                        .append(" = ")
                        .append(HexFormat.of().formatHex(p.value().bytes()))
                        .append('\n');
            }
        });
        return sb.toString();
    }

    static String ofBlob(byte[] blob) {
        FlatTree f = FlatTree.parse(blob, "blob");
        StringBuilder sb = new StringBuilder();
        for (int n : f.allNodes()) {
            sb.append(f.pathOf(n)).append('\n');
            for (int p : f.properties(n)) {
                sb.append("  ")
                        .append(f.propName(p))
                        .append(" = ")
                        .append(HexFormat.of().formatHex(f.propValue(p)))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    static boolean haveDtc() {
        return Files.isExecutable(Paths.get("/usr/bin/dtc"));
    }

    /** dtc's DTB for {@code source} with {@code flags}; fails the test when dtc rejects it. */
    static byte[] dtc(String source, String... flags) throws Exception {
        Path dir = Files.createTempDirectory("gen");
        Path src = dir.resolve("in.dts");
        Path out = dir.resolve("out.dtb");
        Files.writeString(src, source);
        List<String> cmd =
                new ArrayList<>(List.of("/usr/bin/dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out.toString()));
        cmd.addAll(List.of(flags));
        cmd.add(src.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError("dtc failed: " + log);
        }
        byte[] b = Files.readAllBytes(out);
        Files.delete(out);
        Files.delete(src);
        Files.delete(dir);
        return b;
    }

    /** dtc's stderr for {@code source} with {@code flags}. */
    static String dtcStderr(String source, String... flags) throws Exception {
        Path dir = Files.createTempDirectory("gen");
        Path src = dir.resolve("in.dts");
        Files.writeString(src, source);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/dtc", "-q", "-I", "dts", "-O", "dtb", "-o", "/dev/null"));
        cmd.addAll(List.of(flags));
        cmd.add(src.toString());
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor();
        Files.delete(src);
        Files.delete(dir);
        return err;
    }

    // ---------------------------------------------------------------- builder

    record Label(String name) {}

    static Label label(String name) {
        return new Label(name);
    }

    /** A node from labels, properties and children in any order (each kept in its order). */
    static Node node(String name, Object... parts) {
        List<String> labels = new ArrayList<>();
        List<Property> props = new ArrayList<>();
        List<Node> children = new ArrayList<>();
        for (Object o : parts) {
            if (o instanceof Label l) {
                labels.add(l.name());
            } else if (o instanceof Property p) {
                props.add(p);
            } else if (o instanceof Node n) {
                children.add(n);
            } else {
                throw new IllegalArgumentException(String.valueOf(o));
            }
        }
        return new Node(name, labels, props, children, List.of(), false);
    }

    /** A tree whose root holds {@code parts} (properties and children). */
    static DeviceTree tree(boolean plugin, Object... parts) {
        return new DeviceTree(node("", parts), List.of(), plugin, 0);
    }

    static Property cells(String name, long... v) {
        return Property.of(name, PropertyValue.ofCells(v));
    }

    static Property str(String name, String v) {
        return Property.of(name, PropertyValue.ofString(v));
    }

    /** A phandle reference cell as checks leave it: the resolved value (or 0xffffffff) and a marker. */
    record Ref(String target, long value) {}

    static Ref ref(String target, long value) {
        return new Ref(target, value);
    }

    /** One {@code < >} cell list mixing numbers (Long/Integer) and {@link Ref}s. */
    static Property refCells(String name, Object... items) {
        PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        for (Object o : items) {
            if (o instanceof Ref r) {
                b.marker(Marker.Kind.REF_PHANDLE, r.target()).uint(r.value(), 4);
            } else {
                b.uint(((Number) o).longValue(), 4);
            }
        }
        return Property.of(name, b.build());
    }

    // ---------------------------------------------------------------- a minimal blob writer

    /**
     * A version-17 blob of {@code t} in dtc's layout (strings in first-use order, no sharing):
     * enough to hand-craft malformed overlays without dtc.
     */
    static byte[] blob(DeviceTree t) {
        java.io.ByteArrayOutputStream st = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream strs = new java.io.ByteArrayOutputStream();
        java.util.Map<String, Integer> offs = new java.util.HashMap<>();
        writeNode(t.root(), st, strs, offs);
        put(st, FlatTree.END);
        byte[] s = st.toByteArray();
        byte[] z = strs.toByteArray();
        int offStruct = 40 + 16;
        byte[] out = new byte[offStruct + s.length + z.length];
        int[] h = {FlatTree.MAGIC, out.length, offStruct, offStruct + s.length, 40, 17, 16, 0, z.length, s.length};
        for (int i = 0; i < h.length; i++) {
            FlatTree.put32(out, 4 * i, h[i]);
        }
        System.arraycopy(s, 0, out, offStruct, s.length);
        System.arraycopy(z, 0, out, offStruct + s.length, z.length);
        return out;
    }

    private static void writeNode(
            Node n,
            java.io.ByteArrayOutputStream st,
            java.io.ByteArrayOutputStream strs,
            java.util.Map<String, Integer> offs) {
        put(st, FlatTree.BEGIN_NODE);
        byte[] name = n.name().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        st.writeBytes(name);
        st.writeBytes(new byte[FlatTree.align4(name.length + 1) - name.length]);
        for (Property p : n.properties()) {
            Integer off = offs.get(p.name());
            if (off == null) {
                off = strs.size();
                offs.put(p.name(), off);
                strs.writeBytes((p.name() + "\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            byte[] v = p.value().bytes();
            put(st, FlatTree.PROP);
            put(st, v.length);
            put(st, off);
            st.writeBytes(v);
            st.writeBytes(new byte[FlatTree.align4(v.length) - v.length]);
        }
        for (Node c : n.children()) {
            writeNode(c, st, strs, offs);
        }
        put(st, FlatTree.END_NODE);
    }

    private static void put(java.io.ByteArrayOutputStream o, int v) {
        byte[] b = new byte[4];
        FlatTree.put32(b, 0, v);
        o.writeBytes(b);
    }
}
