package dev.gunyahdt.cli;

import static dev.gunyahdt.cli.PartitionCommandTest.QEMU;
import static dev.gunyahdt.cli.PartitionCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gunyahdt.cli.PartitionCommandTest.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: every verb that writes a file leaves devices, FIFOs and symlinks in place. The
 * character device is a /dev/null made by mknod in a temp dir (root only; skipped otherwise), so
 * a regression cannot destroy the machine's own /dev/null.
 */
class OutputPathsTest {

    private static final String DTS = "/dts-v1/;\n/ { compatible = \"test\"; #address-cells = <1>; #size-cells = <1>;\n"
            + "  a: node@0 { reg = <0 1>; }; };\n";
    private static final String OVERLAY = "/dts-v1/;\n/plugin/;\n&{/} { added = <1>; };\n";

    @TempDir
    Path dir;

    Path dts;
    Path dtb;
    Path dtbo;

    @BeforeEach
    void inputs() throws IOException {
        dts = Files.writeString(dir.resolve("in.dts"), DTS);
        dtb = dir.resolve("in.dtb");
        assertEquals(
                0, run("dtc", "-O", "dtb", "-o", dtb.toString(), dts.toString()).status());
        Path ovs = Files.writeString(dir.resolve("ov.dts"), OVERLAY);
        dtbo = dir.resolve("ov.dtbo");
        assertEquals(
                0,
                run("dtc", "-@", "-O", "dtb", "-o", dtbo.toString(), ovs.toString())
                        .status());
    }

    /** Each file-writing verb with its output (or dependency file, or batch output) at OUT. */
    private List<String[]> fileVerbs(Path out) throws IOException {
        Path batch = Files.writeString(dir.resolve("batch-" + out.getFileName()), dts + " " + out + "\n");
        return List.of(
                new String[] {"dtc", "-O", "dtb", "-o", out.toString(), dts.toString()},
                new String[] {
                    "dtc",
                    "-O",
                    "dtb",
                    "-o",
                    dir.resolve("ignored.dtb").toString(),
                    "-d",
                    out.toString(),
                    dts.toString()
                },
                new String[] {"dtc", "-O", "dtb", "--batch", batch.toString()},
                new String[] {"inspect", dtb.toString(), "-o", out.toString()},
                new String[] {"overlay", "apply", dtb.toString(), dtbo.toString(), "-o", out.toString()});
    }

    @Test
    void everyFileVerbWritesThroughACharacterDevice() throws IOException {
        Path fakeNull = dir.resolve("fakenull");
        assumeTrue(exec("mknod", fakeNull.toString(), "c", "1", "3"), "mknod needs root");
        for (String[] args : fileVerbs(fakeNull)) {
            Run r = run(args);
            assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals("c", kind(fakeNull), String.join(" ", args) + " replaced the device");
        }
    }

    @Test
    void everyDirectoryVerbRefusesADeviceAsItsDirectory() throws IOException {
        Path fakeNull = dir.resolve("fakenull");
        assumeTrue(exec("mknod", fakeNull.toString(), "c", "1", "3"), "mknod needs root");
        for (String verb : List.of("partition", "build", "boot")) {
            Run r = run(verb, QEMU.toString(), "-o", fakeNull.toString());
            assertEquals(2, r.status(), verb + ": " + r.err());
            assertTrue(r.err().contains("cannot write " + fakeNull + "/"), verb + ": " + r.err());
            assertEquals("c", kind(fakeNull), verb + " replaced the device");
        }
    }

    @Test
    void everyFileVerbWritesThroughAFifo() throws Exception {
        Path fifo = dir.resolve("pipe");
        assumeTrue(exec("mkfifo", fifo.toString()), "mkfifo not available");
        for (String[] args : fileVerbs(fifo)) {
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = Files.newInputStream(fifo)) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Run r = run(args);
            assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
            assertTrue(read.get(30, TimeUnit.SECONDS).length > 0, String.join(" ", args));
            assertEquals("p", kind(fifo), String.join(" ", args) + " replaced the FIFO");
        }
    }

    @Test
    void everyFileVerbWritesWhereASymlinkPoints() throws IOException {
        Path real = dir.resolve("real.out");
        Path link = dir.resolve("link.out");
        Files.createSymbolicLink(link, real.getFileName());
        for (String[] args : fileVerbs(link)) {
            Files.deleteIfExists(real);
            Run r = run(args);
            assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
            assertTrue(Files.isSymbolicLink(link), String.join(" ", args) + " replaced the link");
            assertTrue(Files.size(real) > 0, String.join(" ", args));
        }
    }

    @Test
    void configDirectoryFilesThatAreSymlinksAreFollowed() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path kept = dir.resolve("kept-system.dtb");
        Files.createSymbolicLink(out.resolve("system.dtb"), kept);
        Run r = run("build", QEMU.toString(), "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.isSymbolicLink(out.resolve("system.dtb")));
        assertArrayEquals(Files.readAllBytes(kept), Files.readAllBytes(out.resolve("system.dtb")));
    }

    @Test
    void dashIsStandardOutput() {
        Run r = run("inspect", dtb.toString(), "-o", "-");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("node@0"), r.out());
        assertTrue(!Files.exists(Path.of("-")));
    }

    @Test
    void aFailedRunLeavesTheOldFileAndNoTemp() throws IOException {
        Path out = Files.writeString(dir.resolve("old.dtb"), "old");
        Path broken = Files.writeString(dir.resolve("broken.dts"), "/dts-v1/;\n/ { a = <1; };\n");
        Run r = run("dtc", "-O", "dtb", "-o", out.toString(), broken.toString());
        assertEquals(1, r.status(), r.err());
        assertEquals("old", Files.readString(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void anUnwritableOutputIsAnIoErrorNotAnInternalOne() throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Run r = run("dtc", "-O", "dtb", "-o", file.resolve("sub.dtb").toString(), dts.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("gunyah-dt dtc: cannot write " + file.resolve("sub.dtb") + ": "), r.err());
        assertEquals("x", Files.readString(file));
    }

    static String kind(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return switch (mode & 0170000) {
            case 0020000 -> "c";
            case 0010000 -> "p";
            case 0120000 -> "l";
            default -> "other";
        };
    }

    static boolean exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
