package dev.gunyahdt.dt.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFileTest {

    private static final byte[] NEW = "new contents\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OLD = "old contents\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void newFileIsCreatedReadableWithParentsAndNoTempLeft() throws IOException {
        Path target = dir.resolve("a/b/out.dtb");
        OutputFile.write(target, NEW);
        assertArrayEquals(NEW, Files.readAllBytes(target));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of(target), listing(target.getParent()));
    }

    @Test
    void regularFileIsReplacedByRenameAndKeepsItsPermissions() throws IOException {
        Path target = dir.resolve("out.dtb");
        Files.write(target, OLD);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx--x---"));
        Object inode = Files.getAttribute(target, "unix:ino");
        OutputFile.write(target, NEW);
        assertArrayEquals(NEW, Files.readAllBytes(target));
        assertEquals("rwx--x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        // a new inode: the old file was renamed over, not rewritten in place
        assertNotEquals(inode, Files.getAttribute(target, "unix:ino"));
        assertEquals(List.of(target), listing(dir));
    }

    @Test
    void symlinkChainIsFollowedAndTheLinksStay() throws IOException {
        Files.createDirectories(dir.resolve("real"));
        Path file = dir.resolve("real/out.dtb");
        Files.write(file, OLD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Path inner = dir.resolve("inner");
        Files.createSymbolicLink(inner, Path.of("real/out.dtb")); // relative
        Path outer = dir.resolve("outer");
        Files.createSymbolicLink(outer, inner.toAbsolutePath()); // absolute, to a link
        OutputFile.write(outer, NEW);
        assertTrue(Files.isSymbolicLink(outer));
        assertTrue(Files.isSymbolicLink(inner));
        assertArrayEquals(NEW, Files.readAllBytes(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of(file), listing(dir.resolve("real")));
    }

    @Test
    void danglingSymlinkCreatesItsTarget() throws IOException {
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, Path.of("made.dtb"));
        OutputFile.write(link, NEW);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(NEW, Files.readAllBytes(dir.resolve("made.dtb")));
    }

    @Test
    void symlinkLoopIsRefused() throws IOException {
        Files.createSymbolicLink(dir.resolve("x"), Path.of("y"));
        Files.createSymbolicLink(dir.resolve("y"), Path.of("x"));
        IOException e = assertThrows(IOException.class, () -> OutputFile.write(dir.resolve("x"), NEW));
        assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
    }

    @Test
    void fifoIsWrittenThroughAndStaysAFifo() throws Exception {
        Path fifo = dir.resolve("pipe");
        assumeTrue(run("mkfifo", fifo.toString()), "mkfifo not available");
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        OutputFile.write(fifo, NEW);
        assertArrayEquals(NEW, read.get(10, TimeUnit.SECONDS));
        assertEquals("p", kind(fifo));
        assertEquals(List.of(fifo), listing(dir));
    }

    @Test
    void unixSocketIsConnectedToAndWritten() throws Exception {
        Path sock = dir.resolve("sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    return Channels.newInputStream(c).readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            OutputFile.write(sock, NEW);
            assertArrayEquals(NEW, read.get(10, TimeUnit.SECONDS));
        }
        assertEquals("s", kind(sock));
    }

    @Test
    void characterDeviceIsWrittenThroughNotReplaced() throws IOException {
        Path fakeNull = dir.resolve("fakenull");
        assumeTrue(run("mknod", fakeNull.toString(), "c", "1", "3"), "mknod needs root (CAP_MKNOD)");
        OutputFile.write(fakeNull, NEW);
        assertEquals("c", kind(fakeNull));
        assertEquals(List.of(fakeNull), listing(dir));
        // and a device that refuses the write (/dev/full's numbers) is an error, still a device
        Path fakeFull = dir.resolve("fakefull");
        assumeTrue(run("mknod", fakeFull.toString(), "c", "1", "7"));
        IOException e = assertThrows(IOException.class, () -> OutputFile.write(fakeFull, NEW));
        assertTrue(e.getMessage().startsWith("cannot write " + fakeFull + ": "), e.getMessage());
        assertEquals("c", kind(fakeFull));
    }

    @Test
    void directoryIsRefused() throws IOException {
        Path d = Files.createDirectories(dir.resolve("d"));
        IOException e = assertThrows(IOException.class, () -> OutputFile.write(d, NEW));
        assertEquals("cannot write " + d + ": is a directory", e.getMessage());
    }

    @Test
    void pathUnderAFileIsRefusedAndTheFileKept() throws IOException {
        Path file = dir.resolve("plain");
        Files.write(file, OLD);
        IOException e = assertThrows(IOException.class, () -> OutputFile.write(file.resolve("vm/x.dtb"), NEW));
        assertTrue(e.getMessage().startsWith("cannot write " + file.resolve("vm/x.dtb") + ": "), e.getMessage());
        assertArrayEquals(OLD, Files.readAllBytes(file));
    }

    /** A rename that fails after the temp file was written: old file as it was, no temp left. */
    @Test
    void failedReplaceLeavesTheOldFileAndNoTemp() throws IOException {
        Path target = dir.resolve("out.dtb");
        Files.write(target, OLD);
        // chattr +i makes the rename fail even for root; without chattr, a read-only directory
        // makes the temp file fail for anyone but root
        boolean immutable = run("chattr", "+i", target.toString());
        if (!immutable) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        }
        try {
            IOException e = assertThrows(IOException.class, () -> OutputFile.write(target, NEW));
            assertTrue(e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
        } catch (org.opentest4j.AssertionFailedError e) {
            assumeTrue(immutable, "running as root without chattr: no way to make the write fail");
            throw e;
        } finally {
            if (immutable) {
                run("chattr", "-i", target.toString());
            } else {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
        assertArrayEquals(OLD, Files.readAllBytes(target));
        assertEquals(List.of(target), listing(dir));
    }

    private static List<Path> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    /** ls's letter for the file type: c, p, s, l, d or - . */
    private static String kind(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return switch (mode & 0170000) {
            case 0020000 -> "c";
            case 0010000 -> "p";
            case 0140000 -> "s";
            case 0120000 -> "l";
            case 0040000 -> "d";
            default -> "-";
        };
    }

    private static boolean run(String... command) {
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
