package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The iomem node of a secondary's overlay ([RM] vm_creation.c create_iomem_nodes): HLOS lends svm1's PL011 page
 * under the iomem vdevice's label; the RM writes a node at the vdevice's {@code generate} path with the parcel's
 * physical regions, handle, peer and label — and none when no parcel has the label.
 */
class RmIomemOverlayTest {
    static final String UART =
            "pl011@9000000 { compatible = \"arm,pl011\", \"arm,primecell\";" + " reg = <0x0 0x9000000 0x0 0x1000>; };";
    static final String IOMEM = "uart-io { vdevice-type = \"iomem\"; generate = \"/hypervisor/uart-io\";"
            + " push-compatible = \"qcom,test-iomem\"; patch = \"/pl011@9000000\"; peer-default;"
            + " memory { qcom,label = <0x1000>; }; };\n";

    /** hlos and svm1, whose config has {@code vdevices} and whose UART's page hlos holds to lend it. */
    static Simulation.Result boot(String vdevices) {
        String rmRpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;";
        Map<String, byte[]> vms = new LinkedHashMap<>();
        vms.put("hlos", Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rmRpc, "", "")));
        vms.put("svm1", Configs.compile(Configs.vm("svm1", 0x80000000L, 0x10000000L, rmRpc, vdevices, UART)));
        byte[] system = Configs.compile(Configs.system(
                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                Configs.tableEntry("svm1", 0x80, false, 0x80000000L, 0x10000000L)
                        .replace("owner = ", "passthrough-mmio = <0x0 0x9000000 0x0 0x1000>; owner = ")));
        return Simulation.run(Simulation.Config.of(system, vms, Map.of(), 7));
    }

    @Test
    void theNodeCarriesTheLentParcel() {
        Simulation.Result r = boot(IOMEM);
        assertTrue(r.settled());
        assertEquals(0, r.rm().internalFaults());
        assertEquals(VmState.RUNNING, r.rm().vm("svm1").orElseThrow().state());
        // both guests are content: svm1's probe takes the iomem node under /hypervisor as no vdevice of its own
        r.guests().values().forEach(g -> assertTrue(g.ok(), g.vm() + ": " + g.problems()));

        DeviceTree overlay =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().overlay().orElseThrow(), "svm1.dtbo");
        // §10.2 step 2: before /chosen's kaslr-seed fragment
        List<Node> fragments = overlay.root().children().stream()
                .filter(n -> n.name().startsWith("fragment@"))
                .toList();
        int iomemAt = indexOf(fragments, n -> n.name().equals("uart-io"));
        int chosenAt = indexOf(fragments, n -> n.property("kaslr-seed").isPresent());
        assertTrue(iomemAt >= 0 && iomemAt < chosenAt, iomemAt + " " + chosenAt + " " + r.events());

        DeviceTree guest =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().guestDtb().orElseThrow(), "svm1.dtb");
        Node io = guest.find("/hypervisor/uart-io").orElseThrow().node();
        assertEquals(2, cell(io, "#address-cells"));
        assertEquals(2, cell(io, "#size-cells"));
        assertEquals(
                List.of("qcom,test-iomem"),
                io.property("compatible").orElseThrow().value().asStrings());
        assertArrayEquals(new long[] {0, 0x9000000, 0, 0x1000}, cells(io, "reg"), "physical address, size: 2/2");
        assertEquals(3, cell(io, "peer"), "peer-default: HLOS");
        Memparcel lent = r.rm().memparcels().stream()
                .filter(p -> p.label() == 0x1000)
                .findFirst()
                .orElseThrow();
        assertArrayEquals(new long[] {0, lent.handle()}, cells(io, "qcom,rm-mem-handle"));
        // a LEND's ACL names svm1 only: no (self, peer) rights pair; no attributes were given
        assertFalse(io.property("qcom,rm-acl").isPresent());
        assertFalse(io.property("qcom,rm-attributes").isPresent());
        assertEquals(0x1000, cell(io, "qcom,label"));
        // the device's own node is left as the base has it
        Node uart = guest.find("/pl011@9000000").orElseThrow().node();
        assertEquals(
                List.of("arm,pl011", "arm,primecell"),
                uart.property("compatible").orElseThrow().value().asStrings());
        assertFalse(uart.property("qcom,label").isPresent());
    }

    @Test
    void noParcelOfTheLabelNoNode() {
        // the label HLOS does not lend (its LendPlan finds no device at the patch path): a warning, no node
        Simulation.Result r = boot(IOMEM.replace("patch = \"/pl011@9000000\"", "patch = \"/nothing\""));
        assertTrue(r.settled());
        DeviceTree guest =
                DtbReader.read(r.rm().vm("svm1").orElseThrow().guestDtb().orElseThrow(), "svm1.dtb");
        assertFalse(guest.find("/hypervisor/uart-io").isPresent());
        assertTrue(
                r.events().stream()
                        .anyMatch(e -> e.vm().equals("svm1")
                                && e.text().equals("Warning: iomem (label 1000) has no memory parcel")),
                r.events().toString());
    }

    /** The index of the first fragment with a node that matches {@code p}, -1 when none. */
    private static int indexOf(List<Node> fragments, Predicate<Node> p) {
        for (int i = 0; i < fragments.size(); i++) {
            if (has(fragments.get(i), p)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean has(Node n, Predicate<Node> p) {
        return p.test(n) || n.children().stream().anyMatch(c -> has(c, p));
    }

    private static long cell(Node n, String property) {
        return n.property(property).orElseThrow().value().asCell();
    }

    private static long[] cells(Node n, String property) {
        return n.property(property).orElseThrow().value().cells();
    }
}
