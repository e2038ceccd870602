package dev.gunyahdt.cli;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.inspect.TreeDiff;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;

/** {@code gunyah-dt diff A B}: exit 0 when the trees are the same up to phandle numbering, 1 when not. */
final class DiffCommand {

    private DiffCommand() {}

    private static Options options() {
        Options o = new Options();
        o.addOption(CommandLines.option("i", "include", "dir", "include search directory, for DTS input"));
        o.addOption(CommandLines.option(
                null,
                "ignore-capids",
                null,
                "guest trees: ignore the capability IDs the RM "
                        + "writes under /hypervisor (its children's unit addresses and reg cells)"));
        o.addOption(CommandLines.option(
                null, "summary", null, "one line per node that differs instead of one per property"));
        o.addOption(CommandLines.option("q", "quiet", null, "print nothing; only the exit status tells"));
        o.addOption(CommandLines.option("h", "help", null, "print this help"));
        return o;
    }

    static int run(List<String> args, Io io) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(io);
            return 0;
        }
        if (cmd.getArgList().size() != 2) {
            throw new UsageException("need two inputs, A and B");
        }
        DeviceTree a = TreeInput.load(cmd.getArgList().get(0), CommandLines.includeDirs(cmd), io);
        DeviceTree b = TreeInput.load(cmd.getArgList().get(1), CommandLines.includeDirs(cmd), io);
        if (cmd.hasOption("ignore-capids")) {
            a = GuestDiff.withoutCapIds(a);
            b = GuestDiff.withoutCapIds(b);
        }
        List<TreeDiff.Change> changes = TreeDiff.compare(a, b);
        if (!cmd.hasOption("q")) {
            StringBuilder sb = new StringBuilder();
            List<String> lines = cmd.hasOption("summary")
                    ? GuestDiff.summary(changes)
                    : changes.stream().map(TreeDiff.Change::render).toList();
            for (String l : lines) {
                sb.append(l).append('\n');
            }
            io.out().write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            io.out().flush();
        }
        return changes.isEmpty() ? 0 : 1;
    }

    private static void help(Io io) {
        PrintWriter w = new PrintWriter(io.out(), true);
        new HelpFormatter()
                .printHelp(
                        w,
                        100,
                        "gunyah-dt diff A B",
                        "\nCompares two trees (DTS or DTB each), ignoring phandle numbering: phandle cells are "
                                + "compared by the path of the node they point at, phandle property values are ignored, "
                                + "and node and property order do not count. Prints one line per difference, sorted by "
                                + "path:\n  + /path:prop = value   only in B\n  - /path:prop = value   only in A\n"
                                + "  ~ /path:prop = old -> new\n(a line without ':prop' is a whole node). --summary prints one line per node "
                                + "instead. --ignore-capids compares guest trees the RM wrote (vm/<name>.guest.dtb) without the "
                                + "capability IDs that change from boot to boot: /hypervisor children lose their unit address "
                                + "(message-queue-pair-svm1-0@a8ab…  ->  message-queue-pair-svm1-0) and their reg cells count as 0.\n\n",
                        options(),
                        2,
                        4,
                        "\nExit status: 0 the same, 1 different (or an input has errors), 2 usage or I/O problem.");
        w.flush();
    }
}
