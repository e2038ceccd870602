package dev.gunyahdt.partitioner.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.checks.CheckConfig;
import dev.gunyahdt.dt.checks.CheckResult;
import dev.gunyahdt.dt.checks.Checker;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.partitioner.TestBoards;
import dev.gunyahdt.partitioner.allocate.Allocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootable config of boards/qemu-virt: written, read back, and clean under dtc's checks. */
class QemuVirtEmitTest {

    @TempDir
    static Path out;

    static List<Path> written;

    @BeforeAll
    static void emit() throws IOException {
        Allocation a = TestBoards.partition(TestBoards.REPO.resolve("boards/qemu-virt/vms.yaml"));
        written = ConfigEmitter.emit(a, out);
    }

    private static DeviceTree read(String name) throws IOException {
        return DtbReader.read(Files.readAllBytes(out.resolve(name)), name);
    }

    private static Node node(DeviceTree t, String path) {
        return t.find(path).orElseThrow(() -> new AssertionError("no " + path)).node();
    }

    private static long[] cells(DeviceTree t, String path, String prop) {
        return node(t, path)
                .property(prop)
                .orElseThrow(() -> new AssertionError("no " + path + ":" + prop))
                .value()
                .cells();
    }

    private static String str(DeviceTree t, String path, String prop) {
        return node(t, path)
                .property(prop)
                .orElseThrow(() -> new AssertionError("no " + path + ":" + prop))
                .value()
                .asString();
    }

    @Test
    void writesEveryFileAndNoTempFiles() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.walk(out)) {
            s.filter(Files::isRegularFile)
                    .forEach(p -> names.add(out.relativize(p).toString()));
        }
        names.sort(null);
        assertEquals(
                List.of(
                        "memory-map.svg",
                        "plan.json",
                        "report.html",
                        "system.dtb",
                        "system.dts",
                        "vm/hlos.dtb",
                        "vm/hlos.dts",
                        "vm/svm1.dtb",
                        "vm/svm1.dts",
                        "vm/svm2.dtb",
                        "vm/svm2.dts"),
                names);
        assertEquals(11, written.size());
    }

    @Test
    void systemTreeHasPlatformCarveOutAndVmTable() throws IOException {
        DeviceTree t = read("system.dtb");
        assertEquals(
                8,
                node(t, "/cpus").children().stream()
                        .filter(n -> n.name().startsWith("cpu@"))
                        .count());
        assertArrayEquals(new long[] {0, 0x40000000L, 0, 0x80000000L}, cells(t, "/memory@40000000", "reg"));
        assertEquals("arm,gic-v3", str(t, "/intc@8000000", "compatible"));
        assertTrue(t.find("/timer").isPresent());
        assertTrue(t.find("/psci").isPresent());
        assertArrayEquals(
                new long[] {0, 0xbc000000L, 0, 0x4000000L},
                cells(t, "/reserved-memory/gunyah-hypervisor@bc000000", "reg"));
        assertTrue(node(t, "/reserved-memory/gunyah-hypervisor@bc000000").hasProperty("no-map"));
        assertArrayEquals(new long[] {3}, cells(t, "/gunyah-vms/hlos", "vmid"));
        assertArrayEquals(new long[] {0, 1, 2, 3}, cells(t, "/gunyah-vms/hlos", "physical-cpus"));
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, cells(t, "/gunyah-vms/hlos", "hw-spis"));
        assertArrayEquals(new long[] {0x80}, cells(t, "/gunyah-vms/svm1", "vmid"));
        assertArrayEquals(new long[] {0, 0x80000000L, 0, 0x10000000L}, cells(t, "/gunyah-vms/svm1", "memory-ranges"));
        assertArrayEquals(new long[] {4, 5}, cells(t, "/gunyah-vms/svm1", "physical-cpus"));
        assertArrayEquals(new long[] {16}, cells(t, "/gunyah-vms/svm1", "hw-spis"));
        assertArrayEquals(new long[] {0, 0xa000000L, 0, 0x200}, cells(t, "/gunyah-vms/svm1", "passthrough-mmio"));
        assertArrayEquals(new long[] {0, 0x90000000L, 0, 0x10000000L}, cells(t, "/gunyah-vms/svm2", "memory-ranges"));
        assertArrayEquals(
                new long[] {0, 0xa0000000L, 0, 0x200000}, cells(t, "/gunyah-vms/shm-svm1-2", "memory-ranges"));
        // only the platform: no passthrough devices in the system tree
        assertFalse(t.find("/pl011@9000000").isPresent());
        assertFalse(t.find("/hypervisor").isPresent());
    }

    @Test
    void hlosTreeHasItsCpusMemoryDevicesAndConfig() throws IOException {
        DeviceTree t = read("vm/hlos.dtb");
        assertEquals(4, node(t, "/cpus").children().size());
        assertArrayEquals(new long[] {3}, cells(t, "/cpus/cpu@3", "reg"));
        assertArrayEquals(new long[] {0, 0x40000000L, 0, 0x40000000L}, cells(t, "/memory@40000000", "reg"));
        assertEquals("hvc", str(t, "/psci", "method"));
        assertEquals("console=ttyAMA0 earlycon", str(t, "/chosen", "bootargs"));
        assertEquals("/pl011@9000000", str(t, "/chosen", "stdout-path"));
        assertTrue(t.find("/pl011@9000000").isPresent());
        assertTrue(t.find("/pl031@9010000").isPresent());
        assertTrue(t.find("/pcie@10000000").isPresent());
        assertTrue(t.find("/apb-pclk").isPresent(), "the UART's clock comes along");
        assertTrue(t.find("/intc@8000000").isPresent());
        assertTrue(t.find("/timer").isPresent());
        assertFalse(t.find("/virtio_mmio@a000000").isPresent());
        assertFalse(t.find("/hypervisor").isPresent());
        String c = "/qcom,vm-config";
        assertEquals("aarch64-guest", str(t, c, "vm-type"));
        assertEquals("linux", str(t, c, "os-type"));
        assertEquals("hlos", str(t, c, "image-name"));
        assertArrayEquals(new long[] {0, 0x40000000L}, cells(t, c + "/memory", "base-address"));
        // #size-cells absent on /qcom,vm-config: the RM reads one size cell
        assertArrayEquals(new long[] {0x40000000L}, cells(t, c + "/memory", "size-min"));
        assertFalse(node(t, c).hasProperty("#size-cells"));
        assertEquals("pinned", str(t, c + "/vcpus", "affinity"));
        assertArrayEquals(new long[] {0, 1, 2, 3}, cells(t, c + "/vcpus", "affinity-map"));
        // the RM takes the GIC from the root's interrupt-parent; no "interrupts" child (dt-schema
        // types "interrupts" as a property on every node)
        assertTrue(t.find(c + "/interrupts").isEmpty());
        assertEquals(
                t.find("/intc@8000000")
                        .orElseThrow()
                        .node()
                        .property("phandle")
                        .orElseThrow()
                        .value()
                        .asCell(),
                t.root().property("interrupt-parent").orElseThrow().value().asCell());
        assertArrayEquals(new long[] {33, 33, 34, 34, 35, 35, 36, 36, 37, 37, 38, 38}, cells(t, c, "gic-irq-ranges"));
        assertEquals("rm-rpc", str(t, c + "/vdevices/rm-rpc", "vdevice-type"));
        assertTrue(node(t, c + "/vdevices/rm-rpc").hasProperty("console-dev"));
    }

    @Test
    void secondaryTreesCarryBothSidesOfEachVdevice() throws IOException {
        DeviceTree s1 = read("vm/svm1.dtb");
        DeviceTree s2 = read("vm/svm2.dtb");
        String v = "/qcom,vm-config/vdevices/";
        assertEquals("message-queue-pair", str(s1, v + "message-queue-pair-svm1-0", "vdevice-type"));
        assertEquals("vm-name:svm2", str(s1, v + "message-queue-pair-svm1-0", "peer"));
        assertEquals("message-queue-pair", str(s2, v + "message-queue-pair-svm1-0", "vdevice-type"));
        assertEquals("vm-name:svm1", str(s2, v + "message-queue-pair-svm1-0", "peer"));
        assertEquals("doorbell-source", str(s1, v + "doorbell-source-svm1-1", "vdevice-type"));
        assertEquals("doorbell", str(s2, v + "doorbell-svm1-1", "vdevice-type"));
        assertArrayEquals(new long[] {0, 0xa0000000L}, cells(s1, v + "shm-svm1-2/memory", "base"));
        assertTrue(node(s1, v + "shm-svm1-2").hasProperty("peer-default"), "shm is always with the owner");
        assertFalse(s2.find(v + "shm-svm1-2").isPresent());
        assertArrayEquals(new long[] {4, 5}, cells(s1, "/qcom,vm-config/vcpus", "affinity-map"));
        assertArrayEquals(new long[] {5000}, cells(s1, "/qcom,vm-config/vcpus", "sched-timeslice"));
        assertArrayEquals(new long[] {0xffffffffL}, cells(s1, "/qcom,vm-config/vcpus", "sched-priority"));
        assertEquals("static", str(s2, "/qcom,vm-config/vcpus", "affinity"));
        // passthrough to an untrusted secondary: an iomem vdevice, no iomemory-ranges / gic-irq-ranges
        assertFalse(node(s1, "/qcom,vm-config").hasProperty("iomemory-ranges"));
        assertFalse(node(s1, "/qcom,vm-config").hasProperty("gic-irq-ranges"));
        assertEquals("iomem", str(s1, v + "iomem-1000", "vdevice-type"));
        assertEquals("/virtio_mmio@a000000", str(s1, v + "iomem-1000", "patch"));
        // the RM's iomem node goes under /hypervisor, not over the device's own node (create_iomem_nodes)
        assertEquals("/hypervisor/iomem-1000", str(s1, v + "iomem-1000", "generate"));
        assertEquals("gunyah-dt,iomem", str(s1, v + "iomem-1000", "push-compatible"));
        assertTrue(s1.find("/virtio_mmio@a000000").isPresent());
        // the RM writes /memory itself and refuses any other memory node
        assertTrue(s1.rootCursor().children().stream()
                .noneMatch(c -> c.node().name().startsWith("memory")));
        assertEquals(3, node(s2, "/cpus").children().size(), "2 CPUs and idle-states");
        assertTrue(node(s2, "/cpus/cpu@0").hasProperty("cpu-idle-states"));
        assertFalse(s2.find("/chosen").get().node().hasProperty("bootargs"));
    }

    @Test
    void everyEmittedDtbIsCleanUnderDtcChecks() throws Exception {
        for (Path p : written) {
            if (!p.toString().endsWith(".dtb")) {
                continue;
            }
            DeviceTree t = DtbReader.read(Files.readAllBytes(p), p.toString());
            CheckResult r = Checker.run(t, CheckConfig.defaults(), "-");
            assertEquals(
                    List.of(), r.diagnostics().stream().map(d -> d.rendered()).toList(), p.toString());
            Path dtc = Path.of("/usr/bin/dtc");
            if (Files.isExecutable(dtc)) {
                // dtc 1.6.1 reads the blob back with no warning
                assertEquals("", runDtc(dtc, "dtb", p, Path.of("/dev/null")), "dtc -I dtb on " + p);
                // The .dts twin is dtc's own DTS output (raw phandle cells, as dtc -O dts prints
                // them), so dtc warns "cell N is not a phandle reference" on it; it must still
                // compile to the very same blob.
                Path dts = Path.of(p.toString().replaceAll("\\.dtb$", ".dts"));
                Path again = Files.createTempFile("again", ".dtb");
                runDtc(dtc, "dts", dts, again);
                assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(again), dts.toString());
                Files.delete(again);
            }
        }
    }

    private static String runDtc(Path dtc, String in, Path src, Path dst) throws Exception {
        Process proc = new ProcessBuilder(dtc.toString(), "-I", in, "-O", "dtb", "-o", dst.toString(), src.toString())
                .redirectErrorStream(true)
                .start();
        String text = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, proc.exitValue(), text);
        return text;
    }

    @Test
    void planJsonNamesEveryVm() throws IOException {
        String json = Files.readString(out.resolve("plan.json"));
        assertTrue(json.contains("\"name\" : \"hlos\""), json);
        assertTrue(json.contains("\"base\" : \"0xbc000000\""), json);
        assertTrue(json.contains("\"name\" : \"svm2\""), json);
    }

    @Test
    void sameBytesOnASecondRun() {
        Allocation a = TestBoards.partition(TestBoards.REPO.resolve("boards/qemu-virt/vms.yaml"));
        ConfigEmitter.Rendered r1 = ConfigEmitter.render(a);
        ConfigEmitter.Rendered r2 =
                ConfigEmitter.render(TestBoards.partition(TestBoards.REPO.resolve("boards/qemu-virt/vms.yaml")));
        for (String k : r1.files().keySet()) {
            assertArrayEquals(r1.files().get(k), r2.files().get(k), k);
        }
    }
}
