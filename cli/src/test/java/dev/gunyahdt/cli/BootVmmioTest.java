package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual MMIO in a boot: boards/qemu-virt with svm2 proxy-scheduled (its plan's only change). The RM gives svm2
 * (auth none) the default VMMIO region [0, 1 GiB); hlos, which runs svm2's vCPUs through vcpu_run, puts the register
 * file it emulates at 0xc000000 in the DT it lends svm2; svm2's probe reads its ID, writes a scratch register and
 * reads it back, and each access shows as the vcpu_run state hlos got (4 ADDRSPACE_VMMIO_READ, 5 _WRITE), answered
 * and resumed. boards/qemu-virt itself has no proxy-scheduled VM, so its boot has none of this.
 */
class BootVmmioTest {

    @Test
    void aProxyScheduledSvm2sAccessesToItsOwnersRegisterFileShowAsVcpuRunStates(@TempDir Path dir) throws Exception {
        Path boards = dir.resolve("boards");
        Path board = boards.resolve("qemu-virt-proxy");
        Files.createDirectories(board);
        Files.copy(PartitionCommandTest.QEMU.resolve("board.dts"), board.resolve("board.dts"));
        copyTree(PartitionCommandTest.REPO.resolve("boards/include"), boards.resolve("include"));
        String plan = Files.readString(PartitionCommandTest.QEMU.resolve("vms.yaml"));
        String proxy = plan.replace("    scheduling: static\n    affinity: [6, 7]\n", "    scheduling: proxy\n");
        assertFalse(proxy.equals(plan), "boards/qemu-virt's svm2 is no longer static on [6, 7]");
        Files.writeString(board.resolve("vms.yaml"), proxy);
        PartitionCommandTest.Run r = PartitionCommandTest.run(
                "boot", board.toString(), "-o", dir.resolve("out").toString());
        assertEquals(0, r.status(), r.err());
        List<String> steps = List.of(
                "] hlos: svm2: my register file at 0xc000000 (gunyah-dt,vmm-regs) in the DT I give it",
                "] hlos: svm2: vcpu_run -> ADDRSPACE_VMMIO_READ at 0xc000000, 4 byte(s): my register 0x0 = 0x4d564447,"
                        + " resumed with it",
                "] hlos: svm2: vcpu_run -> ADDRSPACE_VMMIO_WRITE at 0xc000010, 4 byte(s) of 0x56000081: my register"
                        + " 0x10 (emulated), resumed",
                "] hlos: svm2: vcpu_run -> ADDRSPACE_VMMIO_READ at 0xc000010, 4 byte(s): my register 0x10 = 0x56000081,"
                        + " resumed with it",
                "] svm2: /vmm-regs@c000000: ID 0x4d564447, wrote 0x56000081 to register 0x10 and read it back: my"
                        + " owner emulates it (VMMIO)");
        PartitionCommandTest.assertInOrder(r.out(), steps);
        assertFalse(r.out().contains("FAILED"), r.out());
        assertTrue(r.out().contains("svm2 (linux-probe): console open, hyp resources match"), r.out());
        assertFalse(r.out().contains("svm1: vcpu_run"), "svm1 is not proxy-scheduled");
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
