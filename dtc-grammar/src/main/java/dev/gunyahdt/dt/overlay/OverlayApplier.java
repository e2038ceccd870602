package dev.gunyahdt.dt.overlay;

import dev.gunyahdt.dt.diag.DtException;
import java.util.List;

/**
 * Applies overlay blobs to a base blob as fdtoverlay 1.6.1 does, with the same output bytes.
 *
 * <p>Per overlay, in this order: the overlay's own phandles are shifted past the base's
 * largest phandle, and the cells listed in its {@code __local_fixups__} with them; each
 * {@code __fixups__} entry ({@code path:property:offset}) gets the phandle of the base node
 * that the base's {@code /__symbols__} names for that label; each fragment with an
 * {@code __overlay__} child is merged into its target ({@code target = <phandle>}, else
 * {@code target-path}); finally the overlay's {@code __symbols__} entries that point into a
 * fragment are added to the base's {@code /__symbols__} with the fragment part of the path
 * replaced by the target's path. The overlay's {@code __fixups__}, {@code __local_fixups__}
 * and {@code __symbols__} nodes themselves are not merged.
 *
 * <p>The merge edits the base as a flat blob ({@link FlatTree}), so new properties land before
 * a node's existing ones and new subnodes before its existing children (both therefore in
 * reverse overlay order), replaced properties stay where they were, new property names reuse
 * any matching string in the strings block, and the result is packed.
 */
public final class OverlayApplier {

    private OverlayApplier() {}

    /**
     * Applies {@code overlayBlobs} in order to {@code baseBlob} and returns the packed result.
     * Messages name the overlays "overlay 1", "overlay 2", ….
     *
     * @throws DtException when a blob is malformed or an overlay cannot be applied; nothing is
     *                     returned in that case (the inputs are never modified)
     */
    public static byte[] apply(byte[] baseBlob, List<byte[]> overlayBlobs) {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 1; i <= overlayBlobs.size(); i++) {
            names.add("overlay " + i);
        }
        return apply(baseBlob, overlayBlobs, names);
    }

    /**
     * As {@link #apply(byte[], List)}, naming each overlay in messages as fdtoverlay does, by
     * its file name ({@code Failed to apply 'ov.dtbo': FDT_ERR_NOTFOUND: …}).
     */
    public static byte[] apply(byte[] baseBlob, List<byte[]> overlayBlobs, List<String> overlayFileNames) {
        if (overlayFileNames.size() != overlayBlobs.size()) {
            throw new IllegalArgumentException("one name per overlay");
        }
        FlatTree base = FlatTree.parse(baseBlob, "base blob");
        for (int i = 0; i < overlayBlobs.size(); i++) {
            String name = overlayFileNames.get(i);
            String quoted = name.startsWith("overlay ") ? name : "'" + name + "'";
            FlatTree overlay = FlatTree.parse(overlayBlobs.get(i), quoted);
            new Application(base, overlay, quoted).run();
        }
        return base.toPackedBlob();
    }

    /** One overlay applied to the (mutable) base. */
    private static final class Application {
        private final FlatTree fdt;
        private final FlatTree fdto;
        private final String name;

        Application(FlatTree fdt, FlatTree fdto, String name) {
            this.fdt = fdt;
            this.fdto = fdto;
            this.name = name;
        }

        private DtException fail(String code, String msg) {
            return new DtException("Failed to apply " + name + ": " + code + ": " + msg);
        }

        void run() {
            long delta = fdt.maxPhandle();
            shiftPhandles(delta);
            shiftLocalReferences(delta);
            resolveFixups();
            merge();
            updateSymbols();
        }

        // ---------------------------------------------------------------- phandles

        private void shiftPhandles(long delta) {
            for (int node : fdto.allNodes()) {
                for (String prop : List.of("phandle", "linux,phandle")) {
                    int p = fdto.property(node, prop);
                    if (p < 0) {
                        continue;
                    }
                    if (fdto.propLength(p) != 4) {
                        throw fail(
                                "FDT_ERR_BADPHANDLE",
                                fdto.pathOf(node) + ":" + prop + " is " + fdto.propLength(p) + " bytes, not one cell");
                    }
                    long v = fdto.readCell(p, 0) + delta;
                    if (v >= 0xffffffffL) {
                        throw fail(
                                "FDT_ERR_NOPHANDLES",
                                fdto.pathOf(node) + ":" + prop
                                        + " shifted past the base's largest phandle (0x" + Long.toHexString(delta)
                                        + ") leaves no valid phandle");
                    }
                    fdto.writeInPlace(p, 0, FlatTree.cell(v));
                }
            }
        }

        private void shiftLocalReferences(long delta) {
            int fixups = fdto.pathOffset("/__local_fixups__");
            if (fixups >= 0) {
                shiftLocalReferences(0, fixups, delta);
            }
        }

        /** Walks {@code __local_fixups__} beside the tree it mirrors. */
        private void shiftLocalReferences(int treeNode, int fixupNode, long delta) {
            for (int fp : fdto.properties(fixupNode)) {
                String prop = fdto.propName(fp);
                int len = fdto.propLength(fp);
                if (len % 4 != 0) {
                    throw fail(
                            "FDT_ERR_BADOVERLAY",
                            where(fixupNode, prop) + " is " + len + " bytes, not a list of cells");
                }
                int tp = fdto.property(treeNode, prop);
                if (tp < 0) {
                    throw fail(
                            "FDT_ERR_BADOVERLAY",
                            where(fixupNode, prop) + " names a property that " + fdto.pathOf(treeNode)
                                    + " does not have");
                }
                for (int i = 0; i < len; i += 4) {
                    long off = fdto.readCell(fp, i);
                    if (off + 4 > fdto.propLength(tp)) {
                        throw fail(
                                "FDT_ERR_BADOVERLAY",
                                where(fixupNode, prop) + " offset " + off + " is beyond the " + fdto.propLength(tp)
                                        + "-byte property");
                    }
                    long v = (fdto.readCell(tp, (int) off) + delta) & 0xffffffffL;
                    fdto.writeInPlace(tp, (int) off, FlatTree.cell(v));
                }
            }
            for (int fc : fdto.children(fixupNode)) {
                String child = fdto.nodeName(fc);
                int tc = fdto.subnode(treeNode, child);
                if (tc < 0) {
                    throw fail(
                            "FDT_ERR_BADOVERLAY",
                            fdto.pathOf(fc) + " mirrors a node " + fdto.pathOf(treeNode) + " does not have");
                }
                shiftLocalReferences(tc, fc, delta);
            }
        }

        /** "path:property" of an overlay property, for messages (a path costs a walk). */
        private String where(int node, String prop) {
            return fdto.pathOf(node) + ":" + prop;
        }

        // ---------------------------------------------------------------- fixups

        private void resolveFixups() {
            int fixups = fdto.pathOffset("/__fixups__");
            if (fixups < 0) {
                return;
            }
            int symbols = fdt.pathOffset("/__symbols__");
            for (int fp : fdto.properties(fixups)) {
                String label = fdto.propName(fp);
                byte[] v = fdto.propValue(fp);
                int pos = 0;
                do {
                    int nul = pos;
                    while (nul < v.length && v[nul] != 0) {
                        nul++;
                    }
                    if (nul >= v.length) {
                        throw fail(
                                "FDT_ERR_BADOVERLAY",
                                "/__fixups__:" + label + " is not a list of NUL-terminated strings");
                    }
                    String entry = new String(v, pos, nul - pos, java.nio.charset.StandardCharsets.ISO_8859_1);
                    pos = nul + 1;
                    resolveOne(symbols, label, entry);
                } while (pos < v.length);
            }
        }

        private void resolveOne(int symbols, String label, String entry) {
            String bad = "/__fixups__:" + label + " entry \"" + entry + "\" is not path:property:offset";
            int c1 = entry.indexOf(':');
            if (c1 < 0 || c1 == entry.length() - 1) {
                throw fail("FDT_ERR_BADOVERLAY", bad);
            }
            int c2 = entry.indexOf(':', c1 + 1);
            if (c2 < 0 || c2 == c1 + 1) {
                throw fail("FDT_ERR_BADOVERLAY", bad);
            }
            String path = entry.substring(0, c1);
            String prop = entry.substring(c1 + 1, c2);
            long offset = parseOffset(entry.substring(c2 + 1), bad);

            if (symbols < 0) {
                throw fail(
                        "FDT_ERR_NOTFOUND",
                        "the overlay refers to label '" + label
                                + "' but the base blob has no /__symbols__ node (compile the base with dtc -@)");
            }
            int sp = fdt.property(symbols, label);
            if (sp < 0) {
                throw fail(
                        "FDT_ERR_NOTFOUND",
                        "label '" + label + "' (used at " + path + ":" + prop + ") is not in the base's /__symbols__");
            }
            String symbolPath = FlatTree.cString(fdt.propValue(sp));
            int node = fdt.pathOffset(symbolPath);
            if (node < 0) {
                throw fail(
                        symbolPath.startsWith("/") ? "FDT_ERR_NOTFOUND" : "FDT_ERR_BADPATH",
                        "label '" + label + "' names " + symbolPath + ", which is not in the base tree");
            }
            long ph = fdt.phandle(node);
            if (ph == 0) {
                throw fail("FDT_ERR_NOTFOUND", "label '" + label + "' names " + symbolPath + ", which has no phandle");
            }
            int target = fdto.pathOffset(path);
            if (target < 0) {
                throw fail(
                        "FDT_ERR_BADOVERLAY",
                        "fixup for '" + label + "' names node " + path + ", which is not in the overlay");
            }
            int tp = fdto.property(target, prop);
            if (tp < 0) {
                throw fail(
                        "FDT_ERR_NOTFOUND",
                        "fixup for '" + label + "' names property " + path + ":" + prop
                                + ", which is not in the overlay");
            }
            if (offset + 4 > fdto.propLength(tp)) {
                throw fail(
                        "FDT_ERR_NOSPACE",
                        "fixup for '" + label + "' at " + path + ":" + prop + " offset " + offset + " is beyond the "
                                + fdto.propLength(tp) + "-byte property");
            }
            fdto.writeInPlace(tp, (int) offset, FlatTree.cell(ph));
        }

        /** A decimal offset, read as C's strtoul(…, 10) reads it; whole text must be used. */
        private long parseOffset(String s, String bad) {
            int i = 0;
            while (i < s.length() && " \t\n\r\f\u000b".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            boolean neg = false;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                neg = s.charAt(i) == '-';
                i++;
            }
            int digits = i;
            long v = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                v = v * 10 + (s.charAt(i) - '0');
                if (v > 0xffffffffL) {
                    throw fail("FDT_ERR_BADOVERLAY", bad + " (offset too large)");
                }
                i++;
            }
            if (i == digits || i != s.length()) {
                throw fail("FDT_ERR_BADOVERLAY", bad);
            }
            if (neg && v != 0) {
                throw fail("FDT_ERR_BADOVERLAY", bad + " (negative offset)");
            }
            return v;
        }

        // ---------------------------------------------------------------- merge

        private void merge() {
            for (int frag : fdto.children(0)) {
                int content = fdto.subnode(frag, "__overlay__");
                if (content < 0) {
                    continue; // not a fragment (__fixups__, __symbols__, …) or an empty one
                }
                Target t = target(frag);
                mergeNode(t.offset, content);
            }
        }

        private void mergeNode(int target, int overlayNode) {
            for (int p : fdto.properties(overlayNode)) {
                fdt.setProperty(target, fdto.propName(p), fdto.propValue(p));
            }
            for (int c : fdto.children(overlayNode)) {
                int sub = fdt.addSubnode(target, fdto.nodeName(c));
                mergeNode(sub, c);
            }
        }

        private record Target(int offset, String path) {}

        /** The base node a fragment targets, and its target-path text when it used one. */
        private Target target(int frag) {
            int tp = fdto.property(frag, "target");
            long ph = 0;
            if (tp >= 0) {
                if (fdto.propLength(tp) != 4) {
                    throw fail(
                            "FDT_ERR_BADPHANDLE",
                            fdto.pathOf(frag) + ":target is " + fdto.propLength(tp) + " bytes, not one phandle cell");
                }
                ph = fdto.readCell(tp, 0);
                if (ph == 0xffffffffL) {
                    throw fail(
                            "FDT_ERR_BADPHANDLE",
                            fdto.pathOf(frag) + ":target is an unresolved reference"
                                    + " (0xffffffff) with no matching /__fixups__ entry");
                }
            }
            if (ph != 0) {
                int node = fdt.nodeByPhandle(ph);
                if (node < 0) {
                    throw fail(
                            "FDT_ERR_NOTFOUND",
                            fdto.pathOf(frag) + ":target phandle 0x" + Long.toHexString(ph)
                                    + " is not in the base tree");
                }
                return new Target(node, null);
            }
            int pp = fdto.property(frag, "target-path");
            if (pp < 0) {
                throw fail(
                        "FDT_ERR_BADOVERLAY",
                        fdto.pathOf(frag) + " has an __overlay__ node but neither a"
                                + " target nor a target-path property");
            }
            String path = FlatTree.cString(fdto.propValue(pp));
            int node = fdt.pathOffset(path);
            if (node < 0) {
                throw fail(
                        path.startsWith("/") ? "FDT_ERR_NOTFOUND" : "FDT_ERR_BADPATH",
                        fdto.pathOf(frag) + ":target-path \"" + path + "\" is not in the base tree");
            }
            return new Target(node, path);
        }

        // ---------------------------------------------------------------- __symbols__

        private void updateSymbols() {
            int ovSymbols = fdto.subnode(0, "__symbols__");
            if (ovSymbols < 0) {
                return;
            }
            int symbols = fdt.subnode(0, "__symbols__");
            if (symbols < 0) {
                symbols = fdt.addSubnode(0, "__symbols__");
            }
            for (int p : fdto.properties(ovSymbols)) {
                String label = fdto.propName(p);
                byte[] v = fdto.propValue(p);
                int firstNul = 0;
                while (firstNul < v.length && v[firstNul] != 0) {
                    firstNul++;
                }
                if (v.length < 1 || firstNul != v.length - 1) {
                    throw fail("FDT_ERR_BADVALUE", "/__symbols__:" + label + " is not a single string");
                }
                String path = FlatTree.cString(v);
                if (!path.startsWith("/")) {
                    throw fail(
                            "FDT_ERR_BADVALUE",
                            "/__symbols__:" + label + " = \"" + path + "\" is not an absolute path");
                }
                int slash = path.indexOf('/', 1);
                if (slash < 0) {
                    continue; // names no node inside a fragment: nothing lands in the base
                }
                String fragName = path.substring(1, slash);
                String rest = path.substring(slash);
                String rel;
                if (rest.startsWith("/__overlay__/")) {
                    rel = rest.substring("/__overlay__/".length());
                } else if (rest.equals("/__overlay__")) {
                    rel = "";
                } else {
                    continue;
                }
                int frag = fdto.subnode(0, fragName);
                if (frag < 0 || fdto.subnode(frag, "__overlay__") < 0) {
                    throw fail(
                            "FDT_ERR_BADOVERLAY",
                            "/__symbols__:" + label + " points into /" + fragName
                                    + ", which is not a fragment with an __overlay__ node");
                }
                Target t = target(frag);
                String targetPath = t.path != null ? t.path : fdt.pathOf(t.offset);
                // The target's path, a slash, the path below __overlay__: a symbol for the
                // __overlay__ node itself therefore ends in '/' unless the target is the root.
                String full = (targetPath.length() > 1 ? targetPath : "") + "/" + rel;
                byte[] b = new byte[full.length() + 1];
                byte[] fb = full.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                System.arraycopy(fb, 0, b, 0, fb.length);
                fdt.setProperty(symbols, label, b);
            }
        }
    }
}
