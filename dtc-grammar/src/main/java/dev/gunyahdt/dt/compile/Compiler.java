package dev.gunyahdt.dt.compile;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.checks.CheckConfig;
import dev.gunyahdt.dt.checks.CheckResult;
import dev.gunyahdt.dt.checks.Checker;
import dev.gunyahdt.dt.cpp.Preprocessor;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.diag.Severity;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.dtb.DtbWriter;
import dev.gunyahdt.dt.overlay.GeneratedNodes;
import dev.gunyahdt.dt.print.DtsPrinter;
import dev.gunyahdt.dt.print.TreeSorter;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * dtc's pipeline, stage by stage: read (preprocess + parse, or decode a blob) → checks (which
 * also resolve references) → generated nodes (-A, -@, fixups) → sort (-s) → write (dtb or dts).
 * Each stage takes a DeviceTree and returns a new one.
 *
 * <p>A Compiler may be reused for many files (the batch form): the preprocessor's cache of
 * headers is shared between them, everything else is per compilation. Thread-safe.
 */
public final class Compiler {

    private final CompileOptions options;
    private final Preprocessor preprocessor;
    private final StageTimes times = new StageTimes();

    public Compiler(CompileOptions options) {
        this.options = options;
        Map<String, String> defines = new HashMap<>(options.defines());
        defines.putIfAbsent("__DTS__", "1");
        this.preprocessor = new Preprocessor(options.includeDirs(), defines);
    }

    public CompileOptions options() {
        return options;
    }

    /** CPU time per stage over every compilation so far. */
    public StageTimes times() {
        return times;
    }

    /**
     * Compiles one input. {@code input} of "-" reads {@code stdin} bytes given by the caller;
     * {@code outName} is the output's name as dtc prints it in messages without a position
     * ("-" for stdout).
     *
     * @throws DtException for a fatal input error (syntax, corrupt blob, missing include)
     */
    public Compilation compile(Path input, byte[] stdin, String outName) {
        List<Compilation.Message> messages = new ArrayList<>();
        Set<Path> deps = new LinkedHashSet<>();
        String inName = stdin != null ? "<stdin>" : input.toString();
        byte[] raw = stdin != null ? stdin : readInput(input);
        CompileOptions.Format in = options.inFormat() != null ? options.inFormat() : guessInput(inName, raw);
        CompileOptions.Format out = options.outFormat() != null ? options.outFormat() : guessOutput(outName, in);

        // 1. read
        DeviceTree tree;
        long t = StageTimes.now();
        if (in == CompileOptions.Format.DTB) {
            deps.add(Path.of(inName));
            tree = DtbReader.read(raw, inName);
            times.add(StageTimes.Stage.DECODE_BLOB, t);
        } else {
            tree = readSource(input, raw, inName, deps);
        }
        if (options.bootCpu() >= 0) {
            tree = tree.withBootCpuidPhys(options.bootCpu());
        }

        // 2. checks, including reference resolution
        CheckConfig config =
                CheckConfig.defaults().phandleFormat(options.phandles()).generateSymbols(options.symbols());
        for (CompileOptions.CheckFlag f : options.checkFlags()) {
            config.apply(f.flag(), f.error());
        }
        t = StageTimes.now();
        CheckResult checked = Checker.run(tree, config, outName);
        times.add(StageTimes.Stage.CHECKS, t);
        for (Diagnostic d : checked.diagnostics()) {
            messages.add(new Compilation.Message(
                    d.rendered(),
                    d.severity() == Severity.ERROR ? Compilation.Level.ERROR : Compilation.Level.WARNING));
        }
        if (checked.hadErrors()) {
            if (!options.force()) {
                messages.add(new Compilation.Message(
                        "ERROR: Input tree has errors, aborting (use -f to force output)", Compilation.Level.ALWAYS));
                return new Compilation(null, checked.tree(), messages, checked.diagnostics(), List.copyOf(deps), true);
            }
            messages.add(
                    new Compilation.Message("Warning: Input tree has errors, output forced", Compilation.Level.ALWAYS));
        }
        tree = checked.tree();

        // 3. generated nodes, in dtc's order
        t = StageTimes.now();
        List<String> notes = new ArrayList<>();
        if (options.autoAlias()) {
            tree = GeneratedNodes.autoAliases(tree, notes::add);
        }
        if (options.symbols()) {
            tree = GeneratedNodes.symbols(tree, options.phandles(), checked.nextPhandle(), notes::add)
                    .tree();
        }
        if (tree.plugin() || options.localFixups()) {
            tree = GeneratedNodes.fixups(tree);
        }
        for (String n : notes) {
            messages.add(new Compilation.Message(n, Compilation.Level.WARNING));
        }
        times.add(StageTimes.Stage.GENERATED_NODES, t);

        // 4. sort
        if (options.sort()) {
            t = StageTimes.now();
            tree = TreeSorter.sort(tree);
            times.add(StageTimes.Stage.SORT, t);
        }

        // 5. write
        t = StageTimes.now();
        byte[] bytes = out == CompileOptions.Format.DTB
                ? DtbWriter.write(tree, options.dtb())
                : DtsPrinter.print(tree).getBytes(StandardCharsets.ISO_8859_1);
        times.add(StageTimes.Stage.WRITE, t);
        return new Compilation(bytes, tree, messages, checked.diagnostics(), List.copyOf(deps), false);
    }

    private DeviceTree readSource(Path input, byte[] raw, String inName, Set<Path> deps) {
        IncludeResolver resolver = new IncludeResolver(options.includeDirs());
        String text;
        if (options.cpp() && input != null && !"-".equals(input.toString())) {
            long t = StageTimes.now();
            Preprocessor.Result pp = preprocessor.run(input);
            times.add(StageTimes.Stage.PREPROCESS, t);
            text = pp.text();
            deps.addAll(pp.dependencies());
        } else {
            text = new String(raw, StandardCharsets.ISO_8859_1);
            deps.add(Path.of(inName));
        }
        long t = StageTimes.now();
        DeviceTree tree = DtsSource.parse(text, inName, resolver);
        times.add(StageTimes.Stage.PARSE, t);
        deps.addAll(resolver.used());
        return tree;
    }

    private static byte[] readInput(Path input) {
        try {
            return Files.readAllBytes(input);
        } catch (IOException e) {
            throw new DtException("Couldn't open \"" + input + "\": " + reason(e));
        }
    }

    static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** dtc's guess: a blob's magic number wins, then the extension; source otherwise. */
    static CompileOptions.Format guessInput(String name, byte[] raw) {
        if (raw.length >= 4
                && (raw[0] & 0xff) == 0xd0
                && (raw[1] & 0xff) == 0x0d
                && (raw[2] & 0xff) == 0xfe
                && (raw[3] & 0xff) == 0xed) {
            return CompileOptions.Format.DTB;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".dtb") || lower.endsWith(".dtbo")
                ? CompileOptions.Format.DTB
                : CompileOptions.Format.DTS;
    }

    /** dtc's guess from the output name; else dtb for source input and dts for blob input. */
    static CompileOptions.Format guessOutput(String outName, CompileOptions.Format in) {
        String lower = outName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".dts")) {
            return CompileOptions.Format.DTS;
        }
        if (lower.endsWith(".dtb") || lower.endsWith(".dtbo")) {
            return CompileOptions.Format.DTB;
        }
        return in == CompileOptions.Format.DTS ? CompileOptions.Format.DTB : CompileOptions.Format.DTS;
    }
}
