package dev.gunyahdt.bindings;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Directory trees watched for any change since they were armed, so a process that loads the same
 * bindings many times (the resident one) need not stat every file of them per request.
 *
 * <p>On Linux the JDK's {@link WatchService} is inotify: a file created, deleted, renamed, written or
 * touched under a watched folder queues an event in the kernel before the writer's system call
 * returns. The JDK reads those events on a thread of its own, so a change made just before a
 * request could still be on its way; {@link #unchanged} therefore creates a sentinel file in a folder
 * of its own, watched by the same service, and waits for that event: events of one inotify
 * instance arrive in order, so once the sentinel's is seen every earlier change has been seen too.
 *
 * <p>Not seen (the trade-off, as with make's own rule): writes through a shared memory mapping,
 * and changes made by another machine on a network file system. Where watching is not possible
 * (no inotify, the user's watch limit reached, the sentinel cannot be written) {@link #arm}
 * returns null and the caller compares sizes and times of every file instead.
 */
final class TreeWatch {

    /** How long to wait for the sentinel's event before calling the trees changed. */
    private static final long BARRIER_MILLIS = 2000;

    private static WatchService service;
    /** The sentinel folder: a file created in it is the barrier. */
    private static Path sentinel;

    private static WatchKey sentinelKey;
    private static long sentinelWrites;
    /**
     * The watches each key belongs to (the sentinel folder's: none). A folder registered twice
     * with one service has one key, so two watches over the same folder (two sets sharing the
     * core schemas, or a set armed anew before its old watch is closed) share it.
     */
    private static final Map<WatchKey, Set<TreeWatch>> OWNERS = new HashMap<>();

    private final List<Path> roots;
    private final Set<WatchKey> keys = new HashSet<>();
    private boolean changed;

    private TreeWatch(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /**
     * A watch over every folder under {@code roots} (the roots included), armed now: a later change
     * anywhere under them makes {@link #unchanged} false. Null when the trees cannot be watched.
     */
    static synchronized TreeWatch arm(List<Path> roots) {
        TreeWatch w = new TreeWatch(roots);
        try {
            if (!barrierReady()) {
                return null;
            }
            for (Path root : roots) {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                        WatchKey k = dir.register(
                                service,
                                StandardWatchEventKinds.ENTRY_CREATE,
                                StandardWatchEventKinds.ENTRY_DELETE,
                                StandardWatchEventKinds.ENTRY_MODIFY);
                        if (w.keys.add(k)) {
                            OWNERS.computeIfAbsent(k, x -> new HashSet<>()).add(w);
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
            return w;
        } catch (IOException | RuntimeException e) {
            w.close();
            return null;
        }
    }

    /** The roots this watch was armed over. */
    List<Path> roots() {
        return roots;
    }

    /**
     * True when nothing under the trees changed since {@link #arm}: every change finished before
     * this call is taken into account (the sentinel barrier). Once false, always false.
     */
    boolean unchanged() {
        synchronized (TreeWatch.class) {
            if (changed || !keys.stream().allMatch(WatchKey::isValid)) {
                return false;
            }
            // a new name each time: an event left over from an earlier barrier that timed out is no barrier
            String name = "s" + ++sentinelWrites;
            Path file = sentinel.resolve(name);
            try {
                Files.createFile(file);
                Files.delete(file);
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BARRIER_MILLIS);
                while (true) {
                    long left = deadline - System.nanoTime();
                    WatchKey k = left > 0 ? service.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (k == null) {
                        return false; // the barrier did not come back: not known to be unchanged
                    }
                    List<WatchEvent<?>> events = k.pollEvents();
                    k.reset();
                    Set<TreeWatch> owners = OWNERS.get(k);
                    if (owners != null) {
                        owners.forEach(o -> o.changed = true);
                    } else if (k == sentinelKey
                            && events.stream()
                                    .anyMatch(e -> e.context() != null
                                            && e.context().toString().equals(name))) {
                        return !changed;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Stops watching (the set it guarded is no longer kept). */
    void close() {
        synchronized (TreeWatch.class) {
            changed = true;
            for (WatchKey k : keys) {
                Set<TreeWatch> owners = OWNERS.get(k);
                if (owners != null) {
                    owners.remove(this);
                }
                if (owners == null || owners.isEmpty()) {
                    k.cancel(); // the last watch over this folder
                    OWNERS.remove(k);
                }
            }
            keys.clear();
        }
    }

    /** The process's one watch service and its sentinel folder (a private temporary one), made once. */
    private static boolean barrierReady() throws IOException {
        if (service != null) {
            return true;
        }
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return false; // elsewhere the JDK polls each folder on its own schedule: no ordering to wait on
        }
        WatchService s = FileSystems.getDefault().newWatchService();
        try {
            Path dir = Files.createTempDirectory("gunyah-dt-watch-");
            dir.toFile().deleteOnExit();
            WatchKey k = dir.register(s, StandardWatchEventKinds.ENTRY_CREATE);
            service = s;
            sentinel = dir;
            sentinelKey = k;
            return true;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
