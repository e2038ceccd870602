package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * boards/qemu-virt passes its PL011 (SPI 1, INTID 33) through to hlos: the RM maps the iomemory-range as device
 * memory and binds the hwirq to VIRQ 33, so the guest reads the UART's ID registers through its own mapping and
 * takes the UART's interrupt.
 */
class BootPassthroughTest {

    @Test
    void hlosReadsItsUartThroughItsMappingAndTakesItsSpi(@TempDir Path dir) throws Exception {
        PartitionCommandTest.Run r =
                PartitionCommandTest.run("boot", PartitionCommandTest.QEMU.toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(
                r.out()
                        .contains("] hlos: /pl011@9000000: MMIO read at 0x9000fe0 through my mapping: PrimeCell ID"
                                + " 0xb105f00d, part 0x11 (PL011)"),
                r.out());
        assertTrue(
                r.out().contains("] hlos: /pl011@9000000: SPI 33 taken (UARTMIS 0x20, transmit done), cleared"),
                r.out());
        assertTrue(r.out().contains("hlos (linux-probe): console open, hyp resources match"), r.out());
        assertTrue(!r.out().contains("FAILED"), r.out());
    }
}
