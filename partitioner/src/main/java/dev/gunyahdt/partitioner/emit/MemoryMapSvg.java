package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Reserved;
import dev.gunyahdt.partitioner.inventory.RangeIndex;
import dev.gunyahdt.partitioner.plan.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code memory-map.svg}: the physical address map, high addresses at the top. Four columns —
 * the board (memory banks, holes, reserved regions), the owners (hypervisor, each VM in its
 * color, free space), shared regions, and a legend. The axis is piecewise: every region edge is a
 * break, and each piece between two breaks gets a height growing with log2 of its size, so a
 * 4 KiB region stays as readable as a 1 GiB one. Holes between banks get a fixed short piece.
 */
public final class MemoryMapSvg {

    static final int AXIS_W = 150;
    static final int COL_BOARD = AXIS_W + 10;
    static final int BOARD_W = 170;
    static final int COL_OWNER = COL_BOARD + BOARD_W + 10;
    static final int OWNER_W = 300;
    static final int COL_SHM = COL_OWNER + OWNER_W + 10;
    static final int SHM_W = 200;
    static final int COL_LEGEND = COL_SHM + SHM_W + 20;
    static final int WIDTH = COL_LEGEND + 220;
    static final int TOP = 40;
    private static final int HOLE_H = 26;

    private MemoryMapSvg() {}

    /** The piecewise axis: breaks (ascending addresses) and each one's y (descending). */
    private record Axis(long[] breaks, double[] y) {
        double at(long address) {
            int lo = 0;
            int hi = breaks.length - 1;
            while (lo <= hi) { // breaks ascend unsigned
                int mid = (lo + hi) >>> 1;
                int c = Long.compareUnsigned(breaks[mid], address);
                if (c == 0) {
                    return y[mid];
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            throw new IllegalArgumentException("not a break: 0x" + Long.toHexString(address));
        }
    }

    public static String render(Allocation a) {
        Map<String, String> colors = VmColors.of(a);
        List<Range> banks = a.board().inventory().memory();
        List<Range> owned = new ArrayList<>();
        a.hypervisor().ifPresent(owned::add);
        a.vms().forEach(v -> v.memory().ifPresent(owned::add));
        List<Range> shm = a.shared().stream().flatMap(s -> s.range().stream()).toList();
        List<Range> reserved = a.board().inventory().reserved().stream()
                .flatMap(r -> r.reg().stream())
                .toList();
        // indexed: a board of thousands of banks has thousands of breaks, each asked about
        RangeIndex inBanks = RangeIndex.of(banks);
        RangeIndex inOwned = RangeIndex.of(owned);
        RangeIndex inShm = RangeIndex.of(shm);
        RangeIndex inReserved = RangeIndex.of(reserved);

        TreeSet<Long> edges = new TreeSet<>(Long::compareUnsigned);
        for (List<Range> rs : List.of(banks, owned, shm, reserved)) {
            for (Range r : rs) {
                edges.add(r.base());
                edges.add(r.base() + r.size());
            }
        }
        long[] breaks = edges.stream().mapToLong(Long::longValue).toArray();
        // Bottom-up: the lowest address at the bottom. Compute heights, then flip.
        double[] h = new double[Math.max(0, breaks.length - 1)];
        double total = 0;
        for (int i = 0; i + 1 < breaks.length; i++) {
            long lo = breaks[i];
            long size = breaks[i + 1] - lo;
            boolean inBank = inBanks.contains(lo);
            h[i] = inBank || inOwned.contains(lo) || inShm.contains(lo) || inReserved.contains(lo)
                    ? pieceHeight(size)
                    : HOLE_H;
            total += h[i];
        }
        double[] y = new double[breaks.length];
        double cur = TOP + total;
        for (int i = 0; i < breaks.length; i++) {
            y[i] = cur;
            if (i < h.length) {
                cur -= h[i];
            }
        }
        Axis axis = new Axis(breaks, y);
        int legendH = 40 + 22 * (a.vms().size() + 5);
        int height = (int) Math.ceil(Math.max(TOP + total, TOP + legendH)) + 30;

        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\">\n");
        sb.append("<title>physical memory map</title>\n");
        sb.append(
                "<defs><pattern id=\"hole\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                        + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#bbbbbb\" stroke-width=\"2\"/></pattern></defs>\n");
        header(sb, COL_BOARD, "board");
        header(sb, COL_OWNER, "owner");
        header(sb, COL_SHM, "shared");

        // axis: a tick and the address at every break
        sb.append("<g id=\"axis\">\n");
        if (breaks.length > 0) {
            sb.append(String.format(
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000000\"/>%n",
                    AXIS_W, y[breaks.length - 1], AXIS_W, y[0]));
        }
        for (int i = 0; i < breaks.length; i++) {
            sb.append(String.format(
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000000\"/>",
                            AXIS_W - 6, y[i], COL_SHM + SHM_W, y[i])
                    .replace("stroke=\"#000000\"/>", "stroke=\"#000000\" stroke-opacity=\"0.15\"/>"));
            sb.append(String.format(
                    "<text class=\"addr\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    AXIS_W - 8, y[i] + 4, hex(breaks[i])));
        }
        sb.append("</g>\n");

        // board column: holes first (the whole span), then banks, then reserved regions on top
        if (breaks.length > 1) {
            box(sb, "hole", null, COL_BOARD, BOARD_W, y[breaks.length - 1], y[0], "url(#hole)", "#bbbbbb", List.of());
        }
        for (int i = 0; i < banks.size(); i++) {
            Range b = banks.get(i);
            String path =
                    a.board().banks().size() > i ? a.board().banks().get(i).path() : "memory";
            box(
                    sb,
                    "bank",
                    null,
                    COL_BOARD,
                    BOARD_W,
                    axis.at(b.base() + b.size()),
                    axis.at(b.base()),
                    VmColors.BANK,
                    "#888888",
                    List.of(path, Sizes.format(b.size())));
        }
        for (Reserved r : a.board().inventory().reserved()) {
            for (Range g : r.reg()) {
                box(
                        sb,
                        "reserved",
                        null,
                        COL_BOARD + 16,
                        BOARD_W - 16,
                        axis.at(g.base() + g.size()),
                        axis.at(g.base()),
                        VmColors.RESERVED,
                        "#cc0000",
                        List.of(r.path(), (r.noMap() ? "no-map " : "") + Sizes.format(g.size())));
            }
        }

        // owner column: free space in banks, then the hypervisor and each VM
        for (int i = 0; i + 1 < breaks.length; i++) {
            long lo = breaks[i];
            // shm outside every VM is drawn in its own column; not free either
            if (inBanks.contains(lo) && !inOwned.contains(lo) && !inShm.contains(lo)) {
                box(
                        sb,
                        "free",
                        null,
                        COL_OWNER,
                        OWNER_W,
                        y[i + 1],
                        y[i],
                        VmColors.FREE,
                        "#cccccc",
                        List.of("free " + Sizes.format(breaks[i + 1] - lo)));
            }
        }
        a.hypervisor()
                .ifPresent(hv -> box(
                        sb,
                        "hypervisor",
                        null,
                        COL_OWNER,
                        OWNER_W,
                        axis.at(hv.base() + hv.size()),
                        axis.at(hv.base()),
                        VmColors.HYPERVISOR,
                        "#000000",
                        List.of("hypervisor " + Sizes.format(hv.size()), range(hv))));
        for (VmAllocation va : a.vms()) {
            if (va.memory().isEmpty()) {
                continue;
            }
            Range m = va.memory().get();
            String name = va.vm().name();
            box(
                    sb,
                    "vm",
                    name,
                    COL_OWNER,
                    OWNER_W,
                    axis.at(m.base() + m.size()),
                    axis.at(m.base()),
                    colors.get(name),
                    "#000000",
                    List.of(
                            name + " (VMID 0x" + Integer.toHexString(va.vmid()) + ") " + Sizes.format(m.size()),
                            range(m)));
        }

        // shared column
        for (SharedRegion s : a.shared()) {
            if (s.range().isEmpty()) {
                continue;
            }
            Range r = s.range().get();
            List<String> sharers = s.sharers().stream().sorted().toList();
            double top = axis.at(r.base() + r.size());
            double bottom = axis.at(r.base());
            sb.append("<g class=\"shm\" data-shm=\"")
                    .append(esc(s.declaredBy() + "/" + s.vdevice().label()))
                    .append("\" data-sharers=\"")
                    .append(esc(String.join(" ", sharers)))
                    .append("\">\n");
            rect(sb, COL_SHM, top, SHM_W, bottom - top, VmColors.SHARED, "#6a5acd");
            // a stripe per sharer in its color, so the owners read off the box
            for (int k = 0; k < sharers.size(); k++) {
                rect(
                        sb,
                        COL_SHM + 4 + 8 * k,
                        top + 2,
                        6,
                        Math.max(1, bottom - top - 4),
                        colors.getOrDefault(sharers.get(k), "#000000"),
                        null);
            }
            labels(
                    sb,
                    COL_SHM + 8 + 8 * sharers.size(),
                    top,
                    bottom,
                    "#000000",
                    List.of(
                            "shm " + s.declaredBy() + "/" + s.vdevice().label() + " " + Sizes.format(r.size()),
                            range(r),
                            "shared by " + String.join(", ", sharers)));
            sb.append("</g>\n");
        }

        // legend
        sb.append("<g id=\"legend\">\n");
        sb.append(String.format("<text x=\"%d\" y=\"%d\" font-weight=\"bold\">legend</text>%n", COL_LEGEND, TOP - 10));
        int ly = TOP;
        for (VmAllocation va : a.vms()) {
            legend(
                    sb,
                    ly,
                    colors.get(va.vm().name()),
                    va.vm().name() + " (VMID 0x" + Integer.toHexString(va.vmid()) + ")",
                    va.vm().name());
            ly += 22;
        }
        for (String[] f : new String[][] {
            {VmColors.HYPERVISOR, "hypervisor"},
            {VmColors.SHARED, "shared memory"},
            {VmColors.BANK, "board memory"},
            {VmColors.RESERVED, "reserved-memory"},
            {"url(#hole)", "hole (no memory)"}
        }) {
            legend(sb, ly, f[0], f[1], null);
            ly += 22;
        }
        sb.append("</g>\n</svg>\n");
        return sb.toString();
    }

    /** 20 px for 4 KiB or less, 10 px more per doubling. */
    static double pieceHeight(long size) {
        int log2 = 63 - Long.numberOfLeadingZeros(Math.max(1, size));
        return 20 + 10 * Math.max(0, log2 - 12);
    }

    private static void header(StringBuilder sb, int x, String text) {
        sb.append(String.format("<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", x, TOP - 10, text));
    }

    private static void box(
            StringBuilder sb,
            String kind,
            String vm,
            int x,
            int w,
            double top,
            double bottom,
            String fill,
            String stroke,
            List<String> lines) {
        sb.append("<g class=\"").append(kind).append('"');
        if (vm != null) {
            sb.append(" id=\"vm-")
                    .append(esc(vm))
                    .append("\" data-vm=\"")
                    .append(esc(vm))
                    .append('"');
        }
        sb.append(">\n");
        rect(sb, x, top, w, bottom - top, fill, stroke);
        labels(sb, x + 6, top, bottom, fill.startsWith("#") ? VmColors.textOn(fill) : "#000000", lines);
        sb.append("</g>\n");
    }

    private static void rect(StringBuilder sb, double x, double y, double w, double h, String fill, String stroke) {
        sb.append(String.format(
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", x, y, w, h, fill));
        if (stroke != null) {
            sb.append(" stroke=\"").append(stroke).append("\" stroke-width=\"1\"");
        }
        sb.append("/>\n");
    }

    // As many lines as fit in the box (13 px each); at least the first.
    private static void labels(
            StringBuilder sb, double x, double top, double bottom, String color, List<String> lines) {
        int fit = Math.max(1, (int) ((bottom - top - 4) / 13));
        double first = top + Math.max(13, (bottom - top - 13 * Math.min(fit, lines.size())) / 2 + 10);
        for (int i = 0; i < Math.min(fit, lines.size()); i++) {
            sb.append(String.format(
                    "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>%n",
                    x, first + 13 * i, color, esc(lines.get(i))));
        }
    }

    private static void legend(StringBuilder sb, int y, String fill, String text, String vm) {
        sb.append("<g class=\"key\"");
        if (vm != null) {
            sb.append(" data-vm=\"").append(esc(vm)).append('"');
        }
        sb.append(String.format(
                "><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#000000\"/>"
                        + "<text x=\"%d\" y=\"%d\">%s</text></g>%n",
                COL_LEGEND, y, fill, COL_LEGEND + 20, y + 11, esc(text)));
    }

    static String range(Range r) {
        return hex(r.base()) + "-" + hex(r.last());
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** XML/HTML text and attribute escaping. */
    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return sb.toString();
    }
}
