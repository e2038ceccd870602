package dev.gunyahdt.dt.compile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random DTS sources for the differential fuzzer, generated from the dts-v1 grammar: labels on
 * nodes, properties, memory reservations and inside values; {@code &label}/{@code &{/path}}
 * references in cells and as path values; merges by path, by label and by a repeated root
 * block; {@code /delete-node/}, {@code /delete-property/}, {@code /omit-if-no-ref/};
 * {@code /bits/} 8–64; C expressions; character and string literals with every escape form;
 * backslash-escaped names; {@code /incbin/} of a fixed file; and {@code /plugin/} sources whose
 * root blocks and fragments come in any order.
 *
 * <p>Names, labels and paths are drawn from small pools so that merges, repeated labels and
 * dangling references happen often; most sources are valid, some are refused (by both
 * compilers, if they agree). The same seed always gives the same source.
 */
final class DtsGenerator {

    /** A file the generated /incbin/ reads; the caller writes it beside the source. */
    static final String INCBIN_FILE = "fuzz.bin";

    static final byte[] INCBIN_BYTES = {0x41, 0x00, 0x7f, (byte) 0x80, (byte) 0xff, 0x0a, 0x30, 0x31, 0x00};

    private static final String[] NODE_NAMES = {"a", "b", "c@1", "c@2", "d@0,1", "cpus", "x,y-z", "n_1", "e@ff", "1node"
    };
    private static final String[] PROP_NAMES = {
        "p",
        "q",
        "reg",
        "compatible",
        "#address-cells",
        "#size-cells",
        "status",
        "x,y",
        "a-b",
        "_u",
        "#gpio-cells",
        "p?",
        "p+q",
        "1p"
    };
    /** Properties dtc's checks read closely: drawn rarely, so most sources stay valid. */
    private static final String[] SPECIAL_PROPS = {"phandle", "linux,phandle", "name"};
    /** Labels no source defines: references to them dangle (or become fixups in a plugin). */
    private static final String[] UNKNOWN_LABELS = {"u0", "U_1", "_u2"};

    private static final String[] ESCAPES = {
        "\\a", "\\b", "\\t", "\\n", "\\v", "\\f", "\\r", "\\\"", "\\'", "\\0", "\\7", "\\12", "\\101", "\\377", "\\400",
        "\\x4", "\\x41", "\\xff", "\\x-1", "\\x+9", "\\x 5", "\\q", "\\e"
    };

    private final Random r;
    private final StringBuilder out = new StringBuilder();
    /** Paths of nodes the source has defined so far (roughly: merges and deletes may change them). */
    private final List<String> paths = new ArrayList<>();
    /** Labels the source has defined so far. */
    private final List<String> labels = new ArrayList<>();
    /** The subset on nodes. */
    private final List<String> nodeLabels = new ArrayList<>();

    private boolean plugin;

    private DtsGenerator(long seed) {
        this.r = new Random(seed);
    }

    static String source(long seed) {
        return new DtsGenerator(seed).generate();
    }

    /** Prints the source of each seed given (to reproduce a fuzzer case by hand). */
    public static void main(String[] args) {
        for (String a : args) {
            System.out.print(source(Long.parseLong(a)));
        }
    }

    private String generate() {
        out.append("/dts-v1/;\n");
        plugin = r.nextInt(3) == 0;
        if (plugin) {
            out.append("/plugin/;\n");
        }
        for (int i = r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0; i > 0; i--) {
            labels(2);
            out.append("/memreserve/ ")
                    .append(intLiteral(r.nextInt(0x10000)))
                    .append(' ')
                    .append(intLiteral(r.nextInt(0x1000)))
                    .append(";\n");
        }
        paths.add("/");
        int items = 1 + r.nextInt(plugin ? 6 : 4);
        // a non-plugin source must start with a root block; a plugin may start anywhere
        boolean first = true;
        for (int i = 0; i < items; i++) {
            // (a deletion, an omission or a labelled reference first is a syntax error: rarely)
            int kind = first && (!plugin || r.nextInt(20) != 0) ? r.nextInt(plugin ? 7 : 1) : r.nextInt(10);
            switch (kind) {
                case 0, 1, 2, 3 -> {
                    out.append("/ ");
                    body("/", 0);
                }
                case 4, 5, 6 -> {
                    boolean labelled = !first && r.nextInt(4) == 0;
                    if (labelled) {
                        labels(1);
                    }
                    out.append(ref(!labelled)).append(' ');
                    body(null, 1);
                }
                case 7 ->
                    out.append("/delete-node/ ")
                            .append(r.nextInt(8) == 0 ? "&{/}" : ref(false))
                            .append(";\n");
                case 8 -> out.append("/omit-if-no-ref/ ").append(ref(false)).append(";\n");
                default -> {
                    out.append("/ ");
                    body("/", 0);
                }
            }
            first = false;
        }
        return out.toString();
    }

    private void body(String path, int depth) {
        out.append("{\n");
        int props = r.nextInt(4);
        List<String> used = new ArrayList<>();
        for (int i = 0; i < props; i++) {
            indent(depth + 1);
            if (r.nextInt(8) == 0) {
                labels(1);
                out.append("/delete-property/ ").append(name(PROP_NAMES)).append(";\n");
                continue;
            }
            String pn = r.nextInt(150) == 0
                    ? SPECIAL_PROPS[r.nextInt(SPECIAL_PROPS.length)]
                    : PROP_NAMES[r.nextInt(PROP_NAMES.length)];
            if (used.contains(pn) && r.nextInt(30) != 0) {
                continue;
            }
            used.add(pn);
            labels(2);
            out.append(r.nextInt(15) == 0 ? "\\" : "").append(pn);
            if (r.nextInt(5) != 0) {
                out.append(" = ");
                value();
            }
            out.append(";\n");
        }
        int children = depth >= 3 ? 0 : r.nextInt(depth == 0 ? 4 : 3);
        for (int i = 0; i < children; i++) {
            indent(depth + 1);
            if (r.nextInt(8) == 0) {
                if (r.nextInt(6) == 0) {
                    labels(1);
                }
                out.append("/delete-node/ ").append(name(NODE_NAMES)).append(";\n");
                continue;
            }
            if (r.nextInt(12) == 0) {
                out.append("/omit-if-no-ref/ ");
            }
            nodeLabels(2);
            String n = NODE_NAMES[r.nextInt(NODE_NAMES.length)];
            if (used.contains("/" + n) && r.nextInt(30) != 0) {
                n = n + "-" + i;
            }
            used.add("/" + n);
            out.append(r.nextInt(15) == 0 ? "\\" : "").append(n).append(' ');
            String child = path == null ? null : (path.equals("/") ? "/" : path + "/") + n;
            if (child != null) {
                paths.add(child);
            }
            body(child, depth + 1);
        }
        indent(depth);
        out.append("};\n");
    }

    private String name(String[] pool) {
        return (r.nextInt(15) == 0 ? "\\" : "") + pool[r.nextInt(pool.length)];
    }

    /** Labels on a node, which references may name. */
    private void nodeLabels(int max) {
        int before = out.length();
        labels(max);
        for (String l : out.substring(before).split(": ")) {
            if (!l.isBlank() && !nodeLabels.contains(l.strip())) {
                nodeLabels.add(l.strip());
            }
        }
    }

    /** Up to {@code max} labels: mostly new ones, now and then one already defined (an error, or a merge). */
    private void labels(int max) {
        for (int n = r.nextInt(4) == 0 ? 1 + r.nextInt(max) : 0; n > 0; n--) {
            String l;
            if (!labels.isEmpty() && r.nextInt(100) == 0) {
                l = labels.get(r.nextInt(labels.size()));
            } else {
                l = (r.nextBoolean() ? "l" : "L_") + labels.size();
                labels.add(l);
            }
            out.append(l).append(": ");
        }
    }

    /**
     * A reference: to a path or a label defined so far, sometimes to one that does not exist
     * (often, where a plugin resolves it as a fixup: a phandle cell or a fragment target).
     */
    private String ref(boolean fixup) {
        boolean dangle = plugin && fixup ? r.nextInt(4) == 0 : r.nextInt(60) == 0;
        if (!dangle && (nodeLabels.isEmpty() || r.nextInt(3) == 0)) {
            String p = paths.get(r.nextInt(paths.size()));
            return "&{" + (r.nextInt(60) == 0 ? "/nowhere" : p) + "}";
        }
        if (dangle) {
            return "&" + UNKNOWN_LABELS[r.nextInt(UNKNOWN_LABELS.length)];
        }
        return "&" + nodeLabels.get(r.nextInt(nodeLabels.size()));
    }

    private void value() {
        int chunks = 1 + r.nextInt(3);
        for (int i = 0; i < chunks; i++) {
            if (i > 0) {
                out.append(", ");
            }
            if (r.nextInt(6) == 0) {
                labels(1);
            }
            switch (r.nextInt(9)) {
                case 0, 1 -> cells();
                case 2, 3 -> string();
                case 4 -> bytes();
                case 5 -> out.append(ref(false));
                case 6 -> {
                    if (r.nextInt(3) == 0) {
                        incbin(); // rarer: mixed with typed chunks it makes dtc -O dts assert
                    } else {
                        cells();
                    }
                }
                default -> cells();
            }
            if (r.nextInt(8) == 0) {
                out.append(' ');
                labels(1);
            }
        }
    }

    private void cells() {
        int bits = 32;
        if (r.nextInt(3) == 0) {
            bits = new int[] {8, 16, 32, 64}[r.nextInt(4)];
            out.append("/bits/ ").append(bits).append(' ');
        }
        out.append('<');
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(' ');
            }
            if (r.nextInt(8) == 0) {
                labels(1);
            }
            int k = r.nextInt(10);
            if (k == 0 && (bits == 32 || r.nextInt(10) == 0)) {
                out.append(ref(true));
            } else if (k <= 2) {
                String e = expr(bits, 2);
                // most expressions are masked to the element's width; a few may overflow it
                out.append('(')
                        .append(
                                bits < 64 && r.nextInt(10) != 0
                                        ? "(" + e + ") & 0x" + Long.toHexString((1L << bits) - 1)
                                        : e)
                        .append(')');
            } else if (k == 3) {
                out.append(charLiteral());
            } else {
                out.append(intLiteral(element(bits)));
            }
        }
        if (r.nextInt(8) == 0) {
            out.append(' ');
            labels(1);
        }
        out.append('>');
    }

    /** A value that mostly fits the element width (sometimes negative, sometimes too big). */
    private long element(int bits) {
        return switch (r.nextInt(8)) {
            case 0 -> -1 - r.nextInt(3);
            case 1 -> bits == 64 ? r.nextLong() : (1L << bits) - 1 + (r.nextInt(15) == 0 ? 1 : 0);
            default -> r.nextInt(bits == 8 ? 256 : bits == 16 ? 65536 : 100000);
        };
    }

    private String intLiteral(long v) {
        if (v < 0) {
            return "(" + v + ")";
        }
        String s = switch (r.nextInt(4)) {
            case 0 -> Long.toString(v);
            case 1 -> v == 0 ? "0" : "0" + Long.toOctalString(v);
            default -> (r.nextBoolean() ? "0x" : "0X") + Long.toHexString(v);
        };
        return s
                + switch (r.nextInt(12)) {
                    case 0 -> "U";
                    case 1 -> "UL";
                    case 2 -> "ULL";
                    case 3 -> "L";
                    case 4 -> "LL";
                    default -> "";
                };
    }

    private String expr(int bits, int depth) {
        if (depth == 0 || r.nextInt(3) == 0) {
            return r.nextInt(5) == 0 ? charLiteral() : intLiteral(r.nextInt(5) == 0 ? r.nextInt(70) : element(bits));
        }
        String a = expr(bits, depth - 1);
        String b = expr(bits, depth - 1);
        return switch (r.nextInt(20)) {
            case 0 -> "-" + a;
            case 1 -> "~" + a;
            case 2 -> "!" + a;
            case 3 -> "(" + a + " ? " + b + " : " + expr(bits, depth - 1) + ")";
            default -> {
                String[] ops = {
                    "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&&", "||", "<", ">", "<=", ">=", "==", "!="
                };
                String op = ops[r.nextInt(ops.length)];
                if ((op.equals("/") || op.equals("%")) && r.nextInt(10) != 0) {
                    b = "(" + b + " | 1)"; // a division by zero now and then, not every other time
                }
                yield "(" + a + " " + op + " " + b + ")";
            }
        };
    }

    private String charLiteral() {
        if (r.nextBoolean()) {
            return "'" + ESCAPES[r.nextInt(ESCAPES.length)] + "'";
        }
        char c = (char) (0x20 + r.nextInt(0x5f));
        return c == '\'' || c == '\\' ? "'a'" : "'" + c + "'";
    }

    private void string() {
        out.append('"');
        for (int n = r.nextInt(5); n > 0; n--) {
            int k = r.nextInt(4);
            if (k == 0) {
                // '\\' is left out of character literals: dtc's lexer misreads it (README)
                out.append(r.nextInt(ESCAPES.length + 1) == 0 ? "\\\\" : ESCAPES[r.nextInt(ESCAPES.length)]);
            } else {
                char c = (char) (0x20 + r.nextInt(0x5f));
                out.append(c == '"' || c == '\\' ? "x" : String.valueOf(c));
            }
        }
        out.append('"');
    }

    private void bytes() {
        out.append('[');
        for (int n = r.nextInt(5); n > 0; n--) {
            if (r.nextInt(8) == 0) {
                labels(1);
            }
            out.append(String.format("%02x", r.nextInt(256)));
            if (r.nextBoolean()) {
                out.append(' ');
            }
        }
        out.append(']');
    }

    private void incbin() {
        if (r.nextBoolean()) {
            out.append("/incbin/(\"").append(INCBIN_FILE).append("\")");
        } else {
            out.append("/incbin/(\"")
                    .append(INCBIN_FILE)
                    .append("\", ")
                    .append(r.nextInt(12))
                    .append(", ")
                    .append(r.nextInt(12))
                    .append(')');
        }
    }

    private void indent(int depth) {
        out.append("\t".repeat(depth));
    }
}
