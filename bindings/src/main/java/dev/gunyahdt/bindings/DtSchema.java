package dev.gunyahdt.bindings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An installed dt-schema (the Python package): its core schemas ({@code schemas/}) and
 * meta-schemas ({@code meta-schemas/}) sit in the package folder. Debian's {@code dt-schema}
 * puts it under {@code /usr/lib/python3/dist-packages/dtschema}.
 */
public record DtSchema(Path root) {

    /** The folder of core schemas ({@code types.yaml}, {@code dt-core.yaml}, …). */
    public Path schemas() {
        return root.resolve("schemas");
    }

    /** The folder of meta-schemas dt-doc-validate checks bindings against. */
    public Path metaSchemas() {
        return root.resolve("meta-schemas");
    }

    /**
     * {@code dir} as a dt-schema package folder: either the folder holding {@code schemas/types.yaml}
     * or the {@code schemas} folder itself.
     */
    public static Optional<DtSchema> at(Path dir) {
        if (Files.isRegularFile(dir.resolve("schemas/types.yaml"))) {
            return Optional.of(new DtSchema(dir));
        }
        if (Files.isRegularFile(dir.resolve("types.yaml")) && dir.getParent() != null) {
            return Optional.of(new DtSchema(dir.getParent()));
        }
        return Optional.empty();
    }

    /**
     * The installed dt-schema: asks {@code python3} where the {@code dtschema} package is, then
     * tries the usual Debian and pip folders.
     */
    public static Optional<DtSchema> locate() {
        // once per process (python3 costs tens of ms), while its folder is still there
        Optional<DtSchema> before = located;
        if (before != null
                && before.map(d -> Files.isRegularFile(d.schemas().resolve("types.yaml")))
                        .orElse(false)) {
            return before;
        }
        Optional<DtSchema> now = search();
        located = now;
        return now;
    }

    private static volatile Optional<DtSchema> located;

    private static Optional<DtSchema> search() {
        List<Path> candidates = new ArrayList<>();
        for (String py : List.of("/usr/bin/python3", "python3")) {
            pythonPackageDir(py).ifPresent(candidates::add);
        }
        candidates.add(Path.of("/usr/lib/python3/dist-packages/dtschema"));
        for (String base : List.of("/usr/local/lib", "/usr/lib", System.getProperty("user.home") + "/.local/lib")) {
            try (var s = Files.list(Path.of(base))) {
                s.filter(p -> p.getFileName().toString().startsWith("python3"))
                        .sorted()
                        .forEach(p -> {
                            candidates.add(p.resolve("dist-packages/dtschema"));
                            candidates.add(p.resolve("site-packages/dtschema"));
                        });
            } catch (IOException | RuntimeException e) {
                // not there: try the next folder
            }
        }
        for (Path c : candidates) {
            Optional<DtSchema> d = at(c);
            if (d.isPresent()) {
                return d;
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> pythonPackageDir(String python) {
        try {
            // find_spec locates the package without running it (importing dtschema costs ~0.3 s of CPU)
            Process p = new ProcessBuilder(
                            python,
                            "-c",
                            "import importlib.util as u;s=u.find_spec('dtschema');print(s.submodule_search_locations[0])")
                    .redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // the answer is one short line, well within the pipe's buffer: wait first, never block on read
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            byte[] out = p.getInputStream().readAllBytes();
            String dir = new String(out, StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && !dir.isEmpty() ? Optional.of(Path.of(dir)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
