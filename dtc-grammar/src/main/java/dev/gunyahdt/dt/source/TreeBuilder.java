package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.source.DtsParser.*;
import dev.gunyahdt.dt.source.LiveTree.MNode;
import dev.gunyahdt.dt.source.LiveTree.Prop;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns a parse tree into a DeviceTree the way dtc's parser actions do: values become bytes
 * with markers, later definitions merge into earlier ones, deletions apply, and in a
 * {@code /plugin/} source a top-level {@code &ref { … }} becomes {@code fragment@N}.
 * References stay unresolved (markers) for the checks stage.
 */
final class TreeBuilder {

    private static final long UNRESOLVED = 0xffffffffL;

    private final IncludeResolver resolver;
    private boolean plugin;
    private int nextFragment;
    private final LabelIndex labels = new LabelIndex();
    private final ExpressionEvaluator evaluator = new ExpressionEvaluator(this::integer);

    TreeBuilder(IncludeResolver resolver) {
        this.resolver = resolver;
    }

    static SourceSpan span(Token t) {
        return ((PositionedToken) t).span();
    }

    static SourceSpan span(ParserRuleContext ctx) {
        return span(ctx.getStart()).to(span(ctx.getStop()));
    }

    private static SourceSpan span(Token from, Token to) {
        return span(from).to(span(to));
    }

    DeviceTree build(DtsFileContext file) {
        for (HeaderContext h : file.header()) {
            if (h != file.header(0) && (h.PLUGIN() != null) != plugin) {
                throw new DtException(span(h), "Header flags don't match earlier ones");
            }
            plugin = h.PLUGIN() != null;
        }
        List<MemReserve> reserves = new ArrayList<>();
        for (MemreserveContext m : file.memreserve()) {
            List<LiveTree.Label> labels = new ArrayList<>();
            ownLabels(m, labels);
            reserves.add(new MemReserve(integer(m.addr), integer(m.size), LiveTree.liveLabels(labels), span(m)));
        }
        MNode root = new MNode("");
        boolean haveRoot = false;
        for (TopItemContext item : file.topItem()) {
            if (!haveRoot && root.children.isEmpty()) {
                firstItem(item);
            }
            if (item instanceof RootNodeContext r) {
                MNode def = node("", r.nodeBody());
                labels.invalidate();
                if (haveRoot) {
                    root.merge(def);
                } else {
                    root = def;
                    haveRoot = true;
                }
            } else if (item instanceof RefNodeContext r) {
                String ref = refName(r.REF());
                MNode def = node("", r.nodeBody());
                // In an overlay, a reference to something outside it becomes a fragment; dtc
                // still merges a label the overlay defines itself (but never a path).
                boolean external =
                        ref.startsWith("/") || !haveRoot && root.children.isEmpty() || labels.find(root, ref) == null;
                if (plugin && r.LABEL() == null && external) {
                    root.children.add(fragment(ref, def));
                    // dtc's first-item rule builds an empty root for the fragment: a later
                    // "/ { }" merges into it (devicetree: dt_ref nodedef)
                    haveRoot = true;
                } else {
                    MNode target = lookup(root, ref, r.REF());
                    if (r.LABEL() != null) {
                        LiveTree.addLabel(def.labels, labelName(r.LABEL()));
                    }
                    labels.added(def);
                    def.name = target.name;
                    target.merge(def);
                }
            } else if (item instanceof DeleteNodeByRefContext d) {
                lookup(root, refName(d.REF()), d.REF()).delete();
                labels.invalidate();
            } else if (item instanceof OmitNodeByRefContext o) {
                lookup(root, refName(o.REF()), o.REF()).omitIfNoRef = true;
            }
        }
        return new DeviceTree(root.freeze(), reserves, plugin, guessBootCpu(root), root.deleted);
    }

    /**
     * dtc's grammar starts the tree with "/ { }" or "&ref { }" (a labelled reference, a deletion
     * or an omission cannot come first), and "&ref { }" first only in a plugin, where it is a
     * fragment whatever it names.
     */
    private void firstItem(TopItemContext item) {
        if (item instanceof RefNodeContext r && r.LABEL() == null) {
            if (!plugin) {
                throw new DtException(span(r.REF().getSymbol()), "Label or path " + refName(r.REF()) + " not found");
            }
        } else if (!(item instanceof RootNodeContext)) {
            throw new DtException(span(item.getStart()), "syntax error");
        }
    }

    /**
     * The blob header's boot CPU as dtc guesses it from source: the one-cell {@code reg} of the
     * first child of {@code /cpus} (deleted or not, as dtc's child list holds it), else 0.
     */
    private static long guessBootCpu(MNode root) {
        MNode cpus = root.findByPath("/cpus");
        if (cpus == null || cpus.children.isEmpty()) {
            return 0;
        }
        for (Prop p : cpus.children.get(0).props) {
            if (!p.deleted && p.name.equals("reg")) {
                return p.value.length() == 4 ? p.value.cellAt(0) : 0;
            }
        }
        return 0;
    }

    private MNode lookup(MNode root, String ref, TerminalNode at) {
        MNode target = ref.startsWith("/") ? root.findByPath(ref) : labels.find(root, ref);
        if (target == null) {
            throw new DtException(span(at.getSymbol()), "Label or path " + ref + " not found");
        }
        return target;
    }

    /** The /plugin/ sugar: {@code &ref { … }} is {@code fragment@N { target…; __overlay__ { … }; }}. */
    private MNode fragment(String ref, MNode overlay) {
        MNode frag = new MNode("fragment@" + nextFragment++);
        PropertyValue.Builder v = PropertyValue.builder();
        if (ref.startsWith("/")) {
            v.string(ref);
            frag.props.add(new Prop("target-path", v.build(), null));
        } else {
            v.marker(Marker.Kind.REF_PHANDLE, ref).uint(UNRESOLVED, 4);
            frag.props.add(new Prop("target", v.build(), null));
        }
        overlay.name = "__overlay__";
        frag.children.add(overlay);
        return frag;
    }

    private MNode node(String name, NodeBodyContext body) {
        MNode n = new MNode(name);
        n.spans.add(span(body));
        boolean sawChild = false;
        for (ParseTree item : body.children) {
            if (item instanceof PropDefContext p) {
                if (sawChild) {
                    throw new DtException(span(p), "Properties must precede subnodes");
                }
                n.props.add(property(p));
            } else if (item instanceof ChildNodeContext c) {
                sawChild = true;
                MNode child = node(name(c.PROPNODENAME()), c.nodeBody());
                prefixes(c, child);
                n.children.add(child);
            } else if (item instanceof DeleteChildContext d) {
                sawChild = true;
                // the placeholder keeps its labels and /omit-if-no-ref/: a later definition of
                // the name merges into it and so revives them
                MNode marker = new MNode(name(d.PROPNODENAME()));
                marker.deleted = true;
                prefixes(d, marker);
                n.children.add(marker);
            }
        }
        return n;
    }

    /** A subnode's prefix labels and /omit-if-no-ref/, labels added innermost first as the grammar nests them. */
    private static void prefixes(ParserRuleContext c, MNode node) {
        ownLabels(c, node.labels);
        for (int i = 0; i < c.getChildCount(); i++) {
            if (c.getChild(i) instanceof TerminalNode t && t.getSymbol().getType() == DtsLexer.OMIT_IF_NO_REF) {
                node.omitIfNoRef = true;
            }
        }
    }

    /**
     * The LABEL tokens among {@code c}'s own children, added last first as the grammar nests them
     * (a scan of the children: the generated {@code LABEL()} builds a list per call).
     */
    private static void ownLabels(ParserRuleContext c, List<LiveTree.Label> into) {
        for (int i = c.getChildCount() - 1; i >= 0; i--) {
            if (c.getChild(i) instanceof TerminalNode t && t.getSymbol().getType() == DtsLexer.LABEL) {
                LiveTree.addLabel(into, labelName(t));
            }
        }
    }

    private Prop property(PropDefContext p) {
        if (p instanceof DeletePropertyContext d) {
            // labels stay on the placeholder, for a later definition that revives it
            Prop marker = new Prop(name(d.PROPNODENAME()), PropertyValue.EMPTY, span(d));
            marker.deleted = true;
            ownLabels(d, marker.labels);
            return marker;
        }
        PropertyContext pc = (PropertyContext) p;
        PropValueContext v = pc.propValue();
        TerminalNode name = pc.PROPNODENAME();
        Prop prop =
                new Prop(name(name), v == null ? PropertyValue.EMPTY : value(v), span(name.getSymbol(), pc.getStop()));
        ownLabels(pc, prop.labels);
        return prop;
    }

    private PropertyValue value(PropValueContext ctx) {
        PropertyValue.Builder b = PropertyValue.builder();
        for (ParseTree item : ctx.children) {
            if (item instanceof TerminalNode t && t.getSymbol().getType() == DtsLexer.LABEL) {
                b.label(labelName(t));
            } else if (item instanceof ChunkContext c) {
                chunk(b, c);
            }
        }
        return b.build();
    }

    private void chunk(PropertyValue.Builder b, ChunkContext c) {
        if (c instanceof StringChunkContext s) {
            Token string = s.getStart();
            b.type(Marker.Kind.TYPE_STRING);
            b.bytes(unescape(string.getText(), string)).u8(0);
        } else if (c instanceof CellChunkContext a) {
            cells(b, a);
        } else if (c instanceof ByteChunkContext bs) {
            b.type(Marker.Kind.TYPE_UINT8);
            for (ByteItemContext item : bs.byteItem()) {
                if (item.LABEL() != null) {
                    b.label(labelName(item.LABEL()));
                } else {
                    b.u8(Integer.parseInt(item.BYTE().getText(), 16));
                }
            }
        } else if (c instanceof PathRefChunkContext r) {
            b.marker(Marker.Kind.REF_PATH, refName(r.REF()));
        } else if (c instanceof IncbinChunkContext inc) {
            incbin(b, inc);
        }
    }

    private void cells(PropertyValue.Builder b, CellChunkContext a) {
        int bits = 32;
        if (a.bits != null) {
            long v = literal(a.bits);
            if (v != 8 && v != 16 && v != 32 && v != 64) {
                throw new DtException(
                        span(a.bits),
                        "Invalid bits value " + Long.toUnsignedString(v) + "; only 8, 16, 32 and 64 are allowed");
            }
            bits = (int) v;
        }
        b.type(
                switch (bits) {
                    case 8 -> Marker.Kind.TYPE_UINT8;
                    case 16 -> Marker.Kind.TYPE_UINT16;
                    case 64 -> Marker.Kind.TYPE_UINT64;
                    default -> Marker.Kind.TYPE_UINT32;
                });
        if (a.PLAIN_CELLS() != null) {
            Token t = a.PLAIN_CELLS().getSymbol();
            if (plainCellsInPlace(b, t, bits)) {
                return;
            }
            for (String lit : plainCells(t)) {
                long v = literal(lit, t);
                checkRange(v, bits, t);
                b.uint(v, bits / 8);
            }
            return;
        }
        for (ParseTree item : a.children) {
            if (!(item instanceof CellContext cell)) {
                continue; // '<', '>', /bits/ and its width
            }
            ParseTree first = cell.getChild(0);
            if (first instanceof TerminalNode t && t.getSymbol().getType() == DtsLexer.LABEL) {
                b.label(labelName(t));
            } else if (first instanceof TerminalNode t) {
                if (bits != 32) {
                    throw new DtException(span(cell), "References are only allowed in arrays with 32-bit elements.");
                }
                b.marker(Marker.Kind.REF_PHANDLE, refName(t)).uint(UNRESOLVED, 4);
            } else {
                long v = integer((IntegerPrimContext) first);
                checkRange(v, bits, cell.getStart());
                b.uint(v, bits / 8);
            }
        }
    }

    /** dtc accepts a value that fits the element, also as a sign-extended negative number. */
    private static void checkRange(long v, int bits, Token at) {
        if (bits < 64) {
            long mask = (1L << bits) - 1;
            if (Long.compareUnsigned(v, mask) > 0 && (v | mask) != -1L) {
                throw new DtException(span(at), "Value out of range for " + bits + "-bit array element");
            }
        }
    }

    /**
     * The common PLAIN_CELLS token ("<0x0 0x1000>") read from the source bytes without a String
     * per literal: true when every literal is one {@link #plainLiteral} reads (hex of up to 15
     * digits, decimal of up to 18, no suffix or octal) and all were added; false, with nothing
     * added, for anything else (the general path then reads the token).
     */
    private static boolean plainCellsInPlace(PropertyValue.Builder b, Token t, int bits) {
        if (!(t instanceof PositionedToken pt) || pt.bytes() == null) {
            return false;
        }
        byte[] s = pt.bytes();
        int end = t.getStopIndex(); // the '>'
        long[] values = new long[(end - t.getStartIndex()) / 2 + 1];
        int count = 0;
        int i = t.getStartIndex() + 1;
        while (true) {
            while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f')) {
                i++;
            }
            if (i >= end) {
                break;
            }
            int from = i;
            while (i < end && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f') {
                i++;
            }
            long v = plainLiteral(s, from, i);
            if (v < 0) {
                return false;
            }
            values[count++] = v;
        }
        for (int k = 0; k < count; k++) {
            checkRange(values[k], bits, t);
        }
        for (int k = 0; k < count; k++) {
            b.uint(values[k], bits / 8);
        }
        return true;
    }

    /**
     * The common literal of {@code s[from, to)} read in place: up to 15 hex or 18 decimal digits, no
     * suffix, no octal. -1 for anything else (the general path handles it).
     */
    private static long plainLiteral(byte[] s, int from, int to) {
        int n = to - from;
        if (n > 2 && s[from] == '0' && (s[from + 1] == 'x' || s[from + 1] == 'X')) {
            if (n > 17) {
                return -1;
            }
            long v = 0;
            for (int i = from + 2; i < to; i++) {
                int d = Character.digit(s[i], 16);
                if (d < 0) {
                    return -1;
                }
                v = (v << 4) | d;
            }
            return v;
        }
        if (n == 0 || n > 18 || (n > 1 && s[from] == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return -1;
            }
            v = v * 10 + (s[i] - '0');
        }
        return v;
    }

    /** The literals of a PLAIN_CELLS token ("<0x0 0x1000>"). */
    static List<String> plainCells(Token t) {
        String text = t.getText();
        List<String> out = new ArrayList<>();
        int i = 1;
        int end = text.length() - 1;
        while (i < end) {
            while (i < end && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < end && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(text.substring(start, i));
            }
        }
        return out;
    }

    private void incbin(PropertyValue.Builder b, IncbinChunkContext inc) {
        String raw = inc.STRING().getText();
        String name = new String(unescape(raw, inc.STRING().getSymbol()), StandardCharsets.ISO_8859_1);
        Path dir = IncludeResolver.dirOf(span(inc.STRING().getSymbol()).file());
        Path file = resolver.resolve(name, dir);
        SourceSpan at = span(inc);
        if (file == null) {
            throw new DtException(
                    at, "Couldn't open \"" + SourceText.printable(name) + "\": " + resolver.whyNotFound(name, dir));
        }
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DtException(at, "Couldn't read \"" + name + "\": " + e.getMessage());
        }
        // data_copy_file: untyped data, read up to the length or the end of the file; a
        // seek past the end reads nothing
        b.marker(Marker.Kind.NONE, null);
        if (inc.offset == null) {
            b.bytes(data);
            return;
        }
        long off = integer(inc.offset);
        long len = integer(inc.length);
        if (off < 0) {
            throw new DtException(at, "Couldn't seek to offset " + Long.toUnsignedString(off) + " in \"" + name + "\"");
        }
        int from = (int) Math.min(off, data.length);
        int n = len < 0 ? data.length - from : (int) Math.min(len, data.length - from);
        b.bytes(data, from, n);
    }

    // ---- integers ------------------------------------------------------------------------

    private long integer(IntegerPrimContext p) {
        Token first = p.getStart();
        if (first.getType() == DtsLexer.INT_LITERAL) {
            return literal(first);
        }
        if (first.getType() == DtsLexer.CHAR_LITERAL) {
            String raw = first.getText();
            byte[] bytes = unescape(raw, first);
            if (bytes.length != 1) {
                throw new DtException(
                        span(p),
                        bytes.length == 0
                                ? "Empty character literal"
                                : "Character literal has " + bytes.length + " characters instead of 1");
            }
            return bytes[0] & 0xff; // the lexer's (unsigned char)
        }
        return evaluator.eval(p.expr());
    }

    /** The bytes of a quoted literal token; a bad escape is an error at the token. */
    private static byte[] unescape(String quoted, Token at) {
        try {
            return SourceText.unescapeBytes(quoted.substring(1, quoted.length() - 1));
        } catch (IllegalArgumentException e) {
            throw new DtException(span(at), e.getMessage());
        }
    }

    /** A C integer literal: decimal, 0x hex or 0 octal, with an optional U/L/UL/LL/ULL suffix. */
    static long literal(Token t) {
        if (t instanceof PositionedToken pt && pt.bytes() != null) {
            long fast = plainLiteral(pt.bytes(), t.getStartIndex(), t.getStopIndex() + 1);
            if (fast >= 0) {
                return fast;
            }
        }
        return literal(t.getText(), t);
    }

    /** {@code text} read as a C integer literal; errors point at {@code at}. */
    static long literal(String text, Token at) {
        Token t = at;
        long fast = plainLiteral(text.getBytes(StandardCharsets.ISO_8859_1), 0, text.length());
        if (fast >= 0) {
            return fast;
        }
        int end = text.length();
        while (end > 0 && "uUlL".indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        String suffix = text.substring(end).toUpperCase();
        String digits = text.substring(0, end);
        if (!suffix.isEmpty() && !List.of("U", "L", "UL", "LL", "ULL").contains(suffix)) {
            throw new DtException(span(t), "Bad integer literal '" + text + "'");
        }
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        BigInteger v;
        try {
            v = new BigInteger(digits, radix);
        } catch (NumberFormatException e) {
            throw new DtException(span(t), "Bad integer literal '" + text + "'");
        }
        if (v.bitLength() > 64) {
            throw new DtException(span(t), "Integer literal '" + text + "' out of range");
        }
        return v.longValue();
    }

    /** A node or property name without dtc's optional escaping backslash. */
    static String name(TerminalNode propNodeName) {
        String t = propNodeName.getText();
        return t.charAt(0) == '\\' ? t.substring(1) : t;
    }

    static String labelName(TerminalNode label) {
        String t = label.getText();
        return t.substring(0, t.length() - 1);
    }

    static String refName(TerminalNode ref) {
        String t = ref.getText();
        return t.startsWith("&{") ? t.substring(2, t.length() - 1) : t.substring(1);
    }
}
