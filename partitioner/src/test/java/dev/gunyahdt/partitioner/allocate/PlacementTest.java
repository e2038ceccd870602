package dev.gunyahdt.partitioner.allocate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.partitioner.Partitioner;
import dev.gunyahdt.partitioner.TestBoards;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12, item 4: affinity any spreads static vCPUs off pinned CPUs; an overlap beside idle CPUs is warned about. */
class PlacementTest {

    static final DeviceTree QEMU = TestBoards.compile(TestBoards.REPO.resolve("boards/qemu-virt/board.dts"));

    static Allocation plan(String guestAffinity, int guestVcpus) {
        return Partitioner.partition(PlanLoader.parse("""
                board: board.dts
                hypervisor: {size: 64MiB}
                vms:
                  - name: hlos
                    primary: true
                    memory: 512MiB
                    vcpus: 2
                  - name: guest
                    memory: 128MiB
                    vcpus: %d
                    affinity: %s
                  - name: other
                    memory: 128MiB
                    vcpus: 1
                """.formatted(guestVcpus, guestAffinity), "vms.yaml"), QEMU);
    }

    @Test
    void anySpreadsStaticVcpusOverUnpinnedLeastLoadedCpus() {
        Allocation a = plan("any", 3);
        assertEquals(List.of(0, 1), a.vm("hlos").orElseThrow().cpus());
        assertEquals(List.of(2, 3, 4), a.vm("guest").orElseThrow().cpus());
        assertEquals(List.of(5), a.vm("other").orElseThrow().cpus());
        assertEquals(List.of(), Placement.warnings(a));
    }

    @Test
    void aStaticVcpuOnAnotherVmsPinnedCpuBesideIdleOnesIsWarnedAbout() {
        Allocation a = plan("[1]", 1);
        assertEquals(
                List.of("placement: vms.yaml:11:15: VM 'guest' vCPU 0 (static) is on CPU 1, which VM 'hlos' holds "
                        + "pinned, while CPU(s) 3,4,5,6,7 have no vCPU"),
                Placement.warnings(a));
    }
}
