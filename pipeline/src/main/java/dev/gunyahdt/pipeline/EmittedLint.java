package dev.gunyahdt.pipeline;

import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.bindings.Validator;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.emit.ConfigEmitter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code build}'s lint: the board's tree against the built-in bindings (its dtc checks ran when it
 * compiled), then the config it is about to write: every DTB (system and each VM) goes
 * through exactly what {@code gunyah-dt lint FILE.dtb} runs ({@link TreeLint}) — dtc's checks and the
 * built-in bindings — before anything is written to the output directory. The blobs are staged in a
 * private temp directory (so lint reads the same bytes from a file), and findings name the
 * path each blob will have.
 */
final class EmittedLint {

    private final Validator validator;
    private final List<dev.gunyahdt.bindings.Finding> bindingProblems;

    EmittedLint() {
        BindingSet set = BindingSet.load(List.of(), true);
        validator = new Validator(set);
        List<dev.gunyahdt.bindings.Finding> problems = new ArrayList<>(set.findings());
        problems.addAll(validator.compileFindings());
        bindingProblems = List.copyOf(problems);
    }

    /** Problems with the built-in bindings themselves (a gunyah-dt bug; build reports them). */
    List<dev.gunyahdt.bindings.Finding> bindingProblems() {
        return bindingProblems;
    }

    /** The board's own tree against the bindings, positioned in its source. */
    List<Finding> board(DeviceTree tree, String file) {
        return validator.validate(tree, file).stream().map(dev.gunyahdt.bindings.Finding::asSchemaFinding).toList();
    }

    /** Every DTB of the rendered config, findings named by the path each blob will have. */
    List<Finding> config(ConfigEmitter.Rendered rendered, Path outDir) throws IOException {
        Compiler compiler = new Compiler(CompileOptions.defaults().withFormats(null, CompileOptions.Format.DTB));
        List<Finding> out = new ArrayList<>();
        Path stage = Files.createTempDirectory("gunyah-dt-build-lint");
        try {
            for (Map.Entry<String, byte[]> e : rendered.files().entrySet()) {
                if (!e.getKey().endsWith(".dtb")) {
                    continue;
                }
                Path staged = stage.resolve(e.getKey());
                Files.createDirectories(staged.getParent());
                Files.write(staged, e.getValue());
                String target = outDir.resolve(e.getKey()).toString();
                for (Finding f : TreeLint.lint(staged.toString(), compiler, validator, false)) {
                    out.add(f.file().equals(staged.toString()) ? f.withFile(target) : f);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(stage)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return out;
    }
}
