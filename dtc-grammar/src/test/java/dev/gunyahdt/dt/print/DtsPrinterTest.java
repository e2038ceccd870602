package dev.gunyahdt.dt.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker.Kind;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected texts were produced with dtc 1.6.1: for blob values, {@code p<i> = [<hex>];} lines
 * compiled to a blob and decompiled with {@code dtc -I dtb -O dts}; for marked values, the DTS
 * quoted in each test's comment run through {@code dtc -I dts -O dts}.
 */
class DtsPrinterTest {

    private static DeviceTree tree(Node root, List<MemReserve> rsv) {
        return new DeviceTree(root, rsv, false, 0);
    }

    private static PropertyValue.Builder v() {
        return PropertyValue.builder();
    }

    private static Property prop(String name, PropertyValue.Builder b) {
        return Property.of(name, b.build());
    }

    @Test
    void blobValuesAreGuessedAsDtcGuessesThem() {
        String[] hex = {
            "",
            "00",
            "41 00",
            "41 00 00",
            "41 00 42 00",
            "00 41 00",
            "41 42 00 00",
            "41 42 43 00",
            "41 42 43 44",
            "00 00 41 00",
            "41 00 00 42 43 44 00",
            "09 0a 0d 5c 22 27 00",
            "07 08 0b 0c 00",
            "01 41 00",
            "7f 00",
            "80 00",
            "41 42 43 00 00 00",
            "41 42 00 00 00 00",
            "00 00 00 01",
            "00 00 01 00 00 00 00 0f",
            "ff ff ff ff",
            "41 42 43",
            "41 00 38 00",
            "20 7e 00",
            "41 42 43 44 00 00 00 00",
            "12 34 56 78 9a bc de f0 00"
        };
        List<Property> props = new ArrayList<>();
        for (int i = 0; i < hex.length; i++) {
            props.add(Property.of("p" + i, PropertyValue.ofBytes(HexFormat.of().parseHex(hex[i].replace(" ", "")))));
        }
        String want = """
                /dts-v1/;

                / {
                \tp0;
                \tp1 = [00];
                \tp2 = "A";
                \tp3 = [41 00 00];
                \tp4 = "A\\0B";
                \tp5 = [00 41 00];
                \tp6 = "AB\\0";
                \tp7 = "ABC";
                \tp8 = <0x41424344>;
                \tp9 = <0x4100>;
                \tp10 = "A\\0\\0BCD";
                \tp11 = "\\t\\n\\r\\\\\\"'";
                \tp12 = "\\a\\b\\v\\f";
                \tp13 = [01 41 00];
                \tp14 = [7f 00];
                \tp15 = [80 00];
                \tp16 = "ABC\\0\\0";
                \tp17 = [41 42 00 00 00 00];
                \tp18 = <0x01>;
                \tp19 = <0x100 0x0f>;
                \tp20 = <0xffffffff>;
                \tp21 = [41 42 43];
                \tp22 = "A\\08";
                \tp23 = " ~";
                \tp24 = "ABCD\\0\\0\\0";
                \tp25 = [12 34 56 78 9a bc de f0 00];
                };
                """;
        assertEquals(want, DtsPrinter.print(tree(Node.of("", props, List.of()), List.of())));
    }

    @Test
    void nulBeforeOctalDigitIsWrittenAsThreeDigitEscape() {
        // dtc writes "\02K" and "A\07", which read back as 02 4b and 41 07: one byte short.
        // Ours compile back to the blob's bytes; "\08" is unambiguous and stays as dtc writes it.
        Node root = Node.of(
                "",
                List.of(
                        Property.of("a", PropertyValue.ofBytes(new byte[] {0, '2', 'K', 0})),
                        Property.of("b", PropertyValue.ofBytes(new byte[] {'A', 0, '7', 0})),
                        Property.of("c", PropertyValue.ofBytes(new byte[] {'A', 0, '8', 0})),
                        Property.of("d", PropertyValue.ofBytes(new byte[] {'A', 'B', 0, 0, '0', 0}))),
                List.of());
        assertEquals(
                "/dts-v1/;\n\n/ {\n\ta = \"\\0002K\";\n\tb = \"A\\0007\";\n\tc = \"A\\08\";\n"
                        + "\td = \"AB\\0\\0000\";\n};\n",
                DtsPrinter.print(tree(root, List.of())));
    }

    @Test
    void layoutOfNodesMemreservesAndLabels() {
        // m1: m2: /memreserve/ 0x1000 0x2000; /memreserve/ 0xffffffffffffffff 0;
        // / { pl2: pl3: empty; a: b: n1 { phandle = <1>; }; n2 { n3 { x = "y"; }; }; };
        Node n1 = new Node(
                "n1",
                List.of("a", "b"),
                List.of(Property.of("phandle", PropertyValue.ofCells(1))),
                List.of(),
                List.of(),
                false);
        Node n3 = Node.of("n3", List.of(Property.of("x", PropertyValue.ofString("y"))), List.of());
        Node n2 = Node.of("n2", List.of(), List.of(n3));
        Node root = Node.of(
                "", List.of(new Property("empty", PropertyValue.EMPTY, List.of("pl2", "pl3"), null)), List.of(n1, n2));
        List<MemReserve> rsv =
                List.of(new MemReserve(0x1000, 0x2000, List.of("m1", "m2"), null), MemReserve.of(-1L, 0));
        String want = """
                /dts-v1/;

                m1: m2: /memreserve/\t0x0000000000001000 0x0000000000002000;
                /memreserve/\t0xffffffffffffffff 0x0000000000000000;
                / {
                \tpl2: pl3: empty;

                \ta: b: n1 {
                \t\tphandle = <0x01>;
                \t};

                \tn2 {

                \t\tn3 {
                \t\t\tx = "y";
                \t\t};
                \t};
                };
                """;
        assertEquals(want, DtsPrinter.print(tree(root, rsv)));
    }

    @Test
    void emptyRootAndPluginTreesHaveNoExtraHeader() {
        // dtc 1.6.1 writes no /plugin/ line even for /plugin/ sources
        DeviceTree t = new DeviceTree(Node.of("", List.of(), List.of()), List.of(), true, 0);
        assertEquals("/dts-v1/;\n\n/ {\n};\n", DtsPrinter.print(t));
    }

    @Test
    void emptyNamesPrintAsSlashAtAnyDepthAndANamedRootByItsName() {
        // blobs patched to hold a root named "x", and a child with an empty name, through dtc -I dtb
        Node a = Node.of("a", List.of(), List.of());
        assertEquals(
                "/dts-v1/;\n\nx {\n\n\ta {\n\t};\n};\n",
                DtsPrinter.print(tree(Node.of("x", List.of(), List.of(a)), List.of())));
        assertEquals(
                "/dts-v1/;\n\n/ {\n\n\t/ {\n\t};\n};\n",
                DtsPrinter.print(tree(Node.of("", List.of(), List.of(a.withName(""))), List.of())));
    }

    /** One property line as printed inside the root. */
    private static String line(Property p) {
        String all = DtsPrinter.print(tree(Node.of("", List.of(p), List.of()), List.of()));
        return all.substring("/dts-v1/;\n\n/ {\n\t".length(), all.length() - ";\n};\n".length());
    }

    private static final byte[] N1 = "/n1\0".getBytes();

    @Test
    void labelsInsideCellsAndBetweenChunks() {
        // pl: p6 = pv1: <1 pv2: 2 pv3:>, pv4: "x" pv5:;
        Property p6 = new Property(
                "p6",
                v().label("pv1")
                        .type(Kind.TYPE_UINT32)
                        .uint(1, 4)
                        .label("pv2")
                        .uint(2, 4)
                        .label("pv3")
                        .label("pv4")
                        .string("x")
                        .label("pv5")
                        .build(),
                List.of("pl"),
                null);
        assertEquals("pl: p6 = pv1: <0x01 pv2:0x02>, pv3: pv4: \"x\" pv5:", line(p6));
        // c1 = <l10: 1 l11: 2 l12:>;
        assertEquals(
                "c1 = < l10:0x01 l11:0x02> l12:",
                line(prop(
                        "c1",
                        v().type(Kind.TYPE_UINT32)
                                .label("l10")
                                .uint(1, 4)
                                .label("l11")
                                .uint(2, 4)
                                .label("l12"))));
        // b1 = [01 l6: 02 l7:];
        assertEquals(
                "b1 = [01 l6:02] l7:",
                line(prop(
                        "b1", v().type(Kind.TYPE_UINT8).u8(1).label("l6").u8(2).label("l7"))));
    }

    @Test
    void cellWidthsAndPhandleReferences() {
        // c2 = <l13: &a l14: 2 &b>;   (a and b label the node with phandle 1)
        assertEquals(
                "c2 = < l13:0x01 l14:0x02 0x01>",
                line(prop(
                        "c2",
                        v().type(Kind.TYPE_UINT32)
                                .label("l13")
                                .marker(Kind.REF_PHANDLE, "a")
                                .uint(1, 4)
                                .label("l14")
                                .uint(2, 4)
                                .marker(Kind.REF_PHANDLE, "b")
                                .uint(1, 4))));
        // c4 = /bits/ 64 <l18: 1 l19: 0x123456789abcdef0>, l20: /bits/ 8 <l21: 1 l22: 2>, /bits/ 16 <0xffff 1>;
        assertEquals(
                "c4 = /bits/ 64 < l18:0x01 l19:0x123456789abcdef0>, l20: [ l21:01 l22:02],"
                        + " /bits/ 16 <0xffff 0x01>",
                line(prop(
                        "c4",
                        v().type(Kind.TYPE_UINT64)
                                .label("l18")
                                .uint(1, 8)
                                .label("l19")
                                .uint(0x123456789abcdef0L, 8)
                                .label("l20")
                                .type(Kind.TYPE_UINT8)
                                .label("l21")
                                .u8(1)
                                .label("l22")
                                .u8(2)
                                .type(Kind.TYPE_UINT16)
                                .uint(0xffff, 2)
                                .uint(1, 2))));
    }

    @Test
    void pathReferencesGetDtcsExtraSpace() {
        // r1 = &a, "s";  r2 = "s", &a;  r8 = l1: &a l2:, l3: &b l4:;
        assertEquals(
                "r1 = \"/n1\", \"s\"",
                line(prop(
                        "r1",
                        v().marker(Kind.REF_PATH, "a")
                                .type(Kind.TYPE_STRING)
                                .bytes(N1)
                                .string("s"))));
        assertEquals(
                "r2 = \"s\",  \"/n1\"",
                line(prop(
                        "r2",
                        v().string("s")
                                .marker(Kind.REF_PATH, "a")
                                .type(Kind.TYPE_STRING)
                                .bytes(N1))));
        assertEquals(
                "r8 = l1: \"/n1\", l2: l3:  \"/n1\" l4:",
                line(prop(
                        "r8",
                        v().label("l1")
                                .marker(Kind.REF_PATH, "a")
                                .type(Kind.TYPE_STRING)
                                .bytes(N1)
                                .label("l2")
                                .label("l3")
                                .marker(Kind.REF_PATH, "b")
                                .type(Kind.TYPE_STRING)
                                .bytes(N1)
                                .label("l4"))));
    }

    @Test
    void pathReferenceWithoutOrBeforeItsStringMarkerPrintsTheSame() {
        // a model may omit the string type marker of an expanded path, or put it first
        assertEquals(
                "r2 = \"s\",  \"/n1\"",
                line(prop("r2", v().string("s").marker(Kind.REF_PATH, "a").bytes(N1))));
        assertEquals(
                "r2 = \"s\",  \"/n1\"",
                line(prop(
                        "r2",
                        v().string("s")
                                .type(Kind.TYPE_STRING)
                                .marker(Kind.REF_PATH, "a")
                                .bytes(N1))));
    }

    @Test
    void stringEscapesFromSource() {
        // strs = "a\tb\"c\\d\x01\x7f\xff", "", "\0\x32K";   dtc writes "\02K" for the last one
        assertEquals(
                "strs = \"a\\tb\\\"c\\\\d\\x01\\x7f\\xffffffff\", \"\", \"\\0002K\"",
                line(prop(
                        "strs",
                        v().string("a\tb\"c\\d\u0001\u007f\u00ff").string("").string("\u00002K"))));
    }

    @Test
    void emptyChunksAsDtcPrintsThem() {
        // e1 = l26: <>;   e2 = l27: <> l28:, l29:[] , l30: "";   p1 = "a", <>;   p2 = <>, "a";
        assertEquals("e1", line(prop("e1", v().label("l26").type(Kind.TYPE_UINT32))));
        assertEquals(
                "e2 = l27: < l28: l29: [ l30: \"\"",
                line(prop(
                        "e2",
                        v().label("l27")
                                .type(Kind.TYPE_UINT32)
                                .label("l28")
                                .label("l29")
                                .type(Kind.TYPE_UINT8)
                                .label("l30")
                                .string(""))));
        assertEquals("p1 = \"a\" <>", line(prop("p1", v().string("a").type(Kind.TYPE_UINT32))));
        assertEquals("p2 = < \"a\"", line(prop("p2", v().type(Kind.TYPE_UINT32).string("a"))));
    }
}
