package dev.gunyahdt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gunyah-dt boot} through Main.run: boards/qemu-virt boots, and its overlays merge as fdtoverlay merges. */
class BootCommandTest {

    @Test
    void qemuVirtBootsWithEveryVmRunningAndEveryPeerExercised(@TempDir Path dir) throws Exception {
        PartitionCommandTest.Run r = PartitionCommandTest.run("boot", PartitionCommandTest.QEMU.toString(), "-o",
                dir.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        for (String vm : List.of("hlos", "svm1", "svm2")) {
            assertTrue(r.out().contains("] " + vm + ": state READY -> RUNNING") || vm.equals("hlos"), vm);
            assertTrue(r.out().contains("] " + vm + ": console| gunyah-dt "), vm + " banner");
        }
        assertTrue(r.out().contains("] hlos: state NONE -> RUNNING"));
        assertTrue(r.out().contains("svm1 (linux-probe): console open, hyp resources match, 1/1 queue pairs, 1/1 doorbells, OK"), r.out());
        assertTrue(r.out().contains("svm2 (linux-probe): console open, hyp resources match, 1/1 queue pairs, 1/1 doorbells, OK"), r.out());
        String log = Files.readString(dir.resolve("boot.log"), StandardCharsets.UTF_8);
        assertTrue(r.out().startsWith(r.out().substring(0, r.out().indexOf('['))) && r.out().contains(log), "boot.log = printed log");
        for (String vm : List.of("hlos", "svm1", "svm2")) {
            Path base = dir.resolve("vm/" + vm + ".dtb");
            Path dtbo = dir.resolve("vm/" + vm + ".hypervisor.dtbo");
            Path guest = dir.resolve("vm/" + vm + ".guest.dtb");
            assertTrue(Files.isRegularFile(dtbo) && Files.isRegularFile(guest), vm);
            Path tool = Path.of("/usr/bin/fdtoverlay");
            if (!Files.isExecutable(tool)) {
                System.out.println("BootCommandTest: fdtoverlay not installed; merged-bytes comparison skipped");
                continue;
            }
            Path out = dir.resolve(vm + ".fdtoverlay.dtb");
            Process p = new ProcessBuilder(tool.toString(), "-i", base.toString(), "-o", out.toString(), dtbo.toString())
                    .redirectErrorStream(true).start();
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), msg);
            assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(guest), vm + ": fdtoverlay vs guest.dtb");
        }
    }

    @Test
    void theSameSeedGivesTheSameLogAndAConfigDirBootsToo(@TempDir Path dir) throws Exception {
        PartitionCommandTest.Run a = PartitionCommandTest.run("boot", PartitionCommandTest.QEMU.toString(), "-o",
                dir.toString(), "--seed", "5");
        String logA = Files.readString(dir.resolve("boot.log"));
        PartitionCommandTest.Run b = PartitionCommandTest.run("boot", dir.toString(), "--seed", "5");
        assertEquals(0, a.status(), a.err());
        assertEquals(0, b.status(), b.err());
        // the config dir has no vms.yaml: every VM runs the default linux-probe, so compare state lines only
        assertEquals(states(logA), states(Files.readString(dir.resolve("boot.log"))));
        assertTrue(b.out().contains("svm2 (linux-probe): console open"), b.out());
    }

    private static List<String> states(String log) {
        return log.lines().filter(l -> l.contains(": state ")).toList();
    }

    @Test
    void anRmFailureExitsOneNamingTheVmAndTheCause(@TempDir Path dir) throws Exception {
        assertEquals(0, PartitionCommandTest.run("build", PartitionCommandTest.QEMU.toString(), "-o", dir.toString())
                .status());
        Path svm2 = dir.resolve("vm/svm2.dtb");
        dev.gunyahdt.dt.DeviceTree t = dev.gunyahdt.dt.dtb.DtbReader.read(Files.readAllBytes(svm2), "svm2.dtb");
        t = t.withRoot(t.root().withChild(dev.gunyahdt.dt.Node.of("hypervisor", List.of(), List.of())));
        Files.write(svm2, dev.gunyahdt.dt.dtb.DtbWriter.write(t, dev.gunyahdt.dt.dtb.DtbOptions.defaults()));
        PartitionCommandTest.Run r = PartitionCommandTest.run("boot", dir.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("gunyah-dt boot: VM svm2: VM_START: VM 129: base DTB already has /hypervisor"), r.err());
        assertTrue(r.err().contains("VM svm2 is INIT_FAILED, not RUNNING"), r.err());
        assertTrue(r.out().contains("] svm2: state READY -> INIT_FAILED"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("vm/svm1.guest.dtb")));
        assertTrue(!Files.exists(dir.resolve("vm/svm2.guest.dtb")));
    }

    @Test
    void usageAndMissingInputs(@TempDir Path dir) {
        assertEquals(2, PartitionCommandTest.run("boot").status());
        assertEquals(2, PartitionCommandTest.run("boot", dir.resolve("nope").toString()).status());
        PartitionCommandTest.Run empty = PartitionCommandTest.run("boot", dir.toString());
        assertEquals(2, empty.status());
        assertTrue(empty.err().contains("neither a board (vms.yaml) nor a bootable config (system.dtb)"), empty.err());
        assertEquals(2, PartitionCommandTest.run("boot", dir.toString(), "--seed", "x").status());
        PartitionCommandTest.Run help = PartitionCommandTest.run("boot", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("gunyah-dt boot BOARD_DIR | CONFIG_DIR [-o DIR] [--seed N]"));
    }
}
