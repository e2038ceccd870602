package dev.gunyahdt.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.Abi;
import dev.gunyahdt.hypervisor.rm.Configs;
import dev.gunyahdt.hypervisor.rm.RpcSeat;
import dev.gunyahdt.hypervisor.rm.VmView;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmConfigParser;
import dev.gunyahdt.hypervisor.rm.overlay.IomemProbe;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayStyle;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.MessageType;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The coverage tables of the hypervisor README (issue 11) against what the model does. The lists in
 * {@code src/test/resources/coverage/*.tsv} are facts read from the real sources by
 * {@code tests/conformance/gunyah-coverage.sh}; their last column, the status, is kept by hand and checked here
 * against the model, so a table cannot claim more (or less) than the model does:
 * {@code implemented}, {@code unimplemented: why} (the model answers UNIMPLEMENTED or does not build it), or
 * {@code upstream-unimplemented: why} (the open upstream build does nothing either — it answers UNIMPLEMENTED,
 * refuses, or parses and builds nothing — and neither does the model).
 */
class CoverageTablesTest {

    record Row(List<String> cells) {
        String get(int i) {
            return cells.get(i);
        }

        String status() {
            return cells.get(cells.size() - 1);
        }

        boolean implemented() {
            return status().equals("implemented");
        }
    }

    private static final Pattern STATUS = Pattern.compile("implemented|(unimplemented|upstream-unimplemented): \\S.*");

    /** The rows of one list, after checking its header names the upstream commit and every status is well formed. */
    static List<Row> table(String name, String commit, int columns) {
        List<String> lines;
        try (InputStream in = CoverageTablesTest.class.getResourceAsStream("/coverage/" + name)) {
            assertTrue(in != null, name + " missing");
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith("# upstream: ") && l.contains(commit)),
                name + ": no header naming commit " + commit);
        List<String> body =
                lines.stream().filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
        assertEquals(columns, body.get(0).split("\t").length, name + ": column header");
        List<Row> rows = new ArrayList<>();
        for (String l : body.subList(1, body.size())) {
            Row r = new Row(List.of(l.split("\t", -1)));
            assertEquals(columns, r.cells().size(), name + ": " + l);
            assertTrue(
                    STATUS.matcher(r.status()).matches(), name + ": status not implemented / unimplemented: why: " + l);
            rows.add(r);
        }
        return rows;
    }

    static final String HYP = "36ca3a2a0d89a46e9566474586dd94f12a04e3d5";
    static final String RM = "bf31a9ac9ec3beaf532bae1a796e3c35c691cd17";

    /** Collects every row whose status disagrees with what the model does, and fails naming them all. */
    private static void assertAgrees(
            String list, List<Row> rows, Predicate<Row> modelDoes, Function<Row, String> label) {
        List<String> wrong = new ArrayList<>();
        for (Row r : rows) {
            boolean does = modelDoes.test(r);
            if (does != r.implemented()) {
                wrong.add(label.apply(r) + ": the table says '" + r.status() + "' but the model "
                        + (does ? "does it" : "does not"));
            }
        }
        assertTrue(wrong.isEmpty(), list + ":\n  " + String.join("\n  ", wrong));
    }

    /** The README's counts (gunyah-coverage.sh --markdown-only prints them) are the TSVs' counts, in the same order. */
    @Test
    void readmeCountsAreTheTables() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("## Coverage against the real sources");
        assertTrue(section >= 0, "README has no coverage section");
        List<List<Row>> parts = new ArrayList<>();
        List<Row> hvc = table("hypercalls.tsv", HYP, 5);
        parts.add(hvc.stream().filter(r -> r.get(2).startsWith("native")).toList());
        parts.add(hvc.stream().filter(r -> r.get(2).startsWith("vendor")).toList());
        parts.add(table("rpc-requests.tsv", RM, 5));
        parts.add(table("notifications.tsv", RM, 4));
        parts.add(table("vdevice-types.tsv", RM, 3));
        parts.add(table("overlay.tsv", RM, 5));
        int at = section;
        for (List<Row> part : parts) {
            long impl = part.stream().filter(Row::implemented).count();
            long same = part.stream()
                    .filter(r -> r.status().startsWith("upstream-unimplemented"))
                    .count();
            String cell = "**" + impl + " / " + (part.size() - same) + "**";
            at = readme.indexOf(cell, at);
            assertTrue(at >= 0, "README coverage table lacks " + cell + ": rerun tests/conformance/gunyah-coverage.sh");
        }
    }

    // ---- hypercalls -------------------------------------------------------------------------------------------

    /**
     * Whether a fresh hypervisor answers native call {@code n} with anything but UNIMPLEMENTED, for any of three
     * input sets: all zero, all ones (a defined call's res0 check answers ARGUMENT_INVALID), and the root partition
     * and cspace caps in X0/X1 (a create call succeeds).
     */
    static boolean answers(int n) {
        for (int set = 0; set < 3; set++) {
            Hypervisor hv = new Hypervisor(1);
            long[] in = switch (set) {
                case 0 -> new long[8];
                case 1 -> new long[] {-1, -1, -1, -1, -1, -1, -1, -1};
                default -> new long[] {hv.rootPartitionCap(), hv.rootCSpaceCap(), 0, 0, 0, 0, 0, 0};
            };
            HvcResult r = hv.hvc(hv.root(), Abi.HVC_BASE + n, HvcArgs.of(in));
            if (r.error() != HypError.UNIMPLEMENTED) {
                return true;
            }
        }
        return false;
    }

    @Test
    void hypercallTableMatchesTheModel() {
        List<Row> rows = table("hypercalls.tsv", HYP, 5);
        List<Row> nativeRows =
                rows.stream().filter(r -> r.get(2).startsWith("native")).toList();
        assertAgrees("hypercalls.tsv", nativeRows, r -> answers(Integer.decode(r.get(0))), r -> r.get(1));
        for (Row r : rows) {
            if (r.get(2).startsWith("vendor")) {
                assertTrue(!r.implemented(), r.get(1) + ": a vendor call has no number the model could answer");
            }
        }
        // and the model answers no number the real hypervisor does not define
        Set<Integer> defined = new HashSet<>();
        nativeRows.forEach(r -> defined.add(Integer.decode(r.get(0))));
        for (int n = 0; n < 0x100; n++) {
            if (!defined.contains(n)) {
                assertTrue(!answers(n), "the model answers call 0x" + Integer.toHexString(n) + ", not a real one");
            }
        }
    }

    // ---- RM RPC requests --------------------------------------------------------------------------------------

    /** Sends request {@code id} with an empty payload from a fresh primary; true unless it answers UNIMPLEMENTED. */
    static boolean rmHandles(int id) {
        RpcSeat seat = RpcSeat.boot();
        seat.endpoint().send(new RpcMessage(MessageType.REQUEST, 7, id, new byte[0]));
        for (int i = 0; i < 20; i++) {
            seat.rm().step();
            for (RpcMessage m : seat.endpoint().receive()) {
                if (m.type() == MessageType.REPLY && m.sequence() == 7 && m.messageId() == id) {
                    return m.replyErrorCode() != RmError.UNIMPLEMENTED.code();
                }
            }
        }
        return true; // taken without a reply (e.g. VM_EXIT stops the caller): a handler ran
    }

    @Test
    void rpcRequestTableMatchesTheModel() {
        List<Row> rows = table("rpc-requests.tsv", RM, 5);
        assertAgrees(
                "rpc-requests.tsv",
                rows,
                r -> rmHandles((int) Long.parseLong(r.get(0).substring(2), 16)),
                r -> r.get(1));
        for (Row r : rows) {
            if (!r.get(2).equals("handled")) {
                assertTrue(r.status().startsWith("upstream-unimplemented"), r.get(1) + " is " + r.get(2) + " upstream");
            }
        }
    }

    /**
     * The model's table of unbuilt calls ({@code hypercall.Unbuilt}) is the "unimplemented" native rows of
     * hypercalls.tsv, number, name and reason, and each answers UNIMPLEMENTED with its reason available.
     */
    @Test
    void unbuiltHypercallsAreTheTablesUnimplementedRows() {
        Map<Integer, String> want = new TreeMap<>();
        for (Row r : table("hypercalls.tsv", HYP, 5)) {
            if (r.get(2).startsWith("native") && r.status().startsWith("unimplemented: ")) {
                int n = Integer.decode(r.get(0));
                want.put(n, r.get(1) + ": " + r.status().substring("unimplemented: ".length()));
            }
        }
        Map<Integer, String> have = new TreeMap<>();
        dev.gunyahdt.hypervisor.hypercall.Unbuilt.all().forEach((n, c) -> have.put(n, c.name() + ": " + c.reason()));
        assertEquals(want, have);
        Hypervisor hv = new Hypervisor(1);
        for (int n : want.keySet()) {
            assertEquals(
                    HypError.UNIMPLEMENTED, hv.call(hv.root(), n, new long[8]).error(), "0x" + Integer.toHexString(n));
            assertEquals(
                    want.get(n),
                    hv.hypercallName(n) + ": " + hv.unbuiltReason(n).orElseThrow());
        }
    }

    // ---- notifications ----------------------------------------------------------------------------------------

    /**
     * The notifications the model has a send site for ({@code notify(MessageId.NOTIFY_…}) in its sources. A source scan,
     * not a run: no one boot sends every notification; the boot tests check the ones sent (RmBootTest and the RM
     * tests), this keeps the table honest about which exist at all.
     */
    static Set<String> modelNotifications() throws IOException {
        Set<String> sent = new HashSet<>();
        Pattern p = Pattern.compile("notify\\(\\s*(?:MessageId\\.)?(NOTIFY_\\w+)");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                p.matcher(Files.readString(f)).results().forEach(m -> sent.add(m.group(1)));
            }
        }
        return sent;
    }

    @Test
    void notificationTableMatchesTheModel() throws IOException {
        List<Row> rows = table("notifications.tsv", RM, 4);
        Set<String> sent = modelNotifications();
        assertTrue(!sent.isEmpty(), "no send site found: has the way the model sends notifications changed?");
        assertAgrees(
                "notifications.tsv",
                rows,
                r -> {
                    MessageId m = MessageId.of((int) Long.parseLong(r.get(0).substring(2), 16));
                    return m != null && sent.contains(m.name());
                },
                r -> r.get(1));
    }

    // ---- vdevice types ----------------------------------------------------------------------------------------

    /** One vdevice node per type, in the shape the real RM accepts (properties as in tests/…/qcom-vm). */
    static final Map<String, String> VDEVICE_NODES = Map.ofEntries(
            Map.entry("rm-rpc", ""), // every config has one
            Map.entry(
                    "shm-doorbell",
                    "x { vdevice-type = \"shm-doorbell\"; generate = \"/hypervisor/x\"; peer-default;"
                            + " memory { qcom,label = <0x8>; allocate-base; }; };"),
            Map.entry(
                    "shm",
                    "x { vdevice-type = \"shm\"; generate = \"/swiotlb\"; peer-default; dma_base = <0 0x4000>;"
                            + " memory { qcom,label = <0x14>; allocate-base; }; };"),
            Map.entry(
                    "doorbell-source",
                    "x { vdevice-type = \"doorbell-source\"; generate = \"/hypervisor/x\";"
                            + " peer-default; qcom,label = <1>; };"),
            Map.entry(
                    "doorbell",
                    "x { vdevice-type = \"doorbell\"; generate = \"/hypervisor/x\"; peer-default;"
                            + " qcom,label = <1>; };"),
            Map.entry(
                    "message-queue",
                    "x { vdevice-type = \"message-queue\"; generate = \"/hypervisor/x\";"
                            + " peer-default; is-sender; qcom,label = <2>; };"),
            Map.entry(
                    "message-queue-pair",
                    "x { vdevice-type = \"message-queue-pair\"; generate = \"/hypervisor/x\";"
                            + " peer-default; qcom,label = <0>; };"),
            Map.entry(
                    "virtio-mmio",
                    "x { vdevice-type = \"virtio-mmio\"; generate = \"/virtio-mmio\"; peer-default;"
                            + " vqs-num = <1>; push-compatible = \"virtio,mmio\"; dma-coherent; dma_base = <0 0>;"
                            + " memory { qcom,label = <0x11>; allocate-base; }; };"),
            Map.entry(
                    "iomem",
                    "x { vdevice-type = \"iomem\"; patch = \"/soc/x\"; peer-default;"
                            + " memory { qcom,label = <0x8>; allocate-base; }; };"),
            Map.entry(
                    "vsmmu-v2",
                    "x { vdevice-type = \"vsmmu-v2\"; smmu-handle = <0x15000000>; num-cbs = <6>;"
                            + " num-smrs = <14>; patch = \"/soc/x\"; };"),
            Map.entry("vrtc-pl031", "x { vdevice-type = \"vrtc-pl031\"; allocate-base; };"));

    /** Whether the model's RM builds vdevice {@code type}: it is in the config it builds from, not only listed unmodelled. */
    static boolean modelBuilds(String type) {
        String node = VDEVICE_NODES.get(type);
        assertTrue(node != null, "no probe node for vdevice type " + type);
        byte[] dtb = Configs.compile(Configs.vm(
                "svm1", 0x80000000L, 0x10000000L, "generate = \"/hypervisor/qcom,resource-mgr\";", node, ""));
        DeviceTree tree = DtbReader.read(dtb, "svm1.dtb");
        VmConfig c = VmConfigParser.parse("svm1.dtb", tree);
        if (type.equals("rm-rpc")) {
            return c.rmRpc() != null;
        }
        if (type.equals("iomem")) {
            return !c.iomems().isEmpty(); // no object: the memory lent with its label is accepted at VM_START
        }
        if (type.equals("shm-doorbell")) {
            return c.vdevices().stream().anyMatch(VmConfig.Vdevice::shmDoorbells); // an shm with its doorbell pair
        }
        boolean built = c.vdevices().stream().anyMatch(d -> d.kind().dtName.equals(type) && !d.shmDoorbells());
        boolean unmodelled = c.unmodelled().stream().anyMatch(u -> u.startsWith(type + " "));
        assertTrue(built || unmodelled, type + ": the probe node was neither built nor listed as unmodelled");
        return built;
    }

    @Test
    void vdeviceTypeTableMatchesTheModel() {
        List<Row> rows = table("vdevice-types.tsv", RM, 3);
        assertAgrees("vdevice-types.tsv", rows, r -> modelBuilds(r.get(0)), r -> r.get(0));
    }

    // ---- overlay nodes and properties -------------------------------------------------------------------------

    /**
     * Every node name (without unit address), property name and fragment target path in the overlays the model's
     * RM writes in two boots: svm1/svm2 joined by a pair and a doorbell, svm1 sharing memory with its owner; and
     * svm1 (with a vm-uri, a vm-guid and a /reserved-memory) joined to its owner by a pair, a doorbell, a queue,
     * shared memory and a virtio-mmio device.
     */
    static Set<String> overlayNames() {
        String shm = "shm { vdevice-type = \"shm\"; generate = \"/hypervisor/shm\"; peer-default; qcom,label = <2>;"
                + " dma_base = <0x0 0x0>; memory { qcom,label = <2>; base = <0x0 0xa0000000>; }; };\n";
        // the second probe boot has the shm-doorbell variant of the same label (tx-doorbell, rx-doorbell)
        String shmDoorbell = shm.replace("\"shm\"", "\"shm-doorbell\"");
        String virtio = "vio { vdevice-type = \"virtio-mmio\"; generate = \"/hypervisor/vio\"; peer-default;"
                + " qcom,label = <3>; dma-coherent; memory { qcom,label = <3>; base = <0x0 0xa0200000>; }; };\n";
        // svm1's UART page, which hlos holds (passthrough-mmio) and lends under the iomem's label
        String iomem = "io { vdevice-type = \"iomem\"; generate = \"/hypervisor/io\"; patch = \"/pl011@9000000\";"
                + " peer-default; memory { qcom,label = <0x1000>; }; };\n";
        String toOwner = """
                mqp { vdevice-type = "message-queue-pair"; generate = "/hypervisor/mqp"; peer-default; qcom,label = <0>; };
                bell { vdevice-type = "doorbell"; generate = "/hypervisor/bell"; peer-default; qcom,label = <1>; };
                q { vdevice-type = "message-queue"; generate = "/hypervisor/q"; peer-default; is-sender; qcom,label = <2>; };
                """;
        String rmRpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;";
        Map<String, byte[]> vms = new LinkedHashMap<>();
        vms.put("hlos", Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rmRpc, "", "")));
        vms.put(
                "svm1",
                Configs.compile(Configs.vm(
                                "svm1",
                                0x80000000L,
                                0x10000000L,
                                rmRpc,
                                toOwner + shmDoorbell + virtio + iomem,
                                "reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; };"
                                        + " pl011@9000000 { compatible = \"arm,pl011\", \"arm,primecell\";"
                                        + " reg = <0x0 0x9000000 0x0 0x1000>; };")
                        .replace(
                                "image-name = \"svm1\";",
                                "image-name = \"svm1\"; vm-uri = \"gunyah-dt:svm1\";"
                                        + " vm-guid = \"0123ABCD-0123-4567-89ab-0123456789ab\";")
                        // a GIC node without reg: the RM places the vGIC and patches the node (vgic_dto_finalise)
                        .replace("reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>;", "")));
        byte[] system = Configs.compile(Configs.system(
                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                Configs.tableEntry("svm1", 0x80, false, 0x80000000L, 0x10000000L)
                        .replace("owner = ", "passthrough-mmio = <0x0 0x9000000 0x0 0x1000>; owner = "),
                Configs.SHM_REGION,
                Configs.VIRTIO_POOL));
        Set<String> names = new HashSet<>();
        List<Simulation.Result> runs = List.of(
                Simulation.run(Configs.pairOfSecondaries(7, Configs.SVM1_VDEVICES + shm, Configs.SVM2_VDEVICES, "")),
                Simulation.run(Simulation.Config.of(system, vms, Map.of(), 7)));
        for (Simulation.Result r : runs) {
            assertTrue(r.settled() && r.rm().internalFaults() == 0, "a probe boot did not settle");
            for (VmView v : r.rm().vms()) {
                v.overlay().ifPresent(dtbo -> overlayNamesOf(DtbReader.read(dtbo, v.name() + ".dtbo"), names));
            }
        }
        // the guests only LEND device memory (an ACL without the owner, no attributes): the iomem node's
        // qcom,rm-acl and qcom,rm-attributes, written when the parcel names both VMs, come from the generator itself
        overlayNamesOf(IomemProbe.overlay(OverlayStyle.RM), names);
        return names;
    }

    private static void overlayNamesOf(DeviceTree overlay, Set<String> names) {
        overlay.walk(c -> {
            names.add("node " + c.node().name().replaceFirst("@.*", ""));
            c.node().properties().forEach(p -> names.add("property " + p.name()));
            c.node()
                    .property("target-path")
                    .filter(p -> p.value().isStringList())
                    .ifPresent(p -> names.add("path " + p.value().asStrings().get(0)));
        });
    }

    @Test
    void overlayTableMatchesTheModel() {
        List<Row> rows = table("overlay.tsv", RM, 5);
        Set<String> model = overlayNames();
        // a computed name "(expr)" cannot be looked up: such rows are judged by hand (README says so)
        List<Row> literal = rows.stream().filter(r -> !r.get(2).startsWith("(")).toList();
        Set<String> implementedNames = new HashSet<>();
        literal.stream().filter(Row::implemented).forEach(r -> implementedNames.add(r.get(1) + " " + r.get(2)));
        List<String> wrong = new ArrayList<>();
        for (Row r : literal) {
            String key = r.get(1) + " " + r.get(2);
            if (r.implemented() && !model.contains(key)) {
                wrong.add(r.get(0) + " " + key + ": the table says implemented but no model overlay has it");
            }
            // a name only unimplemented rows carry must not appear in any model overlay
            if (!r.implemented() && !implementedNames.contains(key) && model.contains(key)) {
                wrong.add(r.get(0) + " " + key + ": the table says '" + r.status() + "' but a model overlay has it");
            }
        }
        assertTrue(wrong.isEmpty(), "overlay.tsv:\n  " + String.join("\n  ", wrong) + "\nmodel: " + model);
    }
}
