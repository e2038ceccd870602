package dev.gunyahdt.dt.overlay;

import static dev.gunyahdt.dt.overlay.TreeText.blob;
import static dev.gunyahdt.dt.overlay.TreeText.cells;
import static dev.gunyahdt.dt.overlay.TreeText.node;
import static dev.gunyahdt.dt.overlay.TreeText.str;
import static dev.gunyahdt.dt.overlay.TreeText.tree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.diag.DtException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * OverlayApplier on malformed and hostile input: every refusal is one DtException naming the
 * blob and a libfdt error code, never another exception or a hang — including inputs on which
 * fdtoverlay itself loops or writes out of bounds.
 */
class OverlayApplierTest {

    /** A base with /a (phandle 1) and /__symbols__ { a = "/a"; }. */
    static byte[] base() {
        return blob(tree(false, node("a", cells("phandle", 1)), node("__symbols__", str("a", "/a"))));
    }

    static byte[] overlay(Object... rootParts) {
        return blob(tree(true, rootParts));
    }

    static Node fragment(String targetPath, Object... content) {
        return node("fragment@0", str("target-path", targetPath), node("__overlay__", content));
    }

    static Property raw(String name, byte[] v) {
        return Property.of(name, PropertyValue.ofBytes(v));
    }

    static void refused(String code, String messagePart, byte[] base, byte[]... overlays) {
        DtException e = assertThrows(DtException.class, () -> OverlayApplier.apply(base, List.of(overlays)));
        assertTrue(e.getMessage().contains(code), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void simpleMergeWithTheTestWriter() {
        byte[] out = OverlayApplier.apply(base(), List.of(overlay(fragment("/a", cells("x", 5), node("n")))));
        assertEquals("""
                /
                /a
                  x = 00000005
                  phandle = 00000001
                /a/n
                /__symbols__
                  a = 2f6100
                """, TreeText.ofBlob(out));
    }

    @Test
    void noOverlaysRepacksTheBase() throws Exception {
        byte[] padded = Files.readAllBytes(Path.of("src/test/resources/overlay/cases/header-fields/golden/base.dtb"));
        byte[] out = OverlayApplier.apply(padded, List.of());
        assertEquals(padded.length - 64, out.length); // -p 64 padding dropped
        assertEquals(out.length, FlatTree.u32(out, 4));
    }

    @Test
    void inputsAreNotModified() {
        byte[] b = base();
        byte[] o = overlay(
                node("fragment@0", cells("target", 0xffffffffL), node("__overlay__", cells("p", 1))),
                node("__fixups__", str("a", "/fragment@0:target:0")));
        byte[] b0 = b.clone();
        byte[] o0 = o.clone();
        OverlayApplier.apply(b, List.of(o));
        assertArrayEquals(b0, b);
        assertArrayEquals(o0, o);
    }

    // ---------------------------------------------------------------- corrupt blobs

    @Test
    void corruptBlobs() {
        byte[] good = base();
        refused("FDT_ERR_TRUNCATED", "base blob", Arrays.copyOf(good, 20));
        byte[] magic = good.clone();
        magic[0] = 0;
        refused("FDT_ERR_BADMAGIC", "base blob", magic);
        refused("FDT_ERR_BADMAGIC", "overlay 2", good, good, magic);
        refused("FDT_ERR_TRUNCATED", "base blob", Arrays.copyOf(good, good.length - 1));
        byte[] huge = good.clone();
        FlatTree.put32(huge, 4, 0x7fffffff);
        refused("FDT_ERR_TRUNCATED", "base blob", huge);
        byte[] version = good.clone();
        FlatTree.put32(version, 20, 3);
        refused("FDT_ERR_BADVERSION", "base blob", version);
        byte[] strOut = good.clone();
        FlatTree.put32(strOut, 32, 0x1000);
        refused("FDT_ERR_TRUNCATED", "strings block", strOut);
        byte[] tag = good.clone();
        FlatTree.put32(tag, 56, 7); // root's FDT_BEGIN_NODE
        refused("FDT_ERR_BADSTRUCTURE", "unknown tag", tag);
        byte[] nameOff = good.clone();
        FlatTree.put32(nameOff, 80, 0x100); // /a's phandle name offset
        refused("FDT_ERR_BADSTRUCTURE", "outside the strings block", nameOff);
        byte[] propLen = good.clone();
        FlatTree.put32(propLen, 76, 0x10000);
        refused("FDT_ERR_BADSTRUCTURE", "runs past", propLen);
        byte[] noEnd = good.clone();
        FlatTree.put32(noEnd, 36, FlatTree.u32(good, 36) - 4);
        refused("FDT_ERR_BADSTRUCTURE", "without FDT_END", noEnd);
    }

    @Test
    void deepNestingIsRefusedNotARecursionBlowUp() {
        Node n = node("leaf");
        for (int i = 0; i < 3000; i++) {
            n = node("n", n);
        }
        byte[] deep = blob(new DeviceTree(node("", n), List.of(), false, 0));
        refused("FDT_ERR_BADSTRUCTURE", "deeper than", deep);
        refused("FDT_ERR_BADSTRUCTURE", "overlay 1", base(), deep);
    }

    // ---------------------------------------------------------------- malformed overlays

    @Test
    void malformedFixups() {
        Node frag = node("fragment@0", cells("target", 0xffffffffL), node("__overlay__", cells("p", 1)));
        refused(
                "FDT_ERR_BADOVERLAY",
                "not path:property:offset",
                base(),
                overlay(frag, node("__fixups__", str("a", "no-colons"))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "not path:property:offset",
                base(),
                overlay(frag, node("__fixups__", str("a", "/fragment@0::0"))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "not path:property:offset",
                base(),
                overlay(frag, node("__fixups__", str("a", "/fragment@0:target:0x0"))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "NUL-terminated",
                base(),
                overlay(frag, node("__fixups__", raw("a", "/fragment@0:target:0".getBytes()))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "not in the overlay",
                base(),
                overlay(frag, node("__fixups__", str("a", "/nowhere:target:0"))));
        refused(
                "FDT_ERR_NOTFOUND",
                "not in the overlay",
                base(),
                overlay(frag, node("__fixups__", str("a", "/fragment@0:nothere:0"))));
        // fdtoverlay retries this one with ever larger buffers instead of failing
        refused(
                "FDT_ERR_NOSPACE",
                "beyond",
                base(),
                overlay(frag, node("__fixups__", str("a", "/fragment@0:target:4"))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "offset too large",
                base(),
                overlay(frag, node("__fixups__", str("a", "/fragment@0:target:99999999999"))));
        refused(
                "FDT_ERR_NOTFOUND",
                "label 'zz'",
                base(),
                overlay(frag, node("__fixups__", str("zz", "/fragment@0:target:0"))));
        byte[] noPhandle = blob(tree(false, node("a"), node("__symbols__", str("a", "/a"))));
        refused(
                "FDT_ERR_NOTFOUND",
                "has no phandle",
                noPhandle,
                overlay(frag, node("__fixups__", str("a", "/fragment@0:target:0"))));
    }

    @Test
    void strtoulStyleOffsetsAreAccepted() {
        Node frag = node("fragment@0", cells("target", 0xffffffffL), node("__overlay__", cells("p", 1)));
        byte[] out = OverlayApplier.apply(
                base(), List.of(overlay(frag, node("__fixups__", str("a", "/fragment@0:target: +0")))));
        assertTrue(TreeText.ofBlob(out).contains("/a\n  p = 00000001\n"), TreeText.ofBlob(out));
    }

    @Test
    void malformedLocalFixups() {
        Node frag = fragment("/a", cells("r", 1), cells("phandle", 1));
        refused(
                "FDT_ERR_BADOVERLAY",
                "not a list of cells",
                base(),
                overlay(
                        frag,
                        node("__local_fixups__", node("fragment@0", node("__overlay__", raw("r", new byte[3]))))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "beyond",
                base(),
                overlay(frag, node("__local_fixups__", node("fragment@0", node("__overlay__", cells("r", 4))))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "does not have",
                base(),
                overlay(frag, node("__local_fixups__", node("fragment@0", node("__overlay__", cells("q", 0))))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "does not have",
                base(),
                overlay(frag, node("__local_fixups__", node("fragment@9"))));
    }

    @Test
    void badTargets() {
        refused(
                "FDT_ERR_BADPHANDLE",
                "not one phandle cell",
                base(),
                overlay(node("fragment@0", raw("target", new byte[3]), node("__overlay__"))));
        refused(
                "FDT_ERR_BADPHANDLE",
                "unresolved",
                base(),
                overlay(node("fragment@0", cells("target", 0xffffffffL), node("__overlay__"))));
        refused(
                "FDT_ERR_NOTFOUND",
                "phandle 0x7",
                base(),
                overlay(node("fragment@0", cells("target", 7), node("__overlay__"))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "neither",
                base(),
                overlay(node("fragment@0", cells("target", 0), node("__overlay__"))));
        refused("FDT_ERR_BADPATH", "\"nosuchalias\"", base(), overlay(fragment("nosuchalias")));
    }

    @Test
    void aliasLoopInTargetPathEnds() {
        byte[] b = blob(tree(false, node("aliases", str("x", "y/a"), str("y", "x/b"))));
        refused("FDT_ERR_BADPATH", "\"x\"", b, overlay(fragment("x")));
    }

    @Test
    void phandleOverflow() {
        byte[] b = blob(tree(false, node("a", cells("phandle", 0xfffffff0L))));
        refused("FDT_ERR_NOPHANDLES", "largest phandle", b, overlay(fragment("/", node("n", cells("phandle", 0x0f)))));
        refused(
                "FDT_ERR_BADPHANDLE",
                "not one cell",
                b,
                overlay(fragment("/", node("n", raw("phandle", new byte[8])))));
    }

    @Test
    void badSymbols() {
        refused(
                "FDT_ERR_BADVALUE",
                "single string",
                base(),
                overlay(fragment("/a"), node("__symbols__", raw("s", "/fragment@0/__overlay__\0x\0".getBytes()))));
        refused(
                "FDT_ERR_BADVALUE",
                "absolute path",
                base(),
                overlay(fragment("/a"), node("__symbols__", str("s", "fragment@0/__overlay__"))));
        refused(
                "FDT_ERR_BADOVERLAY",
                "not a fragment",
                base(),
                overlay(fragment("/a"), node("__symbols__", str("s", "/fragment@7/__overlay__/x"))));
        // symbols outside fragments are ignored
        byte[] out = OverlayApplier.apply(
                base(),
                List.of(overlay(
                        fragment("/a"), node("__symbols__", str("s", "/elsewhere"), str("t", "/fragment@0/other")))));
        assertTrue(TreeText.ofBlob(out).endsWith("/__symbols__\n  a = 2f6100\n"), TreeText.ofBlob(out));
    }

    // ---------------------------------------------------------------- mutation fuzz

    /** Random byte damage to real inputs: only DtException or a result, never anything else. */
    @Test
    void randomDamageGivesDtExceptionOrAResult() throws Exception {
        Path dir = Path.of("src/test/resources/overlay/cases/phandle-renumber/golden");
        byte[] b = Files.readAllBytes(dir.resolve("base.dtb"));
        byte[] o = Files.readAllBytes(dir.resolve("ov1.dtbo"));
        Random rnd = new Random(42);
        int refused = 0;
        for (int i = 0; i < 4000; i++) {
            byte[] bb = b.clone();
            byte[] oo = o.clone();
            byte[] victim = rnd.nextBoolean() ? bb : oo;
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                victim[rnd.nextInt(victim.length)] = (byte) rnd.nextInt(256);
            }
            try {
                byte[] out = OverlayApplier.apply(bb, List.of(oo));
                FlatTree.parse(out, "result"); // whatever came out is a well-formed blob
            } catch (DtException e) {
                refused++;
            }
        }
        assertTrue(refused > 100, "refused " + refused);
    }

    @Test
    void sequencesStopAtTheFirstFailingOverlay() {
        List<byte[]> list = new ArrayList<>();
        list.add(overlay(fragment("/a", cells("ok", 1))));
        list.add(overlay(fragment("/missing")));
        DtException e = assertThrows(DtException.class, () -> OverlayApplier.apply(base(), list));
        assertTrue(e.getMessage().startsWith("Failed to apply overlay 2: FDT_ERR_NOTFOUND"), e.getMessage());
    }

    @Test
    void messagesNameOverlaysByFileNameWhenGiven() {
        DtException e = assertThrows(
                DtException.class,
                () -> OverlayApplier.apply(base(), List.of(overlay(fragment("/missing"))), List.of("ov.dtbo")));
        assertTrue(e.getMessage().startsWith("Failed to apply 'ov.dtbo': FDT_ERR_NOTFOUND: "), e.getMessage());
    }
}
