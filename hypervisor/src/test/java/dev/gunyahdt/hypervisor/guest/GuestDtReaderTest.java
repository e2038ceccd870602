package dev.gunyahdt.hypervisor.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuestDtReaderTest {

    /** Through the compile pipeline and back from the blob, as the guest reads it at X0. */
    private static GuestDt read(String body) {
        String dts = "/dts-v1/;\n/ {\n#address-cells = <2>; #size-cells = <2>;\n" + body + "\n};\n";
        CompileOptions d = CompileOptions.defaults();
        CompileOptions o = new CompileOptions(
                CompileOptions.Format.DTS,
                CompileOptions.Format.DTB,
                d.dtb(),
                -1,
                false,
                List.of(),
                false,
                d.phandles(),
                List.of(),
                false,
                false,
                false,
                false,
                Map.of());
        Compilation c = new Compiler(o).compile(Path.of("-"), dts.getBytes(StandardCharsets.ISO_8859_1), "-");
        if (c.failed()) {
            throw new AssertionError("test source does not compile: " + c.messages());
        }
        DeviceTree tree = DtbReader.read(c.output(), "t.dtb");
        return GuestDtReader.read(tree);
    }

    private static final String RM = """
            hypervisor {
                #address-cells = <2>; #size-cells = <0>;
                qcom,gunyah-vm { qcom,vmid = <0x80>; qcom,image-name = "svm1"; };
                rm@1 { compatible = "qcom,resource-manager-1-0", "qcom,resource-manager";
                       reg = <0 1 0 2>; interrupts = <0 3 1>, <0 4 1>; };
            """;

    @Test
    void theRmLinkAndTheVmNodeAreRead() {
        GuestDt dt = read(RM + "}; memory@80000000 { device_type = \"memory\"; reg = <0 0x80000000 0 0x1000000>; };");
        assertEquals(0x80, dt.vmid());
        assertEquals("svm1", dt.imageName().orElseThrow());
        GuestDt.RmLink rm = dt.rm().orElseThrow();
        assertEquals(1, rm.txCap());
        assertEquals(2, rm.rxCap());
        assertEquals(35, rm.txVirq()); // SPI 3
        assertEquals(List.of(new GuestDt.Line(35, true), new GuestDt.Line(36, true)), dt.lines());
        assertEquals(List.of(new GuestDt.Range(0x80000000L, 0x1000000L)), dt.memory());
        assertTrue(dt.problems().isEmpty(), dt.problems().toString());
        assertFalse(dt.listsVdevices());
    }

    @Test
    void vdevicesAreChosenByTheirFirstKnownCompatible() {
        GuestDt dt = read(RM + """
                q@10 { compatible = "qcom,gunyah-message-queue", "qcom,gunyah-capability";
                       reg = <0 0x10 0 0x11>; interrupts = <0 5 1>, <0 6 4>; qcom,is-full-duplex; qcom,label = <7>; };
                d@20 { compatible = "qcom,gunyah-doorbell-source", "qcom,gunyah-doorbell"; reg = <0 0x20>; };
                x@30 { compatible = "vendor,unknown"; reg = <0 0x30>; };
                };""");
        assertEquals(1, dt.queues().size());
        GuestDt.Queue q = dt.queues().get(0);
        assertTrue(q.hasTx() && q.hasRx());
        assertEquals(7, q.label());
        assertEquals(0x11, q.rx());
        assertEquals(38, q.rxVirq());
        assertTrue(dt.lines().contains(new GuestDt.Line(38, false))); // flags 4: level
        assertEquals(1, dt.doorbells().size());
        assertTrue(dt.doorbells().get(0).source());
        assertTrue(dt.listsVdevices());
    }

    @Test
    void whatDoesNotDescribeALinkIsAProblemInDtOrder() {
        GuestDt dt = read("""
                hypervisor {
                    q@10 { compatible = "qcom,gunyah-message-queue"; reg = <0 0x10>; };
                };""");
        assertEquals(
                List.of(
                        "/hypervisor/q@10: reg/interrupts/direction do not describe a queue pair or a one-way"
                                + " queue",
                        "no RM node (compatible gunyah-resource-manager) under /hypervisor"),
                dt.problems());
        assertTrue(dt.rm().isEmpty());
        assertEquals(List.of("no /hypervisor in my DT"), read("").problems());
    }

    @Test
    void sharedRegionsAreTheSharedReservedMemoryBuffersInTheirParentsCells() {
        GuestDt dt = read(RM + """
                shm { compatible = "qcom,shared-memory"; memory-region = <&buf>; peer = <0x81>; };
                bad { compatible = "qcom,shared-memory"; memory-region = <0x1234>; };
                };
                reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
                    buf: buf@a0000000 { reg = <0xa0000000 0x200000>; no-map; qcom,shared-memory;
                        peers = <0x80 0x81>; };
                    other@b0000000 { reg = <0xb0000000 0x1000>; no-map; }; };""");
        assertEquals(1, dt.shms().size());
        GuestDt.SharedMemory shm = dt.shms().get(0);
        assertNull(shm.problem());
        assertEquals(0xa0000000L, shm.ipa());
        assertEquals(0x200000L, shm.size());
        assertEquals(List.of(0x80L, 0x81L), shm.peers());
        assertEquals(0xa0000800L, GuestDt.SharedMemory.slot(shm.ipa(), 0x81, 0x80));
        assertEquals(0xa0000000L, GuestDt.SharedMemory.slot(shm.ipa(), 0x80, 0x81));
        assertEquals(
                List.of(new GuestDt.Range(0xa0000000L, 0x200000L), new GuestDt.Range(0xb0000000L, 0x1000L)),
                dt.reserved());
        assertEquals(
                List.of("/hypervisor/bad: memory-region does not name a shared reserved-memory node with a reg"),
                dt.problems());
    }
}
