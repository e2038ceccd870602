package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * boards/qemu-virt's svm2 drives a virtio-mmio block device its owner serves: the RM builds the device at svm2's
 * VM_INIT, hlos (the backend) learns of it by VM_GET_HYP_RESOURCES and sets it up, svm2 completes the virtio 1.x
 * handshake through its read-only register page and reads one sector through a split virtqueue; each step shows in
 * the boot log, in this order, and svm2's overlay carries the node dto_create_virtio_mmio writes.
 */
class BootVirtioTest {
    static final String DEV = "] svm2: /hypervisor/virtio-mmio-svm2-3@40000000: ";
    static final String BE = "] hlos: virtio-blk backend for svm2 (label 3): ";

    @Test
    void svm2ReadsASectorFromTheBlockDeviceHlosServes(@TempDir Path dir) throws Exception {
        PartitionCommandTest.Run r =
                PartitionCommandTest.run("boot", PartitionCommandTest.QEMU.toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        List<String> steps = List.of(
                "] svm2: virtio-mmio /qcom,vm-config/vdevices/virtio-mmio-svm2-3: register page at 0x40000000 (HLOS"
                        + " 0x30000000)",
                BE + "register page at 0x30000000, VIRQ ",
                DEV + "magic \"virt\", version 2, device ID 2 (block)",
                DEV + "features offered 0x300000000, accepted 0x300000000 (VERSION_1, ACCESS_PLATFORM), FEATURES_OK",
                DEV + "queue 0 of 8 (max 8): desc 0xa0200000, avail 0xa0200100, used 0xa0200200 in the DMA pool",
                DEV + "DRIVER_OK; capacity 8 sectors",
                DEV + "request 1 queued (read sector 1, 3 descriptors), QueueNotify 0",
                BE + "DRIVER_OK; driver features 0x300000000, queue 0: 8 entries",
                BE + "QueueNotify: served a read of sector 1 (512 bytes + status), used idx 1",
                DEV + "reply: used idx 1 (id 0, len 513), status OK, sector 1 reads \"gunyah-dt virtio-blk sector 1"
                        + " served by the backend\"");
        PartitionCommandTest.assertInOrder(r.out(), steps);
        assertFalse(r.out().contains("FAILED"), r.out());
        assertTrue(r.out().contains("svm2 (linux-probe): console open, hyp resources match"), r.out());
        // the node the RM wrote (dto_create_virtio_mmio), as svm2 received it
        PartitionCommandTest.Run dts = PartitionCommandTest.run(
                "dtc",
                "-I",
                "dtb",
                "-O",
                "dts",
                dir.resolve("vm/svm2.guest.dtb").toString());
        assertEquals(0, dts.status(), dts.err());
        String node = dts.out().substring(dts.out().indexOf("virtio-mmio-svm2-3@40000000 {"));
        node = node.substring(0, node.indexOf("};"));
        for (String p : List.of(
                "compatible = \"virtio,mmio\";",
                "reg = <0x00 0x40000000 0x00 0x1000>;",
                "memory-region = <",
                "interrupts = <0x00 0x3a5 0x01>;",
                "qcom,label = <0x03>;",
                "label = <0x03>;",
                "dma_base = <0x00 0x00>;",
                "peer = <0x03>;",
                "dma-coherent;")) {
            assertTrue(node.contains(p), p + " not in\n" + node);
        }
        assertTrue(Files.readString(dir.resolve("boot.log")).contains("sector 1 reads"));
    }

    /** boards/soc-2cluster: the audio VM reads a sector from the virtio disk hlos serves, its pool shared by label. */
    @Test
    void socAudioReadsASectorFromTheBlockDeviceHlosServes(@TempDir Path dir) throws Exception {
        PartitionCommandTest.Run r = PartitionCommandTest.run(
                "boot", PartitionCommandTest.REPO.resolve("boards/soc-2cluster").toString(), "-o", dir.toString());
        assertEquals(0, r.status(), r.err());
        String dev = "] audio: /hypervisor/virtio-mmio-audio-2@40000000: ";
        for (String s : List.of(
                "] audio: accepted memparcel ",
                dev + "DRIVER_OK; capacity 8 sectors",
                dev + "reply: used idx 1 (id 0, len 513), status OK, sector 1 reads")) {
            assertTrue(r.out().contains(s), "missing: " + s + "\n" + r.out());
        }
        assertFalse(r.out().contains("FAILED"), r.out());
    }
}
