package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One distinct fill color per VM, in plan order, shared by the memory map and the report. The
 * colors never equal the map's fixed fills (board memory, reserved, hypervisor, shm), so a
 * screenshot can find each VM by its exact color.
 */
public final class VmColors {

    /** Fixed fills of the memory map that no VM may take. */
    static final String BANK = "#eeeeee";

    static final String RESERVED = "#f4cccc";
    static final String HYPERVISOR = "#555555";
    static final String SHARED = "#d9d2e9";
    static final String FREE = "#ffffff";

    // Tableau 10 without its gray: well apart from each other and readable with a label on top.
    private static final List<String> PALETTE =
            List.of("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f");

    private VmColors() {}

    /** VM name → {@code #rrggbb}, in plan order; beyond the palette, hues a golden angle apart. */
    public static Map<String, String> of(Allocation a) {
        Map<String, String> colors = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>(List.of(BANK, RESERVED, HYPERVISOR, SHARED, FREE));
        int i = 0;
        for (VmAllocation va : a.vms()) {
            String c;
            if (i < PALETTE.size()) {
                c = PALETTE.get(i);
            } else {
                int k = i;
                do {
                    c = hsl((k * 137.508) % 360, 0.55 + 0.2 * ((k / 9) % 2), 0.45 + 0.1 * ((k / 5) % 3));
                    k += 1000; // a different hue on the rare exact clash
                } while (taken.contains(c));
            }
            taken.add(c);
            colors.putIfAbsent(va.vm().name(), c);
            i++;
        }
        return colors;
    }

    /** Black or white, whichever reads better on {@code color}. */
    static String textOn(String color) {
        int r = Integer.parseInt(color.substring(1, 3), 16);
        int g = Integer.parseInt(color.substring(3, 5), 16);
        int b = Integer.parseInt(color.substring(5, 7), 16);
        return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#000000" : "#ffffff";
    }

    /** {@code color} mixed with white (weight of the color 0..1), for table backgrounds. */
    static String tint(String color, double weight) {
        StringBuilder sb = new StringBuilder("#");
        for (int i = 1; i < 7; i += 2) {
            int v = Integer.parseInt(color.substring(i, i + 2), 16);
            sb.append(String.format("%02x", (int) Math.round(255 - (255 - v) * weight)));
        }
        return sb.toString();
    }

    private static String hsl(double h, double s, double l) {
        double c = (1 - Math.abs(2 * l - 1)) * s;
        double x = c * (1 - Math.abs((h / 60) % 2 - 1));
        double m = l - c / 2;
        double[] rgb = h < 60
                ? new double[] {c, x, 0}
                : h < 120
                        ? new double[] {x, c, 0}
                        : h < 180
                                ? new double[] {0, c, x}
                                : h < 240
                                        ? new double[] {0, x, c}
                                        : h < 300 ? new double[] {x, 0, c} : new double[] {c, 0, x};
        return String.format(
                "#%02x%02x%02x",
                Math.round((rgb[0] + m) * 255), Math.round((rgb[1] + m) * 255), Math.round((rgb[2] + m) * 255));
    }
}
