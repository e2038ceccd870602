package dev.gunyahdt.pipeline;

import dev.gunyahdt.bindings.Validator;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.diag.Severity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code gunyah-dt lint FILE} finds in one DTS or DTB: dtc's checks, then the bindings, then
 * (when asked) compatibles no binding documents. {@code build} and {@code boot} lint the trees they
 * write through this same call.
 */
public final class TreeLint {

    private TreeLint() {
    }

    /**
     * The findings for one input, in order: dtc's checks, then the bindings, then unmatched
     * compatibles; an input that does not compile is one {@code fatal} finding.
     *
     * @throws IOException the file cannot be read (missing, a folder, unreadable)
     */
    public static List<Finding> lint(String file, Compiler compiler, Validator validator, boolean unmatched)
            throws IOException {
        Path path = Path.of(file);
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw new IOException("cannot read " + file + (Files.exists(path) ? "" : ": no such file"));
        }
        List<Finding> out = new ArrayList<>();
        Compilation c;
        try {
            c = compiler.compile(path, null, "-");
        } catch (DtException e) {
            out.add(Finding.fatal(e, file));
            return out;
        } catch (UncheckedIOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (Diagnostic d : c.diagnostics()) {
            out.add(Finding.of(d, file));
        }
        if (c.tree() == null) {
            return out;
        }
        for (dev.gunyahdt.bindings.Finding f : validator.validate(c.tree(), file)) {
            out.add(f.asSchemaFinding());
        }
        if (unmatched) {
            c.tree().walk(at -> unmatched(at, file, validator, out));
        }
        return Finding.mergeByConstraint(out);
    }

    private static void unmatched(NodeCursor at, String file, Validator validator, List<Finding> out) {
        Optional<Property> compat = at.node().property("compatible");
        if (compat.isEmpty() || !compat.get().value().isStringList()) {
            return;
        }
        List<String> strings = compat.get().value().asStrings();
        if (validator.documentsNode(strings)) {
            return;
        }
        out.add(Finding.at(compat.get().span(), file, at.path(), "compatible", Severity.WARNING,
                "unmatched-compatible", "no binding matches compatible "
                        + strings.stream().map(x -> "'" + x + "'").collect(Collectors.joining(", "))));
    }
}
