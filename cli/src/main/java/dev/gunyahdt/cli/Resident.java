package dev.gunyahdt.cli;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resident process behind the launcher's one-process-per-file calls: {@code make dtbs_check}
 * starts the checker once per DTB, and a JVM that starts, loads and compiles the bindings for each
 * costs more than the check. This process stays up in the directory it was started from, keeps
 * what it loaded (the binding cache's set and its compiled bindings, {@code BindingCache}) and runs
 * {@code lint}, {@code dt-validate}, {@code dtc} and {@code dt-extract-example} (the verbs run once per
 * file by the kernel's Makefiles) for a client ({@code cli/src/main/c/gunyah-dt-client.c}) on
 * a unix socket. It runs {@link Main#run} exactly as a fresh process would, with the caller's
 * arguments and its stdout, stderr and exit status carried back.
 *
 * <p>Reached only by its user: the directory must be the user's own with no access for others
 * (0700), and each request carries a token the process wrote there (0600). A request from another
 * directory, for another verb, without the token, or one that would use the caller's own process
 * ({@link #boundToCaller}: its standard input, {@code /dev/stdout}) is answered {@link #NOT_SERVED}, and the client
 * runs the command in its own JVM. The process exits after {@code idle} seconds without a request.
 *
 * <p>Protocol (version 1). Request: NUL-terminated strings {@code gunyah-dt-resident 1}, token,
 * working directory, {@code 1} or {@code 0} (stdin and stdout a terminal), then the arguments;
 * the client then closes its side for writing. Answer: frames of one type byte ({@code 1} stdout,
 * {@code 2} stderr, {@code x} exit), a 4-byte big-endian length and the bytes; the exit frame holds
 * the status as a 4-byte big-endian integer and ends the answer.
 */
final class Resident {

    /**
     * The verbs served: the ones run once per file by the kernel's Makefiles ({@code dtbs},
     * {@code dtbs_check}, {@code dt_binding_check}) and by CI jobs.
     */
    static final Set<String> VERBS = Set.of("lint", "dt-validate", "dtc", "dt-extract-example");
    /** The exit status that tells the client to run the command itself. */
    static final int NOT_SERVED = 200;

    static final String MAGIC = "gunyah-dt-resident 1";
    private static final int MAX_REQUEST = 1 << 20;

    private final Path dir;
    private final String token;
    private final String cwd = Path.of("").toAbsolutePath().toString();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong lastUsed = new AtomicLong(System.nanoTime());

    private Resident(Path dir, String token) {
        this.dir = dir;
        this.token = token;
    }

    /** {@code gunyah-dt --resident DIR IDLE_SECONDS}: serves until idle; 0, or 2 when it cannot start. */
    static int main(List<String> args, PrintStream log) {
        if (args.size() != 2) {
            log.println("usage: gunyah-dt --resident DIR IDLE_SECONDS");
            return 2;
        }
        try {
            return serve(Path.of(args.get(0)), Long.parseLong(args.get(1)), log);
        } catch (IOException | RuntimeException e) {
            log.println("gunyah-dt resident: " + e);
            return 2;
        }
    }

    static int serve(Path dir, long idleSeconds, PrintStream log) throws IOException {
        if (!ownerOnly(dir)) {
            log.println(
                    "gunyah-dt resident: " + dir + " is not a directory of this user's with mode 0700; not started");
            return 2;
        }
        try (FileChannel lockFile =
                        FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(lockFile)) {
            if (lock == null) {
                return 0; // another one is up (or starting) in this directory
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Resident r = new Resident(dir, HexFormat.of().formatHex(secret));
            // a request then asks inotify whether a binding changed instead of statting every file
            dev.gunyahdt.bindings.BindingCache.watchInputs();
            Path socket = dir.resolve("socket");
            Files.deleteIfExists(socket);
            writePrivate(dir.resolve("token"), r.token);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                writePrivate(
                        dir.resolve("pid"),
                        Long.toString(ProcessHandle.current().pid()));
                r.watchIdle(server, idleSeconds * 1_000_000_000L);
                r.acceptUntilClosed(server);
            } finally {
                Files.deleteIfExists(socket);
                Files.deleteIfExists(dir.resolve("token"));
                Files.deleteIfExists(dir.resolve("pid"));
            }
        }
        return 0;
    }

    /** The lock, or null when another process (or another serve of this JVM, in tests) holds it. */
    private static FileLock tryLock(FileChannel file) throws IOException {
        try {
            return file.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    private static boolean ownerOnly(Path dir) throws IOException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        String me = System.getProperty("user.name");
        return perms.equals(EnumSet.of(
                        PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE))
                && Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        .getName()
                        .equals(me);
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Closes the socket once no request has come for {@code idleNanos}, ending the accept loop. */
    private void watchIdle(ServerSocketChannel server, long idleNanos) {
        Thread t = new Thread(
                () -> {
                    while (server.isOpen()) {
                        try {
                            Thread.sleep(1000);
                            if (active.get() == 0 && System.nanoTime() - lastUsed.get() > idleNanos) {
                                server.close();
                            }
                        } catch (InterruptedException | IOException e) {
                            return;
                        }
                    }
                },
                "resident-idle");
        t.setDaemon(true);
        t.start();
    }

    private void acceptUntilClosed(ServerSocketChannel server) {
        // the lint threads have 64 MiB stacks; a request's own thread parses like a fresh main thread (-Xss16m)
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(null, r, "resident-request", 16L << 20);
            t.setDaemon(true);
            return t;
        });
        try {
            while (true) {
                SocketChannel ch = server.accept();
                active.incrementAndGet();
                lastUsed.set(System.nanoTime());
                pool.execute(() -> {
                    try (ch) {
                        answer(ch);
                    } catch (IOException | RuntimeException e) {
                        // the client went away: nothing to answer
                    } finally {
                        lastUsed.set(System.nanoTime());
                        active.decrementAndGet();
                    }
                });
            }
        } catch (IOException e) {
            // closed when idle
        } finally {
            pool.shutdown();
        }
    }

    private void answer(SocketChannel ch) throws IOException {
        List<String> request = readRequest(Channels.newInputStream(ch));
        OutputStream raw = Channels.newOutputStream(ch);
        if (request == null
                || request.size() < 5
                || !request.get(0).equals(MAGIC)
                || !MessageDigest.isEqual(
                        request.get(1).getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))
                || !request.get(2).equals(cwd)
                || !VERBS.contains(request.get(4))
                || boundToCaller(request.subList(4, request.size()))) {
            exitFrame(raw, NOT_SERVED);
            return;
        }
        boolean terminal = request.get(3).equals("1");
        String[] args = request.subList(4, request.size()).toArray(String[]::new);
        Charset cs = Charset.defaultCharset(); // what System.out and System.err encode with
        Frames frames = new Frames(raw);
        try (PrintStream out = new PrintStream(new BufferedOutputStream(frames.channel('1'), 1 << 16), false, cs);
                PrintStream err = new PrintStream(new BufferedOutputStream(frames.channel('2'), 1 << 16), false, cs)) {
            int status = Main.run(args, new Io(InputStream.nullInputStream(), out, err, terminal));
            out.flush();
            err.flush();
            exitFrame(raw, status);
        }
    }

    /**
     * Whether the command would touch the caller's own process, which this one is not: its
     * standard input ({@code -}; dtc with no input file reads it), or a path that names a process's
     * own files ({@code /dev/stdout}, {@code /dev/fd/N}, {@code /proc/self/…}; only {@code
     * /dev/null} is the same for both). Relative paths resolve alike: a resident process serves
     * only the directory it was started in. Answering false only when sure: an argument is checked
     * whole and with an option's prefix ({@code -oFILE}, {@code --out=FILE}) taken off.
     */
    static boolean boundToCaller(List<String> args) {
        boolean dtc = args.get(0).equals("dtc");
        if (dtc && dtcReadsStdin(args.subList(1, args.size()))) {
            return true;
        }
        for (String arg : args.subList(1, args.size())) {
            if (arg.equals("-") && !dtc) { // dtc's "-o -" is its stdout, carried back like any
                return true;
            }
            List<String> paths = new ArrayList<>(List.of(arg));
            if (arg.startsWith("--") && arg.contains("=")) {
                paths.add(arg.substring(arg.indexOf('=') + 1));
            } else if (arg.startsWith("-") && arg.length() > 2) {
                paths.add(arg.substring(2));
            }
            for (String p : paths) {
                if (processFile(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean processFile(String p) {
        if (p.equals("/dev/null")) {
            return false;
        }
        if (p.contains("/dev/") || p.contains("/proc/") || p.startsWith("dev/") || p.startsWith("proc/")) {
            return true;
        }
        // a link to one (out -> /dev/stdout), however named: the nearest ancestor that exists,
        // resolved; a link whose target is missing (/proc/self/fd/1 -> pipe:[N]) is declined too
        for (Path q = Path.of(p).toAbsolutePath(); q != null; q = q.getParent()) {
            if (Files.exists(q)) {
                try {
                    String real = q.toRealPath().toString();
                    return !real.equals("/dev/null") && (real.startsWith("/dev/") || real.startsWith("/proc/"));
                } catch (IOException | RuntimeException e) {
                    return true;
                }
            }
            if (Files.isSymbolicLink(q)) {
                return true;
            }
        }
        return false;
    }

    /**
     * dtc reads standard input when it is given no input file (DtcCommand.run); {@code --batch}
     * and {@code --timings} are left to the caller's process too (a list of jobs, CPU times).
     */
    private static boolean dtcReadsStdin(List<String> args) {
        try {
            org.apache.commons.cli.CommandLine cmd = CommandLines.parse(DtcCommand.options(), args);
            return cmd.getArgList().isEmpty()
                    || cmd.getArgList().contains("-")
                    || cmd.hasOption("batch")
                    || cmd.hasOption("timings");
        } catch (Exception e) {
            return true; // a usage error: answered by the caller's own run
        }
    }

    /** The request's strings, or null when it is not one. */
    private static List<String> readRequest(InputStream in) throws IOException {
        byte[] all = in.readNBytes(MAX_REQUEST + 1);
        if (all.length > MAX_REQUEST || all.length == 0 || all[all.length - 1] != 0) {
            return null;
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                out.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }

    private static void exitFrame(OutputStream raw, int status) throws IOException {
        raw.write(
                ByteBuffer.allocate(9).put((byte) 'x').putInt(4).putInt(status).array());
        raw.flush();
    }

    /** stdout and stderr as frames on one channel; a write is one frame, whole. */
    private static final class Frames {
        private final OutputStream raw;

        Frames(OutputStream raw) {
            this.raw = raw;
        }

        OutputStream channel(char type) {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return;
                    }
                    ByteArrayOutputStream frame = new ByteArrayOutputStream(len + 5);
                    frame.write(type);
                    frame.write(ByteBuffer.allocate(4).putInt(len).array());
                    frame.write(b, off, len);
                    synchronized (raw) {
                        raw.write(frame.toByteArray());
                    }
                }
            };
        }
    }
}
