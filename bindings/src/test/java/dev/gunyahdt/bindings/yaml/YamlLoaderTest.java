package dev.gunyahdt.bindings.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class YamlLoaderTest {

    private final YamlLoader loader = new YamlLoader();

    @Test
    void yaml12RulesKeepOnOffYesNoAsStringsAndReadHex() throws Exception {
        YamlDocument d = loader.load("a.yaml", "%YAML 1.2\n---\nenum: [on, off, yes, no, true]\nmax: 0xffffffff\n");
        assertEquals(
                "[\"on\",\"off\",\"yes\",\"no\",true]", d.root().get("enum").toString());
        assertEquals(0xffffffffL, d.root().get("max").asLong());
    }

    @Test
    void everyNodeKeepsItsLineAndColumn() throws Exception {
        YamlDocument d = loader.load("a.yaml", "%YAML 1.2\n---\nproperties:\n  reg:\n    maxItems: 2\n");
        assertEquals(new YamlDocument.Position(5, 15), d.positionOf("/properties/reg/maxItems"));
        assertEquals(new YamlDocument.Position(5, 5), d.positionOf("/properties/reg"));
    }

    @Test
    void syntaxErrorIsAPositionedFinding() {
        YamlLoadException e =
                assertThrows(YamlLoadException.class, () -> loader.load("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n"));
        assertEquals("bad.yaml", e.file());
        assertTrue(e.line() >= 2, e.render());
        assertTrue(e.render().startsWith("bad.yaml:"), e.render());
    }

    @Test
    void duplicateKeysAreRejected() {
        YamlLoadException e = assertThrows(YamlLoadException.class, () -> loader.load("d.yaml", "a: 1\na: 2\n"));
        assertEquals(2, e.line(), e.render());
    }

    /** "Billion laughs": nine aliases per level, nine levels — 9^9 nodes if expanded. */
    @Test
    void aliasBombIsRefusedQuicklyWithAClearMessage() {
        StringBuilder sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= 9; i++) {
            sb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int k = 0; k < 9; k++) {
                sb.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        long t = System.nanoTime();
        YamlLoadException e = assertThrows(YamlLoadException.class, () -> loader.load("bomb.yaml", sb.toString()));
        assertTrue(System.nanoTime() - t < 5_000_000_000L, "bounded time");
        assertTrue(e.getMessage().contains("alias") || e.getMessage().contains("aliases"), e.render());
        assertTrue(e.line() >= 1);
    }

    @Test
    void aliasBombUnderTheAliasLimitIsStoppedByTheNodeLimit() {
        YamlLoader small = new YamlLoader(new YamlLoader.Limits(1 << 20, 64, 100, 10_000));
        StringBuilder sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= 5; i++) {
            sb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int k = 0; k < 10; k++) {
                sb.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        YamlLoadException e = assertThrows(YamlLoadException.class, () -> small.load("bomb2.yaml", sb.toString()));
        assertTrue(e.getMessage().contains("more than 10000 nodes"), e.render());
    }

    @Test
    void deepNestingIsRefusedBeforeComposing() {
        String deep = "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        YamlLoadException e = assertThrows(YamlLoadException.class, () -> loader.load("deep.yaml", deep));
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.render());
        assertEquals(1, e.line());
    }

    @Test
    void oversizedDocumentIsRefused() {
        YamlLoader tiny = new YamlLoader(new YamlLoader.Limits(100, 64, 10, 1000));
        YamlLoadException e =
                assertThrows(YamlLoadException.class, () -> tiny.load("big.yaml", "a: " + "x".repeat(200) + "\n"));
        assertTrue(e.getMessage().contains("larger than 100"), e.render());
    }

    @Test
    void recursiveAliasIsRefused() {
        assertThrows(YamlLoadException.class, () -> loader.load("r.yaml", "a: &a [*a]\n"));
    }

    @Test
    void aLoneDashInAFlowSequenceIsTheStringDashAsRuamelReadsIt() throws Exception {
        // Linux 6.1's pinctrl/ralink,mt7620-pinctrl.yaml ends an enum with "wled_kn, -,"
        YamlDocument d = new YamlLoader().load("x.yaml", "enum: [a, -,\n  b, -]\nnext: 1\n");
        assertEquals("[\"a\",\"-\",\"b\",\"-\"]", d.root().get("enum").toString());
        assertEquals(3, d.positionOf("/next").line());
        // a dash that starts a block entry inside a flow sequence is still refused, with its position
        YamlLoadException e = org.junit.jupiter.api.Assertions.assertThrows(
                YamlLoadException.class, () -> new YamlLoader().load("x.yaml", "enum: [a, - b]\n"));
        assertEquals(1, e.line());
    }
}
