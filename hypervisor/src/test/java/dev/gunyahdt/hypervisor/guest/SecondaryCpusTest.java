package dev.gunyahdt.hypervisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.rm.Configs;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every vCPU through PSCI: the guest program starts its secondaries with CPU_ON, each reports itself from its own
 * vCPU, and the boot result counts them; a proxy-scheduled VM's secondary runs only inside its owner's vcpu_run.
 */
class SecondaryCpusTest {
    private static final String ONE_CPU =
            "cpu@0 { device_type = \"cpu\"; compatible = \"arm,cortex-a57\"; reg = <0>; enable-method = \"psci\"; };";
    private static final String TWO_CPUS = """
            cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a57"; reg = <0>; enable-method = "psci";
            	cpu-idle-states = <&sleep>; };
            cpu@1 { device_type = "cpu"; compatible = "arm,cortex-a57"; reg = <1>; enable-method = "psci";
            	cpu-idle-states = <&sleep>; };
            idle-states { entry-method = "psci"; sleep: cpu-sleep { compatible = "arm,idle-state";
            	arm,psci-suspend-param = <0x40000000>; entry-latency-us = <10>; exit-latency-us = <10>;
            	min-residency-us = <100>; }; };""";

    private static byte[] vm(String name, long base, String vdevices, String affinity) {
        return Configs.compile(Configs.vm(
                        name,
                        base,
                        0x10000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        vdevices,
                        "")
                .replace(ONE_CPU, TWO_CPUS)
                .replace("affinity = \"static\"; affinity-map = <0>;", affinity));
    }

    @Test
    void everyVcpuComesOnlineIncludingAProxyScheduledOne() {
        Simulation.Config base = Configs.pairOfSecondaries(5, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, "");
        Map<String, byte[]> vms = new HashMap<>(base.vmDtbs());
        vms.put("svm1", vm("svm1", 0x80000000L, Configs.SVM1_VDEVICES, "affinity = \"static\"; affinity-map = <1 2>;"));
        vms.put("svm2", vm("svm2", 0x90000000L, Configs.SVM2_VDEVICES, "affinity = \"proxy\";"));
        Simulation.Result r = Simulation.run(Simulation.Config.of(base.systemDtb(), vms, Map.of(), 5));
        assertTrue(r.settled());
        Map<String, Integer> want = Map.of("hlos", 1, "svm1", 2, "svm2", 2);
        for (String name : List.of("hlos", "svm1", "svm2")) {
            GuestReport g = r.guests().get(name);
            assertTrue(g.ok(), name + ": " + g.problems());
            assertEquals(want.get(name), g.cpus(), name);
            assertEquals(want.get(name), g.cpusOnline(), name + " vCPUs online");
            assertTrue(
                    r.events().stream()
                            .anyMatch(e -> e.vm().equals(name)
                                    && e.text()
                                            .endsWith(": " + want.get(name) + "/" + want.get(name) + " vCPUs online")),
                    name + " logs its count");
        }
        assertTrue(r.guests().get("hlos").proxyRuns() > 0, "svm2's vCPUs ran inside hlos's vcpu_run");
        dev.gunyahdt.dt.DeviceTree svm1 = dev.gunyahdt.dt.dtb.DtbReader.read(
                r.rm().vm("svm1").orElseThrow().guestDtb().orElseThrow(), "svm1.guest.dtb");
        assertTrue(
                svm1.find("/cpus/cpu@1")
                        .orElseThrow()
                        .node()
                        .property("qcom,gunyah-capability")
                        .isEmpty(),
                "a PSCI VM (idle states) gets no POWER cap");
    }

    /**
     * Virtual MMIO end to end: the RM gives the proxy-scheduled svm2 (auth none) the default VMMIO region, its owner
     * puts the register file it emulates in the DT it lends, svm2 reads its ID, writes a scratch register and reads
     * it back; each access stops svm2's vCPU in hlos's vcpu_run (states 4 and 5 with IPA, size, value), hlos answers
     * and resumes it with the value.
     */
    @Test
    void aProxyScheduledVmsAccessesToItsOwnersDeviceAreEmulatedThroughVcpuRun() {
        Simulation.Config base = Configs.pairOfSecondaries(5, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, "");
        Map<String, byte[]> vms = new HashMap<>(base.vmDtbs());
        vms.put("svm2", vm("svm2", 0x90000000L, Configs.SVM2_VDEVICES, "affinity = \"proxy\";"));
        Simulation.Result r = Simulation.run(Simulation.Config.of(base.systemDtb(), vms, Map.of(), 5));
        assertTrue(r.settled());
        for (String name : List.of("hlos", "svm1", "svm2")) {
            assertTrue(
                    r.guests().get(name).ok(),
                    name + ": " + r.guests().get(name).problems());
        }
        List<String> hlos = r.events().stream()
                .filter(e -> e.vm().equals("hlos") && e.text().contains("vcpu_run -> ADDRSPACE_VMMIO"))
                .map(e -> e.text())
                .toList();
        assertEquals(
                List.of(
                        "svm2: vcpu_run -> ADDRSPACE_VMMIO_READ at 0xc000000, 4 byte(s): my register 0x0 = 0x4d564447,"
                                + " resumed with it",
                        "svm2: vcpu_run -> ADDRSPACE_VMMIO_WRITE at 0xc000010, 4 byte(s) of 0x56000081: my register"
                                + " 0x10 (emulated), resumed",
                        "svm2: vcpu_run -> ADDRSPACE_VMMIO_READ at 0xc000010, 4 byte(s): my register 0x10 ="
                                + " 0x56000081, resumed with it"),
                hlos.stream().map(t -> t.substring(t.indexOf("svm2: "))).toList());
        assertTrue(
                r.events().stream()
                        .anyMatch(e -> e.vm().equals("svm2")
                                && e.text().contains("/vmm-regs@c000000: ID 0x4d564447, wrote 0x56000081")),
                "svm2 read back what it wrote");
        // svm1 is not proxy-scheduled: its owner gives it no such device, and it has no VMMIO accesses
        assertTrue(r.events().stream().noneMatch(e -> e.text().contains("svm1: vcpu_run")));
    }

    /**
     * A VM without PSCI (no psci node or idle states; its other CPU's enable-method "qcom,gunyah-hvc": the RM makes
     * no VPM group): the RM gives it a
     * POWER cap to each vCPU and writes it on the CPU node as qcom,gunyah-capability (patch_cpus_nodes); the guest
     * starts its other vCPU with vcpu_poweron on that cap.
     */
    @Test
    void aVmWithoutPsciStartsItsVcpusWithThePowerCapsOnItsCpuNodes() {
        Simulation.Config base = Configs.pairOfSecondaries(5, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, "");
        Map<String, byte[]> vms = new HashMap<>(base.vmDtbs());
        String noPsci = Configs.vm(
                        "svm1",
                        0x80000000L,
                        0x10000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        Configs.SVM1_VDEVICES,
                        "")
                .replace(
                        ONE_CPU,
                        TWO_CPUS.replace("enable-method = \"psci\";", "enable-method = \"qcom,gunyah-hvc\";")
                                .replaceAll("\\s*cpu-idle-states = <&sleep>;", "")
                                .replaceAll("(?s)idle-states \\{.*", ""))
                .replace("affinity = \"static\"; affinity-map = <0>;", "affinity = \"static\"; affinity-map = <1 2>;");
        vms.put("svm1", Configs.compile(noPsci));
        Simulation.Result r = Simulation.run(Simulation.Config.of(base.systemDtb(), vms, Map.of(), 5));
        assertTrue(r.settled());
        GuestReport g = r.guests().get("svm1");
        assertTrue(g.ok(), g.problems().toString());
        assertEquals(2, g.cpusOnline());
        assertTrue(r.events().stream()
                .anyMatch(e -> e.vm().equals("svm1")
                        && e.text().contains("online (vcpu_poweron with its qcom,gunyah-capability)")));
        dev.gunyahdt.dt.DeviceTree guest = dev.gunyahdt.dt.dtb.DtbReader.read(
                r.rm().vm("svm1").orElseThrow().guestDtb().orElseThrow(), "svm1.guest.dtb");
        for (String cpu : List.of("/cpus/cpu@0", "/cpus/cpu@1")) {
            assertEquals(
                    8,
                    guest.find(cpu)
                            .orElseThrow()
                            .node()
                            .property("qcom,gunyah-capability")
                            .orElseThrow()
                            .value()
                            .length(),
                    cpu + ": a u64 cap");
        }
        dev.gunyahdt.dt.DeviceTree svm2 = dev.gunyahdt.dt.dtb.DtbReader.read(
                r.rm().vm("svm2").orElseThrow().guestDtb().orElseThrow(), "svm2.guest.dtb");
        assertTrue(
                svm2.find("/cpus/cpu@0")
                        .orElseThrow()
                        .node()
                        .property("qcom,gunyah-capability")
                        .isPresent(),
                "one CPU and no idle state: no PSCI either (parse_vcpus counts psci enable-methods of CPUs not"
                        + " started at boot)");
    }
}
