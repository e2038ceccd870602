package dev.gunyahdt.cli;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.inspect.Inspection;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;

/** {@code gunyah-dt inspect FILE [--path P] [--format dts|tree|json]}: a tree made readable. */
final class InspectCommand {

    private InspectCommand() {}

    private static Options options() {
        Options o = new Options();
        o.addOption(CommandLines.option("p", "path", "P", "show only the subtree at this path (or &label)"));
        o.addOption(CommandLines.option("f", "format", "fmt", "dts (default), tree or json"));
        o.addOption(CommandLines.option("o", "out", "file", "write to a file instead of stdout"));
        o.addOption(CommandLines.option("i", "include", "dir", "include search directory, for DTS input"));
        o.addOption(CommandLines.option("h", "help", null, "print this help"));
        return o;
    }

    static int run(List<String> args, Io io) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(io);
            return 0;
        }
        if (cmd.getArgList().size() != 1) {
            throw new UsageException(cmd.getArgList().isEmpty() ? "no input file" : "one input file only");
        }
        Inspection.Format format = format(cmd.getOptionValue("f", "dts"));
        String file = cmd.getArgList().get(0);
        DeviceTree tree = TreeInput.load(file, CommandLines.includeDirs(cmd), io);
        String text = Inspection.of(tree).render(format, cmd.getOptionValue("p"));
        OutputFiles.write(cmd.getOptionValue("o", "-"), text.getBytes(StandardCharsets.ISO_8859_1), io.out());
        return 0;
    }

    private static Inspection.Format format(String name) throws UsageException {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "dts" -> Inspection.Format.DTS;
            case "tree" -> Inspection.Format.TREE;
            case "json" -> Inspection.Format.JSON;
            default -> throw new UsageException("unknown format '" + name + "' (dts, tree or json)");
        };
    }

    private static void help(Io io) {
        PrintWriter w = new PrintWriter(io.out(), true);
        new HelpFormatter()
                .printHelp(
                        w,
                        100,
                        "gunyah-dt inspect FILE [--path P] [--format dts|tree|json]",
                        "\nShows a DTB, DTBO or DTS readably: labels restored from __symbols__, phandle cells as "
                                + "&label (or &{/path}) references, an overlay's __fixups__ as the &label references they "
                                + "stand for, and GIC interrupt specifiers decoded in comments.\n\n",
                        options(),
                        2,
                        4,
                        "\nThe dts format compiles back with dtc (without -@) to the same blob. "
                                + "FILE may be - for stdin.");
        w.flush();
    }
}
