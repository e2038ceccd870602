package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.hypervisor.rm.config.Fdt.Num;
import dev.gunyahdt.hypervisor.rm.config.RmVmConfig.Affinity;
import dev.gunyahdt.hypervisor.rm.config.RmVmConfig.General;
import dev.gunyahdt.hypervisor.rm.config.RmVmConfig.Irq;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The real RM's VM devicetree parser, rule for rule (quic/gunyah-resource-manager {@code dtb_parser.c},
 * {@code vm_config_parser.c}, {@code vm_config_rtc.c} and the QEMU platform's {@code vm_dt.c} /
 * {@code vm_config_parser.c}), written anew in Java.
 *
 * <p>The walk visits every node of the tree in order and offers it to the listeners in the RM's table order; the
 * first that claims it wins. Listeners match anywhere in the tree (a {@code vdevice-type} outside
 * {@code /qcom,vm-config} is parsed too), and a node whose {@code device_type} lists {@code "memory"} is refused
 * unless it is exactly {@code /memory} ({@code parse_memory}, listed first so no memory node slips past).
 *
 * <p>The cells context is the RM's, quirks included ({@code dtb_parser_parse_dtb}): it is recomputed only when
 * the walk descends to a node's first child, so later siblings (and their children) inherit the first sibling's
 * {@code #address-cells}/{@code #size-cells}.
 */
public final class VmDtParser {
    private static final Pattern VM_CONFIG = Pattern.compile("^/(qcom,|gunyah-)vm-config$");
    private static final Pattern VM_MEMORY = Pattern.compile("^/(qcom,|gunyah-)vm-config/memory$");
    private static final Pattern VM_VCPUS = Pattern.compile("^/(qcom,|gunyah-)vm-config/vcpus$");
    private static final Pattern VM_INTERRUPTS = Pattern.compile("^/(qcom,|gunyah-)vm-config/interrupts$");
    private static final int MAX_DEPTH = 16;
    private static final int MAX_PATH = 256;
    private static final int MAX_NAME = 80; // VM_MAX_NAME_LEN, VM_MAX_URI_LEN
    private static final int MAX_PUSH_COMPATIBLES = 6; // VDEVICE_MAX_PUSH_COMPATIBLES
    private static final long PAGE = 4096;
    static final long SVM_IPA_BASE = 0x2880_0000L; // PLATFORM_SVM_IPA_BASE (QEMU)
    static final long SVM_IPA_SIZE = 0x07FF_FFFFL; // PLATFORM_SVM_IPA_SIZE
    static final long INVALID_ADDRESS = -1L;
    static final int DEFAULT_MSG_SIZE = 240; // RM_RPC_MESSAGE_SIZE
    static final int DEFAULT_QUEUE_DEPTH = 8;

    /** The RM's {@code ctx_t}. */
    private record Ctx(
            long addrCells,
            long sizeCells,
            boolean addrIsPhys,
            long childAddrCells,
            long childSizeCells,
            boolean childAddrIsPhys) {}

    private final Fdt fdt;
    private final boolean primary;
    private final List<String> warnings = new ArrayList<>();
    // vm_config_parser_data_t, filled as the walk goes
    private String name;
    private String uri = "";
    private byte[] guid = new byte[16];
    private boolean hasGuid;
    private boolean crashFatal, noShutdown, noReset, contextDump, ras, amuDisabled, sensitive;
    private long memBase = SVM_IPA_BASE,
            sizeMin,
            sizeMax = SVM_IPA_SIZE,
            fwBase = INVALID_ADDRESS,
            fwSizeMax = 0x40_0000L;
    private boolean mapDirect;
    private long[] baseConstraints;
    private RmVmConfig.Vcpus vcpus = new RmVmConfig.Vcpus(false, Affinity.STATIC, 0, 0, null, List.of(), false);
    private boolean enableVpmPsci;
    private long gicPhandle; // 0 until the root is seen, then ~0 for "none"
    private RmVmConfig.Gic gic;
    private final List<RmVmConfig.IomemRange> iomemRanges = new ArrayList<>();
    private final List<RmVmConfig.IrqRange> irqRanges = new ArrayList<>();
    private final List<RmVmConfig.RmRpc> rmRpcs = new ArrayList<>();
    private final List<RmVmConfig.Doorbell> doorbells = new ArrayList<>();
    private final List<RmVmConfig.MsgQueue> msgQueues = new ArrayList<>();
    private final List<RmVmConfig.MsgQueuePair> pairs = new ArrayList<>();
    private final List<RmVmConfig.Shm> shms = new ArrayList<>();
    private final List<RmVmConfig.VirtioMmio> virtios = new ArrayList<>();
    private final List<RmVmConfig.Iomem> iomems = new ArrayList<>();
    private final List<RmVmConfig.Smmu> smmus = new ArrayList<>();
    private final List<RmVmConfig.Rtc> rtcs = new ArrayList<>();

    private VmDtParser(DeviceTree tree, boolean primary) {
        this.fdt = new Fdt(tree);
        this.primary = primary;
    }

    /** Parses as {@code dtb_parser_parse_dtb} with the VM-config listeners does, or throws the refusal. */
    public static RmVmConfig parse(DeviceTree tree) {
        return new VmDtParser(tree, false).run();
    }

    /**
     * The primary's tree, for the model only: the real RM never parses HLOS's devicetree (HLOS's setup comes
     * from the boot environment), and HLOS's tree must describe its real memory and PSCI for Linux, so the
     * two rules about those ({@code parse_memory}, the PSCI idle-state rule of {@code parse_vcpus}) are off.
     */
    public static RmVmConfig parsePrimary(DeviceTree tree) {
        return new VmDtParser(tree, true).run();
    }

    private RmVmConfig run() {
        Ctx[] ctxs = new Ctx[MAX_DEPTH];
        int curDepth = 0;
        List<NodeCursor> nodes = fdt.nodes();
        ctxs[0] = update(nodes.get(0), null);
        for (int i = 0; i < nodes.size(); i++) {
            NodeCursor c = nodes.get(i);
            int depth = Fdt.depth(c);
            if (i > 0) {
                if (depth == curDepth + 1) {
                    if (depth >= MAX_DEPTH) {
                        throw RmCheckFailure.crash(
                                c.path(),
                                null,
                                "dtb_parser_parse_dtb",
                                "nested deeper than " + (MAX_DEPTH - 1) + " levels: the RM asserts and aborts");
                    }
                    ctxs[depth] = update(c, ctxs[depth - 1]);
                } else if (depth < curDepth) {
                    for (int d = curDepth; d > depth; d--) {
                        ctxs[d] = null;
                    }
                }
                curDepth = depth;
            }
            if (c.path().length() >= MAX_PATH) {
                throw fatal(c, null, "check_listeners", "path longer than " + (MAX_PATH - 1) + " characters");
            }
            try {
                dispatch(c, ctxs[depth]);
            } catch (RmCheckFailure f) {
                throw f.at(Fdt.span(fdtNode(f, c), f.property()));
            }
        }
        return new RmVmConfig(
                name,
                uri,
                guid,
                hasGuid,
                new RmVmConfig.Attrs(crashFatal, noShutdown, noReset, contextDump, ras, amuDisabled, sensitive),
                new RmVmConfig.Memory(memBase, sizeMin, sizeMax, mapDirect, fwBase, fwSizeMax, baseConstraints),
                new RmVmConfig.Vcpus(
                        vcpus.present(),
                        vcpus.affinity(),
                        vcpus.timesliceUs(),
                        vcpus.priorityOffset(),
                        vcpus.affinityMap(),
                        vcpus.cpus(),
                        enableVpmPsci),
                gic,
                iomemRanges,
                irqRanges,
                rmRpcs,
                doorbells,
                msgQueues,
                pairs,
                shms,
                virtios,
                iomems,
                smmus,
                rtcs,
                warnings);
    }

    private Node fdtNode(RmCheckFailure f, NodeCursor fallback) {
        return fdt.pathOffset(f.path()).map(NodeCursor::node).orElse(fallback.node());
    }

    /** {@code dtb_parser_update_ctx}. */
    private Ctx update(NodeCursor c, Ctx parent) {
        Node n = c.node();
        long addr = parent == null ? 2 : parent.childAddrCells();
        long size = parent == null ? 1 : parent.childSizeCells();
        boolean phys = parent == null || parent.childAddrIsPhys();
        Num ac = Fdt.u32(n, "#address-cells");
        Num sc = Fdt.u32(n, "#size-cells");
        long childAddr = ac.ok() ? ac.value() : 2;
        long childSize = sc.ok() ? sc.value() : 1;
        boolean childPhys;
        if (parent == null) {
            childPhys = true;
        } else if (!phys) {
            childPhys = false;
        } else {
            childPhys = rangesAreDirect(c, addr, childAddr, childSize);
        }
        return new Ctx(addr, size, phys, childAddr, childSize, childPhys);
    }

    /** {@code ranges_are_direct}: every range maps an address to itself. */
    private boolean rangesAreDirect(NodeCursor c, long addrCells, long childAddr, long childSize) {
        Optional<byte[]> ranges = Fdt.prop(c.node(), "ranges");
        if (ranges.isEmpty()) {
            return false;
        }
        long[] w = Fdt.words(ranges.get());
        long cells = childAddr + addrCells + childSize;
        if (cells == 0) {
            throw RmCheckFailure.crash(
                    c.path(),
                    "ranges",
                    "ranges_are_direct",
                    "#address-cells and #size-cells all 0: the RM divides by zero");
        }
        long count = (ranges.get().length / 4) / cells;
        if (ranges.get().length != count * cells * 4) {
            warnings.add("ignoring extra data in ranges property of node " + c.path());
        }
        for (int i = 0; i < count; i++) {
            int at = (int) (i * cells);
            long a = Fdt.readNum(w, at, childAddr, c.path());
            long b = Fdt.readNum(w, (int) (at + childAddr), addrCells, c.path());
            if (a != b) {
                return false;
            }
        }
        return true;
    }

    /** {@code dtb_parser_get_ctx}: the context of a node computed properly along its path. */
    private Ctx ctxOf(NodeCursor c) {
        List<NodeCursor> chain = new ArrayList<>();
        for (NodeCursor p = c; p != null; p = p.parent()) {
            chain.add(0, p);
        }
        Ctx ctx = null;
        for (NodeCursor p : chain) {
            ctx = update(p, ctx);
        }
        return ctx;
    }

    /** {@code check_listeners}: the RM's listener table, in its order; the first that claims a node wins. */
    private void dispatch(NodeCursor c, Ctx ctx) {
        Node n = c.node();
        String path = c.path();
        if (Fdt.stringListHas(n, "device_type", "memory")) {
            parseMemory(c);
        } else if (VM_CONFIG.matcher(path).matches()) {
            parseVmConfig(c, ctx);
        } else if (VM_MEMORY.matcher(path).matches()) {
            parseVmMemory(c, ctx);
        } else if (VM_VCPUS.matcher(path).matches()) {
            parseVcpus(c);
        } else if (vdevice(n, "rm-rpc")) {
            parseRmRpc(c);
        } else if (vdevice(n, "shm-doorbell") || vdevice(n, "shm")) {
            parseShm(c, ctx);
        } else if (vdevice(n, "doorbell-source")) {
            parseDoorbell(c, true);
        } else if (vdevice(n, "doorbell")) {
            parseDoorbell(c, false);
        } else if (vdevice(n, "message-queue")) {
            parseMsgQueue(c);
        } else if (vdevice(n, "message-queue-pair")) {
            parseMsgQueuePair(c);
        } else if (vdevice(n, "virtio-mmio")) {
            parseVirtioMmio(c, ctx);
        } else if (vdevice(n, "iomem")) {
            parseIomem(c, ctx);
        } else if (vdevice(n, "vsmmu-v2")) {
            parseVsmmu(c);
        } else if (vdevice(n, "vrtc-pl031")) {
            parseVrtc(c);
        } else if (Fdt.compatible(n, "arm,psci-0.2") || Fdt.compatible(n, "arm,psci-1.0")) {
            enableVpmPsci = true; // parse_psci
        } else if (VM_INTERRUPTS.matcher(path).matches()) {
            parseInterrupts(c);
        } else if (path.equals("/")) {
            parseRoot(c);
        }
    }

    private static boolean vdevice(Node n, String type) {
        return Fdt.stringListHas(n, "vdevice-type", type);
    }

    private static RmCheckFailure fatal(NodeCursor c, String prop, String fn, String reason) {
        return RmCheckFailure.parse(c.path(), prop, fn, reason);
    }

    /** {@code parse_memory}: a memory node is allowed only as {@code /memory}. */
    private void parseMemory(NodeCursor c) {
        if (!primary
                && (!c.node().name().equals("memory")
                        || c.parent() == null
                        || !c.parent().isRoot())) {
            throw fatal(
                    c,
                    "device_type",
                    "parse_memory",
                    "a memory node must be exactly /memory (no unit address, directly under the root)");
        }
    }

    /** {@code parse_vm_config} with {@code parse_vm_attrs}, {@code get_vendor_and_vm_name}, {@code parse_vm_info}. */
    private void parseVmConfig(NodeCursor c, Ctx ctx) {
        Node n = c.node();
        warnIfNotPhys(c, ctx);
        int attrCount = Fdt.stringCount(n, "vm-attrs");
        if (attrCount == -2) {
            throw fatal(c, "vm-attrs", "parse_vm_attrs", "malformed string list");
        }
        for (int i = 0; i < attrCount; i++) {
            String a = Fdt.string(n, "vm-attrs", i).value();
            switch (a) {
                case "ras-error-handler" -> ras = true;
                case "amu-counting-disabled" -> amuDisabled = true;
                case "crash-fatal" -> {
                    crashFatal = true;
                    noShutdown = true;
                    noReset = true;
                }
                case "context-dump" -> contextDump = true;
                case "no-shutdown" -> noShutdown = true;
                case "no-reset" -> noReset = true;
                default -> warnings.add("unknown VM attribute \"" + a + "\" (ignored, as the RM does)");
            }
        }
        String image = Fdt.string0(n, "image-name");
        if (image == null || image.length() >= MAX_NAME) {
            throw fatal(
                    c,
                    "image-name",
                    "get_vendor_and_vm_name",
                    image == null ? "missing (a string is required)" : "longer than " + (MAX_NAME - 1) + " characters");
        }
        name = image;
        String u = Fdt.string0(n, "vm-uri");
        if (u != null && u.length() < MAX_NAME) {
            uri = u;
        } else if (u != null) {
            warnings.add("vm-uri of " + u.length() + " characters ignored (the RM keeps it only under 80)");
        }
        String g = Fdt.string0(n, "vm-guid");
        if (g != null) {
            byte[] parsed = Guid.parse(g);
            if (parsed == null) {
                throw fatal(c, "vm-guid", "parse_vm_info", "not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx): " + g);
            }
            guid = parsed;
            hasGuid = true;
        }
        parseIomemRanges(c, ctx);
        long[] irq = Fdt.prop(n, "gic-irq-ranges").map(Fdt::words).orElse(new long[0]);
        for (int i = 0; i + 2 <= irq.length; i += 2) {
            irqRanges.add(new RmVmConfig.IrqRange(irq[i], irq[i + 1]));
        }
        if (Fdt.has(n, "qcom,sensitive")) {
            sensitive = true;
            amuDisabled = true;
        }
        // platform_parse_vm_config (QEMU): segments/ramdisk only warns
        Fdt.subnode(c, "segments").ifPresent(s -> {
            if (!Fdt.s32(s.node(), "ramdisk").ok()) {
                warnings.add("segments: no ramdisk segment index");
            }
        });
    }

    /** {@code parse_iomem_ranges}: (phys, ipa, size, access) with the config node's cell sizes. */
    private void parseIomemRanges(NodeCursor c, Ctx ctx) {
        Optional<byte[]> b = Fdt.prop(c.node(), "iomemory-ranges");
        if (b.isEmpty()) {
            return;
        }
        long[] w = Fdt.words(b.get());
        long per = ctx.addrCells() * 2 + ctx.sizeCells() + 1;
        if (w.length == 0 || w.length % per != 0) {
            throw fatal(
                    c,
                    "iomemory-ranges",
                    "parse_iomem_ranges",
                    w.length + " cells, not a multiple of " + per + " (phys, ipa: " + ctx.addrCells()
                            + " cells each; size: " + ctx.sizeCells() + "; access: 1)");
        }
        for (int i = 0; i < w.length; ) {
            long phys = Fdt.readNum(w, i, ctx.addrCells(), c.path());
            i += (int) ctx.addrCells();
            long ipa = Fdt.readNum(w, i, ctx.addrCells(), c.path());
            i += (int) ctx.addrCells();
            long size = Fdt.readNum(w, i, ctx.sizeCells(), c.path());
            i += (int) ctx.sizeCells();
            if (phys % PAGE != 0 || ipa % PAGE != 0 || size % PAGE != 0) {
                throw fatal(c, "iomemory-ranges", "parse_iomem_ranges", "a range not 4 KiB aligned");
            }
            int access = (int) (w[i] & 0xFFFF);
            if (access >= 7) {
                throw fatal(
                        c,
                        "iomemory-ranges",
                        "parse_iomem_ranges",
                        "access " + access + " is not one of 0 RW, 1 R, 2 RWX, 3 W, 4 X, 5 RX, 6 none");
            }
            i++;
            iomemRanges.add(new RmVmConfig.IomemRange(phys, ipa, size, access));
        }
    }

    private void warnIfNotPhys(NodeCursor c, Ctx ctx) {
        if (!ctx.addrIsPhys()) {
            warnings.add("addresses in " + c.path() + " are not 1:1 physical");
        }
    }

    /** {@code parse_vm_memory}. */
    private void parseVmMemory(NodeCursor c, Ctx ctx) {
        Node n = c.node();
        warnIfNotPhys(c, ctx);
        if (Fdt.has(n, "is-direct")) {
            mapDirect = true;
            sizeMax = -1L;
        }
        Num base = Fdt.num(n, "base-address", ctx.addrCells());
        if (base.ok()) {
            if (base.value() % PAGE != 0) {
                throw fatal(c, "base-address", "parse_vm_memory", "not 4 KiB aligned");
            }
            memBase = base.value();
            if (memBase % (2L << 20) != 0) {
                warnings.add("base-address not 2 MiB aligned; the RM aligns it up");
                memBase = (memBase + (2L << 20) - 1) & -(2L << 20);
            }
            sizeMax = -memBase;
        }
        Num min = Fdt.num(n, "size-min", ctx.sizeCells());
        if (min.ok()) {
            if (min.value() % PAGE != 0) {
                throw fatal(c, "size-min", "parse_vm_memory", "not 4 KiB aligned");
            }
            sizeMin = min.value();
        }
        Num max = Fdt.num(n, "size-max", ctx.sizeCells());
        if (max.ok()) {
            if (max.value() % PAGE != 0) {
                throw fatal(c, "size-max", "parse_vm_memory", "not 4 KiB aligned");
            }
            sizeMax = max.value();
            if (Long.compareUnsigned(memBase + sizeMax, memBase) < 0) {
                throw fatal(c, "size-max", "parse_vm_memory", "base-address + size-max overflows 64 bits");
            }
        }
        Num fw = Fdt.num(n, "firmware-address", ctx.addrCells());
        if (fw.ok()) {
            if (fw.value() % PAGE != 0) {
                throw fatal(c, "firmware-address", "parse_vm_memory", "not 4 KiB aligned");
            }
            fwBase = fw.value();
        }
        Num fwMax = Fdt.num(n, "firmware-size-max", ctx.sizeCells());
        if (fwMax.ok()) {
            if (fwMax.value() % PAGE != 0) {
                throw fatal(c, "firmware-size-max", "parse_vm_memory", "not 4 KiB aligned");
            }
            fwSizeMax = fwMax.value();
            if (Long.compareUnsigned(fwBase + fwSizeMax, fwBase) < 0) {
                throw fatal(
                        c,
                        "firmware-size-max",
                        "parse_vm_memory",
                        "firmware-address + firmware-size-max overflows 64 bits");
            }
        }
        Fdt.Words bmc = Fdt.u32Array(n, "base-mem-constraints", 2);
        if (bmc.status() == Fdt.Read.OK) {
            long[] w = new long[2];
            System.arraycopy(bmc.words(), 0, w, 0, bmc.words().length);
            baseConstraints = w;
        } else if (bmc.status() == Fdt.Read.BAD_SIZE) {
            throw fatal(c, "base-mem-constraints", "parse_vm_memory", "more than two cells or not whole cells");
        }
    }

    /** {@code parse_vcpus}. */
    private void parseVcpus(NodeCursor c) {
        Node n = c.node();
        Affinity affinity = Affinity.STATIC;
        String a = Fdt.string0(n, "affinity");
        if (a != null) {
            switch (a) {
                case "sticky" -> affinity = Affinity.STICKY;
                case "pinned" -> affinity = Affinity.PINNED;
                case "static" -> affinity = Affinity.STATIC;
                case "proxy" -> affinity = Affinity.PROXY;
                default -> warnings.add(c.path() + ": unsupported affinity \"" + a + "\" (the RM uses static)");
            }
        }
        long timeslice = 0;
        long priority = 0;
        List<Long> map = null;
        if (affinity != Affinity.PROXY) {
            Num ts = Fdt.u32(n, "sched-timeslice");
            timeslice = ts.ok() ? ts.value() : 0;
            Num pr = Fdt.s32(n, "sched-priority");
            priority = pr.ok() ? pr.value() : 0;
            Optional<byte[]> am = Fdt.prop(n, "affinity-map");
            if (am.isEmpty()) {
                throw fatal(c, "affinity-map", "parse_vcpus", "missing (required unless affinity is \"proxy\")");
            }
            map = new ArrayList<>();
            for (long w : Fdt.words(am.get())) {
                map.add(w);
            }
        }
        String config = Fdt.string0(n, "config");
        if (config == null) {
            config = "/cpus";
        }
        String cfgPath = config;
        NodeCursor cpus = fdt.pathOffset(config)
                .orElseThrow(() -> fatal(
                        c,
                        "config",
                        "parse_vcpus",
                        "no node " + cfgPath + (Fdt.has(n, "config") ? "" : " (the default)")));
        String defaultMethod = Fdt.string0(cpus.node(), "enable-method");
        int idle = 0;
        int psci = 0;
        int enabled = 0;
        List<RmVmConfig.Vcpu> list = new ArrayList<>();
        for (NodeCursor cpu : cpus.children()) {
            Node cn = cpu.node();
            if (!"cpu".equals(Fdt.string0(cn, "device_type"))) {
                continue;
            }
            String status = Fdt.string0(cn, "status");
            boolean boot;
            if (status == null) {
                boot = enabled == 0;
            } else if (status.equals("okay")) {
                boot = true;
            } else if (status.equals("disabled")) {
                boot = false;
            } else if (status.equals("fail") || status.startsWith("fail-")) {
                continue;
            } else {
                throw fatal(
                        cpu,
                        "status",
                        "parse_vcpus",
                        "\"" + status + "\" (the RM knows okay, disabled, fail and fail-…)");
            }
            String own = Fdt.string0(cn, "enable-method");
            String method = own != null ? own : defaultMethod;
            if (Fdt.has(cn, "cpu-idle-states")) {
                idle++;
            }
            if (boot) {
                enabled++;
            } else if (method == null) {
                throw fatal(
                        cpu,
                        "enable-method",
                        "parse_vcpus",
                        "a CPU that does not start at boot needs an enable-method");
            } else if (method.equals("psci")) {
                psci++;
            } else if (!method.equals("qcom,gunyah-hvc")) {
                throw fatal(
                        cpu,
                        "enable-method",
                        "parse_vcpus",
                        "\"" + method + "\" (the RM knows psci and qcom,gunyah-hvc)");
            }
            if (cpu.path().length() >= 128) {
                throw fatal(cpu, null, "parse_vcpus", "CPU node path longer than 127 characters");
            }
            list.add(new RmVmConfig.Vcpu(cpu.path(), boot));
        }
        if (enabled == 0) {
            throw fatal(
                    c,
                    null,
                    "parse_vcpus",
                    "no CPU under " + cpus.path() + " starts at boot (status \"okay\", or the first without status)");
        }
        if (affinity != Affinity.PROXY && list.size() != map.size()) {
            throw fatal(
                    c,
                    "affinity-map",
                    "parse_vcpus",
                    map.size() + " entries for " + list.size() + " CPUs under " + cpus.path());
        }
        if (psci != 0 || idle != 0) {
            enableVpmPsci = true;
        }
        if (enableVpmPsci && affinity != Affinity.PROXY && idle != list.size() && !primary) {
            throw fatal(
                    c,
                    null,
                    "parse_vcpus",
                    "PSCI is on (a psci node before the config, a psci enable-method"
                            + " or idle states) for a non-proxy VM, but only " + idle + " of " + list.size()
                            + " CPUs have cpu-idle-states");
        }
        vcpus = new RmVmConfig.Vcpus(true, affinity, timeslice, priority, map, list, false);
    }

    /** {@code parse_device_label}: {@code qcom,label}, else {@code label}, as one cell. */
    private static Num label(Node n) {
        Num l = Fdt.u32(n, "qcom,label");
        return l.ok() ? l : Fdt.u32(n, "label");
    }

    /** {@code parse_general_vdevice_props}. */
    private General general(NodeCursor c) {
        Node n = c.node();
        Num l = label(n);
        int count = Fdt.stringCount(n, "push-compatible");
        if (count > MAX_PUSH_COMPATIBLES) {
            throw fatal(
                    c,
                    "push-compatible",
                    "parse_general_vdevice_props",
                    count + " strings (at most " + MAX_PUSH_COMPATIBLES + ")");
        }
        List<String> push = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            push.add(Fdt.string(n, "push-compatible", i).value());
        }
        return new General(c.path(), l.ok() ? l.value() : 0, Fdt.string0(n, "generate"), push);
    }

    /**
     * {@code read_interrupts_config}: exactly {@code count} triples, each a valid SPI/PPI/ESPI/EPPI that is
     * edge-rising or level-high; anything else means "allocate" (with a warning), never a refusal.
     */
    private List<Irq> interrupts(NodeCursor c, int count) {
        Optional<byte[]> b = Fdt.prop(c.node(), "interrupts");
        if (b.isEmpty() || b.get().length != 12 * count) {
            return List.of();
        }
        long[] w = Fdt.words(b.get());
        List<Irq> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long type = w[3 * i];
            long offset;
            long limit;
            if (type == 0) {
                offset = 32;
                limit = 1020;
            } else if (type == 1) {
                offset = 16;
                limit = 32;
            } else if (type == 2) {
                offset = 4096;
                limit = 5120;
            } else if (type == 3) {
                offset = 1056;
                limit = 1120;
            } else {
                warnings.add(c.path() + ": interrupts: GIC class " + type + " ignored; the RM allocates instead");
                return List.of();
            }
            long irq = (w[3 * i + 1] + offset) & 0xFFFF_FFFFL;
            if (irq >= limit) {
                warnings.add(c.path() + ": interrupts: INTID " + irq + " ignored; the RM allocates instead");
                return List.of();
            }
            long flags = w[3 * i + 2] & 0xF;
            if (flags != 1 && flags != 4) {
                warnings.add(c.path() + ": interrupts: trigger " + flags + " ignored; the RM allocates instead");
                return List.of();
            }
            out.add(new Irq((int) irq, flags == 1));
        }
        return out;
    }

    private static int[] msgQueueParams(Node n) {
        Num size = Fdt.u32(n, "message-size");
        Num depth = Fdt.u32(n, "queue-depth");
        // the RM keeps both as uint16_t
        return new int[] {
            (int) ((size.ok() ? size.value() : DEFAULT_MSG_SIZE) & 0xFFFF),
            (int) ((depth.ok() ? depth.value() : DEFAULT_QUEUE_DEPTH) & 0xFFFF)
        };
    }

    /** {@code parse_rm_rpc}. */
    private void parseRmRpc(NodeCursor c) {
        Node n = c.node();
        boolean console = Fdt.has(n, "console-dev");
        List<Irq> irqs = interrupts(c, 2);
        General g = general(c);
        if (g.pushCompatibles().size() + 3 > MAX_PUSH_COMPATIBLES) {
            throw fatal(
                    c,
                    "push-compatible",
                    "parse_rm_rpc",
                    "at most 3 strings for rm-rpc (the RM appends 3 of its own, 6 in all)");
        }
        int[] p = msgQueueParams(n);
        rmRpcs.add(new RmVmConfig.RmRpc(g, console, irqs, p[0], p[1]));
    }

    /** peer-default, else {@code peer} (any string; resolved at VM_INIT); neither is a parse error. */
    private String peer(NodeCursor c, String fn) {
        if (Fdt.has(c.node(), "peer-default")) {
            return null;
        }
        String peer = Fdt.string0(c.node(), "peer");
        if (peer == null) {
            throw fatal(c, "peer", fn, "needs peer-default or a peer string");
        }
        return peer;
    }

    private void requirePeerDefault(NodeCursor c, String fn) {
        if (!Fdt.has(c.node(), "peer-default")) {
            throw fatal(
                    c,
                    "peer-default",
                    fn,
                    "required: this vdevice type is always between the VM and its owner"
                            + (Fdt.has(c.node(), "peer") ? " (peer is not accepted here)" : ""));
        }
    }

    /** {@code parse_doorbell} / {@code parse_doorbell_source}. */
    private void parseDoorbell(NodeCursor c, boolean source) {
        String fn = source ? "parse_doorbell_source" : "parse_doorbell";
        List<Irq> irq = source ? List.of() : interrupts(c, 1);
        String peer = peer(c, fn);
        boolean canClear = Fdt.has(c.node(), "source-can-clear");
        General g = general(c);
        doorbells.add(new RmVmConfig.Doorbell(g, source, peer, canClear, irq.isEmpty() ? null : irq.get(0)));
    }

    /** {@code parse_message_queue}. */
    private void parseMsgQueue(NodeCursor c) {
        List<Irq> irq = interrupts(c, 1);
        boolean sender = Fdt.has(c.node(), "is-sender");
        boolean receiver = Fdt.has(c.node(), "is-receiver");
        if (sender == receiver) {
            throw fatal(
                    c,
                    sender ? "is-receiver" : "is-sender",
                    "parse_message_queue",
                    "exactly one of is-sender and is-receiver");
        }
        requirePeerDefault(c, "parse_message_queue");
        General g = general(c);
        int[] p = msgQueueParams(c.node());
        msgQueues.add(new RmVmConfig.MsgQueue(g, sender, irq.isEmpty() ? null : irq.get(0), p[0], p[1]));
    }

    /** {@code parse_message_queue_pair}. */
    private void parseMsgQueuePair(NodeCursor c) {
        String peer = peer(c, "parse_message_queue_pair");
        List<Irq> irqs = interrupts(c, 2);
        General g = general(c);
        int[] p = msgQueueParams(c.node());
        pairs.add(new RmVmConfig.MsgQueuePair(g, peer, irqs, p[0], p[1]));
    }

    /** What {@code parse_memory_node} reads from a vdevice's {@code memory} child. */
    private record MemoryChild(long label, long base, boolean allocate, boolean optional) {}

    /** {@code parse_memory_node}: exactly one child, named {@code memory}, with a label and base or allocate-base. */
    private MemoryChild memoryChild(NodeCursor c, Ctx ctx) {
        NodeCursor mem = null;
        for (NodeCursor child : c.children()) {
            if (!child.node().name().equals("memory")) {
                throw fatal(child, null, "parse_memory_node", "a vdevice's only child must be named memory");
            }
            if (mem != null) {
                throw fatal(child, null, "parse_memory_node", "a second memory node");
            }
            mem = child;
        }
        if (mem == null) {
            throw fatal(c, null, "parse_memory_node", "no memory child node");
        }
        Ctx memCtx = update(mem, ctx);
        warnIfNotPhys(mem, memCtx);
        Node m = mem.node();
        Num label = label(m);
        if (!label.ok()) {
            throw fatal(mem, "qcom,label", "parse_memory_node", "missing (one cell, qcom,label or label)");
        }
        Num base = Fdt.num(m, "base", memCtx.addrCells());
        long b = base.ok() ? base.value() : 0;
        if (b % PAGE != 0) {
            throw fatal(mem, "base", "parse_memory_node", "not 4 KiB aligned");
        }
        boolean allocate = Fdt.has(m, "allocate-base");
        if (allocate && base.ok()) {
            throw fatal(mem, "allocate-base", "parse_memory_node", "base and allocate-base both given");
        }
        if (!allocate && !base.ok()) {
            throw fatal(
                    mem,
                    "base",
                    "parse_memory_node",
                    "neither base (" + memCtx.addrCells() + " cells here) nor allocate-base");
        }
        return new MemoryChild(label.value(), allocate ? 0 : b, allocate, Fdt.has(m, "optional"));
    }

    /** The memory child's label stands unless the vdevice node has its own (read after it, overwriting it). */
    private static General withMemoryLabel(General g, NodeCursor c, MemoryChild mem) {
        return label(c.node()).ok() ? g : new General(g.path(), mem.label(), g.generate(), g.pushCompatibles());
    }

    /** {@code parse_virtio_mmio}. */
    private void parseVirtioMmio(NodeCursor c, Ctx ctx) {
        Node n = c.node();
        boolean coherent = Fdt.has(n, "dma-coherent");
        requirePeerDefault(c, "parse_virtio_mmio");
        Num vqs = Fdt.u32(n, "vqs-num");
        Num dma = Fdt.u64(n, "dma_base");
        Num type = Fdt.u32(n, "virtio,device-type");
        MemoryChild mem = memoryChild(c, ctx);
        General g = withMemoryLabel(general(c), c, mem);
        virtios.add(new RmVmConfig.VirtioMmio(
                g,
                vqs.ok() ? (int) vqs.value() : 1,
                dma.ok() ? dma.value() : 0,
                type.ok() ? type.value() : 0,
                type.ok(),
                coherent,
                mem.base(),
                mem.allocate()));
    }

    /** {@code parse_shm_doorbell} (both shm and shm-doorbell). */
    private void parseShm(NodeCursor c, Ctx ctx) {
        Node n = c.node();
        String type = Fdt.string0(n, "vdevice-type");
        if (type == null) {
            throw fatal(c, "vdevice-type", "parse_shm_doorbell", "not a readable string");
        }
        boolean plain = type.equals("shm");
        MemoryChild mem = memoryChild(c, ctx);
        requirePeerDefault(c, "parse_shm_doorbell");
        Num dma = Fdt.u64(n, "dma_base");
        General g = withMemoryLabel(general(c), c, mem);
        shms.add(
                new RmVmConfig.Shm(g, plain, mem.base(), mem.allocate(), mem.optional(), dma.ok() ? dma.value() : -1L));
    }

    /** {@code parse_iomem} with {@code parse_iomem_opt}. */
    private void parseIomem(NodeCursor c, Ctx ctx) {
        Node n = c.node();
        General g = general(c);
        String patch = Fdt.string0(n, "patch");
        requirePeerDefault(c, "parse_iomem");
        NodeCursor mem = null;
        for (NodeCursor child : c.children()) {
            // strncmp(name, "memory", strlen(name)): any prefix of "memory" counts
            if (!"memory".startsWith(child.node().name())) {
                continue;
            }
            if (mem != null) {
                throw fatal(child, null, "parse_iomem", "a second memory node");
            }
            mem = child;
        }
        if (mem == null) {
            throw fatal(c, null, "parse_iomem", "no memory child node");
        }
        Num label = label(mem.node());
        if (!label.ok()) {
            throw fatal(mem, "qcom,label", "parse_iomem", "missing (one cell, qcom,label or label)");
        }
        for (String p : List.of("qcom,rm_acl", "qcom,rm_attributes")) {
            if (Fdt.u32Array(n, p, 2).status() == Fdt.Read.BAD_SIZE) {
                throw fatal(c, p, "parse_iomem_opt", "more than two cells or not whole cells");
            }
        }
        Optional<byte[]> sgl = Fdt.prop(n, "qcom,rm_sglist");
        if (sgl.isPresent() && sgl.get().length % 16 != 0) {
            throw fatal(c, "qcom,rm_sglist", "parse_iomem_opt", "not whole (address, size) pairs of 2 + 2 cells");
        }
        g = new General(g.path(), label.value(), g.generate(), g.pushCompatibles());
        iomems.add(new RmVmConfig.Iomem(g, patch, label.value(), Fdt.has(mem.node(), "allocate-base")));
    }

    /** {@code parse_vsmmuv2}. */
    private void parseVsmmu(NodeCursor c) {
        Node n = c.node();
        Num handle = Fdt.u32(n, "smmu-handle");
        if (!handle.ok()) {
            throw fatal(c, "smmu-handle", "parse_vsmmuv2", "missing (one cell)");
        }
        String patch = Fdt.string0(n, "patch");
        if (patch == null) {
            throw fatal(c, "patch", "parse_vsmmuv2", "missing (a path string)");
        }
        Num cbs = Fdt.u32(n, "num-cbs");
        if (!cbs.ok() || cbs.value() > 255) {
            throw fatal(c, "num-cbs", "parse_vsmmuv2", cbs.ok() ? "above 255" : "missing (one cell)");
        }
        Num smrs = Fdt.u32(n, "num-smrs");
        if (!smrs.ok() || smrs.value() > 255) {
            throw fatal(c, "num-smrs", "parse_vsmmuv2", smrs.ok() ? "above 255" : "missing (one cell)");
        }
        smmus.add(new RmVmConfig.Smmu(c.path(), handle.value(), patch, cbs.value(), smrs.value()));
    }

    /** {@code parse_vrtc}. */
    private void parseVrtc(NodeCursor c) {
        Node n = c.node();
        if (!rtcs.isEmpty()) {
            throw fatal(c, null, "parse_vrtc", "a second vRTC (one per VM)");
        }
        Num base = Fdt.u64(n, "base");
        if (base.status() == Fdt.Read.BAD_SIZE) {
            throw fatal(c, "base", "parse_vrtc", "not two cells");
        }
        boolean allocate = Fdt.has(n, "allocate-base");
        if (base.ok() && allocate) {
            throw fatal(c, "allocate-base", "parse_vrtc", "base and allocate-base both given");
        }
        if (base.ok() && base.value() % PAGE != 0) {
            throw fatal(c, "base", "parse_vrtc", "not 4 KiB aligned");
        }
        if (!base.ok() && !allocate) {
            throw fatal(c, "base", "parse_vrtc", "neither base nor allocate-base");
        }
        rtcs.add(new RmVmConfig.Rtc(c.path(), base.ok() ? base.value() : 0, allocate));
    }

    /** {@code platform_parse_interrupts} (QEMU): {@code config} names the vGIC by path (or, warned, phandle). */
    private void parseInterrupts(NodeCursor c) {
        Node n = c.node();
        Fdt.Str path = Fdt.string(n, "config", 0);
        long phandle;
        if (path.present() && path.value().length() > 1 && path.value().startsWith("/")) {
            NodeCursor g = fdt.pathOffset(path.value())
                    .orElseThrow(() -> fatal(c, "config", "platform_parse_interrupts", "no GIC node " + path.value()));
            phandle = Fdt.phandleOf(g.node());
        } else if (path.absent() && gicPhandle != 0xFFFF_FFFFL) {
            return; // the root's interrupt-parent already named a GIC
        } else {
            Num ph = Fdt.u32(n, "config");
            if (!ph.ok()) {
                throw fatal(
                        c,
                        "config",
                        "platform_parse_interrupts",
                        Fdt.has(n, "config")
                                ? "neither a GIC node path nor a phandle"
                                : "missing, and the root has no interrupt-parent naming a GIC");
            }
            warnings.add(c.path() + ": config looks like a phandle; the RM wants a path");
            phandle = ph.value();
        }
        if (phandle != gicPhandle) {
            String err = parseGic(phandle);
            if (err != null) {
                throw fatal(c, "config", "platform_parse_gic", err);
            }
        }
    }

    /** {@code platform_parse_root} (QEMU): the root's interrupt-parent, if a usable GIC, is the vGIC. */
    private void parseRoot(NodeCursor c) {
        gicPhandle = 0xFFFF_FFFFL;
        Num ip = Fdt.u32(c.node(), "interrupt-parent");
        if (ip.ok()) {
            String err = parseGic(ip.value());
            if (err != null) {
                warnings.add("root interrupt-parent: " + err);
            }
        }
    }

    /** {@code platform_parse_gic}: returns why the node is no usable vGIC, or null and records it. */
    private String parseGic(long phandle) {
        String err = gicError(phandle);
        if (err != null) {
            gic = null;
            gicPhandle = 0xFFFF_FFFFL;
        }
        return err;
    }

    private String gicError(long phandle) {
        Optional<NodeCursor> found = fdt.byPhandle(phandle);
        if (found.isEmpty()) {
            return "interrupt controller phandle " + phandle + " names no node";
        }
        NodeCursor g = found.get();
        Node n = g.node();
        Ctx ctx = ctxOf(g);
        if (!ctx.addrIsPhys()) {
            warnings.add("addresses in " + g.path() + " are not 1:1 physical");
        }
        if (!Fdt.compatible(n, "arm,gic-v3")) {
            return g.path() + " is not compatible with arm,gic-v3";
        }
        if (!Fdt.has(n, "interrupt-controller")) {
            return g.path() + " has no interrupt-controller property";
        }
        Num regions = Fdt.u32(n, "#redistributor-regions");
        if (regions.ok() && regions.value() != 1) {
            return g.path() + ": #redistributor-regions must be 1";
        }
        Num cells = Fdt.u32(n, "#interrupt-cells");
        if (!cells.ok() || cells.value() != 3) {
            return g.path() + ": #interrupt-cells must be 3";
        }
        Optional<byte[]> reg = Fdt.prop(n, "reg");
        long regCells = ctx.addrCells() + ctx.sizeCells();
        long gicd = INVALID_ADDRESS;
        long gicr = INVALID_ADDRESS;
        boolean patch = true;
        if (reg.isPresent()) {
            if (reg.get().length < 4 * 2 * regCells) {
                return g.path() + ": reg holds fewer than two (address, size) entries";
            }
            long[] w = Fdt.words(reg.get());
            gicd = Fdt.readNum(w, 0, ctx.addrCells(), g.path());
            gicr = Fdt.readNum(w, (int) regCells, ctx.addrCells(), g.path());
            patch = false;
        }
        long stride = 0x2_0000L;
        Num s = Fdt.u64(n, "redistributor-stride");
        if (s.ok()) {
            if (Long.compareUnsigned(s.value(), 0x2_0000L) < 0 || (s.value() & 0xFFFF) != 0) {
                return g.path() + ": redistributor-stride below 128 KiB or not 64 KiB aligned";
            }
            stride = s.value();
        }
        gicPhandle = phandle;
        gic = new RmVmConfig.Gic(phandle, gicd, gicr, stride, patch, (int) ctx.addrCells(), (int) ctx.sizeCells());
        return null;
    }
}
