package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory as the real system hands it out, in the boot log of both boards: hlos (the owner) lends each secondary
 * its RAM and its iomem devices' memory and shares each shm buffer, each with its label; the RM accepts the RAM
 * by VM_CONFIG_IMAGE's handle and the rest by label (the shm when hlos notifies the READY VM, which hlos hears
 * back as MEM_ACCEPTED).
 */
class BootMemparcelTest {
    private static final Pattern LENT = Pattern.compile("\\] hlos: MEM_LEND RAM of (\\S+): memparcel (\\d+)");

    private static String boot(Path board, Path dir) throws Exception {
        PartitionCommandTest.Run r = PartitionCommandTest.run("boot", board.toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(!r.out().contains("FAILED"), r.out());
        return r.out();
    }

    /** Every VM hlos launched accepted the parcel hlos lent it as its RAM; returns how many. */
    private static int ramLentAndAccepted(String log) {
        Matcher m = LENT.matcher(log);
        int n = 0;
        while (m.find()) {
            String accepted = "] " + m.group(1) + ": accepted memparcel " + m.group(2) + " (LEND, ";
            assertTrue(log.contains(accepted), accepted + "\n" + log);
            assertTrue(log.contains("from hlos as its RAM (VM_CONFIG_IMAGE's handle)"), log);
            n++;
        }
        return n;
    }

    @Test
    void qemuVirtLendsAndAcceptsByLabel(@TempDir Path dir) throws Exception {
        String log = boot(PartitionCommandTest.QEMU, dir);
        assertEquals(2, ramLentAndAccepted(log), log);
        for (String line : List.of(
                "] hlos: MEM_SHARE shm label 2 with svm1: memparcel 3",
                "] svm1: accepted memparcel 3 (SHARE, label 0x2, 2 MiB) from hlos by label 0x2 for shm"
                        + " /qcom,vm-config/vdevices/shm-svm1-2, mapped at 0xa0000000",
                "] hlos: memparcel 3 accepted by vmid 0x80",
                "] hlos: MEM_LEND device memory of /virtio_mmio@a000000 (label 0x1000) to svm1: memparcel 2",
                "] svm1: accepted memparcel 2 (LEND IO, label 0x1000, 4 KiB) from hlos by label 0x1000 for iomem"
                        + " /virtio_mmio@a000000, mapped at 0xa000000")) {
            assertTrue(log.contains(line), line + "\n" + log);
        }
    }

    @Test
    void soc2ClusterLendsAndAcceptsByLabelAndASecondaryReadsItsUart(@TempDir Path dir) throws Exception {
        String log = boot(PartitionCommandTest.REPO.resolve("boards/soc-2cluster"), dir);
        assertEquals(6, ramLentAndAccepted(log), log);
        long shm = Pattern.compile("\\] (display|net|camera|secure): accepted memparcel \\d+ \\(SHARE, .* by label")
                .matcher(log)
                .results()
                .count();
        assertEquals(4, shm, log);
        assertTrue(
                log.contains("] display: accepted memparcel 5 (LEND IO, label 0x1003, 4 KiB) from hlos by label"
                        + " 0x1003 for iomem /soc@0/serial@a810000, mapped at 0xa810000"),
                log);
        // its UART's registers, through the mapping of the device memory hlos lent it, and its SPI, lent too
        assertTrue(
                log.contains("] display: /soc@0/serial@a810000: MMIO read at 0xa810fe0 through my mapping: PrimeCell ID"
                        + " 0xb105f00d, part 0x11 (PL011)"),
                log);
        assertTrue(
                log.contains("] display: /soc@0/serial@a810000: SPI 133 taken (UARTMIS 0x20, transmit done), cleared"),
                log);
    }
}
