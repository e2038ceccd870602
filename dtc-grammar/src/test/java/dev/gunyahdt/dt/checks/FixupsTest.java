package dev.gunyahdt.dt.checks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fixup checks' effect on the tree. Expected values are what {@code dtc -O dts} (1.6.1)
 * prints for the same sources.
 */
class FixupsTest {

    private static final String REFS = "/ { a: a { }; b: b { phandle = <1>; }; c { p = <&a &b &a>; q = <&c2>; }; "
            + "c2: d { }; s: e { phandle = <&s>; }; };";

    static DeviceTree parse(String text) {
        return DtsSource.parse(text, "t.dts", new IncludeResolver(List.of()));
    }

    static CheckResult check(String body, CheckConfig config) {
        return Checker.run(parse("/dts-v1/;\n" + body + "\n"), config, "o");
    }

    static Node node(DeviceTree t, String path) {
        return t.find(path).map(NodeCursor::node).orElseThrow();
    }

    static PropertyValue value(DeviceTree t, String path, String prop) {
        return node(t, path).property(prop).orElseThrow().value();
    }

    @Test
    void phandlesAreAssignedInReferenceOrderSkippingUsedOnes() {
        CheckResult r = check(REFS, CheckConfig.defaults());
        DeviceTree t = r.tree();
        assertArrayEquals(new long[] {2, 1, 2}, value(t, "/c", "p").cells());
        assertArrayEquals(new long[] {3}, value(t, "/c", "q").cells());
        assertEquals(
                List.of("phandle"),
                node(t, "/a").properties().stream().map(Property::name).toList());
        assertArrayEquals(new long[] {2}, value(t, "/a", "phandle").cells());
        assertArrayEquals(new long[] {3}, value(t, "/d", "phandle").cells());
        // "phandle = <&self>" is patched in place, no second property
        assertEquals(1, node(t, "/e").properties().size());
        assertArrayEquals(new long[] {4}, value(t, "/e", "phandle").cells());
        assertEquals(4, r.nextPhandle()); // the counter rests on the last number given, as dtc's does
        // markers stay for later stages (fixups, printers)
        assertTrue(value(t, "/c", "p").hasMarker(Marker.Kind.REF_PHANDLE));
    }

    @Test
    void phandleFormatChoosesTheProperties() {
        DeviceTree both = check(REFS, CheckConfig.defaults().phandleFormat(PhandleFormat.BOTH))
                .tree();
        assertEquals(
                List.of("linux,phandle", "phandle"),
                node(both, "/a").properties().stream().map(Property::name).toList());
        DeviceTree legacy = check(REFS, CheckConfig.defaults().phandleFormat(PhandleFormat.LEGACY))
                .tree();
        assertEquals(
                List.of("linux,phandle"),
                node(legacy, "/a").properties().stream().map(Property::name).toList());
    }

    @Test
    void pathsAreInsertedAndLaterMarkersMove() {
        PropertyValue v = value(
                check("/ { a: a { }; b { p = \"x\", &a, l1: \"y\", &{/b}; }; };", CheckConfig.defaults())
                        .tree(),
                "/b",
                "p");
        assertArrayEquals("x\0/a\0y\0/b\0".getBytes(StandardCharsets.ISO_8859_1), v.bytes());
        List<Integer> refs = v.markers().stream()
                .filter(m -> m.kind() == Marker.Kind.REF_PATH)
                .map(Marker::offset)
                .toList();
        assertEquals(List.of(2, 7), refs);
        int label = v.markers().stream()
                .filter(m -> m.kind() == Marker.Kind.LABEL)
                .findFirst()
                .orElseThrow()
                .offset();
        assertEquals(5, label);
    }

    @Test
    void unreferencedOmitNodesGoReferencedOnesStay() {
        DeviceTree t = check(
                        "/ { /omit-if-no-ref/ a: a { x { }; }; /omit-if-no-ref/ b: b { }; "
                                + "/omit-if-no-ref/ c: c { }; p { r = <&b>; s = &c; }; };",
                        CheckConfig.defaults())
                .tree();
        assertFalse(t.find("/a").isPresent());
        assertTrue(t.find("/b").isPresent());
        assertTrue(t.find("/c").isPresent());
        assertTrue(t.root().hasDeletedChildren());
    }

    @Test
    void withSymbolsLabelledOmitNodesStay() {
        // dtc -@ keeps them (their labels go to __symbols__)
        String body = "/ { /omit-if-no-ref/ a: a { }; /omit-if-no-ref/ b { }; };";
        DeviceTree t = check(body, CheckConfig.defaults().generateSymbols(true)).tree();
        assertTrue(t.find("/a").isPresent());
        assertFalse(t.find("/b").isPresent());
    }

    @Test
    void pluginsKeepUnknownReferencesUnresolvedWithoutError() {
        CheckResult r =
                Checker.run(parse("/dts-v1/;\n/plugin/;\n/ { a { p = <&ext 1>; }; };\n"), CheckConfig.defaults(), "o");
        assertFalse(r.hadErrors());
        assertEquals(List.of(), r.diagnostics());
        assertArrayEquals(
                new long[] {0xffffffffL, 1}, value(r.tree(), "/a", "p").cells());
    }

    @Test
    void aCorrectNamePropertyIsDropped() {
        DeviceTree t = check("/ { n@1 { name = \"n\"; reg = <1>; }; };", CheckConfig.defaults())
                .tree();
        assertFalse(node(t, "/n@1").hasProperty("name"));
    }

    @Test
    void referencesResolveWhenAnEnabledCheckNeedsThem() {
        // dtc -E no-phandle_references still resolves: the check runs as a prerequisite
        CheckConfig c = CheckConfig.defaults();
        c.apply("no-phandle_references", true);
        DeviceTree t = check("/ { a: a { }; b { p = <&a>; }; };", c).tree();
        assertArrayEquals(new long[] {1}, value(t, "/b", "p").cells());
    }
}
