package dev.gunyahdt.dt.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the files named by {@code /include/} and {@code /incbin/}: first beside the including
 * file, then in each {@code -i} directory in order, as dtc does. Records every file it hands out
 * (for dtc's {@code -d} dependency file).
 */
public final class IncludeResolver {

    private final List<Path> searchDirs;
    private final Set<Path> used = new LinkedHashSet<>();

    public IncludeResolver(List<Path> searchDirs) {
        this.searchDirs = List.copyOf(searchDirs);
    }

    /** The file, or null when it is nowhere on the search path ({@link #whyNotFound} says why). */
    public Path resolve(String name, Path includingDir) {
        for (Path c : candidates(name, includingDir)) {
            if (Files.isRegularFile(c)) {
                used.add(c);
                return c;
            }
        }
        return null;
    }

    /** Why {@link #resolve} found nothing, in the words dtc's "Couldn't open" message ends with. */
    public String whyNotFound(String name, Path includingDir) {
        if (name.indexOf('\0') >= 0) {
            return "file name contains a NUL character";
        }
        for (Path c : candidates(name, includingDir)) {
            // only regular files are read: /dev/zero or a FIFO would never end
            if (Files.exists(c)) {
                return "not a regular file";
            }
        }
        return "No such file or directory";
    }

    /** Where {@code name} may be, in search order; none when no path can hold it (a NUL). */
    private List<Path> candidates(String name, Path includingDir) {
        if (name.indexOf('\0') >= 0) {
            return List.of();
        }
        List<Path> candidates = new ArrayList<>();
        Path p = Path.of(name);
        if (p.isAbsolute()) {
            candidates.add(p);
        } else {
            if (includingDir != null) {
                candidates.add(includingDir.resolve(p));
            }
            for (Path d : searchDirs) {
                candidates.add(d.resolve(p));
            }
        }
        return candidates;
    }

    /**
     * The directory of a source file name as positions carry it (a line marker may set any
     * text); null when no path can hold the name, so only the search path is tried.
     */
    public static Path dirOf(String file) {
        if (file.indexOf('\0') >= 0) {
            return null;
        }
        Path p = Path.of(file).getParent();
        return p == null ? Path.of("") : p;
    }

    /** Every file resolved so far, in first-use order. */
    public List<Path> used() {
        return List.copyOf(used);
    }
}
