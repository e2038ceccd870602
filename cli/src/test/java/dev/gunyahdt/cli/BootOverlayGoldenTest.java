package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secondary-VM overlay of boards/qemu-virt's svm1 in the rm style: its fragments in §10.2's order and the
 * properties of each node in §10.3/§10.4's order, against a golden printed by {@code gunyah-dt inspect}
 * ({@code boot/qemu-virt-svm1.hypervisor.txt} says how it was made).
 */
class BootOverlayGoldenTest {

    @Test
    void svm1OverlayMatchesTheInspectGoldenFragmentForFragment(@TempDir Path dir) throws Exception {
        PartitionCommandTest.Run boot =
                PartitionCommandTest.run("boot", PartitionCommandTest.QEMU.toString(), "-o", dir.toString());
        assertEquals(0, boot.status(), boot.err());
        Path dtbo = dir.resolve("vm/svm1.hypervisor.dtbo");
        PartitionCommandTest.Run inspect = PartitionCommandTest.run("inspect", dtbo.toString());
        assertEquals(0, inspect.status(), inspect.err());
        assertEquals(golden(), inspect.out());

        DeviceTree ov = DtbReader.read(Files.readAllBytes(dtbo), "svm1.hypervisor.dtbo");
        List<String> targets = ov.root().children().stream()
                .filter(f -> f.name().startsWith("fragment@"))
                .map(f -> f.property("target-path").orElseThrow().value().asString() + " "
                        + f.child("__overlay__").orElseThrow().children().stream()
                                .map(BootOverlayGoldenTest::leaf)
                                .collect(Collectors.joining(",")))
                .toList();
        assertEquals(
                List.of(
                        "/ hypervisor/iomem-1000", // §10.2 step 2: the iomem node at its generate path
                        "/chosen ", // step 3 (kaslr-seed only)
                        "/ reserved-memory,memory", // step 4: no base /reserved-memory
                        "/ vsoc", // step 5
                        "/ hypervisor", // step 7
                        "/ hypervisor/qcom,resource-mgr@a8ab85dcf7be7a5c", // step 8: RM-RPC, doorbells, pairs, shm
                        "/ hypervisor/doorbell-source-svm1-1@a8ab85dcf7bf9ec7",
                        "/ hypervisor/message-queue-pair-svm1-0@a8ab85dcf7bc57f1",
                        "/ hypervisor/shm-svm1-2"),
                targets);
        assertEquals(
                List.of("__fixups__", "__local_fixups__"),
                ov.root().children().stream()
                        .map(Node::name)
                        .filter(n -> n.startsWith("__"))
                        .toList());

        assertEquals(
                List.of(
                        "#address-cells",
                        "#size-cells",
                        "compatible",
                        "reg",
                        "peer",
                        "qcom,rm-mem-handle",
                        "qcom,label"),
                props(ov, "/fragment@0/__overlay__/hypervisor/iomem-1000"));
        assertEquals(List.of("kaslr-seed"), props(ov, "/fragment@1/__overlay__"));
        assertEquals(
                List.of("#address-cells", "#size-cells", "ranges"),
                props(ov, "/fragment@2/__overlay__/reserved-memory"));
        assertEquals(
                List.of("reg", "qcom,shared-memory", "no-map", "peers", "qcom,rm-mem-handle", "phandle", "qcom,label"),
                props(ov, "/fragment@2/__overlay__/reserved-memory/buffer@a0000000"));
        assertEquals(List.of("device_type", "reg"), props(ov, "/fragment@2/__overlay__/memory"));
        assertEquals(
                List.of("#address-cells", "#size-cells", "ranges", "compatible"),
                props(ov, "/fragment@3/__overlay__/vsoc"));
        assertEquals(
                List.of("compatible", "buffer", "memory-region", "peer", "qcom,label", "label"),
                props(ov, "/fragment@8/__overlay__/hypervisor/shm-svm1-2"));
        // the buffer's phandle (buffer and memory-region) is fixed up locally; nothing targets a label
        assertEquals(
                List.of("buffer", "memory-region"),
                props(ov, "/__local_fixups__/fragment@8/__overlay__/hypervisor/shm-svm1-2"));
        assertEquals(List.of(), ov.find("/__fixups__").orElseThrow().node().properties());
        // memory: svm1's RAM and the shm region, address order, root cells (2, 2)
        assertEquals(
                List.of(0L, 0x8000_0000L, 0L, 0x1000_0000L, 0L, 0xa000_0000L, 0L, 0x20_0000L),
                cells(ov, "/fragment@2/__overlay__/memory", "reg"));
        // hlos shares the buffer with svm1 (MEM_SHARE, ACL hlos then svm1): memparcel_get_shared_vmids lists a
        // SHARE's owner, then the ACL — hlos twice
        assertEquals(
                List.of(0x3L, 0x3L, 0x80L),
                cells(ov, "/fragment@2/__overlay__/reserved-memory/buffer@a0000000", "peers"));
    }

    /** kaslr-seed comes from the model's seed: the same seed gives the same bytes, another seed others. */
    @Test
    void kaslrSeedFollowsTheBootSeed(@TempDir Path dir) throws Exception {
        List<Long> seeds = new java.util.ArrayList<>();
        for (String[] run : List.of(new String[] {"a", "7"}, new String[] {"b", "7"}, new String[] {"c", "8"})) {
            Path out = dir.resolve(run[0]);
            PartitionCommandTest.Run r = PartitionCommandTest.run(
                    "boot", PartitionCommandTest.QEMU.toString(), "-o", out.toString(), "--seed", run[1]);
            assertEquals(0, r.status(), r.err());
            DeviceTree guest = DtbReader.read(Files.readAllBytes(out.resolve("vm/svm1.guest.dtb")), "svm1");
            long[] c = guest.find("/chosen")
                    .orElseThrow()
                    .node()
                    .property("kaslr-seed")
                    .orElseThrow()
                    .value()
                    .cells();
            assertEquals(2, c.length);
            seeds.add(c[0] << 32 | c[1]);
        }
        assertEquals(seeds.get(0), seeds.get(1));
        org.junit.jupiter.api.Assertions.assertNotEquals(seeds.get(0), seeds.get(2));
    }

    /** The path inside {@code __overlay__} down to the first node that has properties (construct-path nesting). */
    private static String leaf(Node n) {
        if (n.properties().isEmpty() && n.children().size() == 1) {
            return n.name() + "/" + leaf(n.children().get(0));
        }
        return n.name();
    }

    private static List<String> props(DeviceTree t, String path) {
        NodeCursor c = t.find(path).orElseThrow(() -> new AssertionError("no " + path));
        return c.node().properties().stream().map(Property::name).toList();
    }

    private static List<Long> cells(DeviceTree t, String path, String prop) {
        long[] c = t.find(path)
                .orElseThrow()
                .node()
                .property(prop)
                .orElseThrow()
                .value()
                .cells();
        return java.util.Arrays.stream(c).boxed().toList();
    }

    private static String golden() throws Exception {
        try (InputStream in = BootOverlayGoldenTest.class.getResourceAsStream("/boot/qemu-virt-svm1.hypervisor.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> !l.startsWith("# ")).collect(Collectors.joining("\n", "", "\n"));
        }
    }
}
