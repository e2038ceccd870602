package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * shm-doorbell through the RM ([RM] vm_config.c handle_shm / add_doorbell / vm_config_add_shm, dto_construct.c
 * dto_create_shm): svm1's config asks for one with its owner; HLOS shares the region of its label, the RM accepts
 * it by label, makes a doorbell each way, and svm1's overlay points at both and at the buffer.
 */
class RmShmDoorbellTest {
    static final String SHM_DOORBELL = """
            shmdb { vdevice-type = "shm-doorbell"; generate = "/hypervisor/shmdb"; peer-default; qcom,label = <2>;
                    memory { qcom,label = <2>; base = <0x0 0xa0000000>; }; };
            """;

    @Test
    void theOverlayNodePointsAtBothDoorbellsAndTheSharedBuffer() {
        Simulation.Result r = Simulation.run(
                Configs.pairOfSecondaries(5, Configs.SVM1_VDEVICES + SHM_DOORBELL, Configs.SVM2_VDEVICES, ""));
        assertTrue(r.settled());
        assertEquals(VmState.RUNNING, r.rm().vm("svm1").orElseThrow().state());
        assertEquals(0, r.rm().internalFaults());
        r.guests().values().forEach(g -> assertTrue(g.ok(), g.vm() + ": " + g.problems()));

        DeviceTree guest =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().guestDtb().orElseThrow(), "svm1.dtb");
        NodeCursor shm = guest.find("/hypervisor/shmdb").orElseThrow();
        assertEquals(
                List.of("qcom,gunyah-shm-doorbell"),
                shm.node().property("compatible").orElseThrow().value().asStrings());
        assertEquals(3, cell(shm, "peer"), "peer-default: the owner, HLOS");
        assertEquals(2, cell(shm, "label"));
        NodeCursor buffer = guest.phandles().get(cell(shm, "memory-region"));
        assertEquals("buffer@a0000000", buffer.node().name());

        // tx-doorbell: the source svm1 rings (no VIRQ here); rx-doorbell: the one HLOS rings, with svm1's VIRQ
        NodeCursor tx = guest.phandles().get(cell(shm, "tx-doorbell"));
        NodeCursor rx = guest.phandles().get(cell(shm, "rx-doorbell"));
        assertTrue(tx.node().name().startsWith("qcom,doorbell@"), tx.node().name());
        assertTrue(rx.node().name().startsWith("qcom,doorbell@"), rx.node().name());
        assertEquals(
                List.of("qcom,gunyah-doorbell-source", "qcom,gunyah-capability"),
                tx.node().property("compatible").orElseThrow().value().asStrings());
        assertEquals(
                List.of("qcom,gunyah-doorbell", "qcom,gunyah-capability"),
                rx.node().property("compatible").orElseThrow().value().asStrings());
        assertFalse(tx.node().property("interrupts").isPresent());
        assertTrue(rx.node().property("interrupts").isPresent());
        assertEquals(2, cell(tx, "qcom,label"));
        assertEquals(2, cell(rx, "qcom,label"));
        assertTrue(!tx.node().name().equals(rx.node().name()), "two caps");
        // add_doorbell's nodes are not exported on their own: exactly these two doorbell nodes of label 2
        long doorbells = guest.find("/hypervisor").orElseThrow().children().stream()
                .filter(c -> c.node().name().startsWith("qcom,doorbell@"))
                .count();
        assertEquals(2, doorbells);

        // ringing end to end: svm1's probe rings its source and takes the ring HLOS made on the other (HLOS finds
        // its two ends in VM_GET_HYP_RESOURCES)
        List<String> svm1 = r.events().stream()
                .filter(e -> e.kind() == RmEvent.Kind.NOTE && e.vm().equals("svm1"))
                .map(RmEvent::text)
                .toList();
        assertTrue(svm1.contains("rang " + tx.path()), svm1.toString());
        assertTrue(svm1.stream().anyMatch(l -> l.startsWith("doorbell " + rx.path() + " rang")), svm1.toString());
    }

    @Test
    void withoutPeerDefaultTheConfigIsRefused() {
        // parse_shm_doorbell: peer-default is required
        Simulation.Result r = Simulation.run(Configs.pairOfSecondaries(
                5,
                Configs.SVM1_VDEVICES + SHM_DOORBELL.replace("peer-default;", "peer = \"vm-name:svm2\";"),
                Configs.SVM2_VDEVICES,
                ""));
        assertTrue(r.rm().vm("svm1").map(v -> v.state() != VmState.RUNNING).orElse(true));
        assertTrue(
                r.events().stream()
                        .anyMatch(e -> e.kind() == RmEvent.Kind.FAILURE
                                && e.vm().equals("svm1")
                                && e.text().contains("parse_shm_doorbell")),
                r.events().toString());
    }

    private static long cell(NodeCursor c, String property) {
        return c.node().property(property).orElseThrow().value().asCell();
    }
}
