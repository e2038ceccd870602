package dev.gunyahdt.partitioner;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

class QemuVirtPlanTest {

    static Allocation a;

    @BeforeAll
    static void run() {
        a = TestBoards.partition(Path.of("../boards/qemu-virt/vms.yaml"));
    }

    @Test
    void dump() {
        System.out.println(a.hypervisor());
        for (VmAllocation v : a.vms()) {
            System.out.println(v.vm().name() + " " + v.vmid() + " " + v.memory() + " " + v.cpus() + " " + v.spis() + " " + v.virqs()
                    + " " + v.devices().stream().map(d -> d.device().map(x -> x.path() + "@" + x.span()).orElse("?")).toList());
        }
        a.shared().forEach(System.out::println);
    }
}
