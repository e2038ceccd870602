package dev.gunyahdt.dt.inspect;

import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import java.util.Locale;
import java.util.Optional;

/**
 * The Arm GIC's interrupt specifier, as its binding defines it: {@code <type number flags>}
 * (and an optional fourth cell, the PPI partition). Type 0 is an SPI, 1 a PPI (2 and 3 the
 * GICv3 extended ranges); the low four flag bits are the trigger, bits 8–15 a GICv2 PPI's CPU mask.
 */
final class Gic {

    private Gic() {}

    /**
     * Whether {@code node} is a GIC whose specifiers we can decode: an interrupt controller with
     * {@code #interrupt-cells} of 3 (or 4, GICv3 with PPI partitions) and a compatible naming a GIC.
     */
    static boolean isGic(Node node) {
        long cells =
                node.property("#interrupt-cells").map(p -> p.value().asCell()).orElse(-1L);
        if (cells != 3 && cells != 4) {
            return false;
        }
        Optional<Property> compat = node.property("compatible");
        if (compat.isEmpty()) {
            return false;
        }
        for (String c : compat.get().value().asStrings()) {
            if (c.toLowerCase(Locale.ROOT).contains("gic")) {
                return true;
            }
        }
        return false;
    }

    /** "SPI 7 level-high", "PPI 9 level-low cpus 0xf", … for one specifier's first three cells. */
    static String describe(long type, long number, long flags) {
        String kind = switch ((int) type) {
            case 0 -> "SPI";
            case 1 -> "PPI";
            case 2 -> "ESPI";
            case 3 -> "EPPI";
            default -> "type " + type;
        };
        StringBuilder sb =
                new StringBuilder(kind).append(' ').append(number).append(' ').append(trigger(flags & 0xf));
        long cpus = (flags >>> 8) & 0xff;
        if (cpus != 0 && (type == 1 || type == 3)) {
            sb.append(" cpus 0x").append(Long.toHexString(cpus));
        }
        long rest = flags & ~0xff0fL;
        if (rest != 0) {
            sb.append(" flags 0x").append(Long.toHexString(flags));
        }
        return sb.toString();
    }

    private static String trigger(long t) {
        return switch ((int) t) {
            case 0 -> "none";
            case 1 -> "edge-rising";
            case 2 -> "edge-falling";
            case 3 -> "edge-both";
            case 4 -> "level-high";
            case 8 -> "level-low";
            default -> "trigger 0x" + Long.toHexString(t);
        };
    }
}
