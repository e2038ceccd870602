package dev.gunyahdt.dt.output;

import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The one way gunyah-dt writes an output file. What is at the target decides how:
 * <ul>
 * <li>nothing, or a regular file: the bytes go to a temp file in the same directory, which is
 *     renamed over the target, so a failed run leaves the old file as it was and never a
 *     half-written one; an existing file keeps its permissions (and owner, where allowed);</li>
 * <li>a character or block device or a FIFO: written straight through, as a shell redirect
 *     would ({@code -o /dev/null} must never replace the device with a file);</li>
 * <li>a Unix stream socket: connected to and written;</li>
 * <li>a symlink: followed, and whatever it points to is written by the rules above; the link
 *     itself is never replaced;</li>
 * <li>a directory: refused.</li>
 * </ul>
 * Every failure is an {@link IOException} whose message names the path and the reason.
 */
public final class OutputFile {

    /** Permissions of a new file: what dtc's fopen gives under the usual 022 umask. */
    private static final Set<PosixFilePermission> NEW_FILE = PosixFilePermissions.fromString("rw-r--r--");
    /** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS, ELOOP past it). */
    private static final int MAX_LINKS = 40;

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    private OutputFile() {}

    /** Writes {@code bytes} to {@code target}; missing parent directories are created. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path path = target.toAbsolutePath();
        try {
            path = followLinks(path);
            int mode = modeOf(path);
            if (mode < 0 || (mode & S_IFMT) == S_IFREG) {
                replace(path, bytes, mode >= 0);
            } else if ((mode & S_IFMT) == S_IFDIR) {
                throw new IOException("is a directory");
            } else if ((mode & S_IFMT) == S_IFSOCK) {
                sendTo(path, bytes);
            } else {
                writeThrough(path, bytes);
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + describe(target, path) + ": " + reason(e, path), e);
        }
    }

    /** The file a chain of symlinks ends at (which may not exist yet: then it is created). */
    private static Path followLinks(Path path) throws IOException {
        Path p = path;
        for (int i = 0; Files.isSymbolicLink(p); i++) {
            if (i == MAX_LINKS) {
                throw new IOException("too many levels of symbolic links");
            }
            p = p.getParent().resolve(Files.readSymbolicLink(p));
        }
        return p;
    }

    /** st_mode of {@code path} (not following links), or -1 when nothing is there. */
    private static int modeOf(Path path) throws IOException {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            // Not a Unix file system: regular, directory, or some other thing written through.
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return -1;
            }
            return a.isRegularFile() ? S_IFREG : a.isDirectory() ? S_IFDIR : 0;
        }
    }

    /**
     * Temp file beside the target, renamed over it; no temp is left behind. Not fsynced, as dtc,
     * cpp and make do not: a reader still never sees half a file, and an output lost to a power
     * cut is rebuilt; a sync per file cost ≈ 6 ms of wall time each (766 DTBs: seconds of a batch).
     */
    private static void replace(Path path, byte[] bytes, boolean exists) throws IOException {
        Path dir = path.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".tmp");
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (view != null) {
                if (exists) {
                    keepAttributes(path, view);
                } else {
                    view.setPermissions(NEW_FILE);
                }
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeAll(ch, bytes);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The old file's permissions always; its owner and group where this process may set them. */
    private static void keepAttributes(Path old, PosixFileAttributeView tmp) throws IOException {
        PosixFileAttributes a = Files.readAttributes(old, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes mine = tmp.readAttributes();
        try {
            if (!a.group().equals(mine.group())) {
                tmp.setGroup(a.group());
            }
            if (!a.owner().equals(mine.owner())) {
                tmp.setOwner(a.owner());
            }
        } catch (FileSystemException notAllowed) {
            // only root may give a file away; the file then belongs to whoever rewrote it
        }
        tmp.setPermissions(a.permissions());
    }

    /** Devices and FIFOs: opened for writing as they are (no create, no truncate, no rename). */
    private static void writeThrough(Path path, byte[] bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.WRITE)) {
            out.write(bytes);
        }
    }

    private static void sendTo(Path socket, byte[] bytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    private static void writeAll(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String describe(Path asked, Path written) {
        return asked.toAbsolutePath().equals(written) ? asked.toString() : asked + " (-> " + written + ")";
    }

    /** What went wrong, in words (NIO's exceptions often carry only the path). */
    private static String reason(IOException e, Path path) {
        if (e instanceof AccessDeniedException) {
            return "permission denied" + other(e, path);
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory" + other(e, path);
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory" + other(e, path);
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + other(e, path);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The path an NIO exception names, when it is not the one already in the message. */
    private static String other(IOException e, Path path) {
        return e instanceof FileSystemException f
                        && f.getFile() != null
                        && !f.getFile().equals(path.toString())
                ? " (" + f.getFile() + ")"
                : "";
    }
}
