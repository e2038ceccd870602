package dev.gunyahdt.partitioner;

import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.allocate.BoardView;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.plan.VmPlan;
import dev.gunyahdt.partitioner.plan.VmPlan.Scheduling;
import dev.gunyahdt.partitioner.rules.Rule;
import dev.gunyahdt.partitioner.rules.Rules;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random plans on the qemu-virt board either allocate — and then an independent checker, written
 * without the rules' code, finds no overlap, no shared CPU/device/SPI, no exhausted window — or
 * fail with problems of named rules. Never another exception.
 */
class RandomPlanPropertyTest {

    static final BoardView BOARD = BoardView.of(TestBoards.compile(TestBoards.REPO.resolve("boards/qemu-virt/board.dts")));
    static final Set<String> RULES = new HashSet<>(Rules.ALL.stream().map(Rule::name).toList());
    static final List<String> NAMES = List.of("hlos", "a", "b", "c", "d");
    static final List<String> DEVICES = List.of("uart0", "gpio0", "/pl031@9010000", "/pcie@10000000",
            "/virtio_mmio@a000000", "/virtio_mmio@a000200", "/fw-cfg@9020000", "/flash@0", "nosuch");

    @Property(tries = 1000, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void allocatesCleanlyOrFailsWithARule(@ForAll("plans") String yaml) {
        Allocation a;
        try {
            VmPlan plan = PlanLoader.parse(yaml, "vms.yaml");
            a = Partitioner.partition(plan, BOARD);
        } catch (PlanException e) {
            for (Finding p : e.problems()) {
                assertTrue(RULES.contains(p.rule()) || Set.of("schema", "unknown-key", "yaml").contains(p.rule()), p.toString());
                assertTrue("vms.yaml".equals(p.file()) && p.line() != null, p.toString());
            }
            Statistics.collect("rejected", e.problems().size() == 1 ? e.problems().get(0).rule() : "several rules");
            return;
        }
        Statistics.collect("allocated", "-");
        checkIndependently(a);
    }

    static void checkIndependently(Allocation a) {
        List<Range> board = BOARD.inventory().memory();
        record Owned(Range r, Set<String> who, boolean shm) {
        }
        List<Owned> all = new ArrayList<>();
        all.add(new Owned(a.hypervisor().orElseThrow(), Set.of(), false));
        for (VmAllocation v : a.vms()) {
            all.add(new Owned(v.memory().orElseThrow(), Set.of(v.vm().name()), false));
        }
        for (SharedRegion s : a.shared()) {
            all.add(new Owned(s.range().orElseThrow(), s.sharers(), true));
        }
        for (Owned o : all) {
            long end = o.r().base() + o.r().size();
            assertTrue(board.stream().anyMatch(b -> o.r().base() >= b.base() && end <= b.base() + b.size()), o.toString());
        }
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Owned x = all.get(i);
                Owned y = all.get(j);
                boolean meet = x.r().base() < y.r().base() + y.r().size() && y.r().base() < x.r().base() + x.r().size();
                boolean allowed = x.shm() != y.shm() && !(x.shm() ? y : x).who().isEmpty()
                        && (x.shm() ? x : y).who().containsAll((x.shm() ? y : x).who());
                assertFalse(meet && !allowed, x + " overlaps " + y);
            }
        }
        Map<Integer, String> pinned = new HashMap<>();
        Map<String, String> devices = new HashMap<>();
        Map<Long, String> spis = new HashMap<>();
        Set<Integer> vmids = new HashSet<>();
        for (VmAllocation v : a.vms()) {
            assertTrue(vmids.add(v.vmid()), "vmid " + v.vmid());
            assertTrue(v.vm().primary() ? v.vmid() == 3 : (v.vmid() >= 4 && v.vmid() <= 31) || (v.vmid() >= 0x80 && v.vmid() <= 0xbe));
            assertTrue(v.virqs().size() <= 60);
            if (v.vm().scheduling() == Scheduling.PINNED) {
                for (int c : v.cpus()) {
                    assertTrue(c >= 0 && c < 8);
                    assertEquals(null, pinned.put(c, v.vm().name()), "cpu " + c);
                }
            }
            for (var d : v.devices()) {
                String path = d.device().orElseThrow().path();
                assertEquals(null, devices.put(path, v.vm().name()), path);
                for (var irq : d.device().get().interrupts()) {
                    if (irq.kind() == dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptKind.SPI) {
                        String prev = spis.put(irq.number(), v.vm().name());
                        assertTrue(prev == null || prev.equals(v.vm().name()), "SPI " + irq.number());
                    }
                }
            }
        }
    }

    /** Mostly valid plans (most of them allocate), on the same property. */
    @Property(tries = 1000, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void mostlyValidPlansAllocateCleanlyOrFailWithARule(@ForAll("cleanPlans") String yaml) {
        allocatesCleanlyOrFailsWithARule(yaml);
    }

    @Provide
    Arbitrary<String> plans() {
        return plans(false);
    }

    @Provide
    Arbitrary<String> cleanPlans() {
        return plans(true);
    }

    Arbitrary<String> plans(boolean clean) {
        // VM bodies without names: names are given by position (hlos, vm1, vm2, ...) so most plans
        // get past the identity rules and reach allocation; a rare "hlos" repeat keeps those rules in play
        Arbitrary<String> body = Combinators.combine(
                clean ? Arbitraries.of("64MiB", "128MiB", "256MiB", "0x2000000", "{size: 32MiB, base: 0x60000000}")
                        : Arbitraries.of("64MiB", "128MiB", "256MiB", "64MiB", "128MiB", "256MiB", "512MiB", "1GiB", "3MiB",
                        "0x2000000", "{size: 64MiB, base: 0x40000000}", "{size: 32MiB, base: 0x60000000}",
                        "{size: 2MiB, base: 0x30000000}"),
                Arbitraries.integers().between(1, 4), Arbitraries.of("static", "pinned", "proxy", "sticky"),
                clean ? Arbitraries.just("any")
                        : Arbitraries.of("any", "any", "any", "[0]", "[1, 2]", "[{mpidr: 0x3}]", "[9]", "[4, 5, 6, 7]"),
                Arbitraries.of(DEVICES).list().ofMaxSize(clean ? 1 : 3),
                vdevice(clean).list().ofMaxSize(4)
        ).as((mem, vcpus, sched, aff, devs, vdevs) -> "    memory: " + mem + "\n    vcpus: " + vcpus + "\n"
                + "    scheduling: " + sched + "\n    affinity: " + aff + "\n    devices: " + devs + "\n"
                + (vdevs.isEmpty() ? "" : "    vdevices:\n" + String.join("", vdevs)));
        return Combinators.combine(clean ? Arbitraries.of("32MiB", "64MiB")
                                : Arbitraries.of("32MiB", "64MiB", "32MiB", "64MiB", "{size: 64MiB, base: 0x40000000}", "3GiB"),
                        clean ? Arbitraries.just(true) : Arbitraries.of(true, true, true, false),
                        clean ? Arbitraries.just(1) : Arbitraries.integers().between(0, 19),
                        body.list().ofMinSize(1).ofMaxSize(5))
                .as((hyp, primary, dup, vms) -> {
                    StringBuilder b = new StringBuilder("board: board.dts\nhypervisor: ")
                            .append(hyp.startsWith("{") ? hyp : "{size: " + hyp + "}").append("\nvms:\n");
                    for (int i = 0; i < vms.size(); i++) {
                        String name = i == 0 || (dup == 0 && i == 1) ? "hlos" : "vm" + i;
                        // "@k" peers name the VM k places further on (itself only when k wraps round)
                        String text = vms.get(i);
                        for (int k = 1; k <= 3; k++) {
                            int j = (i + k) % vms.size();
                            text = text.replace("peer: @" + k, "peer: " + (j == 0 ? "hlos" : "vm" + j));
                        }
                        b.append("  - name: ").append(name).append("\n")
                                .append(i == 0 && primary ? "    primary: true\n" : "").append(text);
                    }
                    return b.toString();
                });
    }

    Arbitrary<String> vdevice(boolean clean) {
        return Combinators.combine(Arbitraries.of("message-queue-pair", "message-queue", "doorbell", "shm"),
                clean ? Arbitraries.of("@1", "@2", "@3")
                        : Arbitraries.of("@1", "@2", "@3", "@1", "@2", "@3", "@1", "@2", "@3", "nobody"),
                clean ? Arbitraries.of("8", "255") : Arbitraries.of("8", "255", "300", "0"),
                Arbitraries.of("4KiB", "2MiB", "{base}"))
                .as((type, peer, depth, size) -> "      - type: " + type + "\n        peer: " + peer + "\n"
                        + (type.startsWith("message") ? "        queue-depth: " + depth + "\n" : "")
                        + (type.equals("shm") ? size.equals("{base}") ? "        size: 4KiB\n        base: 0x40100000\n"
                        : "        size: " + size + "\n" : ""));
    }
}
