package dev.gunyahdt.partitioner.plan;

import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.plan.VmPlan.Scheduling;
import dev.gunyahdt.partitioner.plan.VmPlan.VDeviceType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanLoaderTest {

    static final String MINIMAL = "board: b.dts\nhypervisor: {size: 32MiB}\nvms:\n  - name: hlos\n    primary: true\n"
            + "    memory: 0x10000000\n    vcpus: 2\n";

    static List<Finding> problems(String yaml) {
        return assertThrows(PlanException.class, () -> PlanLoader.parse(yaml, "vms.yaml")).problems();
    }

    @Test
    void sizes() {
        assertEquals(256L << 20, Sizes.parse("256MiB"));
        assertEquals(0x10000000L, Sizes.parse("0x10000000"));
        assertEquals(268435456L, Sizes.parse("268435456"));
        assertEquals(4096L, Sizes.parse("4 KiB"));
        assertEquals(3L << 30, Sizes.parse("3GiB"));
        assertEquals(-1L, Sizes.parse("0xffffffffffffffff"));
        assertEquals("'16777216TiB' does not fit in 64 bits",
                assertThrows(IllegalArgumentException.class, () -> Sizes.parse("16777216TiB")).getMessage());
        assertEquals("'256MB' is not a size (write 256MiB, 0x10000000 or 268435456)",
                assertThrows(IllegalArgumentException.class, () -> Sizes.parse("256MB")).getMessage());
        assertEquals("256MiB", Sizes.format(256L << 20));
        assertEquals("0x1234", Sizes.format(0x1234));
    }

    @Test
    void loadsTheQemuVirtPlanWithPositions() {
        VmPlan p = PlanLoader.load(Path.of("../boards/qemu-virt/vms.yaml"));
        assertEquals("board.dts", p.board());
        assertEquals(64L << 20, p.hypervisor().size());
        assertEquals(List.of("hlos", "svm1", "svm2"), p.vms().stream().map(VmPlan.Vm::name).toList());
        VmPlan.Vm svm1 = p.vm("svm1").orElseThrow();
        assertEquals(Scheduling.PINNED, svm1.scheduling());
        assertTrue(svm1.affinity().cpus().get(1).byMpidr());
        assertEquals(5, svm1.affinity().cpus().get(1).value());
        assertEquals(List.of(VDeviceType.MESSAGE_QUEUE_PAIR, VDeviceType.DOORBELL, VDeviceType.SHM),
                svm1.vdevices().stream().map(VmPlan.VDevice::type).toList());
        assertEquals(new Pos("../boards/qemu-virt/vms.yaml", 31, 15), svm1.vdevices().get(0).peerPos());
        assertEquals(Scheduling.PINNED, p.vm("hlos").orElseThrow().scheduling());
        assertEquals(Scheduling.STATIC, p.vm("svm2").orElseThrow().scheduling());
        assertEquals(256L << 20, p.vm("svm2").orElseThrow().memory().size());
    }

    @Test
    void unknownGuestProgramIsRefusedAtPlanTimeWithDidYouMean() {
        List<Finding> ps = problems("board: b.dts\nhypervisor: {size: 32MiB}\nvms:\n  - name: hlos\n"
                + "    memory: 1GiB\n    vcpus: 1\n    program: linux-prob\n  - name: svm\n    memory: 1GiB\n"
                + "    vcpus: 1\n    program:   audio-rtos\n");
        assertEquals(List.of(
                "unknown-value: vms.yaml:7:14: unknown program 'linux-prob' — did you mean 'linux-probe'? (known: linux-probe)",
                "unknown-value: vms.yaml:11:16: unknown program 'audio-rtos' (known: linux-probe)"),
                ps.stream().map(PlanException::describe).toList());
    }

    @Test
    void unknownKeysGetDidYouMean() {
        List<Finding> ps = problems("board: b.dts\nhypervisor:\n  size: 32MiB\n  bsae: 0\nvms:\n  - name: hlos\n"
                + "    memroy: 1GiB\n    memory: {size: 1GiB, bsae: 0x40000000}\n    vcpus: 1\n    vdevices:\n"
                + "      - {type: shm, peer: x, sise: 4KiB, size: 4KiB}\n    colour: red\n");
        assertEquals(List.of(
                "unknown-key: vms.yaml:4:3: unknown key 'bsae' — did you mean 'base'? (allowed here: size, base)",
                "unknown-key: vms.yaml:7:5: unknown key 'memroy' — did you mean 'memory'? (allowed here: name, vmid, primary, owner, memory, vcpus, affinity, scheduling, devices, console, bootargs, program, vdevices)",
                "unknown-key: vms.yaml:8:26: unknown key 'bsae' — did you mean 'base'? (allowed here: size, base)",
                "unknown-key: vms.yaml:11:30: unknown key 'sise' — did you mean 'size'? (allowed here: type, peer, label, queue-depth, message-size, size, base)",
                "unknown-key: vms.yaml:12:5: unknown key 'colour' (allowed here: name, vmid, primary, owner, memory, vcpus, affinity, scheduling, devices, console, bootargs, program, vdevices)"),
                ps.stream().map(PlanException::describe).toList());
    }

    @Test
    void schemaErrorsNameThePlace() {
        List<Finding> ps = problems(MINIMAL.replace("vcpus: 2", "vcpus: two"));
        assertEquals(1, ps.size(), ps.toString());
        assertEquals("schema", ps.get(0).rule());
        assertTrue(PlanException.describe(ps.get(0)).startsWith("schema: vms.yaml:7:12: 'vms/0/vcpus' "), ps.toString());
        ps = problems(MINIMAL.replace("0x10000000", "lots"));
        assertTrue(ps.stream().allMatch(p -> PlanException.describe(p).startsWith("schema: vms.yaml:6:13: 'vms/0/memory' ")), ps.toString());
        ps = problems(MINIMAL.replace("board: b.dts\n", ""));
        assertTrue(PlanException.describe(ps.get(0)).startsWith("schema: vms.yaml:1:1: the plan ") && ps.get(0).message().contains("board"),
                ps.toString());
        ps = problems(MINIMAL.replace("hlos", "hlos\n    scheduling: fifo"));
        assertEquals(List.of("unknown-value: vms.yaml:5:17: unknown scheduling 'fifo' (known: static, pinned, proxy, sticky)"),
                ps.stream().map(PlanException::describe).toList());
    }

    @Test
    void yamlErrorsAndLimits() {
        assertEquals("yaml: vms.yaml:1:1: the plan is empty", PlanException.describe(problems("").get(0)));
        Finding dup = problems(MINIMAL + "    vcpus: 3\n").get(0);
        assertEquals("yaml", dup.rule());
        assertEquals("vms.yaml:8:5", dup.where());
        assertEquals("duplicate key 'vcpus' (first at vms.yaml:7:5)", dup.message());
        Finding bad = problems("board: [\n").get(0);
        assertEquals("yaml", bad.rule());
        assertEquals(List.of(2, 1), List.of(bad.line(), bad.column()), bad.toString());
        String deep = "board: " + "[".repeat(100) + "]".repeat(100) + "\n";
        assertTrue(problems(deep).get(0).message().contains("nested deeper than"));
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            bomb.append(c).append(": &").append(c).append(" [").append("*").append((char) (c - 1)).append(", *")
                    .append((char) (c - 1)).append(", *").append((char) (c - 1)).append(", *").append((char) (c - 1))
                    .append(", *").append((char) (c - 1)).append(", *").append((char) (c - 1)).append("]\n");
        }
        assertEquals("yaml", problems(bomb.toString()).get(0).rule());
    }

    @Test
    void editDistance() {
        assertEquals(2, PlanLoader.editDistance("bsae", "base"));
        assertEquals(1, PlanLoader.editDistance("vcpu", "vcpus"));
        assertEquals("vcpus", PlanLoader.didYouMean("vcpu", List.of("name", "vcpus")).orElseThrow());
        assertTrue(PlanLoader.didYouMean("colour", List.of("name", "vcpus")).isEmpty());
    }
}
