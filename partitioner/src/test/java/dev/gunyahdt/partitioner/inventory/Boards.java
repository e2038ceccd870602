package dev.gunyahdt.partitioner.inventory;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Compiles test inputs with the project's own front end. */
final class Boards {

    /** The repository root, seen from the partitioner module where surefire runs. */
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private Boards() {}

    static CompileOptions options(List<Path> includes, boolean cpp, boolean force) {
        CompileOptions d = CompileOptions.defaults();
        return new CompileOptions(
                CompileOptions.Format.DTS,
                CompileOptions.Format.DTB,
                d.dtb(),
                -1,
                force,
                includes,
                false,
                d.phandles(),
                List.of(),
                false,
                false,
                false,
                cpp,
                Map.of());
    }

    /** A board file, preprocessed with boards/include on the include path. */
    static DeviceTree board(String relative) {
        Compilation c = new Compiler(options(List.of(REPO.resolve("boards/include")), true, false))
                .compile(REPO.resolve(relative), null, "-");
        if (c.failed()) {
            throw new AssertionError(relative + " does not compile: " + c.messages());
        }
        return c.tree();
    }

    /** A small hand-written source (no preprocessor). */
    static DeviceTree dts(String source) {
        Compilation c = new Compiler(options(List.of(), false, false))
                .compile(Path.of("-"), source.getBytes(StandardCharsets.ISO_8859_1), "-");
        if (c.failed()) {
            throw new AssertionError("test source does not compile: " + c.messages());
        }
        return c.tree();
    }
}
