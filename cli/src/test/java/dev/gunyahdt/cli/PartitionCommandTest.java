package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The partition and build verbs through Main.run, with captured streams. */
class PartitionCommandTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path QEMU = REPO.resolve("boards/qemu-virt");

    record Run(int status, String out, String err) {}

    /** Each of {@code lines} appears in {@code out}, in this order (other lines may come between). */
    static void assertInOrder(String out, List<String> lines) {
        int at = 0;
        for (String s : lines) {
            int i = out.indexOf(s, at);
            assertTrue(i >= 0, "missing or out of order: " + s + "\n" + out);
            at = i;
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(
                args,
                new Io(
                        new ByteArrayInputStream(new byte[0]),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void buildWritesTheConfigAndPrintsTheTable(@TempDir Path dir) {
        Run r = run("build", QEMU.toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("""
                VM    VMID  memory                          CPUs          SPIs  VIRQs
                hlos  0x3   0x40000000-0x7fffffff (1GiB)    0-3 (pinned)  1-6   960-961
                svm1  0x80  0x80000000-0x8fffffff (256MiB)  4-5 (pinned)  16    960-963
                svm2  0x81  0x90000000-0x9fffffff (256MiB)  6-7 (static)  -     960-964
                hypervisor: 0xbc000000-0xbfffffff (64MiB)
                shm svm1/2: 0xa0000000-0xa01fffff (2MiB) shared by hlos, svm1
                """), r.out());
        for (String f :
                new String[] {"system.dtb", "system.dts", "plan.json", "vm/hlos.dtb", "vm/svm1.dts", "vm/svm2.dtb"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
    }

    @Test
    void partitionTakesABoardAndAPlanFile(@TempDir Path dir) throws Exception {
        Run r = run(
                "partition",
                QEMU.resolve("board.dts").toString(),
                QEMU.resolve("vms.yaml").toString(),
                "-o",
                dir.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("svm2  0x81"), r.out());
        assertTrue(Files.size(dir.resolve("vm/svm1.dtb")) > 0);
    }

    @Test
    void aBrokenPlanExitsOneWithItsRuleAndWritesNothing(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("vms.yaml");
        Files.writeString(plan, """
                board: board.dts
                hypervisor: {size: 64MiB}
                vms:
                  - name: hlos
                    primary: true
                    memory: 1GiB
                    vcpus: 2
                    scheduling: pinned
                    affinity: [0, 1]
                  - name: svm
                    memory: 256MiB
                    vcpus: 1
                    scheduling: pinned
                    affinity: [1]
                """);
        Path out = dir.resolve("out");
        Run r = run("partition", QEMU.resolve("board.dts").toString(), plan.toString(), "-o", out.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("cpu-exclusive: " + plan + ":14:"), r.err());
        assertTrue(r.err().contains("1 problem(s) in the plan; nothing written"), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingBoardExitsTwo() {
        Run r = run("build", REPO.resolve("boards/no-such-board").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no such board directory"), r.err());
        Run p = run(
                "partition", "/nonexistent/board.dts", QEMU.resolve("vms.yaml").toString());
        assertEquals(2, p.status());
        assertTrue(p.err().contains("/nonexistent/board.dts: no such board file"), p.err());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("partition").status());
        assertEquals(2, run("build", "a", "b").status());
    }

    @Test
    void helpSaysWhatBuildChecks() {
        Run b = run("build", "--help");
        assertEquals(0, b.status());
        String flat = b.out().replaceAll("\\s+", " ");
        assertTrue(flat.contains("lints every DTB it is about to write"), b.out());
        assertTrue(
                flat.contains(
                        "runs dtc's checks on it (its warnings are printed, its errors stop the build, as in dtc)"),
                b.out());
        assertTrue(flat.contains("--kernel-checks"), b.out());
        assertTrue(
                flat.contains("-Wno-interrupt_provider -Wno-unit_address_vs_reg -Wno-avoid_unnecessary_addr_size "
                        + "-Wno-alias_paths -Wno-graph_child_address -Wno-simple_bus_reg -Wno-unique_unit_address"),
                b.out());
        assertTrue(b.out().contains("boards/include"), b.out());
        Run p = run("partition", "--help");
        assertEquals(0, p.status());
        assertTrue(p.out().contains("BOARD.dts VMS.yaml"), p.out());
    }

    /** qemu-virt's board with {@code extra} appended, in {@code dir}, with qemu-virt's plan beside it. */
    static Path qemuVariant(Path dir, String extra, String planExtra) throws Exception {
        Path board = dir.resolve("board");
        Files.createDirectories(board);
        String dts = Files.readString(QEMU.resolve("board.dts")) + extra;
        Files.writeString(board.resolve("board.dts"), dts);
        Files.writeString(board.resolve("vms.yaml"), planExtra + Files.readString(QEMU.resolve("vms.yaml")));
        return board;
    }

    /** Issue 12, item 1: the board's dtc findings by dtc's severity, -W/-E, --kernel-checks. */
    @Test
    void boardWarningsFollowDtcsSeverities(@TempDir Path dir) throws Exception {
        Path board = qemuVariant(dir, "\n/ { extra@1 { }; };\n", "");
        String inc = REPO.resolve("boards/include").toString();
        Run w = run("build", board.toString(), "-i", inc, "-o", dir.resolve("a").toString());
        assertEquals(0, w.status(), w.err());
        assertTrue(
                w.err()
                        .startsWith("gunyah-dt build: findings in the board " + board.resolve("board.dts")
                                + " (dtc's checks):\n"),
                w.err());
        assertTrue(
                w.err()
                        .contains(
                                "Warning (unit_address_vs_reg): /extra@1: node has a unit name, but no reg or ranges property"),
                w.err());
        // -E makes it an error: the board stops the run, nothing written
        Run e = run(
                "build",
                board.toString(),
                "-i",
                inc,
                "-Eunit_address_vs_reg",
                "-o",
                dir.resolve("b").toString());
        assertEquals(1, e.status(), e.err());
        assertTrue(e.err().contains("(dtc's checks, with -Eunit_address_vs_reg):"), e.err());
        assertTrue(e.err().contains("ERROR (unit_address_vs_reg): /extra@1"), e.err());
        assertTrue(e.err().contains("the board has dtc-check error(s)"), e.err());
        assertFalse(Files.exists(dir.resolve("b")));
        // -Wno- and --kernel-checks silence it
        Run n = run(
                "partition",
                board.toString(),
                "-i",
                inc,
                "-Wno-unit_address_vs_reg",
                "-o",
                dir.resolve("c").toString());
        assertEquals(0, n.status(), n.err());
        assertEquals("", n.err());
        Run k = run(
                "build",
                board.toString(),
                "-i",
                inc,
                "--kernel-checks",
                "-o",
                dir.resolve("d").toString());
        assertEquals(0, k.status(), k.err());
        assertEquals("", k.err());
        // an unknown check is a usage error, as in 'gunyah-dt dtc'
        Run u = run("build", board.toString(), "-Wno-such_check");
        assertEquals(2, u.status());
        assertTrue(u.err().contains("Unrecognized check name \"such_check\""), u.err());
    }

    /** Issue 12, item 1: a board memory of size 0 asks for board-memory; given, it is the board's memory. */
    @Test
    void aZeroMemorySizeAsksForBoardMemory(@TempDir Path dir) throws Exception {
        String zero = "\n&{/memory@40000000} { reg = <0x00 0x40000000 0x00 0x00>; };\n";
        Path board = qemuVariant(dir, zero, "");
        String inc = REPO.resolve("boards/include").toString();
        Run r = run("build", board.toString(), "-i", inc, "-o", dir.resolve("a").toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(
                r.err()
                        .startsWith("board-memory: " + board.resolve("vms.yaml")
                                + ":4:8: the board's memory at 0x40000000 has size 0 "
                                + "(its bootloader fills it in); say how much RAM the board has in the plan, e.g.\n  board-memory:\n"
                                + "    - {base: 0x40000000, size: 8GiB}\n"),
                r.err());
        Path fixed = qemuVariant(dir.resolve("f"), zero, "board-memory:\n  - {base: 0x40000000, size: 2GiB}\n");
        Run ok =
                run("build", fixed.toString(), "-i", inc, "-o", dir.resolve("b").toString());
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("hypervisor: 0xbc000000-0xbfffffff (64MiB)"), ok.out());
        assertTrue(Files.readString(dir.resolve("b/system.dts")).contains("reg = <0x00 0x40000000 0x00 0x80000000>;"));
    }

    static final Path BUILD = REPO.resolve("cli/src/test/resources/build");

    /** A passed-through device that breaks a built-in binding: build prints the finding as lint does, writes nothing. */
    @Test
    void buildLintsTheBoardAndWritesNothingOnAFinding(@TempDir Path dir) {
        Path out = dir.resolve("out");
        Path board = BUILD.resolve("lint-finding").resolve("board.dts");
        Run r = run("build", BUILD.resolve("lint-finding").toString(), "-o", out.toString());
        assertEquals(1, r.status(), r.err());
        assertEquals(
                board + ":33:19: error: /doorbell@9000000: qcom,label: "
                        + "'qcom,label' is a required property [schema: required at http://devicetree.org/schemas/gunyah-doorbell.yaml#/required; "
                        + "binding builtin:bindings/gunyah-doorbell.yaml]",
                r.err().lines().findFirst().orElse(""),
                r.err());
        assertTrue(r.err().contains("1 binding finding(s) in the board"), r.err());
        assertFalse(Files.exists(out), "nothing may be written");
        // partition does not lint: the same plan is written
        Run p = run("partition", BUILD.resolve("lint-finding").toString(), "-o", out.toString());
        assertEquals(0, p.status(), p.err());
        assertTrue(Files.isRegularFile(out.resolve("vm/svm.dtb")));
    }

    /**
     * A 6 GiB VM: the RM reads the memory child with /chosen's cell sizes (2 and 1), so only the base is given; no
     * memory node (the RM writes /memory); the memory-region's node carried over.
     */
    @Test
    void aVmOfSixGibAndAMemoryRegionAreEmittedLintClean(@TempDir Path dir) throws Exception {
        Run r = run("build", BUILD.resolve("vm-4gib").toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("svm   0x80  0x800000000-0x97fffffff (6GiB)"), r.out());
        String svm = Files.readString(dir.resolve("vm/svm.dts"));
        assertFalse(svm.contains("memory@800000000 {"), svm);
        assertTrue(svm.contains("""
                	qcom,vm-config {
                		vm-type = "aarch64-guest";
                """), svm);
        assertTrue(svm.contains("""
                		memory {
                			base-address = <0x08 0x00>;
                		};
                """), svm);
        // the DMA engine's memory-region: its /reserved-memory child comes along, phandle and label kept
        assertTrue(svm.contains("""
                	reserved-memory {
                		#address-cells = <0x02>;
                		#size-cells = <0x02>;
                		ranges;

                		dma_fw: dma-firmware@f0000000 {
                			reg = <0x00 0xf0000000 0x00 0x100000>;
                			no-map;
                			phandle = <0x02>;
                		};
                	};
                """), svm);
        assertTrue(svm.contains("memory-region = <0x02>;"), svm);
        // the GIC comes from the root's interrupt-parent: no "interrupts" child in the vm-config
        assertFalse(svm.contains("interrupts {"), svm);
        assertFalse(Files.readString(dir.resolve("vm/hlos.dts")).contains("reserved-memory"));
    }

    /**
     * Root cells 2/1: the primary's iomemory-ranges are read with the root's cells, so 2 + 2 + 1 + 1 per entry,
     * access 0 (the RM's read-write); the untrusted secondary gets its device as an iomem vdevice instead.
     */
    @Test
    void iomemoryRangesTakeTheRootsCellSizes(@TempDir Path dir) throws Exception {
        Run r = run("build", BUILD.resolve("one-size-cell").toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        String hlos = Files.readString(dir.resolve("vm/hlos.dts"));
        assertTrue(hlos.contains("iomemory-ranges = <0x00 0x9000000 0x00 0x9000000 0x1000 0x00>;"), hlos);
        String svm = Files.readString(dir.resolve("vm/svm.dts"));
        assertFalse(svm.contains("iomemory-ranges"), svm);
        assertTrue(svm.contains("patch = \"/dma-controller@9100000\";"), svm);
    }

    /**
     * A plan the partitioner accepts but the Gunyah RM refuses (a secondary at 64 GiB, past its 36-bit IPA space):
     * build runs vm-check on what it would write, names the VM and the RM's rule, and writes nothing.
     */
    @Test
    void buildStopsWhenTheRmWouldRefuseAConfig(@TempDir Path dir) {
        Path out = dir.resolve("out");
        Run r = run("build", BUILD.resolve("rm-refuses").toString(), "-o", out.toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(
                r.err()
                        .contains(out.resolve("vm/svm.dtb") + ": refused by the Gunyah RM (vmid 0x80): "
                                + "/qcom,vm-config/memory: base-address: 0x1000000000 is outside a secondary's 36-bit IPA space"
                                + " (64 GiB) (vm_config_update_parsed)"),
                r.err());
        assertTrue(r.err().contains("the Gunyah RM would refuse 1 VM config(s) (vm-check); nothing written"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }
}
