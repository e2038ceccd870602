package dev.gunyahdt.cli;

import dev.gunyahdt.bindings.BindingCache;
import dev.gunyahdt.bindings.DtSchema;
import dev.gunyahdt.bindings.Examples;
import dev.gunyahdt.bindings.yaml.YamlDocument;
import dev.gunyahdt.bindings.yaml.YamlLoadException;
import dev.gunyahdt.bindings.yaml.YamlLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * dt-schema's commands as the kernel's Makefiles call them ({@code DT_CHECKER}, {@code DT_MK_SCHEMA},
 * {@code DT_DOC_CHECKER}, {@code DT_EXTRACT_EX}), each a translation onto {@code lint},
 * {@code check-bindings} and the processed-binding cache. Arguments may come from a file named
 * {@code @FILE}, as dt-schema's argparse allows. {@code dt-mk-schema}'s output is gunyah-dt's cache,
 * not dt-schema's JSON: the {@code dt-validate} here reads it back with {@code -p}.
 */
final class DropIns {

    private DropIns() {}

    /** The drop-in's arguments ({@code @FILE}s expanded), with dt-schema's {@code -V}. */
    private static CommandLine parse(Options o, List<String> raw) throws UsageException {
        o.addOption(Option.builder("V").longOpt("version").build());
        return CommandLines.parse(o, expand(raw));
    }

    /** Answers {@code -V} as dt-schema 2022.08 would, naming gunyah-dt; whether it did. */
    private static boolean version(CommandLine cmd, Io io) {
        if (cmd.hasOption("V")) {
            io.out().println("2022.8 (gunyah-dt " + Main.version() + ")");
        }
        return cmd.hasOption("V");
    }

    /** {@code @FILE} arguments replaced by the file's whitespace-separated words (argparse's fromfile). */
    static List<String> expand(List<String> args) throws UsageException {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("@") && a.length() > 1) {
                try {
                    for (String w : Files.readString(Path.of(a.substring(1)), StandardCharsets.UTF_8)
                            .split("\\s+")) {
                        if (!w.isEmpty()) {
                            out.add(w);
                        }
                    }
                } catch (IOException e) {
                    throw new UsageException("cannot read " + a.substring(1) + ": " + e.getMessage());
                }
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * {@code dt-validate [-s|-p SCHEMA] [-u DIR] [-m] [-l LIMIT] [-n] FILE…}: {@code lint -m} with the
     * bindings of {@code -u} over an installed dt-schema's core, the cache {@code -p}/{@code -s} names
     * (when it is one of gunyah-dt's; a dt-mk-schema JSON is left alone and the default cache used),
     * printed as dt-validate prints.
     */
    static int dtValidate(List<String> raw, Io io) throws Exception {
        Options o = new Options();
        o.addOption(Option.builder("s").longOpt("schema").hasArg().build());
        o.addOption(Option.builder("p").longOpt("preparse").hasArg().build());
        o.addOption(Option.builder("u").longOpt("url-path").hasArg().build());
        o.addOption(Option.builder("l").longOpt("limit").hasArg().build());
        o.addOption(Option.builder("m").longOpt("show-unmatched").build());
        o.addOption(Option.builder("M").longOpt("show-matched").build());
        o.addOption(Option.builder("n").longOpt("line-number").build());
        o.addOption(Option.builder("v").longOpt("verbose").build());
        CommandLine cmd = parse(o, raw);
        if (version(cmd, io)) {
            return 0;
        }
        if (cmd.hasOption("M")) {
            throw new UsageException("-M (show matched schemas) is not built");
        }
        List<String> args = new ArrayList<>(List.of("-q", "--format", "dtvalidate"));
        if (cmd.hasOption("m")) {
            args.add("-m");
        }
        DtSchema.locate().ifPresent(d -> {
            args.add("--dtschema");
            args.add(d.root().toString());
        });
        if (cmd.hasOption("u")) {
            args.add("--bindings");
            args.add(cmd.getOptionValue("u"));
        }
        String schema = cmd.getOptionValue("p", cmd.getOptionValue("s"));
        if (schema != null && ours(Path.of(schema))) {
            args.add("-p");
            args.add(schema);
        }
        if (cmd.hasOption("l")) {
            args.add("--limit");
            args.add(cmd.getOptionValue("l"));
        }
        args.addAll(cmd.getArgList());
        int status = LintCommand.run(args, io);
        return status == 1 ? 0 : status; // dt-validate's status does not count failures (dtbs_check adds || true)
    }

    /** Whether {@code file} is gunyah-dt's processed-binding cache (or absent, so it can become one). */
    private static boolean ours(Path file) {
        return !Files.exists(file) || BindingCache.isCacheFile(file);
    }

    /**
     * {@code dt-mk-schema [-j] [-o OUT] [-u] SCHEMA…}: the processed-binding cache of the schema root
     * the given documents sit under (their $id names it; the whole root is processed), over an installed
     * dt-schema's core ({@code -u}: the built-in core), written to OUT or stdout.
     */
    static int dtMkSchema(List<String> raw, Io io) throws Exception {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("outfile").hasArg().build());
        o.addOption(Option.builder("j").longOpt("json").build());
        o.addOption(Option.builder("u").longOpt("useronly").build());
        CommandLine cmd = parse(o, raw);
        if (version(cmd, io)) {
            return 0;
        }
        List<Path> roots = new ArrayList<>();
        for (String a : cmd.getArgList()) {
            Path p = Path.of(a);
            if (!Files.exists(p)) {
                throw new UsageException("cannot read " + a + ": no such file or directory");
            }
            Path r = Files.isDirectory(p) ? p : SchemaRoot.of(p, List.of(p));
            Path dir = r != null ? r : p.getParent() != null ? p.getParent() : Path.of(".");
            if (!roots.contains(dir)) {
                roots.add(dir);
            }
        }
        Path core = cmd.hasOption("u")
                ? null
                : DtSchema.locate().map(DtSchema::schemas).orElse(null);
        Path out = cmd.hasOption("o")
                ? Path.of(cmd.getOptionValue("o"))
                : Files.createTempFile("gunyah-dt-schema-", ".cache");
        try {
            if (!cmd.hasOption("o")) {
                Files.delete(out); // built afresh below
            }
            BindingCache.Result r = BindingCache.load(core, roots, out);
            if (r.file() == null) {
                io.err().println("dt-mk-schema (gunyah-dt): " + r.state());
                return 2;
            }
            // as dt-mk-schema: only a binding left out of the processed set is reported; a $ref to nothing,
            // which dt-mk-schema does not resolve, is dt-doc-validate's to report
            java.util.Set<String> kept = new java.util.HashSet<>();
            r.set().bindings().values().forEach(b -> kept.add(b.file()));
            r.set().findings().stream()
                    .filter(f -> !kept.contains(f.file()))
                    .forEach(f -> io.err().println(f.render() + " (binding left out)"));
            if (!cmd.hasOption("o")) {
                io.out().write(Files.readAllBytes(out));
                io.out().flush();
            }
            return 0;
        } finally {
            if (!cmd.hasOption("o")) {
                Files.deleteIfExists(out);
            }
        }
    }

    /** {@code dt-doc-validate [-u ROOT] [-n] FILE…}: check-bindings' document checks with dt-schema's meta-schemas. */
    static int dtDocValidate(List<String> raw, Io io) throws Exception {
        Options o = new Options();
        o.addOption(Option.builder("u").longOpt("url-path").hasArg().build());
        o.addOption(Option.builder("n").longOpt("line-number").build());
        o.addOption(Option.builder("v").longOpt("verbose").build());
        CommandLine cmd = parse(o, raw);
        if (version(cmd, io)) {
            return 0;
        }
        List<String> args = new ArrayList<>(List.of("--no-examples"));
        if (DtSchema.locate().isPresent()) {
            args.add("--dtschema");
            args.add("auto");
        }
        if (cmd.hasOption("u")) {
            args.add("-u");
            args.add(cmd.getOptionValue("u"));
        }
        args.addAll(cmd.getArgList());
        return CheckBindingsCommand.run(args, io);
    }

    /** {@code dt-extract-example FILE}: the file's examples as the one DTS source check-bindings compiles. */
    static int dtExtractExample(List<String> args, Io io) throws Exception {
        if (args.size() != 1) {
            throw new UsageException("usage: dt-extract-example yamlfile");
        }
        Path p = Path.of(args.get(0));
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("cannot read " + p + ": " + e.getMessage());
        }
        YamlDocument doc;
        try {
            doc = new YamlLoader().load(p.toString(), text);
        } catch (YamlLoadException e) {
            io.err().println(e.render());
            return 1;
        }
        Examples.Source src = Examples.of(doc, text);
        io.out().print(src == null ? Examples.withoutExamples() : src.dts());
        io.out().flush();
        return 0;
    }
}
