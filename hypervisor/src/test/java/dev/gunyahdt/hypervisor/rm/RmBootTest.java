package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.guest.GuestReport;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole boots through the RM and the guests: the good path, determinism, and the three RM failures of issue 5. */
class RmBootTest {

    private static List<String> lines(Simulation.Result r, RmEvent.Kind kind, String vm) {
        return r.events().stream()
                .filter(e -> e.kind() == kind && e.vm().equals(vm))
                .map(RmEvent::text)
                .toList();
    }

    @Test
    void everyVmRunsAndEveryGuestExercisesItsPeers() {
        Simulation.Result r =
                Simulation.run(Configs.pairOfSecondaries(7, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, ""));
        assertTrue(r.settled());
        assertEquals(0, r.rm().internalFaults());
        for (String vm : List.of("hlos", "svm1", "svm2")) {
            assertEquals(VmState.RUNNING, r.rm().vm(vm).orElseThrow().state(), vm);
            GuestReport g = r.guests().get(vm);
            assertTrue(g.ok(), vm + ": " + g.problems());
            assertTrue(g.consoleOpen() && g.resourcesMatch(), vm);
            // a VM calls itself what its DT's qcom,image-name says; the primary's overlay has none, the RM calls it
            // HLOS
            String self = vm.equals("hlos") ? "HLOS" : vm;
            assertTrue(lines(r, RmEvent.Kind.CONSOLE, vm).get(0).startsWith("gunyah-dt linux-probe on " + self), vm);
        }
        assertEquals(List.of("NONE -> LOAD"), lines(r, RmEvent.Kind.STATE, "vm 0x80"));
        assertEquals(
                List.of("LOAD -> INIT", "INIT -> READY", "READY -> RUNNING"), lines(r, RmEvent.Kind.STATE, "svm1"));
        for (String vm : List.of("svm1", "svm2")) {
            GuestReport g = r.guests().get(vm);
            assertEquals(1, g.pairsExchanged(), vm);
            assertEquals(1, g.doorbellsExercised(), vm);
        }
        // the primary opened the owner side of both consoles and saw both banners arrive as notifications
        List<String> seen = r.guests().get("hlos").consoleSeen();
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("0x80: gunyah-dt linux-probe on svm1")), seen.toString());
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("0x81: gunyah-dt linux-probe on svm2")), seen.toString());
        // VIRQs from 960 in each secondary: RM-RPC 960/961, then the doorbell (svm2: 962), then the pair
        assertTrue(r.rm().vm("svm2").orElseThrow().guestDtb().isPresent());
    }

    /**
     * svm1's config joins it to its owner (peer-default: a pair, a doorbell it rings, a one-way queue it sends on);
     * the primary has no config of them, as in the real RM: its overlay stays §10.5's (RM-RPC only);
     * VM_GET_HYP_RESOURCES about itself lists none of them, about svm1 lists them with its caps and VIRQs (§8.7),
     * and linux-probe exercises them from that answer.
     */
    @Test
    void thePrimaryLearnsItsVdeviceHalvesFromHypResourcesNotFromItsOverlay() {
        String hlosVdevices = "";
        String svm1Vdevices = """
                mqp { vdevice-type = "message-queue-pair"; generate = "/hypervisor/mqp"; peer-default; qcom,label = <0>; };
                bell { vdevice-type = "doorbell-source"; generate = "/hypervisor/bell"; peer-default; qcom,label = <1>; };
                mq { vdevice-type = "message-queue"; generate = "/hypervisor/mq"; peer-default; is-sender; qcom,label = <2>; };
                """;
        java.util.Map<String, byte[]> vms = new java.util.LinkedHashMap<>();
        String rpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;";
        vms.put("hlos", Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rpc, hlosVdevices, "")));
        vms.put("svm1", Configs.compile(Configs.vm("svm1", 0x80000000L, 0x10000000L, rpc, svm1Vdevices, "")));
        byte[] system = Configs.compile(Configs.system(
                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                Configs.tableEntry("svm1", 0x80, false, 0x80000000L, 0x10000000L)));
        Simulation.Result r = Simulation.run(Simulation.Config.of(system, vms, java.util.Map.of(), 3));
        assertTrue(r.settled());
        for (String vm : List.of("hlos", "svm1")) {
            assertEquals(VmState.RUNNING, r.rm().vm(vm).orElseThrow().state(), vm);
            GuestReport g = r.guests().get(vm);
            assertTrue(g.ok() && g.resourcesMatch(), vm + ": " + g.problems());
            assertEquals(2, g.pairs(), vm + " (the pair and the one-way queue)");
            assertEquals(2, g.pairsExchanged(), vm);
            assertEquals(1, g.doorbellsExercised(), vm);
        }
        dev.gunyahdt.dt.DeviceTree overlay = dev.gunyahdt.dt.dtb.DtbReader.read(
                r.rm().vm("hlos").orElseThrow().overlay().orElseThrow(), "hlos.dtbo");
        assertEquals(
                List.of("qcom,gunyah-vm", "qcom,resource-manager-rpc@"),
                overlay.find("/fragment@0/__overlay__/hypervisor").orElseThrow().children().stream()
                        .map(c -> c.node().name().replaceAll("@.*", "@"))
                        .toList());
        assertTrue(overlay.find("/fragment@1").isEmpty());
        assertTrue(
                r.events().stream()
                        .anyMatch(e -> e.vm().equals("hlos")
                                && e.text().startsWith("got \"hello from vmid 0x80 to vmid 0x3 label 2 seq 1 crc32 ")),
                "the one-way queue reached the primary");
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedOtherCapIds() {
        Simulation.Result a =
                Simulation.run(Configs.pairOfSecondaries(11, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, ""));
        Simulation.Result b =
                Simulation.run(Configs.pairOfSecondaries(11, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, ""));
        Simulation.Result c =
                Simulation.run(Configs.pairOfSecondaries(12, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, ""));
        assertEquals(a.events(), b.events());
        assertEquals(a.rm().hypervisor().snapshot(), b.rm().hypervisor().snapshot());
        assertEquals(a.endTime(), b.endTime());
        assertNotEquals(a.rm().hypervisor().snapshot(), c.rm().hypervisor().snapshot());
        assertEquals(
                a.events().stream().map(RmEvent::kind).toList(),
                c.events().stream().map(RmEvent::kind).toList());
    }

    @Test
    void aBaseDtbWithHypervisorFailsAtVmStartWithDenied() {
        Simulation.Result r = Simulation.run(
                Configs.pairOfSecondaries(1, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, "hypervisor { };"));
        assertEquals(VmState.INIT_FAILED, r.rm().vm("svm2").orElseThrow().state());
        assertEquals(
                List.of("VM_START: VM 129: base DTB already has /hypervisor"), lines(r, RmEvent.Kind.FAILURE, "svm2"));
        assertTrue(
                r.guests().get("hlos").problems().contains("VM_START svm2 -> RM error " + RmError.DENIED.code()),
                r.guests().get("hlos").problems().toString());
        assertEquals(VmState.RUNNING, r.rm().vm("svm1").orElseThrow().state());
        assertFalse(r.rm().vm("svm2").orElseThrow().guestDtb().isPresent());
    }

    @Test
    void aVdeviceWhosePeerIsMissingFailsVmInit() {
        Simulation.Result r = Simulation.run(Configs.pairOfSecondaries(
                1,
                Configs.SVM1_VDEVICES.replace(
                        "peer = \"vm-name:svm2\"; qcom,label = <1>", "peer = \"vm-name:svm9\"; qcom,label = <1>"),
                Configs.SVM2_VDEVICES,
                ""));
        assertEquals(VmState.INIT_FAILED, r.rm().vm("svm1").orElseThrow().state());
        assertEquals(
                List.of(
                        "VM_INIT: doorbell-source /qcom,vm-config/vdevices/bell: peer 'svm9' is not a VM of this system"),
                lines(r, RmEvent.Kind.FAILURE, "svm1"));
        assertTrue(r.guests()
                .get("hlos")
                .problems()
                .contains("VM_INIT svm1 -> RM error " + RmError.ARGUMENT_INVALID.code()));
    }

    @Test
    void aVmOutOfVirqsFailsVmInitWithNoResource() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 30; i++) { // 2 for RM-RPC + 60 for the pairs: 62 > the 60 numbers 960..1019
            many.append("q")
                    .append(i)
                    .append(" { vdevice-type = \"message-queue-pair\"; generate = \"/hypervisor/q")
                    .append(i)
                    .append("\"; peer = \"vm-name:svm2\"; qcom,label = <")
                    .append(100 + i)
                    .append(">; };\n");
        }
        Simulation.Result r = Simulation.run(Configs.pairOfSecondaries(1, many.toString(), Configs.SVM2_VDEVICES, ""));
        assertEquals(VmState.INIT_FAILED, r.rm().vm("svm1").orElseThrow().state());
        assertEquals(
                List.of("VM_INIT: the RM refuses /qcom,vm-config/vdevices/q29: interrupts: no free VIRQ left for"
                        + " VM svm1 (configure_msgqueue_pair)"),
                lines(r, RmEvent.Kind.FAILURE, "svm1"));
        assertTrue(r.guests().get("hlos").problems().contains("VM_INIT svm1 -> RM error " + RmError.NORESOURCE.code()));
    }

    @Test
    void aPrimaryWithABadConfigFailsTheBootNamingIt() {
        Simulation.Config good = Configs.pairOfSecondaries(1, "", "", "");
        java.util.Map<String, byte[]> vms = new java.util.HashMap<>(good.vmDtbs());
        vms.put(
                "hlos",
                Configs.compile(Configs.vm(
                        "hlos", 0x40000000L, 0x40000000L, "push-compatible = \"a\", \"b\", \"c\", \"d\";", "", "")));
        Simulation.Result r = Simulation.run(Simulation.Config.of(good.systemDtb(), vms, java.util.Map.of(), 1));
        assertTrue(
                r.bootFailure()
                        .orElseThrow()
                        .startsWith("hlos: vm/hlos.dtb: /qcom,vm-config/vdevices/rm-rpc: "
                                + "push-compatible: at most 3 strings for rm-rpc"),
                r.bootFailure().get());
    }
}
