package dev.gunyahdt.hypervisor.rm.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.inspect.Inspection;
import dev.gunyahdt.hypervisor.cspace.CapIdNumbering;
import dev.gunyahdt.hypervisor.rm.Configs;
import dev.gunyahdt.hypervisor.rm.Platform;
import dev.gunyahdt.hypervisor.rm.VmState;
import dev.gunyahdt.hypervisor.rm.VmView;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 acceptance 1 driven through the RM, not by filling the generator's input by hand: a primary (hlos,
 * vmid 3) launches "svm" as VMID 45 over RPC; with CapIDs numbered 0x1, 0x2, … in each fresh cspace the RM gives
 * svm TX 0x1 / RX 0x2 and VIRQs 960/961, and svm's merged /hypervisor, printed by inspect's printer, is §10.6's
 * listing property for property; the primary's is §10.5's.
 */
class RmWorkedExampleTest {

    /**
     * §10.6's RM link is the VM's first caps: a PSCI VM (its CPU has an idle state, so the RM makes a VPM group) gets
     * no POWER cap before them, as a VM without PSCI would ({@code vm_config_add_vcpu}).
     */
    private static final String PLAIN_CPU =
            "cpu@0 { device_type = \"cpu\"; compatible = \"arm,cortex-a57\"; reg = <0>; enable-method = \"psci\"; };";

    private static final String PSCI_CPU = "cpu@0 { device_type = \"cpu\"; compatible = \"arm,cortex-a57\"; reg = <0>;"
            + " enable-method = \"psci\"; cpu-idle-states = <&sleep>; };"
            + " idle-states { entry-method = \"psci\"; sleep: cpu-sleep { compatible = \"arm,idle-state\";"
            + " arm,psci-suspend-param = <0x40000000>; entry-latency-us = <10>; exit-latency-us = <10>;"
            + " min-residency-us = <100>; }; };";

    private static Simulation.Result boot() {
        Map<String, byte[]> vms = new LinkedHashMap<>();
        vms.put("hlos", Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, "console-dev;", "", "")));
        vms.put(
                "svm",
                Configs.compile(Configs.vm(
                                "svm",
                                0x80000000L,
                                0x8000000L,
                                "generate = \"/hypervisor/gunyah-resource-mgr\";",
                                "",
                                "")
                        .replace(PLAIN_CPU, PSCI_CPU)));
        byte[] system = Configs.compile(Configs.system(
                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                Configs.tableEntry("svm", 45, false, 0x80000000L, 0x8000000L)));
        // VMID 45 is not a QEMU secondary VMID (§10.6's own note): a platform whose secondary range includes it
        return Simulation.run(
                new Simulation.Config(system, vms, Map.of(), 1, CapIdNumbering.FROM_ONE, new Platform(4, 63)));
    }

    /** The inspect printer's lines of a subtree, each node's lines sorted (the merge reverses property order). */
    private static List<String> printed(byte[] blob, String path) {
        String text = Inspection.of(DtbReader.read(blob, "blob")).render(Inspection.Format.DTS, path);
        return Arrays.stream(text.split("\n"))
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .sorted()
                .toList();
    }

    @Test
    void theSecondaryGetsTheWorkedExample(@TempDir Path dir) throws Exception {
        Simulation.Result r = boot();
        VmView svm = r.rm().vm("svm").orElseThrow();
        assertEquals(VmState.RUNNING, svm.state());
        assertEquals(45, svm.vmid());
        byte[] merged = svm.guestDtb().orElseThrow();
        byte[] expected = inItsVm("svm", 0x80000000L, 0x8000000L, OverlayGeneratorTest.WORKED_EXAMPLE_MERGED);
        OverlayGeneratorTest.assertSubtreeEquals(
                OverlayGeneratorTest.node(expected, "/hypervisor"), OverlayGeneratorTest.node(merged, "/hypervisor"));
        assertEquals(printed(expected, "/hypervisor"), printed(merged, "/hypervisor"));
        OverlayGeneratorTest.sameAsFdtoverlay(
                dir, svm.baseDtb().orElseThrow(), svm.overlay().orElseThrow(), merged);
    }

    @Test
    void thePrimaryGetsSection105(@TempDir Path dir) throws Exception {
        Simulation.Result r = boot();
        VmView hlos = r.rm().vm("hlos").orElseThrow();
        byte[] merged = hlos.guestDtb().orElseThrow();
        byte[] expected = inItsVm("hlos", 0x40000000L, 0x40000000L, OverlayGeneratorTest.PRIMARY_MERGED);
        OverlayGeneratorTest.assertSubtreeEquals(
                OverlayGeneratorTest.node(expected, "/hypervisor"), OverlayGeneratorTest.node(merged, "/hypervisor"));
        assertEquals(printed(expected, "/hypervisor"), printed(merged, "/hypervisor"));
        OverlayGeneratorTest.sameAsFdtoverlay(
                dir, hlos.baseDtb().orElseThrow(), hlos.overlay().orElseThrow(), merged);
    }

    /**
     * The reference listing's {@code hypervisor} node placed in a tree shaped like the VM's own (same
     * interrupt-parent), so inspect decodes the interrupts of both sides the same way.
     */
    private static byte[] inItsVm(String name, long base, long size, String listing) {
        String node = listing.substring(listing.indexOf("hypervisor {"), listing.lastIndexOf("};"));
        return Configs.compile(Configs.vm(name, base, size, "", "", node));
    }
}
