package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Processed bindings kept on disk, as dt-mk-schema's {@code processed-schema.json} is: a set is
 * loaded, fixed up and compiled once, then later runs read the result. The cache is keyed by
 * content — every document's place, file name and bytes, the load mode, and the gunyah-dt build
 * that processed them — so an edited binding (or a new gunyah-dt) rebuilds it and a touched one
 * does not. A file is written to a temporary name beside it and moved into place, so a reader
 * never sees half of one; an unreadable or stale file is rebuilt, never trusted.
 *
 * <p>A cached set holds each binding's processed JSON as bytes and parses it on first use, with
 * the {@link SelectionIndex} read up front: one DTB's run parses and compiles only the bindings
 * its nodes select.
 */
public final class BindingCache {

    private static final int MAGIC = 0x47445442; // "GDTB"
    /** Bumped when the file layout or the processing changes in a way the build identity misses. */
    private static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The set and how it was had.
     *
     * @param file  the cache file read or written, or null when none could be
     * @param state {@code hit}, {@code built} (written now), or {@code unwritable} (built, not saved: why)
     * @param shared the set's one {@link Validator}, made on first use (it keeps the bindings it compiled)
     */
    public record Result(BindingSet set, Path file, String state, Supplier<Validator> shared) {

        Result(BindingSet set, Path file, String state) {
            this(set, file, state, once(() -> new Validator(set)));
        }

        /** The validator of this set; a process that loads the same cache again gets the same one. */
        public Validator validator() {
            return shared.get();
        }
    }

    /**
     * The last set each cache file gave this process, by the inputs' quick key: a process that
     * lints many times (the resident one, {@code Resident}) reads and compiles a set once. Only the
     * quick key is compared, as for the file itself (make's rule: same sizes and times, same files);
     * with {@link #watchInputs} on, a {@link TreeWatch} over the input folders stands for it while
     * it sees no change, so a request stats no binding file.
     */
    private record Loaded(String statKey, Result result, TreeWatch watch) {}

    private static final Map<Path, Loaded> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    private static volatile boolean watching;

    private BindingCache() {}

    /**
     * Watch the input folders of each set loaded from now on (inotify), so that loading the same
     * set again only asks whether anything under them changed. For a process that loads many
     * times (the resident one); a one-shot run has nothing to gain from it.
     */
    public static void watchInputs() {
        watching = true;
    }

    /**
     * The set {@link BindingSet#loadWithCore} ({@code coreSchemas} non-null) or
     * {@link BindingSet#load(List, boolean)} (with the built-in set) would load, through the
     * cache file {@code file} (null: {@link #defaultFile}).
     */
    public static Result load(Path coreSchemas, List<Path> dirs, Path file) {
        Path target =
                file != null && (!Files.exists(file) || isCacheFile(file)) ? file : defaultFile(coreSchemas, dirs);
        List<Path> roots = new ArrayList<>();
        if (coreSchemas != null) {
            roots.add(coreSchemas);
        }
        roots.addAll(dirs);
        Loaded before = target == null ? null : LOADED.get(target.toAbsolutePath());
        if (before != null
                && before.watch() != null
                && before.watch().roots().equals(roots)
                && before.watch().unchanged()) {
            return before.result();
        }
        // armed before the folders are read: a change after this is seen by the watch, one before by the read
        TreeWatch watch = watching && target != null ? TreeWatch.arm(roots) : null;
        BindingSet.Inputs in = BindingSet.inputs(coreSchemas, dirs, true);
        if (!in.findings().isEmpty()) {
            if (watch != null) {
                watch.close();
            }
            return new Result(BindingSet.build(in), null, "unwritable: a binding directory cannot be read");
        }
        String statKey;
        String key = null;
        try {
            statKey = key(in, true);
            if (before != null && before.statKey().equals(statKey)) {
                return remember(statKey, before.result(), watch);
            }
            if (target != null && Files.isRegularFile(target)) {
                java.nio.ByteBuffer data = map(target);
                Header h = header(data);
                if (h != null) {
                    // sizes and times unchanged: the files are taken to be (make's rule); else their bytes decide
                    if (!h.statKey().equals(statKey)) {
                        key = key(in, false);
                    }
                    if (h.statKey().equals(statKey) || h.contentKey().equals(key)) {
                        BindingSet cached = read(data);
                        if (!h.statKey().equals(statKey)) {
                            rewriteHeader(target, Files.readAllBytes(target), new Header(statKey, h.contentKey()));
                        }
                        return remember(statKey, new Result(cached, target, "hit"), watch);
                    }
                }
            }
            if (key == null) {
                key = key(in, false);
            }
            return remember(statKey, build(in, target, new Header(statKey, key)), watch);
        } catch (IOException | RuntimeException e) {
            if (watch != null) {
                watch.close();
            }
            // an unreadable input or a damaged cache file: built without the cache
            return new Result(BindingSet.build(in), null, "unwritable: " + e.getMessage());
        }
    }

    private static Result remember(String statKey, Result r, TreeWatch watch) {
        Loaded old = r.file() != null ? LOADED.put(r.file().toAbsolutePath(), new Loaded(statKey, r, watch)) : null;
        if (old != null && old.watch() != null && old.watch() != watch) {
            old.watch().close();
        }
        if (r.file() == null && watch != null) {
            watch.close();
        }
        return r;
    }

    /** A set loaded without the cache ({@code lint --no-cache}). */
    public static Result uncached(BindingSet set) {
        return new Result(set, null, "not used");
    }

    /** Whether {@code file} starts as a gunyah-dt binding cache does (any format version). */
    public static boolean isCacheFile(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return new DataInputStream(in).readInt() == MAGIC;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The keys a cache file starts with: of the inputs' sizes and times, and of their bytes. */
    private record Header(String statKey, String contentKey) {}

    private static Result build(BindingSet.Inputs in, Path target, Header keys) {
        BindingSet set = BindingSet.build(in);
        // compile everything once now, so the cache can say which bindings are not applied
        List<Finding> compile = new Validator(set).compileFindings();
        set = new BindingSet(set.bindings(), set.findings(), set.index().withCompileFindings(compile));
        if (target == null) {
            return new Result(set, null, "unwritable: no cache directory ($XDG_CACHE_HOME or $HOME)");
        }
        try {
            write(target, keys, set);
            return new Result(set, target, "built");
        } catch (IOException | UncheckedIOException e) {
            return new Result(set, null, "unwritable: " + target + ": " + e.getMessage());
        }
    }

    /**
     * {@code $XDG_CACHE_HOME/gunyah-dt} (else {@code ~/.cache/gunyah-dt}), one file per set of
     * inputs (core folder and binding directories), named by a hash of their absolute paths; the
     * content key inside decides whether it is current. Null when there is no home.
     */
    public static Path defaultFile(Path coreSchemas, List<Path> dirs) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        String home = System.getProperty("user.home");
        String override = System.getProperty("gunyahdt.cacheDir"); // the build's tests point it into target/
        Path dir = override != null
                ? Path.of(override)
                : xdg != null && !xdg.isBlank()
                        ? Path.of(xdg, "gunyah-dt")
                        : home != null && !home.isBlank() ? Path.of(home, ".cache", "gunyah-dt") : null;
        if (dir == null) {
            return null;
        }
        StringBuilder id = new StringBuilder(
                coreSchemas == null
                        ? "builtin"
                        : coreSchemas.toAbsolutePath().normalize().toString());
        for (Path d : dirs) {
            id.append('\n').append(d.toAbsolutePath().normalize());
        }
        return dir.resolve("bindings-"
                + sha256(id.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16) + ".cache");
    }

    private static String key(BindingSet.Inputs in, boolean statOnly) throws IOException {
        MessageDigest d = digest();
        d.update(
                ("gunyah-dt binding cache " + FORMAT + "\n" + buildIdentity() + "\n").getBytes(StandardCharsets.UTF_8));
        in.feed(d, statOnly);
        return HexFormat.of().formatHex(d.digest());
    }

    /** The file mapped, not read: a run touches the index and the few bindings it needs. */
    private static java.nio.ByteBuffer map(Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            return ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
    }

    /** A stream over a buffer, at its position (which it moves). */
    private static DataInputStream stream(java.nio.ByteBuffer b) {
        return new DataInputStream(new java.io.InputStream() {
            @Override
            public int read() {
                return b.hasRemaining() ? b.get() & 0xff : -1;
            }

            @Override
            public int read(byte[] dst, int off, int len) {
                if (!b.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(len, b.remaining());
                b.get(dst, off, n);
                return n;
            }
        });
    }

    /** The file's keys, or null when it is not a cache file of this format. */
    private static Header header(java.nio.ByteBuffer data) throws IOException {
        java.nio.ByteBuffer b = data.duplicate();
        DataInputStream in = stream(b);
        if (b.remaining() < 8 || in.readInt() != MAGIC || in.readInt() != FORMAT) {
            return null;
        }
        return new Header(in.readUTF(), in.readUTF());
    }

    /** The same file with new keys (both are 64 hex digits, so the rest stays in place). */
    private static void rewriteHeader(Path target, byte[] data, Header keys) {
        try {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(head);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(keys.statKey());
            out.writeUTF(keys.contentKey());
            byte[] h = head.toByteArray();
            byte[] copy = data.clone();
            System.arraycopy(h, 0, copy, 0, h.length);
            replace(target, copy);
        } catch (IOException e) {
            // the stat key stays stale: the next run compares bytes again
        }
    }

    /** Writes {@code bytes} to a temporary file beside {@code target}, then moves it into place. */
    private static void replace(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".gunyah-dt-cache-", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The gunyah-dt build: its jar's size and time (a new build processes anew), or the format alone from classes. */
    private static String buildIdentity() {
        try {
            Path code = Path.of(BindingCache.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(code)) {
                return code.getFileName() + " " + Files.size(code) + " "
                        + Files.getLastModifiedTime(code).toMillis();
            }
        } catch (Exception e) {
            // no code source: the format number alone
        }
        return "classes";
    }

    private static void write(Path target, Header keys, BindingSet set) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeUTF(keys.statKey());
        out.writeUTF(keys.contentKey());
        out.writeInt(set.findings().size());
        for (Finding f : set.findings()) {
            out.writeUTF(f.file());
            out.writeInt(f.line());
            out.writeInt(f.column());
            out.writeUTF(f.keyword());
            out.writeUTF(f.message());
        }
        set.index().write(out);
        out.writeInt(set.bindings().size());
        for (BindingSet.Binding b : set.bindings().values()) {
            out.writeUTF(b.path());
            out.writeUTF(b.file());
            blob(out, JSON.writeValueAsBytes(b.dtSchema()));
            blob(out, b.processedJson());
        }
        out.flush();
        replace(target, bytes.toByteArray());
    }

    private static void blob(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** The cached set (the header already checked). */
    private static BindingSet read(java.nio.ByteBuffer data) throws IOException {
        java.nio.ByteBuffer b = data.duplicate();
        DataInputStream in = stream(b);
        in.readInt();
        in.readInt();
        in.readUTF();
        in.readUTF();
        int n = in.readInt();
        List<Finding> findings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String file = in.readUTF();
            int line = in.readInt();
            int column = in.readInt();
            findings.add(BindingSet.loadFinding(file, line, column, in.readUTF(), in.readUTF()));
        }
        SelectionIndex index = SelectionIndex.read(in);
        int k = in.readInt();
        Map<String, BindingSet.Binding> bindings = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            String path = in.readUTF();
            String file = in.readUTF();
            Supplier<byte[]> dtSchema = blob(b, in.readInt());
            Supplier<byte[]> processed = blob(b, in.readInt());
            bindings.put(
                    path, new BindingSet.Binding(path, file, null, parsed(dtSchema), parsed(processed), processed));
        }
        return new BindingSet(bindings, findings, index);
    }

    /** The {@code len} bytes at the buffer's position (which moves past them), copied out on first use. */
    private static Supplier<byte[]> blob(java.nio.ByteBuffer b, int len) {
        java.nio.ByteBuffer slice = b.slice(b.position(), len);
        b.position(b.position() + len);
        return once(() -> {
            byte[] out = new byte[len];
            slice.duplicate().get(out);
            return out;
        });
    }

    /** The JSON object in {@code bytes}, parsed on the first call only. */
    private static Supplier<ObjectNode> parsed(Supplier<byte[]> bytes) {
        return once(() -> {
            try {
                return (ObjectNode) JSON.readTree(bytes.get());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** {@code s}'s value, computed on the first call only. */
    private static <T> Supplier<T> once(Supplier<T> s) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public T get() {
                T v = value;
                if (v == null) {
                    synchronized (this) { // two threads of one process make it once
                        v = value;
                        if (v == null) {
                            v = s.get();
                            value = v;
                        }
                    }
                }
                return v;
            }
        };
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] b) {
        return HexFormat.of().formatHex(digest().digest(b));
    }
}
