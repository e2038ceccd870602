package dev.gunyahdt.hypervisor.guest;

import static dev.gunyahdt.hypervisor.guest.VirtioBlk.DESC_F_NEXT;
import static dev.gunyahdt.hypervisor.guest.VirtioBlk.DESC_F_WRITE;
import static dev.gunyahdt.hypervisor.virtio.VirtioMmioRegs.*;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * What Linux's virtio-mmio transport and virtio-blk driver do with a virtio-mmio node the RM wrote under
 * {@code /hypervisor} (dto_create_virtio_mmio): the virtio 1.x handshake on the register page, one split virtqueue
 * in the device's DMA pool (its {@code memory-region}, shared with the backend), and one read request.
 *
 * <p>The page is mapped read-only here: reads come straight from it, and every write is emulated by the
 * hypervisor's virtio-mmio object (in the model a write the mapping refuses is handed to it synchronously; a write
 * it refuses returns false, the fault). Every step is checked; the first one that fails is a problem and ends the
 * probe ({@code FAILED} is written to Status when the device is reachable).
 */
final class VirtioFrontend {
    /** One device node: its path, register page, VIRQ and DMA pool. */
    record Device(String path, long base, long size, int virq, boolean edge, long pool, long poolSize) {}

    private static final long REQUEST = 0x400; // the request header, data buffer and status byte, in the pool
    private static final long DATA = 0x600;
    private static final long STATUS_BYTE = 0x800;
    private static final long SECTOR = 1;

    private final GuestMemory memory;
    private final ProbeLog log;
    private final Device dev;
    private VirtioBlk.Ring ring;
    private boolean probed;
    private boolean finished;
    private boolean answered;

    private VirtioFrontend(GuestMemory memory, ProbeLog log, Device dev) {
        this.memory = memory;
        this.log = log;
        this.dev = dev;
    }

    /** Adds a driver per virtio-mmio node under /hypervisor; nodes it cannot read are problems. */
    static void addTo(GuestContext ctx, ProbeLog log, ActionLoop loop, DeviceTree tree) {
        Optional<NodeCursor> hyp = tree.find("/hypervisor");
        if (hyp.isEmpty()) {
            return;
        }
        Map<Long, NodeCursor> phandles = tree.phandles();
        for (NodeCursor c : hyp.get().children()) {
            boolean virtio = c.node()
                    .property("compatible")
                    .filter(p -> p.value().isStringList())
                    .map(p -> p.value().asStrings().contains("virtio,mmio"))
                    .orElse(false);
            if (!virtio) {
                continue;
            }
            Device d = device(c, phandles);
            if (d == null) {
                log.problem(c.path() + ": reg, interrupts or memory-region do not describe a virtio-mmio device");
                continue;
            }
            ActionLoop.configure(ctx, new GuestDt.Line(d.virq(), d.edge()));
            VirtioFrontend f = new VirtioFrontend(ctx.memory(), log, d);
            loop.onVirq(f::onVirq);
            loop.add(f::step);
        }
    }

    /** reg = <u64 ipa, u64 size> as the RM writes it, a 3-cell GIC SPI, a memory-region buffer with a reg. */
    private static Device device(NodeCursor c, Map<Long, NodeCursor> phandles) {
        long[] reg = GuestDtReader.cells(c, "reg");
        long[] irq = GuestDtReader.cells(c, "interrupts");
        long[] region = GuestDtReader.cells(c, "memory-region");
        NodeCursor buffer = region.length == 1 ? phandles.get(region[0]) : null;
        if (reg.length != 4 || irq.length != 3 || irq[0] != 0 || buffer == null || buffer.parent() == null) {
            return null;
        }
        int ac = (int) Addressing.countOrNone(buffer.parent().node(), "#address-cells", 2);
        int sc = (int) Addressing.countOrNone(buffer.parent().node(), "#size-cells", 1);
        long[] breg = GuestDtReader.cells(buffer, "reg");
        if (ac < 1 || sc < 1 || breg.length < ac + sc) {
            return null;
        }
        return new Device(
                c.path(),
                Cells.join(reg, 0, 2),
                Cells.join(reg, 2, 2),
                (int) irq[1] + 32,
                (irq[2] & 0xF) == 1,
                Cells.join(breg, 0, ac),
                Cells.join(breg, ac, sc));
    }

    /** The probe, then waiting for the used buffer; true when the driver is done (well or not). */
    private boolean step() {
        if (!probed) {
            probed = true;
            finished = !probeAndSubmit();
        }
        if (!finished && answered) {
            finished = true;
            checkReply();
        }
        return finished;
    }

    /** The frontend's VIRQ: read InterruptStatus, acknowledge it (as vm_interrupt does), note a used buffer. */
    private void onVirq(int intid) {
        if (intid != dev.virq() || !probed || finished) {
            return;
        }
        Integer isr = reg(INTERRUPT_STATUS);
        if (isr == null || !write(INTERRUPT_ACK, isr, "InterruptACK")) {
            log.problem(dev.path() + ": InterruptStatus not readable or not acknowledged");
            finished = true;
            return;
        }
        if ((isr & INT_USED_BUFFER) != 0) {
            answered = true;
        }
    }

    /** virtio_mmio_probe + virtblk_probe + one virtblk request. False (problem noted) at the first failed step. */
    private boolean probeAndSubmit() {
        Integer magic = reg(MAGIC_VALUE);
        Integer version = reg(VERSION);
        Integer id = reg(DEVICE_ID);
        Integer vendor = reg(VENDOR_ID);
        if (magic == null || version == null || id == null || vendor == null) {
            return fail("register page 0x" + Long.toHexString(dev.base()) + " not readable through my mapping");
        }
        if (magic != MAGIC || version != VERSION_MODERN) {
            return fail("magic 0x" + Integer.toHexString(magic) + ", version " + version + ": not a virtio 1.x device");
        }
        if (id != VirtioBlk.DEVICE_ID) {
            return fail("device ID " + id + ": this driver knows block devices (2) only");
        }
        log.note(dev.path() + ": magic \"virt\", version 2, device ID 2 (block), vendor 0x"
                + Integer.toHexString(vendor) + " at 0x" + Long.toHexString(dev.base()));
        // reset, ACKNOWLEDGE, DRIVER
        int status = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
        if (!write(STATUS, 0, "Status reset")
                || !write(STATUS, STATUS_ACKNOWLEDGE, "Status")
                || !write(STATUS, status, "Status")) {
            return false;
        }
        // feature negotiation: VIRTIO_F_VERSION_1 must be offered; ACCESS_PLATFORM taken when offered
        if (!write(DEVICE_FEATURES_SEL, 1, "DeviceFeaturesSel")) {
            return false;
        }
        Integer high = reg(DEVICE_FEATURES);
        if (!write(DEVICE_FEATURES_SEL, 0, "DeviceFeaturesSel")) {
            return false;
        }
        Integer low = reg(DEVICE_FEATURES);
        if (high == null || low == null || (high & 1 << (F_VERSION_1 - 32)) == 0) {
            return failDevice("the device does not offer VIRTIO_F_VERSION_1");
        }
        int take = high & (1 << (F_VERSION_1 - 32) | 1 << (F_ACCESS_PLATFORM - 32));
        if (!write(DRIVER_FEATURES_SEL, 1, "DriverFeaturesSel")
                || !write(DRIVER_FEATURES, take, "DriverFeatures")
                || !write(DRIVER_FEATURES_SEL, 0, "DriverFeaturesSel")
                || !write(DRIVER_FEATURES, 0, "DriverFeatures")) {
            return false;
        }
        status |= STATUS_FEATURES_OK;
        if (!write(STATUS, status, "Status FEATURES_OK")) {
            return false;
        }
        Integer back = reg(STATUS);
        if (back == null || (back & STATUS_FEATURES_OK) == 0) {
            return failDevice("FEATURES_OK did not stick");
        }
        log.note(dev.path() + ": features offered 0x"
                + Long.toHexString((high & 0xFFFFFFFFL) << 32 | (low & 0xFFFFFFFFL))
                + ", accepted 0x" + Long.toHexString((long) take << 32) + " (VERSION_1"
                + ((take & 2) != 0 ? ", ACCESS_PLATFORM" : "") + "), FEATURES_OK");
        if (!setUpQueue()) {
            return false;
        }
        status |= STATUS_DRIVER_OK;
        if (!write(STATUS, status, "Status DRIVER_OK")) {
            return false;
        }
        Long capacity = VirtioBlk.u64(memory, dev.base() + CONFIG);
        if (capacity == null || capacity <= SECTOR) {
            return failDevice("capacity " + capacity + " sectors: no sector " + SECTOR + " to read");
        }
        log.note(dev.path() + ": DRIVER_OK; capacity " + capacity + " sectors");
        return submitRead();
    }

    /** Queue 0: QueueNumMax, the three areas in the DMA pool, QueueReady. */
    private boolean setUpQueue() {
        if (!write(QUEUE_SEL, 0, "QueueSel")) {
            return false;
        }
        Integer max = reg(QUEUE_NUM_MAX);
        Integer ready = reg(QUEUE_READY);
        if (max == null || max == 0 || ready == null || ready != 0) {
            return failDevice("queue 0: QueueNumMax " + max + ", QueueReady " + ready);
        }
        int num = Math.min(max, VirtioBlk.QUEUE_NUM_MAX);
        ring = VirtioBlk.Ring.in(dev.pool(), num);
        if (dev.poolSize() < STATUS_BYTE + 1 || !memory.write(dev.pool(), new byte[(int) (STATUS_BYTE + 1)])) {
            return failDevice("DMA pool 0x" + Long.toHexString(dev.pool()) + "+0x" + Long.toHexString(dev.poolSize())
                    + " is too small or not writable for me");
        }
        if (!write(QUEUE_NUM, num, "QueueNum")
                || !write(QUEUE_DESC_LOW, (int) ring.desc(), "QueueDescLow")
                || !write(QUEUE_DESC_HIGH, (int) (ring.desc() >>> 32), "QueueDescHigh")
                || !write(QUEUE_DRIVER_LOW, (int) ring.avail(), "QueueDriverLow")
                || !write(QUEUE_DRIVER_HIGH, (int) (ring.avail() >>> 32), "QueueDriverHigh")
                || !write(QUEUE_DEVICE_LOW, (int) ring.used(), "QueueDeviceLow")
                || !write(QUEUE_DEVICE_HIGH, (int) (ring.used() >>> 32), "QueueDeviceHigh")
                || !write(QUEUE_READY, 1, "QueueReady")) {
            return false;
        }
        Integer nowReady = reg(QUEUE_READY);
        if (nowReady == null || nowReady != 1) {
            return failDevice("QueueReady reads " + nowReady + " after writing 1");
        }
        log.note(dev.path() + ": queue 0 of " + num + " (max " + max + "): desc 0x" + Long.toHexString(ring.desc())
                + ", avail 0x" + Long.toHexString(ring.avail()) + ", used 0x" + Long.toHexString(ring.used())
                + " in the DMA pool");
        return true;
    }

    /** A read of one sector: header (device-readable), data and status (device-writable), then QueueNotify. */
    private boolean submitRead() {
        long hdr = dev.pool() + REQUEST;
        boolean ok = VirtioBlk.put32(memory, hdr, VirtioBlk.T_IN)
                && VirtioBlk.put32(memory, hdr + 4, 0)
                && VirtioBlk.put64(memory, hdr + 8, SECTOR)
                && memory.write(dev.pool() + STATUS_BYTE, new byte[] {(byte) 0xFF})
                && VirtioBlk.putDesc(memory, ring, 0, hdr, 16, DESC_F_NEXT, 1)
                && VirtioBlk.putDesc(
                        memory, ring, 1, dev.pool() + DATA, VirtioBlk.SECTOR, DESC_F_NEXT | DESC_F_WRITE, 2)
                && VirtioBlk.putDesc(memory, ring, 2, dev.pool() + STATUS_BYTE, 1, DESC_F_WRITE, 0)
                && VirtioBlk.put16(memory, ring.availRing(0), 0)
                && VirtioBlk.put16(memory, ring.availIdx(), 1);
        if (!ok) {
            return failDevice("cannot write the request into the DMA pool");
        }
        if (!write(QUEUE_NOTIFY, 0, "QueueNotify")) {
            return false;
        }
        log.note(dev.path() + ": request 1 queued (read sector " + SECTOR + ", 3 descriptors), QueueNotify 0");
        return true;
    }

    /** The used ring's entry and what the device wrote: status OK and the disk image's sector. */
    private void checkReply() {
        Integer usedIdx = VirtioBlk.u16(memory, ring.usedIdx());
        Integer id = VirtioBlk.u32(memory, ring.usedElem(0));
        Integer len = VirtioBlk.u32(memory, ring.usedElem(0) + 4);
        byte[] status = memory.read(dev.pool() + STATUS_BYTE, 1);
        byte[] data = memory.read(dev.pool() + DATA, VirtioBlk.SECTOR);
        if (usedIdx == null || usedIdx != 1 || id == null || id != 0 || len == null || len != VirtioBlk.SECTOR + 1) {
            log.problem(dev.path() + ": used ring idx " + usedIdx + ", entry id " + id + " len " + len
                    + " (expected 1, 0, " + (VirtioBlk.SECTOR + 1) + ")");
            return;
        }
        if (status == null || status[0] != VirtioBlk.S_OK) {
            log.problem(dev.path() + ": request status " + (status == null ? "unreadable" : status[0]));
            return;
        }
        if (!Arrays.equals(data, VirtioBlk.sector(SECTOR))) {
            log.problem(dev.path() + ": sector " + SECTOR + " does not hold the disk image's bytes");
            return;
        }
        String text = new String(data, StandardCharsets.US_ASCII).trim();
        log.note(dev.path() + ": reply: used idx 1 (id 0, len " + len + "), status OK, sector " + SECTOR + " reads \""
                + text + "\"");
    }

    private Integer reg(int offset) {
        return VirtioBlk.u32(memory, dev.base() + offset);
    }

    /** A register write the hypervisor emulates; a refused one (the fault) is a problem. */
    private boolean write(int offset, int value, String what) {
        if (VirtioBlk.put32(memory, dev.base() + offset, value)) {
            return true;
        }
        log.problem(dev.path() + ": writing " + what + " (0x" + Integer.toHexString(offset) + ") = 0x"
                + Integer.toHexString(value) + " faulted");
        return false;
    }

    private boolean fail(String why) {
        log.problem(dev.path() + ": " + why);
        return false;
    }

    /** A failure after the device answered: tell it (Status FAILED), as the core does. */
    private boolean failDevice(String why) {
        VirtioBlk.put32(memory, dev.base() + STATUS, STATUS_FAILED);
        return fail(why);
    }
}
