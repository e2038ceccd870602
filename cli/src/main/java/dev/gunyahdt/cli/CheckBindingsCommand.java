package dev.gunyahdt.cli;

import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.bindings.DtSchema;
import dev.gunyahdt.bindings.Examples;
import dev.gunyahdt.bindings.Finding;
import dev.gunyahdt.bindings.MetaChecks;
import dev.gunyahdt.bindings.MetaSchemaCheck;
import dev.gunyahdt.bindings.Validator;
import dev.gunyahdt.bindings.yaml.YamlDocument;
import dev.gunyahdt.bindings.yaml.YamlLoadException;
import dev.gunyahdt.bindings.yaml.YamlLoader;
import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.diag.Severity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;

/**
 * {@code gunyah-dt check-bindings DIR|FILE…}: loads binding documents (with the built-in core
 * types, so {@code /schemas/types.yaml} resolves), reports load errors, unresolved {@code $ref}s,
 * {@code $ref} cycles and the meta-schema basics ({@link MetaChecks}), then compiles each
 * {@code examples:} entry and validates it against the set, as {@code make dt_binding_check} does.
 * With {@code --dtschema}, an installed dt-schema's core schemas replace the built-in core types and
 * each document is also validated against its meta-schemas ({@link MetaSchemaCheck}), as dt-doc-validate does.
 */
final class CheckBindingsCommand {

    private CheckBindingsCommand() {}

    private static Options options() {
        Options o = new Options();
        o.addOption(CommandLines.option(null, "format", "FMT", "text (default), json, sarif or junit"));
        o.addOption(CommandLines.option(
                "i", "include", "DIR", "include search directory for the examples' #include lines (repeatable)"));
        o.addOption(CommandLines.option(
                "W",
                "warning",
                "CHECK",
                "dtc check flag for compiling the examples, as dtc -W (after the kernel's defaults)"));
        o.addOption(CommandLines.option("E", "error", "CHECK", "dtc check flag for compiling the examples, as dtc -E"));
        o.addOption(CommandLines.option(
                null,
                "dtschema",
                "DIR|auto",
                "use an installed dt-schema (its package folder; 'auto' finds it): its core schemas replace the"
                        + " built-in core types, and every document is validated against its meta-schemas"
                        + " (rule meta-schema), as dt-doc-validate does"));
        o.addOption(CommandLines.option(
                "u",
                "schema-root",
                "ROOT",
                "the schema root (as dt-doc-validate -u): every binding under it is loaded, so $refs resolve and"
                        + " $ids are read against it; only the given files and directories are checked. Without it,"
                        + " the root a document's $id names is used"));
        o.addOption(CommandLines.option(null, "no-examples", null, "do not compile and validate the examples"));
        o.addOption(CommandLines.option("h", "help", null, "print this help"));
        return o;
    }

    static int run(List<String> args, Io io) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(io);
            return 0;
        }
        FindingFormats.Format format = FindingFormats.Format.parse(cmd.getOptionValue("format", "text"));
        if (cmd.getArgList().isEmpty()) {
            throw new UsageException("no binding directory or file given");
        }
        Inputs in = inputs(cmd);
        List<Path> dirs = in.dirs();
        List<Path> files = in.files();
        Set<Path> targets = in.targets();
        DtSchema dtSchema = null;
        MetaSchemaCheck meta = null;
        String d = cmd.getOptionValue("dtschema");
        if (d != null) {
            dtSchema = LintCommand.dtSchema(d);
            try {
                meta = MetaSchemaCheck.load(dtSchema);
            } catch (java.io.IOException e) {
                throw new UsageException("--dtschema " + d + ": " + e.getMessage());
            }
        }
        List<CompileOptions.CheckFlag> flags = new ArrayList<>(KERNEL_EXAMPLE_FLAGS);
        flags.addAll(CommandLines.checkFlags(cmd));
        BindingSet set = dtSchema == null
                ? BindingSet.load(dirs, files, true)
                : BindingSet.loadWithCore(dtSchema.schemas(), dirs, files);
        List<dev.gunyahdt.dt.diag.Finding> all = check(
                set,
                meta,
                targets,
                CommandLines.includeDirs(cmd),
                flags,
                !cmd.hasOption("no-examples"),
                new Progress(io, targets.size()));
        List<String> names = targets.stream().map(Path::toString).toList();
        io.out()
                .write(FindingFormats.render(
                                format, FindingFormats.byFile(names, all), "gunyah-dt check-bindings", "warning")
                        .getBytes(StandardCharsets.UTF_8));
        io.out().flush();
        if (format == FindingFormats.Format.TEXT && all.isEmpty() && io.interactive()) {
            io.err().println(targets.size() + " binding file(s) clean");
        }
        return all.isEmpty() ? 0 : 1;
    }

    /** The arguments' binding files, and the schema roots (or lone files) loaded to resolve their $refs. */
    private record Inputs(List<Path> dirs, List<Path> files, Set<Path> targets) {}

    private static Inputs inputs(CommandLine cmd) throws UsageException {
        Path root = null;
        if (cmd.hasOption("u")) {
            root = Path.of(cmd.getOptionValue("u"));
            if (!Files.isDirectory(root)) {
                throw new UsageException("-u " + root + ": not a directory");
            }
        }
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        Set<Path> targets = new LinkedHashSet<>();
        for (String a : cmd.getArgList()) {
            Path p = Path.of(a);
            List<Path> own = new ArrayList<>();
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(own::add);
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new UsageException("cannot read " + a + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(p) && Files.isReadable(p)) {
                own.add(p);
            } else {
                throw new UsageException("cannot read " + a + ": no such file or directory");
            }
            // the schema root the documents sit under (-u, else the one their $id names) is loaded whole,
            // so $refs resolve through it and $ids are read against it; only the arguments are checked
            Path r = root != null ? root : SchemaRoot.of(p, own);
            if (r == null) {
                if (Files.isDirectory(p)) {
                    dirs.add(p);
                } else {
                    files.add(p);
                }
            } else if (!dirs.contains(r)) {
                dirs.add(r);
            }
            targets.addAll(own);
        }
        return new Inputs(dirs, files, targets);
    }

    /**
     * The dtc flags {@code make dt_binding_check} compiles the examples with: Linux 6.1's
     * Documentation/devicetree/bindings/Makefile overrides DTC_FLAGS with exactly these.
     */
    static final List<CompileOptions.CheckFlag> KERNEL_EXAMPLE_FLAGS = List.of(
            new CompileOptions.CheckFlag("no-avoid_unnecessary_addr_size", false),
            new CompileOptions.CheckFlag("no-graph_child_address", false),
            new CompileOptions.CheckFlag("no-interrupt_provider", false),
            new CompileOptions.CheckFlag("no-unique_unit_address", false),
            new CompileOptions.CheckFlag("unique_unit_address_if_enabled", false));

    /** {@code meta}: the installed meta-schemas to validate each target against, or null. */
    static List<dev.gunyahdt.dt.diag.Finding> check(
            BindingSet set,
            MetaSchemaCheck meta,
            Set<Path> targets,
            List<Path> includeDirs,
            List<CompileOptions.CheckFlag> checkFlags,
            boolean examples,
            Progress progress) {
        Validator validator = new Validator(set);
        List<dev.gunyahdt.dt.diag.Finding> out = new ArrayList<>();
        // only the documents checked (and the built-in ones): not the rest of a schema root loaded to resolve
        // $refs, nor an installed dt-schema's own core schemas (lint: "binding not used")
        Set<Path> checked = new java.util.HashSet<>();
        targets.forEach(t -> checked.add(t.toAbsolutePath().normalize()));
        for (Finding f : set.findings()) {
            if (f.file().startsWith("builtin:")
                    || checked.contains(Path.of(f.file()).toAbsolutePath().normalize())) {
                out.add(bindingFinding(f, f.keyword()));
            }
        }
        for (Finding f : validator.compileFindings()) {
            if (f.file().startsWith("builtin:")
                    || checked.contains(Path.of(f.file()).toAbsolutePath().normalize())) {
                out.add(bindingFinding(f, f.keyword()));
            }
        }
        Set<Path> usable = new java.util.HashSet<>();
        set.bindings().values().forEach(b -> {
            if (!b.file().startsWith("builtin:")) {
                usable.add(Path.of(b.file()).toAbsolutePath().normalize());
            }
        });
        YamlLoader loader = new YamlLoader();
        Compiler compiler = new Compiler(CompileOptions.defaults()
                .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB)
                .withIncludeDirs(includeDirs)
                .withCheckFlags(checkFlags));
        for (Path target : targets) {
            String file = target.toString();
            String text;
            YamlDocument doc;
            try {
                text = Files.readString(target, StandardCharsets.UTF_8);
                doc = loader.load(file, text);
            } catch (IOException | YamlLoadException | RuntimeException e) {
                progress.step();
                continue; // the set's load findings already say why
            }
            for (Finding f : MetaChecks.check(doc, file)) {
                out.add(bindingFinding(f, "meta"));
            }
            if (meta != null) {
                List<Finding> own = new ArrayList<>(meta.check(doc, file));
                own.addAll(meta.checkReferences(doc, file, set));
                for (Finding f : own) {
                    out.add(new dev.gunyahdt.dt.diag.Finding(
                            f.file(),
                            f.line(),
                            f.column(),
                            null,
                            null,
                            Severity.ERROR,
                            MetaSchemaCheck.RULE,
                            f.binding(),
                            f.keyword(),
                            f.schemaLocation(),
                            f.message()));
                }
            }
            Examples.Source src =
                    examples && usable.contains(target.toAbsolutePath().normalize()) ? Examples.of(doc, text) : null;
            if (src != null) {
                out.addAll(examples(file, src, compiler, validator));
            }
            progress.step();
        }
        progress.done();
        return out;
    }

    private static dev.gunyahdt.dt.diag.Finding bindingFinding(Finding f, String rule) {
        return new dev.gunyahdt.dt.diag.Finding(
                f.file(),
                f.line() > 0 ? f.line() : null,
                f.line() > 0 ? f.column() : null,
                null,
                null,
                Severity.ERROR,
                rule,
                f.binding(),
                null,
                null,
                f.message());
    }

    /**
     * Compiles a file's examples as one source (as dt_binding_check does) from a temporary file and
     * validates the tree; positions are mapped back to the binding, each finding to its example.
     */
    private static List<dev.gunyahdt.dt.diag.Finding> examples(
            String binding, Examples.Source src, Compiler compiler, Validator validator) {
        List<dev.gunyahdt.dt.diag.Finding> out = new ArrayList<>();
        Path tmp = null;
        try {
            tmp = Files.createTempFile("gunyah-dt-example-", ".dts");
            Files.writeString(tmp, src.dts(), StandardCharsets.UTF_8);
            String tmpName = tmp.toString();
            Compilation c;
            try {
                c = compiler.compile(tmp, null, "-");
            } catch (DtException e) {
                out.add(exampleFinding(
                        binding,
                        src,
                        tmpName,
                        e.span(),
                        null,
                        null,
                        Severity.ERROR,
                        "fatal",
                        null,
                        null,
                        e.getMessage()));
                return out;
            }
            for (Diagnostic d : c.diagnostics()) {
                out.add(exampleFinding(
                        binding,
                        src,
                        tmpName,
                        d.span(),
                        d.nodePath(),
                        d.property(),
                        d.severity(),
                        d.rule(),
                        null,
                        null,
                        d.message()));
            }
            if (c.tree() != null && c.output() != null) {
                out.addAll(validated(binding, src, tmpName, c, validator));
            }
        } catch (IOException e) {
            out.add(new dev.gunyahdt.dt.diag.Finding(
                    binding,
                    null,
                    null,
                    null,
                    null,
                    Severity.ERROR,
                    "example",
                    binding,
                    null,
                    null,
                    "examples: cannot write a temporary file: " + e.getMessage()));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
        return out;
    }

    /** An example's compiled blob validated as dt_binding_check validates it, findings in source-line order. */
    private static List<dev.gunyahdt.dt.diag.Finding> validated(
            String binding, Examples.Source src, String tmpName, Compilation c, Validator validator) {
        List<dev.gunyahdt.dt.diag.Finding> out = new ArrayList<>();
        // dt_binding_check validates the compiled blob (values typed by the binding set, not by the
        // source's <…> groups); positions come from the source tree, by node and property
        dev.gunyahdt.dt.DeviceTree blob = dev.gunyahdt.dt.dtb.DtbReader.read(c.output(), tmpName);
        List<Finding> found = new ArrayList<>();
        for (Finding f : validator.validate(blob, tmpName)) {
            found.add(positioned(f, c.tree()));
        }
        // in the examples' line order (the validator's order per node is by binding and keyword)
        found.sort(java.util.Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
        for (Finding f : found) {
            SourceSpan s = f.line() > 0 ? SourceSpan.point(f.file(), f.line(), f.column()) : null;
            out.add(exampleFinding(
                    binding,
                    src,
                    tmpName,
                    s,
                    f.node(),
                    f.property(),
                    Severity.ERROR,
                    "schema",
                    f.keyword(),
                    f.schemaLocation(),
                    f.message() + " (binding " + f.binding() + ")"));
        }
        return out;
    }

    /** A blob's finding at the source position of its property (else its node) in the compiled source tree. */
    private static Finding positioned(Finding f, dev.gunyahdt.dt.DeviceTree source) {
        SourceSpan span = source.find(f.node())
                .map(n -> f.property() != null
                        ? n.node()
                                .property(f.property())
                                .map(dev.gunyahdt.dt.Property::span)
                                .orElse(n.node().span())
                        : n.node().span())
                .orElse(null);
        return span == null
                ? f
                : new Finding(
                        span.file(),
                        span.firstLine(),
                        span.firstColumn(),
                        f.node(),
                        f.property(),
                        f.keyword(),
                        f.schemaLocation(),
                        f.binding(),
                        f.message());
    }

    private static dev.gunyahdt.dt.diag.Finding exampleFinding(
            String binding,
            Examples.Source src,
            String tmpName,
            SourceSpan span,
            String node,
            String property,
            Severity severity,
            String check,
            String constraint,
            String schemaLocation,
            String message) {
        Integer line = null;
        Integer column = null;
        boolean inSource = span != null && span.file().equals(tmpName);
        Examples.Example ex = inSource ? src.at(span.firstLine()) : null;
        Examples.Example byNode = src.byNode(node);
        if (ex == null || (byNode != null && !ex.holds(span.firstLine()))) {
            ex = byNode != null ? byNode : src.examples().get(0);
        }
        if (inSource) {
            int l = ex.bindingLine(span.firstLine());
            if (l > 0) {
                line = l;
                column = span.firstColumn() + ex.indent();
            }
        }
        if (line == null && ex.firstLine() > 0) {
            line = ex.firstLine() - 1; // the example's '- |' line
            column = 1;
        }
        return new dev.gunyahdt.dt.diag.Finding(
                binding,
                line,
                column,
                node,
                property,
                severity,
                "example",
                binding,
                constraint != null ? constraint : check,
                schemaLocation,
                "example " + ex.index() + ": " + check + ": " + message);
    }

    private static void help(Io io) {
        PrintWriter w = new PrintWriter(io.out(), true);
        new HelpFormatter()
                .printHelp(
                        w,
                        100,
                        "gunyah-dt check-bindings [--dtschema DIR|auto] [--format text|json|sarif|junit] [-i DIR] DIR|FILE…",
                        "\nChecks devicetree binding documents: YAML loading, $ref resolution and cycles, $id against the "
                                + "file's place, the meta-schema basics dt-doc-validate enforces ($schema, title, maintainers, "
                                + "allowed top-level keys, property schemas that are schemas, vendor properties with a type), "
                                + "then compiles every examples: entry (wrapped in a root node, as make dt_binding_check does) and "
                                + "validates it against the bindings. The built-in core types and Gunyah bindings are always "
                                + "loaded, so /schemas/types.yaml resolves. A single FILE is placed under its schema root by "
                                + "its $id. With --dtschema, an installed dt-schema's core schemas are used instead of the built-in "
                                + "core types and each document is validated against dt-schema's meta-schemas (the one its $schema "
                                + "names), as dt-doc-validate does; findings name the keyword and the meta-schema file.\n\n",
                        options(),
                        2,
                        4,
                        "\nExit status: 0 clean, 1 findings, 2 usage or I/O problem.");
        w.flush();
    }
}
