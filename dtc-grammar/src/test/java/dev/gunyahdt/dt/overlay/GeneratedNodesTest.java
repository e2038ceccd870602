package dev.gunyahdt.dt.overlay;

import static dev.gunyahdt.dt.overlay.TreeText.cells;
import static dev.gunyahdt.dt.overlay.TreeText.label;
import static dev.gunyahdt.dt.overlay.TreeText.node;
import static dev.gunyahdt.dt.overlay.TreeText.ref;
import static dev.gunyahdt.dt.overlay.TreeText.refCells;
import static dev.gunyahdt.dt.overlay.TreeText.str;
import static dev.gunyahdt.dt.overlay.TreeText.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GeneratedNodes on hand-built trees in the state dtc's checks leave them (references
 * resolved, phandles of referenced nodes appended), compared with what dtc 1.6.1 writes for
 * the equivalent source. The expected listings are spelled out so the tests also run without
 * dtc; when dtc is installed each is checked against dtc's blob too.
 */
class GeneratedNodesTest {

    private static void assertLikeDtc(String expected, DeviceTree actual, String source, String... flags)
            throws Exception {
        assertEquals(expected, TreeText.of(actual));
        if (TreeText.haveDtc()) {
            assertEquals(TreeText.ofBlob(TreeText.dtc(source, flags)), TreeText.of(actual));
        }
    }

    private static Property pathRef(String name, String target, String path) {
        return Property.of(
                name,
                PropertyValue.builder()
                        .marker(Marker.Kind.REF_PATH, target)
                        .string(path)
                        .build());
    }

    // ---------------------------------------------------------------- -@

    static final String SYMBOLS_SRC = """
            /dts-v1/;
            / {
            	a: b: node1 {
            		c: sub { x = <1>; };
            	};
            	n2: node2 { ref = <&c>, <&a>; p = &b; };
            	plain { };
            };
            """;

    /** SYMBOLS_SRC after checks: &c got phandle 1, &a phandle 2. */
    static DeviceTree symbolsTree() {
        return tree(
                false,
                node(
                        "node1",
                        label("a"),
                        label("b"),
                        node("sub", label("c"), cells("x", 1), cells("phandle", 1)),
                        cells("phandle", 2)),
                node(
                        "node2",
                        label("n2"),
                        Property.of(
                                "ref",
                                refCells("", ref("c", 1))
                                        .value()
                                        .concat(refCells("", ref("a", 2)).value())),
                        pathRef("p", "b", "/node1")),
                node("plain"));
    }

    @Test
    void symbolsListEveryLabelInTreeOrderAndNumberLabelledNodes() throws Exception {
        GeneratedNodes.Result r = GeneratedNodes.symbols(symbolsTree(), PhandleFormat.EPAPR, 2);
        assertLikeDtc("""
                /
                /node1
                  phandle = 00000002
                /node1/sub
                  x = 00000001
                  phandle = 00000001
                /node2
                  ref = 0000000100000002
                  p = 2f6e6f64653100
                  phandle = 00000003
                /plain
                /__symbols__
                  a = 2f6e6f64653100
                  b = 2f6e6f64653100
                  c = 2f6e6f6465312f73756200
                  n2 = 2f6e6f64653200
                """, r.tree(), SYMBOLS_SRC, "-@");
        assertEquals(3, r.nextPhandle());
        assertEquals(
                Marker.Kind.TYPE_STRING,
                r.tree()
                        .find("/__symbols__")
                        .orElseThrow()
                        .node()
                        .property("a")
                        .orElseThrow()
                        .value()
                        .markers()
                        .get(0)
                        .kind());
    }

    @Test
    void symbolsWithBothPhandleFormats() throws Exception {
        GeneratedNodes.Result r = GeneratedNodes.symbols(symbolsTree(), PhandleFormat.BOTH, 2);
        String t = TreeText.of(r.tree());
        assertEquals(
                true,
                t.contains("/node2\n  ref = 0000000100000002\n  p = 2f6e6f64653100\n"
                        + "  linux,phandle = 00000003\n  phandle = 00000003\n"),
                t);
        if (TreeText.haveDtc()) {
            // dtc -H both also gives the nodes numbered during checks both properties; compare
            // only the node numbered here.
            String dtc = TreeText.ofBlob(TreeText.dtc(SYMBOLS_SRC, "-@", "-H", "both"));
            assertEquals(
                    true,
                    dtc.contains("/node2\n  ref = 0000000100000002\n  p = 2f6e6f64653100\n"
                            + "  linux,phandle = 00000003\n  phandle = 00000003\n"),
                    dtc);
        }
    }

    static final String EXISTING_SYMBOLS_SRC = """
            /dts-v1/;
            / {
            	__symbols__ { a = "/x"; };
            	a: node1 { };
            	b: c: node2 { };
            	lp: node3 { linux,phandle = <7>; };
            };
            """;

    @Test
    void existingSymbolsNodeKeepsItsPlaceAndALabelAlreadyThereIsSkippedWithAWarning() throws Exception {
        DeviceTree t = tree(
                false,
                node("__symbols__", str("a", "/x")),
                node("node1", label("a")),
                node("node2", label("b"), label("c")),
                node("node3", label("lp"), cells("linux,phandle", 7)));
        List<String> warnings = new ArrayList<>();
        GeneratedNodes.Result r = GeneratedNodes.symbols(t, PhandleFormat.EPAPR, 1, warnings::add);
        assertLikeDtc("""
                /
                /__symbols__
                  a = 2f7800
                  b = 2f6e6f64653200
                  c = 2f6e6f64653200
                  lp = 2f6e6f64653300
                /node1
                  phandle = 00000001
                /node2
                  phandle = 00000002
                /node3
                  linux,phandle = 00000007
                """, r.tree(), EXISTING_SYMBOLS_SRC, "-@");
        assertEquals(List.of("WARNING: label a already exists in /__symbols__"), warnings);
        if (TreeText.haveDtc()) {
            assertEquals(String.join("", warnings), TreeText.dtcStderr(EXISTING_SYMBOLS_SRC, "-@"));
        }
    }

    // ---------------------------------------------------------------- -A

    static final String ALIASES_SRC = """
            /dts-v1/;
            / {
            	aliases { b = "/node1"; };
            	a: b: node1 { c: sub { }; };
            	n2: node2 { };
            };
            """;

    @Test
    void autoAliasesAppendToTheExistingNodeWithoutPhandles() throws Exception {
        DeviceTree t = tree(
                false,
                node("aliases", str("b", "/node1")),
                node("node1", label("a"), label("b"), node("sub", label("c"))),
                node("node2", label("n2")));
        List<String> warnings = new ArrayList<>();
        DeviceTree out = GeneratedNodes.autoAliases(t, warnings::add);
        assertLikeDtc("""
                /
                /aliases
                  b = 2f6e6f64653100
                  a = 2f6e6f64653100
                  c = 2f6e6f6465312f73756200
                  n2 = 2f6e6f64653200
                /node1
                /node1/sub
                /node2
                """, out, ALIASES_SRC, "-A");
        assertEquals(List.of("WARNING: label b already exists in /aliases"), warnings);
    }

    @Test
    void autoAliasesThenSymbolsCreateBothNodesAtTheEnd() throws Exception {
        String src = """
                /dts-v1/;
                / { x: n { }; };
                """;
        DeviceTree t = tree(false, node("n", label("x")));
        DeviceTree out = GeneratedNodes.symbols(GeneratedNodes.autoAliases(t), PhandleFormat.EPAPR, 1)
                .tree();
        assertLikeDtc("""
                /
                /n
                  phandle = 00000001
                /aliases
                  x = 2f6e00
                /__symbols__
                  x = 2f6e00
                """, out, src, "-A", "-@");
    }

    @Test
    void noLabelsNoNode() throws Exception {
        DeviceTree t = tree(false, node("n"));
        assertLikeDtc("""
                /
                /n
                """, GeneratedNodes.symbols(t, PhandleFormat.EPAPR, 1).tree(), "/dts-v1/; / { n { }; };", "-@");
        assertLikeDtc("/\n/n\n", GeneratedNodes.autoAliases(t), "/dts-v1/; / { n { }; };", "-A");
    }

    // ---------------------------------------------------------------- /plugin/ fixups

    static final String PLUGIN_SRC = """
            /dts-v1/;
            /plugin/;
            &foo {
            	l1: newnode {
            		prop = <&bar 1 &l1>, <&foo>;
            		s = &l1;
            		l2: inner { x = <&l2>; y = <&{/fragment@0/__overlay__/newnode}>; };
            	};
            };
            &{/some/path} { q = <&foo &bar>; };
            / {
            	fragment@5 {
            		target = <&baz>;
            		__overlay__ { lab3: zz { v = <&lab3>; }; };
            	};
            };
            """;

    /** PLUGIN_SRC as the parser expands it and checks resolve it. */
    static DeviceTree pluginTree() {
        long u = 0xffffffffL;
        Property prop = Property.of(
                "prop",
                refCells("", ref("bar", u), 1, ref("l1", 1))
                        .value()
                        .concat(refCells("", ref("foo", u)).value()));
        return tree(
                true,
                node(
                        "fragment@0",
                        refCells("target", ref("foo", u)),
                        node(
                                "__overlay__",
                                node(
                                        "newnode",
                                        label("l1"),
                                        prop,
                                        pathRef("s", "l1", "/fragment@0/__overlay__/newnode"),
                                        node(
                                                "inner",
                                                label("l2"),
                                                refCells("x", ref("l2", 2)),
                                                refCells("y", ref("/fragment@0/__overlay__/newnode", 1)),
                                                cells("phandle", 2)),
                                        cells("phandle", 1)))),
                node(
                        "fragment@1",
                        str("target-path", "/some/path"),
                        node("__overlay__", refCells("q", ref("foo", u), ref("bar", u)))),
                node(
                        "fragment@5",
                        refCells("target", ref("baz", u)),
                        node(
                                "__overlay__",
                                node("zz", label("lab3"), refCells("v", ref("lab3", 3)), cells("phandle", 3)))));
    }

    private static String hex(String s) {
        return java.util.HexFormat.of().formatHex((s + "\0").getBytes());
    }

    static final String PLUGIN_TREE_TEXT = """
            /
            /fragment@0
              target = ffffffff
            /fragment@0/__overlay__
            /fragment@0/__overlay__/newnode
              prop = ffffffff0000000100000001ffffffff
              s = %s
              phandle = 00000001
            /fragment@0/__overlay__/newnode/inner
              x = 00000002
              y = 00000001
              phandle = 00000002
            /fragment@1
              target-path = 2f736f6d652f7061746800
            /fragment@1/__overlay__
              q = ffffffffffffffff
            /fragment@5
              target = ffffffff
            /fragment@5/__overlay__
            /fragment@5/__overlay__/zz
              v = 00000003
              phandle = 00000003
            """.formatted(hex("/fragment@0/__overlay__/newnode"));

    static final String PLUGIN_FIXUPS_TEXT = """
            /__fixups__
              foo = %s
              bar = %s
              baz = %s
            /__local_fixups__
            /__local_fixups__/fragment@0
            /__local_fixups__/fragment@0/__overlay__
            /__local_fixups__/fragment@0/__overlay__/newnode
              prop = 00000008
            /__local_fixups__/fragment@0/__overlay__/newnode/inner
              x = 00000000
              y = 00000000
            /__local_fixups__/fragment@5
            /__local_fixups__/fragment@5/__overlay__
            /__local_fixups__/fragment@5/__overlay__/zz
              v = 00000000
            """.formatted(
                    hex("/fragment@0:target:0")
                            + hex("/fragment@0/__overlay__/newnode:prop:12")
                            + hex("/fragment@1/__overlay__:q:0"),
                    hex("/fragment@0/__overlay__/newnode:prop:0") + hex("/fragment@1/__overlay__:q:4"),
                    hex("/fragment@5:target:0"));

    @Test
    void pluginFixupsAndLocalFixups() throws Exception {
        DeviceTree out = GeneratedNodes.fixups(pluginTree());
        assertLikeDtc(PLUGIN_TREE_TEXT + PLUGIN_FIXUPS_TEXT, out, PLUGIN_SRC);
        // one type marker per appended entry, as dtc's values carry
        Property foo =
                out.find("/__fixups__").orElseThrow().node().property("foo").orElseThrow();
        assertEquals(3, foo.value().markers().size());
    }

    @Test
    void pluginWithSymbolsPutsSymbolsBeforeTheFixupNodes() throws Exception {
        GeneratedNodes.Result r = GeneratedNodes.symbols(pluginTree(), PhandleFormat.EPAPR, 3);
        DeviceTree out = GeneratedNodes.fixups(r.tree());
        String symbols = """
                /__symbols__
                  l1 = %s
                  l2 = %s
                  lab3 = %s
                """.formatted(
                        hex("/fragment@0/__overlay__/newnode"),
                        hex("/fragment@0/__overlay__/newnode/inner"),
                        hex("/fragment@5/__overlay__/zz"));
        assertLikeDtc(PLUGIN_TREE_TEXT + symbols + PLUGIN_FIXUPS_TEXT, out, PLUGIN_SRC, "-@");
    }

    @Test
    void repeatedReferencesAppendCellsAndRootPropertiesSitDirectlyInLocalFixups() throws Exception {
        String src = """
                /dts-v1/;
                /plugin/;
                / { rp = <&a &a>; a: n { x = <&a>, <&a>; }; };
                """;
        DeviceTree t = tree(
                true,
                refCells("rp", ref("a", 1), ref("a", 1)),
                node(
                        "n",
                        label("a"),
                        Property.of(
                                "x",
                                refCells("", ref("a", 1))
                                        .value()
                                        .concat(refCells("", ref("a", 1)).value())),
                        cells("phandle", 1)));
        assertLikeDtc("""
                /
                  rp = 0000000100000001
                /n
                  x = 0000000100000001
                  phandle = 00000001
                /__local_fixups__
                  rp = 0000000000000004
                /__local_fixups__/n
                  x = 0000000000000004
                """, GeneratedNodes.fixups(t), src);
    }

    @Test
    void noReferencesNoFixupNodes() throws Exception {
        DeviceTree t = tree(true, node("a", node("n")));
        DeviceTree out = GeneratedNodes.fixups(t);
        assertSame(t, out);
        assertLikeDtc("/\n/a\n/a/n\n", out, "/dts-v1/; /plugin/; / { a { n { }; }; };");
    }

    @Test
    void existingFixupNodesAreExtended() throws Exception {
        String src = """
                /dts-v1/;
                /plugin/;
                / {
                	n { x = <&ext>; y = <&l>; };
                	l: m { };
                	__fixups__ { ext = "/old:p:0"; };
                	__local_fixups__ { };
                };
                """;
        DeviceTree t = tree(
                true,
                node("n", refCells("x", ref("ext", 0xffffffffL)), refCells("y", ref("l", 1))),
                node("m", label("l"), cells("phandle", 1)),
                node("__fixups__", str("ext", "/old:p:0")),
                node("__local_fixups__"));
        assertLikeDtc("""
                /
                /n
                  x = ffffffff
                  y = 00000001
                /m
                  phandle = 00000001
                /__fixups__
                  ext = %s
                /__local_fixups__
                /__local_fixups__/n
                  y = 00000000
                """.formatted(hex("/old:p:0") + hex("/n:x:0")), GeneratedNodes.fixups(t), src);
    }

    /**
     * gunyah-dt's -L on a plain tree: dtc 1.6.1 has no -L, so the reference is the same tree
     * compiled as a plugin, whose references all resolve (only __local_fixups__ appears).
     */
    @Test
    void localFixupsForAPlainTree() throws Exception {
        DeviceTree t = tree(
                false,
                node("a", label("a"), cells("phandle", 1)),
                node("b", refCells("r", 5, ref("a", 1)), refCells("s", ref("/a", 1))));
        assertLikeDtc(
                """
                /
                /a
                  phandle = 00000001
                /b
                  r = 0000000500000001
                  s = 00000001
                /__local_fixups__
                /__local_fixups__/b
                  r = 00000004
                  s = 00000000
                """, GeneratedNodes.fixups(t), "/dts-v1/; /plugin/; / { a: a { }; b { r = <5 &a>; s = <&{/a}>; }; };");
    }
}
