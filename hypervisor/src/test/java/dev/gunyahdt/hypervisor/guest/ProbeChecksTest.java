package dev.gunyahdt.hypervisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.rm.Configs;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * linux-probe checks what it receives and counts what fails: a greeting is checked field by field and by its
 * CRC, and a step that fails in a real boot is logged FAILED and makes the guest's report not OK.
 */
class ProbeChecksTest {

    @Test
    void aGreetingIsCheckedFieldByFieldAndByItsChecksum() {
        Greeting sent = new Greeting("hello", 0x80, 0x81, 0, 1);
        assertEquals(Optional.empty(), Greeting.check(sent.bytes(), sent));
        assertEquals(Optional.empty(), Greeting.check(sent.inMemory(), sent), "the NUL ends it in memory");
        assertEquals(
                Optional.empty(), Greeting.check(sent.bytes(), new Greeting("hello", -1, 0x81, 0, 1)), "any sender");
        byte[] flipped = sent.bytes();
        flipped[18] ^= 1; // one bit of the sender's VMID: 0x80 becomes 0x90
        assertTrue(Greeting.check(flipped, sent).orElseThrow().startsWith("checksum mismatch"));
        assertTrue(Greeting.check(sent.bytes(), new Greeting("hello", 0x80, 0x82, 0, 1))
                .orElseThrow()
                .contains("expected \"hello from vmid 0x80 to vmid 0x82"));
        assertTrue(
                Greeting.check(sent.bytes(), new Greeting("hello", 0x80, 0x81, 0, 2))
                        .isPresent(),
                "the next sequence number is wanted");
        assertTrue(
                Greeting.check(new Greeting("hello", 0x80, 0x81, 7, 1).bytes(), sent)
                        .isPresent(),
                "another label");
        byte[] cut = java.util.Arrays.copyOf(sent.bytes(), 30);
        assertTrue(Greeting.check(cut, sent).orElseThrow().startsWith("not a greeting"));
        assertTrue(Greeting.check("hello\u0001".getBytes(StandardCharsets.ISO_8859_1), sent)
                .orElseThrow()
                .contains("\\x01"));
    }

    /**
     * A deliberately broken step in a real boot: both ends of the pair configured with 16-byte messages, too
     * small for a greeting. The hypervisor answers the oversized msgqueue_send OK and queues nothing (the code,
     * not the API doc: gunyah-model.md §3.6), so no guest can tell at the send; the receivers never get their
     * greeting, never finish, and their reports say so: neither is OK, each names the queue it waited on.
     */
    @Test
    void aStepThatNeverCompletesIsCountedAsFailed() {
        String small = "qcom,label = <0>; message-size = <16>;";
        Simulation.Result r = Simulation.run(Configs.pairOfSecondaries(
                7,
                Configs.SVM1_VDEVICES.replaceFirst("qcom,label = <0>;", small),
                Configs.SVM2_VDEVICES.replaceFirst("qcom,label = <0>;", small),
                ""));
        for (String vm : List.of("svm1", "svm2")) {
            GuestReport g = r.guests().get(vm);
            assertFalse(g.ok(), vm);
            assertFalse(g.done(), vm);
            assertEquals(0, g.pairsExchanged(), vm);
            assertTrue(
                    g.problems().stream()
                            .anyMatch(p -> p.startsWith("unfinished: ")
                                    && p.contains("no greeting received on /hypervisor/mqp")),
                    vm + ": " + g.problems());
        }
        assertTrue(
                r.guests().get("hlos").ok(), r.guests().get("hlos").problems().toString());
    }

    /**
     * A deliberately broken check in a real boot: svm1's own DT claims a shared buffer with its owner (a
     * {@code qcom,shared-memory} reserved-memory node in its RAM) that no shm vdevice made, so the owner never
     * writes its half. svm1 writes its own, finds no greeting in the owner's half: FAILED in the log, a problem
     * in the report.
     */
    @Test
    void aSharedBufferNobodyWroteIsAFailedCheck() {
        Simulation.Config base = Configs.pairOfSecondaries(7, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, "");
        java.util.Map<String, byte[]> vms = new java.util.HashMap<>(base.vmDtbs());
        vms.put(
                "svm1",
                Configs.compile(Configs.vm(
                        "svm1",
                        0x80000000L,
                        0x10000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        Configs.SVM1_VDEVICES,
                        "reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;"
                                + " fake@8f000000 { reg = <0 0x8f000000 0 0x1000>; no-map; qcom,shared-memory;"
                                + " peers = <0x80 0x3>; }; };")));
        Simulation.Result r = Simulation.run(Simulation.Config.of(base.systemDtb(), vms, java.util.Map.of(), 7));
        GuestReport svm1 = r.guests().get("svm1");
        assertFalse(svm1.ok());
        String want = "/reserved-memory/fake@8f000000: the peer's half at 0x8f000000: not a greeting";
        assertTrue(
                svm1.problems().stream().anyMatch(p -> p.startsWith(want)),
                svm1.problems().toString());
        assertTrue(
                r.events().stream()
                        .anyMatch(e -> e.vm().equals("svm1") && e.text().startsWith("FAILED: " + want)),
                "the boot log says FAILED");
        assertTrue(
                r.guests().get("svm2").ok(), r.guests().get("svm2").problems().toString());
    }
}
