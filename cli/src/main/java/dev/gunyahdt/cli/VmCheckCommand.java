package dev.gunyahdt.cli;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.diag.Severity;
import dev.gunyahdt.hypervisor.rm.config.RmCheckFailure;
import dev.gunyahdt.hypervisor.rm.config.VmCheck;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gunyah-dt vm-check [--trusted] VM.dtb|VM.dts …}: each VM devicetree judged as the real Gunyah Resource
 * Manager's VM_CONFIG_IMAGE + VM_INIT would judge it, as VMs 0x80, 0x81, … owned by HLOS on the QEMU platform.
 */
final class VmCheckCommand {

    private VmCheckCommand() {
    }

    private static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("trusted").desc("check as a platform that authenticates VM configs"
                + " would (the RM's trusted_config): allows iomemory-ranges, gic-irq-ranges, crash-fatal, is-direct"
                + " and priorities not below the owner's").build());
        o.addOption(Option.builder("i").longOpt("include").hasArg().argName("dir")
                .desc("include search directory, for DTS input").build());
        o.addOption(Option.builder("q").longOpt("quiet").desc("print only the verdict line of each file").build());
        o.addOption(Option.builder().longOpt("format").hasArg().argName("text|json|sarif|junit")
                .desc("text (default): the verdicts as below; json, sarif or junit: each refusal (at its node's "
                        + "source position for DTS input) and warning in that format on stdout, the verdicts on stderr")
                .build());
        o.addOption(Option.builder("h").longOpt("help").desc("print this help").build());
        return o;
    }

    /**
     * Judges each file in order and prints its verdict; with {@code --format} other than text, the refusals and
     * warnings go to stdout in that format (a refusal at its node's source position for DTS input) and the
     * verdicts to stderr.
     */
    static int run(List<String> args, Io io) throws Exception {
        CommandLine cmd = CommandLines.parse(options(), args);
        if (cmd.hasOption("h")) {
            help(io);
            return 0;
        }
        if (cmd.getArgList().isEmpty()) {
            throw new UsageException("need at least one VM devicetree (DTB or DTS)");
        }
        FindingFormats.Format format = FindingFormats.Format.parse(cmd.getOptionValue("format", "text"));
        if (format == FindingFormats.Format.DTVALIDATE) {
            throw new UsageException("unknown --format 'dtvalidate' (text, json, sarif or junit)");
        }
        Io text = format == FindingFormats.Format.TEXT ? io : new Io(io.in(), io.err(), io.err());
        VmCheck check = new VmCheck(cmd.hasOption("trusted"));
        List<Finding> findings = new ArrayList<>();
        int status = 0;
        for (String file : cmd.getArgList()) {
            DeviceTree tree;
            try {
                tree = TreeInput.load(file, CommandLines.includeDirs(cmd), text);
            } catch (DtException e) {
                text.err().println(e.render());
                text.out().println(file + ": refused: not a valid devicetree");
                findings.add(Finding.fatal(e, file));
                status = 1;
                continue;
            }
            VmCheck.Verdict v = check.check(file, tree);
            print(file, v, cmd.hasOption("q"), text);
            if (!v.accepted()) {
                findings.add(v.refusal().finding(file));
                status = 1;
            }
            v.warnings().forEach(w -> findings.add(Finding.at(file, 0, 0, Severity.WARNING, "vm-check", w)));
        }
        if (format != FindingFormats.Format.TEXT) {
            io.out().print(FindingFormats.render(format, FindingFormats.byFile(cmd.getArgList(), findings),
                    "gunyah-dt vm-check", "error"));
        }
        io.out().flush();
        return status;
    }

    /** {@code FILE: accepted|refused (vmid 0x80)…}, then (unless quiet) what VM_INIT builds or where it refuses. */
    private static void print(String file, VmCheck.Verdict v, boolean quiet, Io io) {
        String vmid = "(vmid 0x" + Integer.toHexString(v.vmid()) + ")";
        if (v.accepted()) {
            io.out().println(file + ": accepted " + vmid);
            if (!quiet) {
                v.built().forEach(l -> io.out().println("  " + l));
            }
        } else {
            RmCheckFailure f = v.refusal();
            io.out().println(file + ": refused " + vmid + ": " + f.describe());
            if (!quiet) {
                io.out().println("  stage: " + switch (f.stage()) {
                    case PARSE -> "VM_INIT's devicetree parse (the RM prints \"Fatal error in DTB parsing at node "
                            + f.path() + "\"; RM error MEM_INVALID)";
                    case UPDATE -> "VM_INIT's vm_config_update_parsed (RM error ARGUMENT_INVALID)";
                    case VDEVICES -> "VM_INIT's vm_config_create_vdevices (RM error NORESOURCE)";
                });
                if (f.span() != null) {
                    io.out().println("  at " + f.span().toColonForm());
                }
            }
        }
        if (!quiet) {
            v.warnings().forEach(w -> io.out().println("  warning: " + w));
        }
    }

    private static void help(Io io) {
        PrintWriter w = new PrintWriter(io.out(), true);
        new HelpFormatter().printHelp(w, 100, "gunyah-dt vm-check [--trusted] [--format text|json|sarif|junit] VM.dtb|VM.dts …",
                "\nJudges each VM devicetree as the real Gunyah Resource Manager (quic/gunyah-resource-manager"
                + " bf31a9ac, QEMU platform) judges it at VM_CONFIG_IMAGE + VM_INIT: its DT parser, with its"
                + " quirks, then the VM_INIT checks (vCPUs, priorities, IRQs, device memory, vdevices and their"
                + " peers, vGIC placement). Files are created in the order given as VMs 0x80, 0x81, … owned by"
                + " HLOS; later files may name earlier ones as peers (vm-name:, vm-uri:, vm-guid:). Prints one"
                + " line per file, 'FILE: accepted (vmid 0x80)' or 'FILE: refused (vmid 0x80): REASON', then"
                + " what VM_INIT would build, or where the refusal is; and a warning for each peer that never"
                + " resolves. What the hypervisor itself would refuse (object limits, memory ownership) and"
                + " what happens after VM_INIT (memparcels at VM_START) is not judged.\n\n",
                options(), 2, 4,
                "\nExit status: 0 all accepted, 1 any refused, 2 usage or I/O problem.");
        w.flush();
    }
}
