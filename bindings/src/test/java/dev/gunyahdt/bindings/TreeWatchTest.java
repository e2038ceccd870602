package dev.gunyahdt.bindings;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watch over binding folders sees every kind of change made before the question, however soon
 * before (the sentinel barrier), including the one the size-and-time key misses.
 */
class TreeWatchTest {

    @TempDir
    Path tmp;

    interface Change {
        void make(Path root) throws Exception;
    }

    private void seen(String what, Change change) throws Exception {
        Path root = tmp.resolve(what);
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("sub/deeper/a.yaml"), "title: a\n");
        Files.writeString(root.resolve("b.yaml"), "title: b\n");
        TreeWatch w = TreeWatch.arm(List.of(root));
        assertNotNull(w, "inotify watches are available here");
        assertTrue(w.unchanged(), what + ": nothing changed yet");
        assertTrue(w.unchanged(), what + ": still nothing");
        change.make(root);
        // asked at once: the answer must already know
        assertFalse(w.unchanged(), what);
        assertFalse(w.unchanged(), what + ": stays changed");
        w.close();
    }

    @Test
    void everyKindOfChangeIsSeenAtOnce() throws Exception {
        seen("edited-deep", r -> Files.writeString(r.resolve("sub/deeper/a.yaml"), "title: A\n"));
        // same size, time put back: the quick key of sizes and times cannot see this one
        seen("edited-same-size-and-time", r -> {
            Path f = r.resolve("b.yaml");
            FileTime t = Files.getLastModifiedTime(f);
            Files.writeString(f, "title: c\n");
            Files.setLastModifiedTime(f, t);
        });
        seen("touched", r -> Files.setLastModifiedTime(r.resolve("b.yaml"), FileTime.fromMillis(0)));
        seen("added", r -> Files.writeString(r.resolve("sub/new.yaml"), "title: n\n"));
        seen("deleted", r -> Files.delete(r.resolve("sub/deeper/a.yaml")));
        seen("renamed", r -> Files.move(r.resolve("b.yaml"), r.resolve("sub/b.yaml")));
        seen("new-folder", r -> Files.createDirectory(r.resolve("sub/deeper/x")));
        seen("root-removed", r -> {
            for (Path p : List.of(
                    r.resolve("sub/deeper/a.yaml"),
                    r.resolve("sub/deeper"),
                    r.resolve("sub"),
                    r.resolve("b.yaml"),
                    r)) {
                Files.delete(p);
            }
        });
    }

    @Test
    void manyQuickEditsAreEachSeen() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("quick"));
        Path f = Files.writeString(root.resolve("a.yaml"), "title: 0\n");
        for (int i = 1; i <= 200; i++) {
            TreeWatch w = TreeWatch.arm(List.of(root));
            assertNotNull(w);
            assertTrue(w.unchanged());
            Files.writeString(f, "title: " + i + "\n");
            assertFalse(w.unchanged(), "edit " + i);
            w.close();
        }
    }

    @Test
    void watchesOverTheSameFolderEachSeeAChange() throws Exception {
        Path core = Files.createDirectories(tmp.resolve("core"));
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        TreeWatch a = TreeWatch.arm(List.of(core, mine));
        TreeWatch b = TreeWatch.arm(List.of(core));
        // a set armed anew before its old watch is closed: closing the old one leaves the new one watching
        TreeWatch c = TreeWatch.arm(List.of(core));
        b.close();
        assertTrue(a.unchanged());
        assertTrue(c.unchanged());
        Files.writeString(core.resolve("types.yaml"), "x: 1\n");
        assertFalse(a.unchanged(), "the first watch over the shared folder");
        assertFalse(c.unchanged(), "the last");
        a.close();
        c.close();
    }

    @Test
    void watchesAreIndependent() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("one"));
        Path two = Files.createDirectories(tmp.resolve("two"));
        TreeWatch a = TreeWatch.arm(List.of(one));
        TreeWatch b = TreeWatch.arm(List.of(two));
        Files.writeString(two.resolve("x.yaml"), "x: 1\n");
        assertTrue(a.unchanged(), "a change elsewhere is not this watch's");
        assertFalse(b.unchanged());
        a.close();
        b.close();
    }
}
