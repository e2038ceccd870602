package dev.gunyahdt.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.Virq;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** boards/qemu-virt/vms.yaml against boards/qemu-virt/board.dts: what each VM gets. */
class QemuVirtPlanTest {

    static Allocation a;

    @BeforeAll
    static void run() {
        a = TestBoards.partition(Path.of("../boards/qemu-virt/vms.yaml"));
    }

    static VmAllocation vm(String name) {
        return a.vm(name).orElseThrow();
    }

    @Test
    void hypervisorAtTheTopOfDdr() {
        assertEquals(Optional.of(new Range(0xbc000000L, 0x4000000L)), a.hypervisor());
    }

    @Test
    void memoryInPlanOrderFromTheBottom() {
        assertEquals(
                Optional.of(new Range(0x40000000L, 0x40000000L)), vm("hlos").memory()); // gunyah-model.md §13
        assertEquals(
                Optional.of(new Range(0x80000000L, 0x10000000L)), vm("svm1").memory());
        assertEquals(
                Optional.of(new Range(0x90000000L, 0x10000000L)), vm("svm2").memory());
        assertEquals(2, a.shared().size());
        assertEquals(
                Optional.of(new Range(0xa0000000L, 0x200000L)),
                a.shared().get(0).range());
        assertEquals(java.util.Set.of("hlos", "svm1"), a.shared().get(0).sharers());
        // svm2's virtio-mmio DMA pool, shared with its backend
        assertEquals(
                Optional.of(new Range(0xa0200000L, 0x10000L)), a.shared().get(1).range());
        assertEquals(java.util.Set.of("hlos", "svm2"), a.shared().get(1).sharers());
    }

    @Test
    void vmidsHlos3AndDynamicFrom0x80() {
        assertEquals(3, vm("hlos").vmid());
        assertEquals(0x80, vm("svm1").vmid());
        assertEquals(0x81, vm("svm2").vmid());
    }

    @Test
    void cpus() {
        assertEquals(List.of(0, 1, 2, 3), vm("hlos").cpus()); // pinned, any: the lowest free
        assertEquals(List.of(4, 5), vm("svm1").cpus()); // index 4 and MPIDR 5
        assertEquals(List.of(6, 7), vm("svm2").cpus());
    }

    @Test
    void spisGoWithTheirDevices() {
        // pl011 SPI 1, pl031 SPI 2, the PCIe host's INTx SPIs 3..6; the first virtio-mmio SPI 16
        assertEquals("[1, 2, 3, 4, 5, 6]", vm("hlos").spis().toString());
        assertEquals("[16]", vm("svm1").spis().toString());
        assertEquals("[]", vm("svm2").spis().toString());
        assertEquals(
                List.of("/pl011@9000000", "/pl031@9010000", "/pcie@10000000"),
                vm("hlos").devices().stream()
                        .map(d -> d.device().orElseThrow().path())
                        .toList());
    }

    @Test
    void virqsFrom960() {
        assertEquals(
                List.of(new Virq(960, "rm-rpc tx"), new Virq(961, "rm-rpc rx")),
                vm("hlos").virqs());
        assertEquals(
                List.of(
                        "rm-rpc tx",
                        "rm-rpc rx",
                        "message-queue-pair svm1->svm2 label 0 tx",
                        "message-queue-pair svm1->svm2 label 0 rx"),
                vm("svm1").virqs().stream().map(Virq::purpose).toList());
        assertEquals(
                List.of(
                        "rm-rpc tx",
                        "rm-rpc rx",
                        "doorbell svm1->svm2 label 1",
                        "message-queue-pair svm1->svm2 label 0 tx",
                        "message-queue-pair svm1->svm2 label 0 rx"),
                vm("svm2").virqs().stream().map(Virq::purpose).toList());
        assertEquals(964, vm("svm2").virqs().get(4).intid());
    }

    @Test
    void theSameEveryTime() {
        Allocation again = TestBoards.partition(Path.of("../boards/qemu-virt/vms.yaml"));
        assertEquals(
                a.vms().stream()
                        .map(v -> v.memory() + " " + v.cpus() + " " + v.virqs())
                        .toList(),
                again.vms().stream()
                        .map(v -> v.memory() + " " + v.cpus() + " " + v.virqs())
                        .toList());
    }
}
