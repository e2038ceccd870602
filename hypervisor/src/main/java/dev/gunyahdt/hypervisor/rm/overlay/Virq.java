package dev.gunyahdt.hypervisor.rm.overlay;

/**
 * A VIRQ as the RM writes it into a DT {@code interrupts} property (reference §6.4): three cells
 * {type, number, flags} for a parent with {@code #interrupt-cells = <3>}.
 *
 * @param intid the GIC INTID the guest sees
 * @param level true for level-high (flags 4); false for edge-rising (flags 1), which is what every
 *              VIRQ the RM allocates is (§6.3)
 */
public record Virq(int intid, boolean level) {

    public Virq {
        if (type(intid) < 0) {
            throw new IllegalArgumentException("INTID " + intid + " is not an SPI, PPI, ESPI or EPPI");
        }
    }

    /** An RM-allocated (edge-rising) VIRQ. */
    public static Virq edge(int intid) {
        return new Virq(intid, false);
    }

    /** The three cells: type (0 SPI, 1 PPI, 2 ESPI, 3 EPPI), INTID minus the range base, flags. */
    public long[] cells() {
        int type = type(intid);
        int base = switch (type) {
            case 0 -> 32;
            case 1 -> 16;
            case 2 -> 4096;
            default -> 1056;
        };
        return new long[] {type, intid - base, level ? 4 : 1};
    }

    private static int type(int intid) {
        if (intid >= 32 && intid <= 1019) {
            return 0;
        }
        if (intid >= 16 && intid <= 31) {
            return 1;
        }
        if (intid >= 4096 && intid <= 5119) {
            return 2;
        }
        if (intid >= 1056 && intid <= 1119) {
            return 3;
        }
        return -1;
    }
}
