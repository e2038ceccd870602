package dev.gunyahdt.tests.scale;

import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.partitioner.Partitioner;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory;
import dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptKind;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.tests.scale.ScaleBoard.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The scale generator gives the board and plan it promises (the benchmark's input, not its timing). */
class ScaleBoardTest {

    @TempDir
    Path dir;

    @Test
    void sameSpecSameText() {
        Spec s = Spec.fraction(8);
        assertEquals(ScaleBoard.boardDts(s), ScaleBoard.boardDts(s));
        assertEquals(ScaleBoard.vmsYaml(s), ScaleBoard.vmsYaml(s));
        assertEquals(new Spec(32, 512, 124, 250, 25), s);
        assertEquals(new Spec(256, 4096, 988, 2000, 200), Spec.fraction(1));
    }

    @Test
    void boardCompilesCleanAndHasWhatTheSpecSays() {
        Spec s = Spec.fraction(8);
        ScaleBoard.write(s, dir);
        Compilation c = new Compiler(CompileOptions.defaults()).compile(dir.resolve("board.dts"), null, "-");
        assertFalse(c.failed());
        assertEquals(List.of(), c.messages(), "dtc checks on the generated board");
        BoardInventory inv = BoardInventory.of(c.tree());
        assertEquals(32, inv.cpus().size());
        assertEquals(0x301L, inv.cpus().get(25).mpidr());
        assertEquals(4, inv.clusters().size());
        assertEquals(512, inv.memory().size());
        assertEquals(0x8000_0000L + 511 * (512L << 20), inv.memory().get(511).base());
        assertEquals(32 + 2, inv.reserved().size());
        assertEquals(32, inv.reserved().stream().filter(BoardInventory.Reserved::noMap).count());
        assertEquals(250, inv.devices().stream().filter(d -> d.path().startsWith("/soc@0/bus@")).count());
        // two levels of ranges: bus@10000000 sits at 0x10000000, device 3 at offset 0x30000
        assertEquals(0x1003_0000L, inv.device("/soc@0/bus@10000000/dma-controller@30000").orElseThrow().mmio().get(0).base());
        Set<Long> spis = new HashSet<>();
        inv.devices().forEach(d -> d.interrupts().stream().filter(i -> i.kind() == InterruptKind.SPI).forEach(i -> spis.add(i.number())));
        assertEquals(124, spis.size());
        assertEquals(InterruptKind.OTHER, inv.device(ScaleBoard.path(200)).orElseThrow().interrupts().get(0).kind());
    }

    @Test
    void eighthPartitionsCleanly() {
        Allocation a = Partitioner.partition(ScaleInputs.generate(Spec.fraction(8), dir).plan(),
                ScaleInputs.compile(dir.resolve("board.dts")));
        assertEquals(25, a.vms().size());
        VmAllocation hlos = a.vms().get(0);
        assertEquals(3, hlos.vmid());
        assertEquals(List.of(0, 1, 2, 3), hlos.cpus());
        assertEquals("serial@80000", hlos.devices().get(8).device().orElseThrow().path().replaceAll(".*/", ""));
        assertEquals(4, a.vms().get(1).vmid());
        assertEquals(List.of(31), a.vms().get(1).cpus());
        Map<Long, String> spiOwner = new HashMap<>();
        int passed = 0;
        for (VmAllocation v : a.vms()) {
            passed += v.devices().size();
            for (long spi : v.spis()) {
                assertNull(spiOwner.put(spi, v.vm().name()), "SPI " + spi);
            }
            assertTrue(v.virqs().size() <= 60);
        }
        assertEquals(250 - 25, passed, "every device but each tenth is passed through");
        assertEquals(8, a.shared().size());
    }

    @Test
    void largestBreaksOnlyTheVmidRangeAndFitsWithTheVmsTheRmCanNumber() {
        Spec big = Spec.LARGEST;
        ScaleInputs in = ScaleInputs.generate(big, dir.resolve("200"));
        PlanException e = assertThrows(PlanException.class, () -> Partitioner.partition(in.plan(), in.board()));
        assertEquals(Set.of("vmid-valid"), e.problems().stream().map(Finding::rule).collect(java.util.stream.Collectors.toSet()));
        assertEquals(200 - ScaleBoard.MAX_VALID_VMS, e.problems().size());
        assertTrue(e.problems().get(0).message().contains("VM 'vm92' has VMID 0xbf (given automatically)"),
                e.problems().get(0).message());

        ScaleInputs valid = ScaleInputs.generate(big.withVms(ScaleBoard.MAX_VALID_VMS), dir.resolve("92"));
        Allocation a = Partitioner.partition(valid.plan(), valid.board());
        assertEquals(92, a.vms().size());
        assertEquals(0xbe, a.vms().get(91).vmid());
    }
}
