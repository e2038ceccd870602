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

    /** The file, or null when it is nowhere on the search path. */
    public Path resolve(String name, Path includingDir) {
        List<Path> candidates = new ArrayList<>();
        Path p = Path.of(name);
        if (p.isAbsolute()) {
            candidates.add(p);
        } else {
            candidates.add(includingDir.resolve(p));
            for (Path d : searchDirs) {
                candidates.add(d.resolve(p));
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                used.add(c);
                return c;
            }
        }
        return null;
    }

    /** Every file resolved so far, in first-use order. */
    public List<Path> used() {
        return List.copyOf(used);
    }
}
