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
        // svm1's virtio-mmio SPI is hlos's until lent: VM_IRQ_LEND / NOTIFY, accepted by svm1
        assertTrue(
                r.out()
                        .contains(
                                "] hlos: svm1: its 1 device SPI(s) lent (VM_IRQ_LEND, VM_IRQ_NOTIFY LENT), 1 accepted"),
                r.out());
    }

    /**
     * boards/soc-2cluster: hlos reads its own UART and takes its SPI; each secondary's devices' SPIs are lent by
     * hlos and accepted by the secondary (its UART's named), and every multi-vCPU VM's CPU0 takes the SGI its
     * secondaries send after CPU_ON.
     */
    @Test
    void socSecondariesAcceptTheirLentSpisAndSgisArrive(@TempDir Path dir) throws Exception {
        PartitionCommandTest.Run r = PartitionCommandTest.run(
                "boot", PartitionCommandTest.REPO.resolve("boards/soc-2cluster").toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(
                r.out().contains("] hlos: /soc@0/serial@a800000: MMIO read at 0xa800fe0 through my mapping"), r.out());
        assertTrue(r.out().contains("] hlos: /soc@0/serial@a800000: SPI 132 taken (UARTMIS 0x20"), r.out());
        assertTrue(
                r.out().contains("] display: /soc@0/serial@a810000: SPI 133 lent by VM 0x3 (label 4099), accepted 1:1"),
                r.out());
        for (String[] vm : new String[][] {
            {"display", "46"}, {"net", "10"}, {"audio", "11"}, {"camera", "48"}, {"sensors", "18"}, {"secure", "8"}
        }) {
            assertTrue(
                    r.out()
                            .contains("] hlos: " + vm[0] + ": its " + vm[1] + " device SPI(s) lent (VM_IRQ_LEND,"
                                    + " VM_IRQ_NOTIFY LENT), " + vm[1] + " accepted (NOTIFY_VM_IRQ_ACCEPTED)"),
                    vm[0] + "\n" + r.out());
        }
        for (String vm : new String[] {"hlos", "display", "net", "camera"}) {
            assertTrue(r.out().contains("] " + vm + ": linux-probe: CPU0 took SGI 0 (IPI) "), vm + "\n" + r.out());
        }
        assertTrue(!r.out().contains("FAILED"), r.out());
    }
}
