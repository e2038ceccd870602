package dev.gunyahdt.cli;

import dev.gunyahdt.bindings.BindingCache;
import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.bindings.DtSchema;
import dev.gunyahdt.bindings.Validator;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.pipeline.TreeLint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;

/**
 * {@code gunyah-dt lint}: each input (DTS or DTB) through dtc's checks and the binding
 * validator; every finding names file, line and column (DTS), node, property, the violated
 * constraint and the binding that imposed it. Exit 0 clean, 1 findings, 2 usage or I/O.
 */
final class LintCommand {

    private LintCommand() {}

    private static Options options() {
        Options o = new Options();
        o.addOption(CommandLines.option(
                null,
                "bindings",
                "DIR",
                "a directory of dt-schema bindings to add to the built-in Gunyah set (repeatable)"));
        o.addOption(CommandLines.option(
                null,
                "dtschema",
                "DIR|auto",
                "use an installed dt-schema's core schemas (its package folder or its schemas/ folder;"
                        + " 'auto' finds the installed one) instead of the built-in core types"));
        o.addOption(CommandLines.option(null, "format", "FMT", "text (default), json, sarif or junit"));
        o.addOption(CommandLines.option(
                "m",
                "unmatched",
                null,
                "also report nodes whose compatible matches no binding (rule unmatched-compatible)"));
        o.addOption(CommandLines.option("i", "include", "DIR", "include search directory for DTS input (repeatable)"));
        o.addOption(CommandLines.option("W", "warning", "CHECK", "dtc check flag, as dtc -W (e.g. no-simple_bus_reg)"));
        o.addOption(CommandLines.option("E", "error", "CHECK", "dtc check flag, as dtc -E"));
        o.addOption(CommandLines.option(
                "p",
                "processed",
                "FILE",
                "the processed-binding cache to read, or to write when it is missing or stale (default: one file"
                        + " per binding set in $XDG_CACHE_HOME/gunyah-dt, else ~/.cache/gunyah-dt)"));
        o.addOption(
                CommandLines.option(null, "no-cache", null, "load and process the bindings afresh, without the cache"));
        o.addOption(CommandLines.option(
                null,
                "fail-on",
                "LEVEL",
                "error (default): only errors make the exit status 1 and JUnit failures; warning: warnings too"));
        o.addOption(CommandLines.option(
                null,
                "limit",
                "TEXT",
                "only binding findings of bindings whose file name contains TEXT (dt-validate -l)"));
        o.addOption(CommandLines.option("q", "quiet", null, "no summary line and no binding-problem lines on stderr"));
        o.addOption(CommandLines.option("h", "help", null, "print this help"));
        return o;
    }

    static int run(List<String> args, Io io) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(io);
            return 0;
        }
        long started = System.nanoTime();
        FindingFormats.Format format = FindingFormats.Format.parse(cmd.getOptionValue("format", "text"));
        String failOn = failOn(cmd);
        List<String> files = cmd.getArgList();
        if (files.isEmpty()) {
            throw new UsageException("no input files");
        }
        List<CompileOptions.CheckFlag> flags = CommandLines.checkFlags(cmd);

        BindingCache.Result loaded = loadBindings(cmd, bindingDirs(cmd));
        BindingSet set = loaded.set();
        Validator validator = loaded.validator();
        if (!cmd.hasOption("q")) {
            reportBindingProblems(set, validator, io);
        }

        CompileOptions opts = CompileOptions.defaults()
                .withFormats(null, CompileOptions.Format.DTB)
                .withIncludeDirs(CommandLines.includeDirs(cmd))
                .withCheckFlags(flags);
        Compiler compiler = new Compiler(opts);
        Map<String, List<Finding>> byInput = new LinkedHashMap<>();
        boolean ioProblem = false;
        Progress progress = new Progress(io, files.size());
        // the compiled bindings are shared: one thread per core, results in input order
        int threads = Math.max(1, Math.min(files.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(null, r, "lint", 64L << 20);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<Finding>>> futures = new ArrayList<>();
            boolean unmatched = cmd.hasOption("m");
            for (String file : files) {
                futures.add(pool.submit(() -> lintOne(file, compiler, validator, unmatched)));
            }
            for (int i = 0; i < files.size(); i++) {
                try {
                    byInput.put(files.get(i), futures.get(i).get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UsageException u) {
                        io.err().println("gunyah-dt lint: " + u.getMessage());
                        ioProblem = true;
                    } else if (e.getCause() instanceof Exception x) {
                        throw x;
                    } else {
                        throw e;
                    }
                }
                progress.step();
            }
        } finally {
            pool.shutdownNow();
        }
        progress.done();
        if (cmd.hasOption("limit")) {
            String limit = cmd.getOptionValue("limit");
            byInput.replaceAll((k, v) -> v.stream()
                    .filter(f -> !f.rule().equals("schema") && !f.rule().equals("unmatched-compatible")
                            || f.bindings().stream().anyMatch(b -> b.contains(limit)))
                    .toList());
        }
        String out = FindingFormats.render(format, byInput, "gunyah-dt lint", failOn);
        io.out().write(out.getBytes(StandardCharsets.UTF_8));
        io.out().flush();
        List<Finding> all = byInput.values().stream().flatMap(List::stream).toList();
        if (!cmd.hasOption("q")) {
            io.err()
                    .println("gunyah-dt lint: "
                            + FindingFormats.summary(byInput.size(), all, (System.nanoTime() - started) / 1e9));
        }
        return ioProblem ? 2 : all.stream().anyMatch(f -> f.fails(failOn)) ? 1 : 0;
    }

    /** The {@code --bindings} folders, each checked to be one. */
    private static List<Path> bindingDirs(CommandLine cmd) throws UsageException {
        List<Path> dirs = new ArrayList<>();
        for (String d : values(cmd, "bindings")) {
            if (!Files.isDirectory(Path.of(d))) {
                throw new UsageException("--bindings " + d + ": not a directory");
            }
            dirs.add(Path.of(d));
        }
        return dirs;
    }

    /** {@code --fail-on error|warning}, error by default. */
    static String failOn(CommandLine cmd) throws UsageException {
        String level = cmd.getOptionValue("fail-on", "error");
        if (!level.equals("error") && !level.equals("warning")) {
            throw new UsageException("unknown --fail-on '" + level + "' (error or warning)");
        }
        return level;
    }

    /**
     * Binding problems go to stderr, not among the findings about the inputs. A binding that is not
     * in the compiled set is "not used" (dt-mk-schema drops what it cannot process); one kept with a
     * problem (an unresolvable {@code $ref}, which dt-mk-schema does not check) is "used" and says so.
     */
    static void reportBindingProblems(BindingSet set, Validator validator, Io io) {
        Set<String> applied = new HashSet<>();
        set.bindings().values().forEach(b -> applied.add(b.file()));
        List<dev.gunyahdt.bindings.Finding> compile = validator.compileFindings();
        compile.forEach(f -> applied.remove(f.file()));
        List<dev.gunyahdt.bindings.Finding> all = new ArrayList<>(set.findings());
        all.addAll(compile);
        for (dev.gunyahdt.bindings.Finding f : all) {
            io.err()
                    .println("gunyah-dt lint: "
                            + (applied.contains(f.file()) ? "binding used despite: " : "binding not used: ")
                            + f.render());
        }
        if (!all.isEmpty()) {
            io.err()
                    .println("gunyah-dt lint: " + all.size()
                            + " binding problem(s); run 'gunyah-dt check-bindings' on the binding directories");
        }
    }

    /** The findings for one input ({@link TreeLint}); an unreadable file is a usage problem. */
    static List<Finding> lintOne(String file, Compiler compiler, Validator validator, boolean unmatched)
            throws UsageException {
        try {
            return TreeLint.lint(file, compiler, validator, unmatched);
        } catch (IOException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The built-in set plus {@code dirs}, with an installed dt-schema's core set when --dtschema says so. */
    static BindingCache.Result loadBindings(CommandLine cmd, List<Path> dirs) throws UsageException {
        String d = cmd.getOptionValue("dtschema");
        Path core = d == null ? null : dtSchema(d).schemas();
        if (cmd.hasOption("no-cache")) {
            return BindingCache.uncached(
                    core == null ? BindingSet.load(dirs, true) : BindingSet.loadWithCore(core, dirs));
        }
        String p = cmd.getOptionValue("processed");
        if (p != null && Files.isDirectory(Path.of(p))) {
            throw new UsageException("-p " + p + ": a directory, not a cache file");
        }
        return BindingCache.load(core, dirs, p == null ? null : Path.of(p));
    }

    /** The dt-schema a {@code --dtschema DIR|auto} value names; a usage error when there is none. */
    static DtSchema dtSchema(String d) throws UsageException {
        return (d.equals("auto") ? DtSchema.locate() : DtSchema.at(Path.of(d)))
                .orElseThrow(() -> new UsageException("--dtschema " + d + ": "
                        + (d.equals("auto")
                                ? "no installed dt-schema found (apt-get install dt-schema)"
                                : "not a dt-schema package folder (no schemas/types.yaml)")));
    }

    private static List<String> values(CommandLine cmd, String opt) {
        String[] v = cmd.getOptionValues(opt);
        return v == null ? List.of() : List.of(v);
    }

    private static void help(Io io) {
        PrintWriter w = new PrintWriter(io.out(), true);
        new HelpFormatter()
                .printHelp(
                        w,
                        100,
                        "gunyah-dt lint [--bindings DIR]… [--dtschema DIR|auto] [--format text|json|sarif|junit] [--fail-on error|warning] [-m] [-i DIR] FILE…",
                        "\nRuns dtc's checks and validates against devicetree bindings (the built-in Gunyah bindings and "
                                + "core types always, plus each --bindings directory). Input is DTS (preprocessed) or DTB (by its "
                                + "magic number); DTB findings have no line or column. JSON output is an array of objects with "
                                + "file, line, column, node, property, severity, rule (a dtc check name, schema, "
                                + "unmatched-compatible or fatal), schema (the binding file), constraint, schemaLocation and "
                                + "message.\n\n",
                        options(),
                        2,
                        4,
                        "\nExit status: 0 clean (or warnings only, unless --fail-on warning), 1 findings, 2 usage or I/O problem. "
                                + "A summary line (files, errors, warnings, time) goes to stderr.");
        w.flush();
    }
}
