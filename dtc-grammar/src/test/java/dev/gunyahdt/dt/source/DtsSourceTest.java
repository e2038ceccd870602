package dev.gunyahdt.dt.source;

import static org.junit.jupiter.api.Assertions.*;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DtsSourceTest {

    private static DeviceTree parse(String text) {
        return DtsSource.parse(text, "t.dts", new IncludeResolver(List.of()));
    }

    private static Property prop(DeviceTree t, String path, String name) {
        return t.find(path).orElseThrow().node().property(name).orElseThrow();
    }

    @Test
    void cellsExpressionsAndBitsBecomeBigEndianBytes() {
        DeviceTree t = parse("/dts-v1/;\n/ { a = <1 0x10 010 'A' (1+2*3) (-1) ((1 << 4) | 3)>; "
                + "b = /bits/ 8 <1 0xff>; c = /bits/ 16 <0x1234>; d = /bits/ 64 <5>; };");
        long[] cells = prop(t, "/", "a").value().cells();
        assertArrayEquals(new long[] {1, 16, 8, 65, 7, 0xffffffffL, 19}, cells);
        assertArrayEquals(new byte[] {1, (byte) 0xff}, prop(t, "/", "b").value().bytes());
        assertArrayEquals(new byte[] {0x12, 0x34}, prop(t, "/", "c").value().bytes());
        assertArrayEquals(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 5}, prop(t, "/", "d").value().bytes());
    }

    @Test
    void plainCellListsAndComparisonsThatLookLikeThem() {
        DeviceTree t =
                parse("/dts-v1/;\n/ { a = <0x1 2\n\t 3>; b = /bits/ 16 <4 5>; c = <(1 < 2 > 0) (3 < 2 > 0)>; };");
        assertArrayEquals(new long[] {1, 2, 3}, prop(t, "/", "a").value().cells());
        assertArrayEquals(new byte[] {0, 4, 0, 5}, prop(t, "/", "b").value().bytes());
        assertArrayEquals(new long[] {1, 0}, prop(t, "/", "c").value().cells());
    }

    @Test
    void stringsBytesAndMixedChunks() {
        DeviceTree t = parse("/dts-v1/;\n/ { s = \"a\\tb\", \"\\x41\\101\"; m = \"x\", <2>, [0a 0B]; e; };");
        assertEquals(List.of("a\tb", "AA"), prop(t, "/", "s").value().asStrings());
        assertArrayEquals(
                new byte[] {'x', 0, 0, 0, 0, 2, 10, 11},
                prop(t, "/", "m").value().bytes());
        assertTrue(prop(t, "/", "e").value().isEmpty());
    }

    @Test
    void referencesAreMarkersUntilResolved() {
        DeviceTree t = parse("/dts-v1/;\n/ { p = <&n 1 &{/n}>; q = &n; n: n { }; };");
        Property p = prop(t, "/", "p");
        assertEquals(0xffffffffL, p.value().cellAt(0));
        assertEquals(
                List.of(
                        new Marker(0, Marker.Kind.TYPE_UINT32, null),
                        new Marker(0, Marker.Kind.REF_PHANDLE, "n"),
                        new Marker(8, Marker.Kind.REF_PHANDLE, "/n")),
                p.value().markers());
        Property q = prop(t, "/", "q");
        assertEquals(0, q.value().length());
        assertEquals(
                List.of(new Marker(0, Marker.Kind.REF_PATH, "n")), q.value().markers());
    }

    @Test
    void mergeKeepsOrderRevivesDeletedAndPrependsLabels() {
        DeviceTree t = parse("/dts-v1/;\n/ { a: b: n { x; y; }; };\n/ { n { /delete-property/ x; }; };\n"
                + "&a { z; x = <1>; };\n/ { g: n { }; };");
        Node n = t.find("/n").orElseThrow().node();
        assertEquals(
                List.of("x", "y", "z"),
                n.properties().stream().map(Property::name).toList());
        assertEquals(List.of("g", "a", "b"), n.labels());
        assertEquals(4, n.spans().size());
    }

    @Test
    void deleteNodeByLabelAndByName() {
        DeviceTree t = parse("/dts-v1/;\n/ { l: a { }; b { }; c { }; };\n/delete-node/ &l;\n/ { /delete-node/ b; };");
        assertEquals(List.of("c"), t.root().children().stream().map(Node::name).toList());
    }

    @Test
    void pluginSugarBecomesFragments() {
        DeviceTree t = parse("/dts-v1/;\n/plugin/;\n&foo { x; };\n&{/a/b} { y; };");
        assertTrue(t.plugin());
        Node f0 = t.find("/fragment@0").orElseThrow().node();
        assertEquals(
                List.of(new Marker(0, Marker.Kind.REF_PHANDLE, "foo")),
                f0.property("target").orElseThrow().value().markers());
        assertTrue(f0.child("__overlay__").orElseThrow().hasProperty("x"));
        assertEquals(
                "/a/b",
                t.find("/fragment@1")
                        .orElseThrow()
                        .node()
                        .property("target-path")
                        .orElseThrow()
                        .value()
                        .asString());
    }

    @Test
    void bootCpuIsGuessedFromTheFirstCpuNode() {
        assertEquals(
                0x100,
                parse("/dts-v1/;\n/ { cpus { c0 { reg = <0x100>; }; c1 { reg = <0>; }; }; };")
                        .bootCpuidPhys());
        assertEquals(
                0,
                parse("/dts-v1/;\n/ { cpus { cpu-map { }; c0 { reg = <0x100>; }; }; };")
                        .bootCpuidPhys());
        assertEquals(
                0, parse("/dts-v1/;\n/ { cpus { c0 { reg = <0 0x100>; }; }; };").bootCpuidPhys());
    }

    @Test
    void pluginMergesItsOwnLabelsButNotPaths() {
        DeviceTree t = parse("/dts-v1/;\n/plugin/;\n/ { l: n { a; }; };\n&l { b; };\n&{/n} { c; };\n&x { d; };");
        assertTrue(t.find("/n").orElseThrow().node().hasProperty("b"));
        assertEquals(
                "/n",
                t.find("/fragment@0")
                        .orElseThrow()
                        .node()
                        .property("target-path")
                        .orElseThrow()
                        .value()
                        .asString());
        assertTrue(t.find("/fragment@1/__overlay__").orElseThrow().node().hasProperty("d"));
    }

    @Test
    void lineMarkersMapPositionsToTheOriginalFile() {
        DeviceTree t = parse("# 1 \"board.dts\"\n/dts-v1/;\n# 40 \"inc.dtsi\" 1\n/ {\n\tp = <1>;\n};\n");
        Property p = prop(t, "/", "p");
        assertEquals("inc.dtsi:41.2-10", p.span().toString());
    }

    @Test
    void errorsCarryPositions() {
        DtException e = assertThrows(DtException.class, () -> parse("/dts-v1/;\n/ {\n\ta = <1>;\n}\n"));
        assertEquals("t.dts", e.span().file());
        assertEquals(5, e.span().firstLine()); // at the end of input, where the ";" was due
        e = assertThrows(DtException.class, () -> parse("/dts-v1/;\n/ { a = <(5/0)>; };"));
        assertEquals("Division by zero", e.getMessage());
        e = assertThrows(DtException.class, () -> parse("/dts-v1/;\n/ { n { }; p; };"));
        assertEquals("Properties must precede subnodes", e.getMessage());
        e = assertThrows(DtException.class, () -> parse("/dts-v1/;\n/ { };\n&nope { };"));
        assertEquals("Label or path nope not found", e.getMessage());
        e = assertThrows(DtException.class, () -> parse("/dts-v1/;\n/ { a = /bits/ 8 <256>; };"));
        assertEquals("Value out of range for 8-bit array element", e.getMessage());
    }
}
