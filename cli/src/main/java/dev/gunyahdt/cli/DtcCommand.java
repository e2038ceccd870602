package dev.gunyahdt.cli;

import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code gunyah-dt dtc}: dtc 1.6.1's command line over the dtc-grammar pipeline, plus a batch
 * form that compiles many files in one process.
 */
final class DtcCommand {

    private DtcCommand() {}

    static Options options() {
        Options o = new Options();
        o.addOption(
                CommandLines.option("q", "quiet", null, "quiet: -q suppresses warnings, -qq errors, -qqq everything"));
        o.addOption(CommandLines.option("I", "in-format", "fmt", "input format: dts or dtb (guessed when absent)"));
        o.addOption(CommandLines.option("o", "out", "file", "output file (default: stdout)"));
        o.addOption(CommandLines.option(
                "O", "out-format", "fmt", "output format: dts or dtb (asm and yaml are not supported)"));
        o.addOption(CommandLines.option("V", "out-version", "n", "blob version to produce (default 17)"));
        o.addOption(CommandLines.option("d", "out-dependency", "file", "write a make-style dependency file"));
        o.addOption(CommandLines.option("R", "reserve", "n", "make space for n extra memory reserve entries"));
        o.addOption(CommandLines.option("S", "space", "bytes", "make the blob at least this long"));
        o.addOption(CommandLines.option("p", "pad", "bytes", "add this much padding to the blob"));
        o.addOption(CommandLines.option("a", "align", "bytes", "align the blob size to this (a power of two)"));
        o.addOption(CommandLines.option("b", "boot-cpu", "id", "physical boot CPU id for the blob header"));
        o.addOption(CommandLines.option("f", "force", null, "write output even if the input tree has errors"));
        o.addOption(CommandLines.option(
                "i", "include", "dir", "add a directory to the include search path (#include, /include/, /incbin/)"));
        o.addOption(CommandLines.option(
                "D", "define", "name[=value]", "define a preprocessor macro (__DTS__ is always defined)"));
        o.addOption(CommandLines.option(null, "no-cpp", null, "do not run the C preprocessor over source input"));
        o.addOption(CommandLines.option("s", "sort", null, "sort nodes and properties before output"));
        o.addOption(CommandLines.option(
                "H", "phandle", "fmt", "phandle properties to write: legacy, epapr (default) or both"));
        o.addOption(CommandLines.option("W", "warning", "[no-]check", "enable/disable a check as a warning"));
        o.addOption(CommandLines.option("E", "error", "[no-]check", "enable/disable a check as an error"));
        o.addOption(CommandLines.option("@", "symbols", null, "generate /__symbols__"));
        o.addOption(CommandLines.option("A", "auto-alias", null, "generate /aliases from labels"));
        o.addOption(CommandLines.option(
                "L",
                "local-fixups",
                null,
                "generate __fixups__/__local_fixups__ for non-plugin trees too (later dtc; not in 1.6.1)"));
        o.addOption(
                CommandLines.option("T", "annotate", null, "annotate output with source positions (not supported)"));
        o.addOption(CommandLines.option(
                null, "batch", "list", "compile every 'INPUT OUTPUT' line of LIST in this one process"));
        o.addOption(
                CommandLines.option(null, "timings", null, "print the CPU time each pipeline stage took (to stderr)"));
        o.addOption(CommandLines.option("h", "help", null, "print this help"));
        o.addOption(CommandLines.option("v", "version", null, "print the version"));
        return o;
    }

    static int run(List<String> args, Io io) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(io.out());
            return 0;
        }
        if (cmd.hasOption("v")) {
            io.out().println("Version: DTC 1.6.1 (gunyah-dt " + Main.version() + ")");
            return 0;
        }
        if (cmd.hasOption("T")) {
            throw new UsageException("-T (annotate) is not supported yet");
        }
        int quiet = 0;
        for (Option opt : cmd.getOptions()) {
            if ("q".equals(opt.getOpt())) {
                quiet++;
            }
        }
        CompileOptions options = compileOptions(cmd);
        if (cmd.hasOption("batch")) {
            if (!cmd.getArgList().isEmpty() || cmd.hasOption("o") || cmd.hasOption("d")) {
                throw new UsageException(
                        "--batch takes no input file, -o or -d: each line of LIST names an input and an output");
            }
            return batch(Path.of(cmd.getOptionValue("batch")), options, quiet, io, cmd.hasOption("timings"));
        }
        if (cmd.getArgList().size() > 1) {
            throw new UsageException("only one input file may be given (got " + cmd.getArgList() + ")");
        }
        String input = cmd.getArgList().isEmpty() ? "-" : cmd.getArgList().get(0);
        String output = cmd.getOptionValue("o", "-");
        Compiler compiler = new Compiler(options);
        Result r = compileOne(
                compiler,
                input,
                output,
                cmd.getOptionValue("d"),
                io.out(),
                quiet,
                input.equals("-") ? io.readStdin() : null,
                "");
        io.err().print(r.stderr);
        if (cmd.hasOption("timings")) {
            io.err().print(compiler.times().report());
        }
        if (r.bytes != null) {
            OutputFiles.write(output, r.bytes, io.out());
        }
        return r.status;
    }

    /** The outcome of one file: its stderr text, the bytes to write, the exit status. */
    private record Result(String stderr, byte[] bytes, int status) {}

    private static Result compileOne(
            Compiler compiler,
            String input,
            String output,
            String depFile,
            PrintStream stdout,
            int quiet,
            byte[] stdin,
            String prefix) {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        int status;
        byte[] bytes = null;
        try {
            Compilation c = compiler.compile(input.equals("-") ? null : Path.of(input), stdin, output);
            for (Compilation.Message m : c.messages()) {
                if (m.level().shows(quiet)) {
                    err.println(prefix + m.text());
                }
            }
            if (c.failed()) {
                status = 1;
            } else {
                bytes = c.output();
                status = 0;
                if (depFile != null) {
                    writeDeps(depFile, output, c.dependencies(), stdout);
                }
            }
        } catch (DtException e) {
            err.println(prefix + e.render());
            status = 1;
        } catch (IllegalArgumentException e) {
            // an unknown -W/-E check name and similar option values
            err.println(prefix + "error: " + e.getMessage());
            status = 2;
        } catch (IOException e) {
            err.println(prefix + "error: " + e.getMessage());
            status = 2;
        }
        return new Result(errBytes.toString(StandardCharsets.UTF_8), bytes, status);
    }

    private static void writeDeps(String depFile, String output, List<Path> deps, PrintStream stdout)
            throws IOException {
        StringBuilder sb = new StringBuilder(output).append(':');
        for (Path p : deps) {
            sb.append(' ').append(p);
        }
        sb.append('\n');
        OutputFiles.write(depFile, sb.toString().getBytes(StandardCharsets.UTF_8), stdout);
    }

    /**
     * Compiles each "INPUT OUTPUT" line as {@code dtc [flags] -o OUTPUT INPUT} would, on all
     * cores, printing each file's messages (prefixed by its input) in list order.
     */
    private static int batch(Path list, CompileOptions options, int quiet, Io io, boolean timings) throws Exception {
        List<String[]> jobs = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(list);
        } catch (IOException e) {
            throw new UsageException("cannot read batch list " + list + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new UsageException(list + ":" + (i + 1) + ": expected 'INPUT OUTPUT', got '" + line + "'");
            }
            if (line.indexOf('\0') >= 0) {
                throw new UsageException(list + ":" + (i + 1) + ": a file name contains a NUL character");
            }
            jobs.add(parts);
        }
        Compiler compiler = new Compiler(options);
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(null, r, "dtc-batch", 64L << 20);
            t.setDaemon(true);
            return t;
        });
        Progress progress = new Progress(io, jobs.size());
        int worst = 0;
        try {
            // Biggest inputs first, so no core is left with one large file at the end; results
            // are still reported in list order.
            List<Integer> order = new ArrayList<>();
            long[] sizes = new long[jobs.size()];
            for (int i = 0; i < jobs.size(); i++) {
                order.add(i);
                sizes[i] = sizeOf(jobs.get(i)[0]);
            }
            order.sort((a, b) -> Long.compare(sizes[b], sizes[a]));
            List<Future<Result>> futures = new ArrayList<>(java.util.Collections.nCopies(jobs.size(), null));
            for (int i : order) {
                String[] job = jobs.get(i);
                futures.set(i, pool.submit(() -> {
                    Result r = compileOne(compiler, job[0], job[1], null, null, quiet, null, job[0] + ": ");
                    if (r.bytes != null) {
                        try {
                            OutputFiles.write(job[1], r.bytes, io.out());
                        } catch (IOException e) {
                            return new Result(r.stderr + job[0] + ": error: " + e.getMessage() + "\n", null, 2);
                        }
                    }
                    return r;
                }));
            }
            for (Future<Result> f : futures) {
                Result r = f.get();
                progress.step();
                io.err().print(r.stderr);
                worst = Math.max(worst, r.status);
            }
        } finally {
            pool.shutdownNow();
            progress.done();
        }
        if (timings) {
            io.err()
                    .print("gunyah-dt dtc: " + jobs.size() + " files\n"
                            + compiler.times().report());
        }
        return worst;
    }

    private static long sizeOf(String file) {
        try {
            return Files.size(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return 0; // the compile itself reports it
        }
    }

    private static CompileOptions compileOptions(CommandLine cmd) throws UsageException {
        CompileOptions.Format in = format(cmd, "I");
        CompileOptions.Format out = format(cmd, "O");
        DtbOptions dtb;
        try {
            dtb = new DtbOptions(
                    (int) number(cmd, "V", 17),
                    (int) number(cmd, "R", 0),
                    (int) number(cmd, "S", 0),
                    (int) number(cmd, "p", 0),
                    (int) number(cmd, "a", 0));
        } catch (DtException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PhandleFormat phandles = PhandleFormat.EPAPR;
        if (cmd.hasOption("H")) {
            phandles = switch (cmd.getOptionValue("H")) {
                case "legacy" -> PhandleFormat.LEGACY;
                case "epapr" -> PhandleFormat.EPAPR;
                case "both" -> PhandleFormat.BOTH;
                default ->
                    throw new UsageException("Invalid argument \"" + cmd.getOptionValue("H") + "\" to -H option");
            };
        }
        List<CompileOptions.CheckFlag> flags = CommandLines.validatedCheckFlags(cmd);
        List<Path> includes = CommandLines.includeDirs(cmd);
        Map<String, String> defines = new HashMap<>();
        for (String d : cmd.getOptionValues("D") == null ? new String[0] : cmd.getOptionValues("D")) {
            int eq = d.indexOf('=');
            defines.put(eq < 0 ? d : d.substring(0, eq), eq < 0 ? "1" : d.substring(eq + 1));
        }
        CompileOptions o = new CompileOptions(
                in,
                out,
                dtb,
                number(cmd, "b", -1),
                cmd.hasOption("f"),
                includes,
                cmd.hasOption("s"),
                phandles,
                flags,
                cmd.hasOption("@"),
                cmd.hasOption("A"),
                cmd.hasOption("L"),
                !cmd.hasOption("no-cpp"),
                defines);
        return o;
    }

    private static CompileOptions.Format format(CommandLine cmd, String opt) throws UsageException {
        if (!cmd.hasOption(opt)) {
            return null;
        }
        String name = cmd.getOptionValue(opt);
        CompileOptions.Format f = CompileOptions.Format.parse(name);
        if (f == null) {
            throw new UsageException("format '" + name + "' is not supported (gunyah-dt reads and writes dts and dtb)");
        }
        return f;
    }

    /** A C-style number (decimal, 0x hex, 0 octal) as dtc's strtol with base 0 reads it. */
    private static long number(CommandLine cmd, String opt, long dflt) throws UsageException {
        if (!cmd.hasOption(opt)) {
            return dflt;
        }
        String s = cmd.getOptionValue(opt).strip();
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseLong(s.substring(2), 16);
            }
            if (s.length() > 1 && s.startsWith("0")) {
                return Long.parseLong(s.substring(1), 8);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException("-" + opt + " needs a number, got '" + s + "'");
        }
    }

    private static void help(PrintStream out) {
        HelpFormatter f = new HelpFormatter();
        PrintWriter w = new PrintWriter(out);
        f.printHelp(
                w,
                100,
                "gunyah-dt dtc [options] <input file>",
                "Compile, decompile and check devicetrees exactly as dtc 1.6.1 does. Source input is run\n"
                        + "through gunyah-dt's own C preprocessor first (like the kernel's cpp -nostdinc -undef\n"
                        + "-D__DTS__ -x assembler-with-cpp); --no-cpp turns that off.\n\n",
                options(),
                2,
                4,
                "\nBatch: gunyah-dt dtc [options] --batch LIST compiles each 'INPUT OUTPUT' line of LIST\n"
                        + "as 'gunyah-dt dtc [options] -o OUTPUT INPUT' would, in one process.\n"
                        + "Exit status: 0 ok, 1 errors in an input, 2 usage or I/O problem.");
        w.flush();
    }
}
