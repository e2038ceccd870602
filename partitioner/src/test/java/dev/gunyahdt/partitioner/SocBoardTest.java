package dev.gunyahdt.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.emit.ConfigEmitter;
import dev.gunyahdt.partitioner.inventory.BoardInventory;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptKind;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.plan.PlanException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** boards/soc-2cluster: the large SoC board, its inventory, and its seven-VM plan. */
class SocBoardTest {

    static final Path PLAN = Path.of("../boards/soc-2cluster/vms.yaml");

    static BoardInventory inv;
    static Allocation a;

    @BeforeAll
    static void run() {
        inv = BoardInventory.of(TestBoards.compile(Path.of("../boards/soc-2cluster/board.dts")));
        try {
            a = TestBoards.partition(PLAN);
        } catch (PlanException e) {
            fail("the plan breaks rules: " + e.problems());
        }
    }

    static VmAllocation vm(String name) {
        return a.vm(name).orElseThrow();
    }

    @Test
    void eightCpusInTwoClustersWithTwoCellMpidrs() {
        assertEquals(
                List.of(0x0L, 0x1L, 0x2L, 0x3L, 0x100L, 0x101L, 0x102L, 0x103L),
                inv.cpus().stream().map(BoardInventory.Cpu::mpidr).toList());
        assertEquals(Set.of("cluster0", "cluster1"), inv.clusters().keySet());
        assertEquals(4, inv.clusters().get("cluster0").size());
        assertEquals("/cpus/cpu@100", inv.clusters().get("cluster1").get(0).path());
    }

    @Test
    void fourBanksWithHolesAndReservedRegions() {
        assertEquals(
                List.of(
                        new Range(0x80000000L, 0x60000000L),
                        new Range(0x100000000L, 0x80000000L),
                        new Range(0x880000000L, 0x80000000L),
                        new Range(0xa00000000L, 0x100000000L)),
                inv.memory());
        assertEquals(5, inv.reserved().size());
        assertEquals(
                3,
                inv.reserved().stream().filter(BoardInventory.Reserved::noMap).count());
        assertEquals(
                2,
                inv.reserved().stream()
                        .filter(BoardInventory.Reserved::reusable)
                        .count());
        assertEquals(
                1,
                inv.reserved().stream().filter(BoardInventory.Reserved::dynamic).count());
    }

    @Test
    void threeHundredTwentyNineSpisEachRaisedByOneDevice() {
        Map<Long, String> raisedBy = new HashMap<>();
        for (Device d : inv.devices()) {
            for (var irq : d.interrupts()) {
                if (irq.kind() == InterruptKind.SPI) {
                    assertNull(raisedBy.put(irq.number(), d.path()), "SPI " + irq.number() + " twice");
                }
            }
            // A PCIe host's INTx rows reuse four SPIs 16 times; count each once per host.
            for (var irq :
                    new TreeSet<>(d.mapped().stream().map(i -> i.number()).toList())) {
                assertNull(raisedBy.put(irq, d.path()), "mapped SPI " + irq + " twice");
            }
        }
        assertEquals(329, raisedBy.size());
        assertEquals("/soc@0/iommu@15000000", raisedBy.get(448L)); // the 64th SMMU context bank
        assertEquals("/soc@0/pcie@21000000", raisedBy.get(463L));
    }

    @Test
    void ninetySocDevicesWithMmioAndSpis() {
        List<Device> soc = inv.devices().stream()
                .filter(d -> d.path().matches("/soc@0/[^/]+")
                                && !d.mmio().isEmpty()
                                && !d.interrupts().isEmpty()
                        || d.path().startsWith("/soc@0/pcie@"))
                .toList();
        assertEquals(90, soc.size());
        Device uart = inv.device("/soc@0/serial@a8b0000").orElseThrow();
        assertEquals(List.of(new Range(0xa8b0000L, 0x1000L)), uart.mmio()); // through the soc bus's ranges
        // the I2C/SPI/MDIO children have no CPU address
        assertTrue(inv.device("/soc@0/i2c@a900000/temperature-sensor@48")
                .orElseThrow()
                .untranslatable()
                .isPresent());
    }

    @Test
    void sevenVmsAcrossBothClusters() {
        assertTrue(a.vms().size() >= 6);
        assertEquals(
                List.of("hlos", "display", "net", "audio", "camera", "sensors", "secure"),
                a.vms().stream().map(v -> v.vm().name()).toList());
        assertEquals(3, vm("hlos").vmid());
        assertEquals(List.of(0, 1, 4, 5), vm("hlos").cpus()); // two little, two big, pinned
        assertEquals(List.of(6, 7), vm("display").cpus()); // the other two big cores, pinned
        assertEquals(List.of(2, 3), vm("net").cpus()); // static, sharing little cores
        assertEquals(List.of(7), vm("secure").cpus());
        assertEquals(
                Optional.of(new Range(0x100000000L, 0x80000000L)), vm("hlos").memory());
        assertEquals(Optional.of(new Range(0xafc000000L, 0x4000000L)), a.hypervisor());
        assertEquals(5, a.shared().size()); // four shm regions and the virtio DMA pool
    }

    @Test
    void everySpiOwnedByAtMostOneVmAndNoMemoryOverlap() {
        Map<Long, String> owner = new HashMap<>();
        int passed = 0;
        for (VmAllocation v : a.vms()) {
            passed += v.devices().size();
            for (long spi : v.spis()) {
                String before = owner.put(spi, v.vm().name());
                assertNull(before, "SPI " + spi + " in " + before + " and " + v.vm().name());
            }
        }
        // Left with no VM: UARTs 6..11, I2C 13..15, SPI 6..7, GPIO 10..11 (1 SPI each), timer 7 (2), usb1 (1).
        assertEquals(329 - 16, owner.size());
        assertEquals(75, passed);
        List<Range> taken = new java.util.ArrayList<>();
        a.vms().forEach(v -> taken.add(v.memory().orElseThrow()));
        taken.add(a.hypervisor().orElseThrow());
        for (int i = 0; i < taken.size(); i++) {
            for (int j = i + 1; j < taken.size(); j++) {
                Range x = taken.get(i);
                Range y = taken.get(j);
                assertFalse(x.base() <= y.last() && y.base() <= x.last(), x + " overlaps " + y);
            }
        }
    }

    @Test
    void emitsNineteenFilesEveryTreeCleanUnderDtcChecks(@TempDir Path dir) throws Exception {
        // emit() refuses (EmitException) any tree with a dtc-check finding.
        List<Path> files = ConfigEmitter.emit(a, dir);
        assertEquals(
                19, files.size()); // system.dtb/.dts, 7 x vm/<name>.dtb/.dts, plan.json, memory-map.svg, report.html
        assertTrue(files.contains(dir.resolve("vm/secure.dtb")));
    }
}
