package dev.gunyahdt.tests.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.guest.GuestReport;
import dev.gunyahdt.hypervisor.rm.VmState;
import dev.gunyahdt.hypervisor.rm.VmView;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fleet generator boots what it promises (the boot benchmark's input, not its timing). */
class VmFleetTest {

    @Test
    void eightVmsAllRunWithTheirVmidsAndPairs() {
        Simulation.Result r = Simulation.run(VmFleet.config(8, 1));
        assertTrue(r.settled());
        assertEquals(0, r.rm().internalFaults());
        List<VmView> vms = r.rm().vms();
        assertEquals(
                List.of(3, 4, 5, 6, 7, 8, 9, 10), vms.stream().map(VmView::vmid).toList());
        for (VmView v : vms) {
            assertEquals(VmState.RUNNING, v.state(), v.name());
            GuestReport g = r.guests().get(v.name());
            assertTrue(g.ok(), v.name() + ": " + g.problems());
        }
        // a chain: the ends have one pair, the middle secondaries two, each exchanged
        assertEquals(1, r.guests().get("svm1").pairsExchanged());
        assertEquals(2, r.guests().get("svm4").pairsExchanged());
        assertEquals(1, r.guests().get("svm7").pairsExchanged());
    }

    @Test
    void theLargestFleetLendsAsManyParcelsAsTheOwnerMayHold() {
        Simulation.Result r = Simulation.run(VmFleet.config(VmFleet.MAX_VMS, 1));
        assertTrue(r.settled());
        assertTrue(r.rm().vms().stream().allMatch(v -> v.state() == VmState.RUNNING));
        assertEquals(65, r.rm().vms().size());
        assertEquals(64, r.rm().memparcels().size(), "one per secondary, all hlos's: the most it may hold");
        assertEquals(List.of(31, 0x80), List.of(VmFleet.vmid(28), VmFleet.vmid(29)));
        assertEquals(0xA3, VmFleet.vmid(64));
    }

    @Test
    void moreVmsThanTheOwnerCanLendToAreRefusedNotFaked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmFleet.config(66, 1));
        assertTrue(e.getMessage().contains("at most 65"), e.getMessage());
    }

    @Test
    void theSameSizeGivesTheSameBytes() {
        Simulation.Config a = VmFleet.config(5, 1);
        Simulation.Config b = VmFleet.config(5, 1);
        assertArrayEquals(a.systemDtb(), b.systemDtb());
        for (String vm : a.vmDtbs().keySet()) {
            assertArrayEquals(a.vmDtbs().get(vm), b.vmDtbs().get(vm), vm);
        }
    }
}
