package dev.gunyahdt.hypervisor.device;

/**
 * An Arm PL011 UART as far as a driver's probe and its first interrupt go (Arm PrimeCell UART (PL011) TRM,
 * DDI 0183): the PrimeCell/peripheral ID registers at 0xFE0..0xFFC, UARTDR, UARTIMSC (mask), UARTRIS/UARTMIS
 * (raw/masked status) and UARTICR (clear). Writing a character to UARTDR completes at once, so the transmit
 * interrupt (TXRIS, bit 5) is raised; the SPI is high while any masked status bit is set.
 */
public final class Pl011 implements MmioDevice {
    public static final long SIZE = 0x1000;
    public static final int DR = 0x000;
    public static final int IMSC = 0x038;
    public static final int RIS = 0x03C;
    public static final int MIS = 0x040;
    public static final int ICR = 0x044;
    public static final int PERIPH_ID0 = 0xFE0;
    /** TXRIS / TXIM: the transmit interrupt. */
    public static final int TX = 1 << 5;

    /** UARTPeriphID0..3 (part 0x011, designer 0x41 Arm, revision r1p5) and UARTPCellID0..3. */
    private static final int[] ID = {0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

    private final InterruptLine spi;
    private int mask;
    private int raw;
    private final StringBuilder sent = new StringBuilder();

    public Pl011(InterruptLine spi) {
        this.spi = spi;
    }

    /** The part number a probe checks: PeriphID1[3:0] and PeriphID0 (0x011 for a PL011). */
    public static int partNumber(int periphId0, int periphId1) {
        return (periphId1 & 0xF) << 8 | (periphId0 & 0xFF);
    }

    @Override
    public int read(long offset) {
        if (offset >= PERIPH_ID0 && offset < SIZE) {
            return ID[(int) (offset - PERIPH_ID0) / 4];
        }
        return switch ((int) offset) {
            case IMSC -> mask;
            case RIS -> raw;
            case MIS -> raw & mask;
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int value) {
        switch ((int) offset) {
            case DR -> {
                sent.append((char) (value & 0xFF));
                raw |= TX;
            }
            case IMSC -> mask = value & 0x7FF;
            case ICR -> raw &= ~value;
            default -> {}
        }
        spi.level((raw & mask) != 0);
    }

    /** What was written to UARTDR. */
    public String transmitted() {
        return sent.toString();
    }
}
