package dev.gunyahdt.partitioner.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.GicVersion;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Interrupt;
import dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptKind;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The inventory of boards/qemu-virt/board.dts, compiled with our own preprocessor and parser. */
class QemuVirtInventoryTest {

    private static BoardInventory inv;

    @BeforeAll
    static void build() {
        inv = BoardInventory.of(Boards.board("boards/qemu-virt/board.dts"));
    }

    @Test
    void oneBankOfTwoGibAt1Gib() {
        assertEquals(List.of(new Range(0x40000000L, 0x80000000L)), inv.memory());
        assertTrue(inv.reserved().isEmpty());
    }

    @Test
    void eightCpusInOneCluster() {
        assertEquals(8, inv.cpus().size());
        for (int i = 0; i < 8; i++) {
            var cpu = inv.cpus().get(i);
            assertEquals("/cpus/cpu@" + i, cpu.path());
            assertEquals(i, cpu.mpidr());
            assertEquals("psci", cpu.enableMethod().orElseThrow());
            assertEquals("okay", cpu.status());
            assertEquals("socket0/cluster0", cpu.cluster());
            assertEquals(i, cpu.core());
            assertEquals(-1, cpu.thread());
        }
        assertEquals(List.of("socket0/cluster0"), List.copyOf(inv.clusters().keySet()));
        assertEquals(8, inv.clusters().get("socket0/cluster0").size());
    }

    @Test
    void gicV3WithThreeCells() {
        var gic = inv.gic().orElseThrow();
        assertEquals("/intc@8000000", gic.path());
        assertEquals(GicVersion.V3, gic.gicVersion().orElseThrow());
        assertEquals(3, gic.interruptCells());
        assertEquals(List.of(gic), inv.interruptControllers());
        Device d = inv.device("/intc@8000000").orElseThrow();
        assertEquals(List.of(new Range(0x8000000L, 0x10000L), new Range(0x80a0000L, 0xf60000L)), d.mmio());
        assertEquals(
                List.of(new Interrupt("/intc@8000000", InterruptKind.PPI, 9, 4, List.of(1L, 9L, 4L))), d.interrupts());
    }

    @Test
    void pl011AtItsAddressWithSpi1() {
        Device uart = inv.device("/pl011@9000000").orElseThrow();
        assertEquals(List.of(new Range(0x9000000L, 0x1000L)), uart.mmio());
        assertEquals(1, uart.interrupts().size());
        Interrupt irq = uart.interrupts().get(0);
        assertEquals(InterruptKind.SPI, irq.kind());
        assertEquals(1, irq.number());
        assertEquals(33, irq.intid());
        assertEquals(4, irq.flags()); // IRQ_TYPE_LEVEL_HIGH
        assertEquals("/intc@8000000", irq.controller());
    }

    @Test
    void thirtyTwoVirtioTransportsOnSpis16To47() {
        List<Device> virtio = inv.devices().stream()
                .filter(d -> d.compatible().contains("virtio,mmio"))
                .toList();
        assertEquals(32, virtio.size());
        for (int i = 0; i < 32; i++) {
            Device d = virtio.get(i);
            assertEquals(List.of(new Range(0xa000000L + 0x200L * i, 0x200)), d.mmio(), d.path());
            Interrupt irq = d.interrupts().get(0);
            assertEquals(InterruptKind.SPI, irq.kind());
            assertEquals(16 + i, irq.number());
            assertEquals(1, irq.flags()); // IRQ_TYPE_EDGE_RISING
        }
    }

    @Test
    void pcieInterruptMapResolvesToSpis3To6() {
        Device pcie = inv.device("/pcie@10000000").orElseThrow();
        assertEquals(List.of(new Range(0x3f000000L, 0x1000000L)), pcie.mmio()); // highmem=off ECAM
        assertTrue(pcie.interrupts().isEmpty());
        assertEquals(16, pcie.mapped().size());
        // slot s, pin p → SPI 3 + (s + p - 1) % 4, in the map's row order
        List<Long> expected = IntStream.range(0, 16)
                .mapToObj(row -> 3L + (row / 4 + row % 4) % 4)
                .toList();
        assertEquals(expected, pcie.mapped().stream().map(Interrupt::number).toList());
        assertTrue(pcie.mapped().stream()
                .allMatch(i -> i.kind() == InterruptKind.SPI
                        && i.flags() == 4
                        && i.controller().equals("/intc@8000000")));
    }

    @Test
    void ppiUsersAndUntranslatableNodes() {
        Device timer = inv.device("/timer").orElseThrow();
        assertEquals(
                List.of(13L, 14L, 11L, 10L),
                timer.interrupts().stream().map(Interrupt::number).toList());
        assertTrue(timer.interrupts().stream().allMatch(i -> i.kind() == InterruptKind.PPI));
        assertTrue(timer.mmio().isEmpty());
        assertFalse(timer.untranslatable().isPresent());
        // flash has two banks; the GPIO poweroff key has no reg or interrupts, so it is no device
        assertEquals(2, inv.device("/flash@0").orElseThrow().mmio().size());
        assertFalse(inv.device("/gpio-keys/poweroff").isPresent());
    }

    @Test
    void everySpiHasOneOwnerOnThisBoard() {
        java.util.Map<Long, java.util.Set<String>> owners = new java.util.TreeMap<>();
        for (Device d : inv.devices()) {
            java.util.stream.Stream.concat(d.interrupts().stream(), d.mapped().stream())
                    .filter(i -> i.kind() == InterruptKind.SPI)
                    .forEach(i -> owners.computeIfAbsent(i.number(), k -> new java.util.TreeSet<>())
                            .add(d.path()));
        }
        // 1 uart, 2 rtc, 3..6 pcie INTx, 7 gpio, 16..47 virtio
        List<Long> expected = new java.util.ArrayList<>(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L));
        IntStream.range(16, 48).forEach(n -> expected.add((long) n));
        assertEquals(expected, List.copyOf(owners.keySet()));
        assertTrue(owners.values().stream().allMatch(s -> s.size() == 1), owners.toString());
        assertEquals(java.util.Set.of("/pcie@10000000"), owners.get(5L));
    }
}
