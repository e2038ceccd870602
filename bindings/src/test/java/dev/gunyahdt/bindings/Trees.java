package dev.gunyahdt.bindings;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test helpers: compile DTS text or a test resource into a resolved DeviceTree. */
final class Trees {

    private static final Compiler COMPILER =
            new Compiler(CompileOptions.defaults().withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB));

    private Trees() {}

    static Path resource(String name) {
        try {
            return Path.of(Trees.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static DeviceTree compile(Path dts) {
        Compilation c = COMPILER.compile(dts, null, "-");
        if (c.tree() == null) {
            throw new IllegalStateException("does not compile: " + c.messages());
        }
        return c.tree();
    }

    static Path write(Path dir, String name, String text) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Finding> validate(Validator v, Path dts) {
        return v.validate(compile(dts), dts.toString());
    }
}
