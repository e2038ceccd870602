package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * virtio-mmio through the RM ([RM] vm_config.c add_virtio_mmio / create_virtio_mmio, dto_construct.c
 * dto_create_virtio_mmio): svm2's config asks for a device; the RM builds it at VM_INIT with HLOS as the backend,
 * HLOS finds it in VM_GET_HYP_RESOURCES and serves it, svm2's driver completes the handshake and one request.
 */
class RmVirtioTest {
    static final String VIRTIO = """
            vio { vdevice-type = "virtio-mmio"; generate = "/hypervisor/vio"; peer-default; qcom,label = <7>;
                  dma-coherent; memory { qcom,label = <7>; base = <0x0 0xa0200000>; }; };
            """;

    /** The DMA pool of {@link #VIRTIO} in system.dtb: HLOS holds it and shares it with svm1 under label 7. */
    static final String POOL_SVM1 = "pool-svm1-7 { declared-by = \"svm1\"; vdevice-label = <7>; "
            + "memory-ranges = <0x0 0xa0200000 0x0 0x1000>; sharers = \"hlos\", \"svm1\"; };\n";

    /** MEM_SHARE of that pool from HLOS (VMID 3, keeping RW) to {@code vmid} (RW), label 7, as HLOS's VMM does. */
    static byte[] poolShare(int vmid) {
        return dev.gunyahdt.hypervisor.rm.Wire.writer()
                .u8(0)
                .u8(0)
                .u8(0)
                .u8(0)
                .u32(7)
                .u16(2)
                .u16(0)
                .u16(3)
                .u8(6)
                .u8(0)
                .u16(vmid)
                .u8(6)
                .u8(0)
                .u16(1)
                .u16(0)
                .u64(0xa0200000L)
                .u64(0x1000)
                .u16(0)
                .u16(0)
                .build();
    }

    private static List<String> lines(Simulation.Result r, RmEvent.Kind kind, String vm) {
        return r.events().stream()
                .filter(e -> e.kind() == kind && e.vm().equals(vm))
                .map(RmEvent::text)
                .toList();
    }

    private static boolean has(List<String> lines, String start) {
        return lines.stream().anyMatch(l -> l.startsWith(start));
    }

    @Test
    void theOwnerServesTheDeviceAndTheFrontendReadsASector() {
        Simulation.Result r =
                Simulation.run(Configs.pairOfSecondaries(3, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES + VIRTIO, ""));
        assertTrue(r.settled());
        assertEquals(VmState.RUNNING, r.rm().vm("svm2").orElseThrow().state());
        assertEquals(0, r.rm().internalFaults());
        r.guests().values().forEach(g -> assertTrue(g.ok(), g.vm() + ": " + g.problems()));
        List<String> svm2 = lines(r, RmEvent.Kind.NOTE, "svm2");
        List<String> hlos = lines(r, RmEvent.Kind.NOTE, "hlos");
        // VM_INIT placed the page (VmInit's address_range_allocator) and the DMA pool is the memory child's region
        assertTrue(
                has(
                        svm2,
                        "virtio-mmio /qcom,vm-config/vdevices/vio: register page at 0x40000000 (HLOS 0x30000000)"
                                + ", VIRQ "),
                svm2.toString());
        assertTrue(
                svm2.stream().anyMatch(l -> l.contains("DMA region 0xa0200000+0x1000 (shared by hlos under label 7)")),
                svm2.toString());
        assertTrue(has(hlos, "virtio-blk backend for svm2 (label 7): register page at 0x30000000"), hlos.toString());
        assertTrue(
                has(hlos, "virtio-blk backend for svm2 (label 7): QueueNotify: served a read of sector 1"),
                hlos.toString());
        assertTrue(
                has(svm2, "/hypervisor/vio@40000000: reply: used idx 1 (id 0, len 513), status OK"), svm2.toString());

        // the node dto_create_virtio_mmio writes, pointing at the pool's buffer (merged: fdtoverlay reverses the order)
        DeviceTree guest =
                DtbReader.read(r.rm().vm("svm2").orElseThrow().guestDtb().orElseThrow(), "svm2.dtb");
        NodeCursor vio = guest.find("/hypervisor/vio@40000000").orElseThrow();
        List<String> props = new ArrayList<>();
        vio.node().properties().forEach(p -> props.add(p.name()));
        assertEquals(
                List.of(
                        "dma-coherent",
                        "peer",
                        "dma_base",
                        "label",
                        "qcom,label",
                        "interrupts",
                        "memory-region",
                        "reg",
                        "compatible"),
                props);
        assertEquals(3, vio.node().property("peer").orElseThrow().value().asCell());
        long phandle =
                vio.node().property("memory-region").orElseThrow().value().asCell();
        NodeCursor buffer = guest.phandles().get(phandle);
        assertEquals("buffer@a0200000", buffer.node().name());
    }

    @Test
    void aDeviceTypeTheHypervisorDoesNotKnowFailsVmInitWithNoResource() {
        // the RM passes valid_device_type; the hypervisor knows one device type, 18 (virtio-input)
        refused(
                VIRTIO.replace("dma-coherent;", "dma-coherent; virtio,device-type = <2>;"),
                "virtio_mmio_configure -> ARGUMENT_INVALID");
    }

    @Test
    void aDmaPoolWithNoRegionFailsVmInitWithNoResource() {
        // no system.dtb region of the device's label: HLOS holds no pool to share (the model does not allocate one)
        refused(VIRTIO.replace("qcom,label = <7>", "qcom,label = <9>"), "no shared region of label 9");
    }

    /** svm2 with {@code virtio} fails VM_INIT with one failure saying {@code why}; hlos gets NORESOURCE. */
    private static void refused(String virtio, String why) {
        Simulation.Result r =
                Simulation.run(Configs.pairOfSecondaries(3, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES + virtio, ""));
        assertEquals(VmState.INIT_FAILED, r.rm().vm("svm2").orElseThrow().state());
        List<String> failures = lines(r, RmEvent.Kind.FAILURE, "svm2");
        assertTrue(failures.size() == 1 && failures.get(0).contains(why), failures.toString());
        assertTrue(r.guests().get("hlos").problems().contains("VM_INIT svm2 -> RM error " + RmError.NORESOURCE.code()));
    }
}
