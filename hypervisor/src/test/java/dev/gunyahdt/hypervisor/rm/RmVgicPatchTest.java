package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayGeneratorTest;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vGIC patch of a secondary's overlay ([RM] platform/qemu/src/vgic.c vgic_dto_finalise): a VM whose GIC node has
 * no {@code reg} gets the vGIC where VM_INIT placed it (vgic_vm_config_add, from its IPA allocator), written into
 * that node by its phandle, after every vdevice fragment; a VM whose config names no usable GIC cannot be patched.
 */
class RmVgicPatchTest {
    static final String GIC_REG = "reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>;";

    static Simulation.Result boot(String svm1Source) {
        String rmRpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;";
        Map<String, byte[]> vms = new LinkedHashMap<>();
        vms.put("hlos", Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rmRpc, "", "")));
        vms.put("svm1", Configs.compile(svm1Source));
        byte[] system = Configs.compile(Configs.system(
                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                Configs.tableEntry("svm1", 0x80, false, 0x80000000L, 0x10000000L)));
        return Simulation.run(Simulation.Config.of(system, vms, Map.of(), 7));
    }

    static String svm1() {
        return Configs.vm(
                "svm1", 0x80000000L, 0x10000000L, "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;", "", "");
    }

    @Test
    void aGicNodeWithoutRegGetsTheVgicsPlace(@TempDir Path dir) throws Exception {
        String source = svm1().replace(GIC_REG, "");
        assertNotEquals(svm1(), source);
        Simulation.Result r = boot(source);
        assertTrue(r.settled());
        assertEquals(0, r.rm().internalFaults());
        assertEquals(
                VmState.RUNNING,
                r.rm().vm("svm1").orElseThrow().state(),
                r.events().toString());
        r.guests().values().forEach(g -> assertTrue(g.ok(), g.vm() + ": " + g.problems()));

        DeviceTree overlay =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().overlay().orElseThrow(), "svm1.dtbo");
        List<Node> fragments = overlay.root().children().stream()
                .filter(n -> n.name().startsWith("fragment@"))
                .toList();
        Node last = fragments.get(fragments.size() - 1);
        DeviceTree guest =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().guestDtb().orElseThrow(), "svm1.dtb");
        Node gic = guest.find("/intc@8000000").orElseThrow().node();
        assertEquals(
                gic.phandle(),
                last.property("target").orElseThrow().value().asCell(),
                "the last fragment targets the GIC node's phandle");
        assertEquals(
                List.of("arm,gic-v3"),
                gic.property("compatible").orElseThrow().value().asStrings());
        assertEquals(
                1, gic.property("#redistributor-regions").orElseThrow().value().asCell());
        assertArrayEquals(
                new long[] {0, 0x20000},
                gic.property("redistributor-stride").orElseThrow().value().cells());
        long[] reg = gic.property("reg").orElseThrow().value().cells();
        assertEquals(8, reg.length, "GICD and GICR, in the root's 2/2 cells");
        long gicd = reg[0] << 32 | reg[1];
        long gicr = reg[4] << 32 | reg[5];
        assertEquals(0x10000, reg[3], "GICD: 64 KiB");
        assertEquals(0x20000, reg[7], "GICR: one 128 KiB frame for the one vCPU");
        assertEquals(0, gicd % 0x10000);
        assertEquals(0, gicr % 0x20000);
        // vm_address_range_alloc(PLATFORM_VDEVICE, any): the lowest free aligned IPA past the 1 GiB device range
        assertEquals(0x4000_0000L, gicd);
        assertEquals(0x4002_0000L, gicr);
        assertTrue(gicr >= gicd + 0x10000 || gicr + 0x20000 <= gicd, "GICD and GICR apart");
        // fdtoverlay applies the phandle-targeted fragment to the same bytes
        VmView v = r.rm().vm("svm1").orElseThrow();
        OverlayGeneratorTest.sameAsFdtoverlay(
                dir,
                v.baseDtb().orElseThrow(),
                v.overlay().orElseThrow(),
                v.guestDtb().orElseThrow());
    }

    @Test
    void aGicNodeWithRegIsLeftAlone() {
        Simulation.Result r = boot(svm1());
        DeviceTree overlay =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().overlay().orElseThrow(), "svm1.dtbo");
        assertTrue(overlay.root().children().stream()
                .allMatch(f -> f.property("target").isEmpty()));
        DeviceTree guest =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().guestDtb().orElseThrow(), "svm1.dtb");
        assertTrue(guest.find("/intc@8000000")
                .orElseThrow()
                .node()
                .property("redistributor-stride")
                .isEmpty());
    }

    @Test
    void noUsableGicNodeIsWarnedAboutAndTheVmStartsWithItsOwnController() {
        // neither an interrupts config nor a GICv3 as the root's interrupt-parent (a GICv2 board's guest): the real
        // RM's vgic_dto_finalise answers UNIMPLEMENTED; the model warns, patches nothing and starts the VM
        String source = svm1().replace("interrupts { config = \"/intc@8000000\"; };", "")
                .replace("compatible = \"arm,gic-v3\";", "compatible = \"arm,gic-400\";");
        Simulation.Result r = boot(source);
        assertTrue(r.settled());
        assertEquals(VmState.RUNNING, r.rm().vm("svm1").orElseThrow().state());
        assertTrue(
                r.events().stream()
                        .anyMatch(e ->
                                e.vm().equals("svm1") && e.text().contains("vgic_dto_finalise answers UNIMPLEMENTED")),
                r.events().toString());
        DeviceTree overlay =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().overlay().orElseThrow(), "svm1.dtbo");
        assertTrue(overlay.root().children().stream()
                .allMatch(f -> f.property("target").isEmpty()));
    }
}
