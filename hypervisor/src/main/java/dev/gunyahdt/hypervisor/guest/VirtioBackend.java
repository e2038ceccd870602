package dev.gunyahdt.hypervisor.guest;

import static dev.gunyahdt.hypervisor.guest.VirtioBlk.DESC_F_NEXT;
import static dev.gunyahdt.hypervisor.guest.VirtioBlk.DESC_F_WRITE;
import static dev.gunyahdt.hypervisor.virtio.VirtioMmioRegs.*;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.guest.HypResources.Resource;
import dev.gunyahdt.hypervisor.virtio.VirtioMmioCalls;

/**
 * A virtio-blk backend in the VM that serves a virtio-mmio device (HLOS, as the real RM always makes it), as a VMM
 * (crosvm) would do it with Gunyah's backend calls: it learns the device from VM_GET_HYP_RESOURCES (RSC_VIRTIO_MMIO:
 * its cap, its VIRQ, the register page in its own IPA space), fills the identity registers and the device config
 * through its read-write mapping, offers its features and queue size by hypercall, then serves: on its VIRQ,
 * {@code virtio_mmio_backend_get_notification} says why — DRIVER_OK (read the driver's features and the queue),
 * NEW_BUFFER (walk the available ring, do the request, write the used ring, raise the frontend's VIRQ with
 * {@code backend_assert_virq}), RESET_RQST (acknowledge it).
 *
 * <p>The frontend's ring and buffers are in its DMA pool, which the RM maps at the same IPA here; an address outside
 * memory shared with me fails the request (a problem), as an IOMMU-less backend cannot reach it.
 */
final class VirtioBackend {
    private final GuestContext ctx;
    private final GuestMemory memory;
    private final ProbeLog log;
    private final Resource dev;
    private final String name;
    private VirtioBlk.Ring ring;
    private int lastAvail;
    private int usedIdx;

    private VirtioBackend(GuestContext ctx, ProbeLog log, Resource dev, String frontend) {
        this.ctx = ctx;
        this.memory = ctx.memory();
        this.log = log;
        this.dev = dev;
        this.name = "virtio-blk backend for " + frontend + " (label " + dev.label() + ")";
    }

    /** Sets the device up and serves it from now on (its VIRQ handler joins {@code loop}'s). */
    static void attach(GuestContext ctx, ProbeLog log, ActionLoop loop, Resource dev, String frontend) {
        VirtioBackend b = new VirtioBackend(ctx, log, dev, frontend);
        ActionLoop.configure(ctx, new GuestDt.Line((int) dev.virq(), true)); // the RM allocates it edge
        if (b.setUp()) {
            loop.onVirq(b::onVirq);
        }
    }

    private boolean setUp() {
        long base = dev.base();
        boolean ok = dev.size() >= 0x1000
                && VirtioBlk.put32(memory, base + MAGIC_VALUE, MAGIC)
                && VirtioBlk.put32(memory, base + VERSION, VERSION_MODERN)
                && VirtioBlk.put32(memory, base + DEVICE_ID, VirtioBlk.DEVICE_ID)
                && VirtioBlk.put32(memory, base + VENDOR_ID, VirtioBlk.VENDOR_ID)
                && VirtioBlk.put64(memory, base + CONFIG, VirtioBlk.CAPACITY);
        if (!ok) {
            log.problem(name + ": register page 0x" + Long.toHexString(base) + " not writable through my mapping");
            return false;
        }
        if (!call(
                        "set_dev_features(1)",
                        VirtioMmioCalls.BACKEND_SET_DEV_FEATURES,
                        dev.cap(),
                        1,
                        1 << (F_VERSION_1 - 32) | 1 << (F_ACCESS_PLATFORM - 32),
                        0)
                || !call("set_dev_features(0)", VirtioMmioCalls.BACKEND_SET_DEV_FEATURES, dev.cap(), 0, 0, 0)
                || !call(
                        "set_queue_num_max(0)",
                        VirtioMmioCalls.BACKEND_SET_QUEUE_NUM_MAX,
                        dev.cap(),
                        0,
                        VirtioBlk.QUEUE_NUM_MAX,
                        0)) {
            return false;
        }
        log.note(name + ": register page at 0x" + Long.toHexString(base) + ", VIRQ " + dev.virq() + "; device ID 2, "
                + VirtioBlk.CAPACITY + " sectors, features VERSION_1 | ACCESS_PLATFORM, queue 0 up to "
                + VirtioBlk.QUEUE_NUM_MAX);
        return true;
    }

    /** My VIRQ: what the frontend did since the last one. */
    private void onVirq(int intid) {
        if (intid != dev.virq()) {
            return;
        }
        HvcResult n = ctx.call(VirtioMmioCalls.BACKEND_GET_NOTIFICATION, dev.cap(), 0);
        if (!n.isOk()) {
            log.problem(name + ": get_notification -> " + n.error());
            return;
        }
        long queues = n.x1();
        long reason = n.x2();
        if ((reason & REASON_RESET_RQST) != 0) {
            call("acknowledge_reset", VirtioMmioCalls.BACKEND_ACKNOWLEDGE_RESET, dev.cap(), 0);
            ring = null;
            log.note(name + ": the driver reset the device; reset acknowledged");
        }
        if ((reason & REASON_FAILED) != 0) {
            log.note(name + ": the driver set FAILED");
        }
        if ((reason & REASON_DRIVER_OK) != 0) {
            driverOk();
        }
        if ((reason & REASON_NEW_BUFFER) != 0 && (queues & 1) != 0) {
            serve();
        }
    }

    /** DRIVER_OK: the features the driver took, and where queue 0 is. */
    private void driverOk() {
        HvcResult f = ctx.call(VirtioMmioCalls.BACKEND_GET_DRV_FEATURES, dev.cap(), 1, 0);
        HvcResult q = ctx.call(VirtioMmioCalls.BACKEND_GET_QUEUE_INFO, dev.cap(), 0, 0);
        if (!f.isOk() || !q.isOk()) {
            log.problem(name + ": get_drv_features / get_queue_info -> " + f.error() + " / " + q.error());
            return;
        }
        if ((f.x1() & 1 << (F_VERSION_1 - 32)) == 0) {
            log.problem(name + ": the driver did not accept VIRTIO_F_VERSION_1");
            return;
        }
        int num = (int) q.x1();
        if (q.x2() != 1 || num < 1 || num > VirtioBlk.QUEUE_NUM_MAX) {
            log.problem(name + ": queue 0 ready " + q.x2() + ", num " + num);
            return;
        }
        ring = new VirtioBlk.Ring(q.x3(), q.x4(), q.x5(), num);
        log.note(name + ": DRIVER_OK; driver features 0x" + Long.toHexString(f.x1() << 32) + ", queue 0: " + num
                + " entries, desc 0x" + Long.toHexString(q.x3()) + ", avail 0x" + Long.toHexString(q.x4())
                + ", used 0x" + Long.toHexString(q.x5()));
    }

    /** Every request the available ring holds beyond what I served: do it, put it in the used ring, raise the VIRQ. */
    private void serve() {
        if (ring == null) {
            log.problem(name + ": QueueNotify before the queue was ready");
            return;
        }
        Integer availIdx = VirtioBlk.u16(memory, ring.availIdx());
        if (availIdx == null) {
            log.problem(name + ": the available ring at 0x" + Long.toHexString(ring.avail())
                    + " is not in memory shared with me");
            return;
        }
        int served = 0;
        while (lastAvail != availIdx) {
            Integer head = VirtioBlk.u16(memory, ring.availRing(lastAvail));
            lastAvail = (lastAvail + 1) & 0xFFFF;
            Integer written = head == null ? null : request(head);
            if (written == null) {
                return;
            }
            boolean ok = VirtioBlk.put32(memory, ring.usedElem(usedIdx), head)
                    && VirtioBlk.put32(memory, ring.usedElem(usedIdx) + 4, written)
                    && VirtioBlk.put16(memory, ring.usedIdx(), (usedIdx + 1) & 0xFFFF);
            if (!ok) {
                log.problem(name + ": the used ring at 0x" + Long.toHexString(ring.used()) + " is not writable");
                return;
            }
            usedIdx = (usedIdx + 1) & 0xFFFF;
            served++;
        }
        if (served > 0) {
            HvcResult r = ctx.call(VirtioMmioCalls.BACKEND_ASSERT_VIRQ, dev.cap(), INT_USED_BUFFER, 0);
            if (!r.isOk()) {
                log.problem(name + ": assert_virq -> " + r.error());
            }
        }
    }

    /**
     * One virtio_blk_req starting at descriptor {@code head}: header, data, status. A read fills the data with the
     * disk image's sector; returns the bytes written into device-writable buffers, or null (problem noted).
     */
    private Integer request(int head) {
        long[] hdr = desc(head);
        if (hdr == null || (hdr[2] & DESC_F_WRITE) != 0 || hdr[1] < 16 || (hdr[2] & DESC_F_NEXT) == 0) {
            return bad("descriptor " + head + " is not a request header");
        }
        Integer type = VirtioBlk.u32(memory, hdr[0]);
        Long sector = VirtioBlk.u64(memory, hdr[0] + 8);
        long[] data = desc((int) hdr[3]);
        long[] status = data == null || (data[2] & DESC_F_NEXT) == 0 ? null : desc((int) data[3]);
        if (type == null
                || sector == null
                || data == null
                || status == null
                || (data[2] & DESC_F_WRITE) == 0
                || (status[2] & DESC_F_WRITE) == 0
                || status[1] < 1) {
            return bad("request at descriptor " + head + " is not header + data + status in memory shared with me");
        }
        if (type != VirtioBlk.T_IN || data[1] != VirtioBlk.SECTOR || sector >= VirtioBlk.CAPACITY) {
            return bad("only one-sector reads inside the disk are served (type " + type + ", sector " + sector + ", "
                    + data[1] + " bytes)");
        }
        if (!memory.write(data[0], VirtioBlk.sector(sector)) || !memory.write(status[0], new byte[] {VirtioBlk.S_OK})) {
            return bad("the request's buffers are not writable for me");
        }
        log.note(name + ": QueueNotify: served a read of sector " + sector + " (" + VirtioBlk.SECTOR
                + " bytes + status), used idx " + (usedIdx + 1) + ", InterruptStatus |= used buffer");
        return VirtioBlk.SECTOR + 1;
    }

    /** Descriptor {@code i}: {addr, len, flags, next}, or null when outside the table or unreadable. */
    private long[] desc(int i) {
        if (i < 0 || i >= ring.num()) {
            return null;
        }
        long d = ring.descAt(i);
        Long addr = VirtioBlk.u64(memory, d);
        Integer len = VirtioBlk.u32(memory, d + 8);
        Integer flags = VirtioBlk.u16(memory, d + 12);
        Integer next = VirtioBlk.u16(memory, d + 14);
        return addr == null || len == null || flags == null || next == null
                ? null
                : new long[] {addr, len & 0xFFFFFFFFL, flags, next};
    }

    private Integer bad(String why) {
        log.problem(name + ": " + why);
        return null;
    }

    private boolean call(String what, int number, long... in) {
        HvcResult r = ctx.call(number, in);
        if (!r.isOk()) {
            log.problem(name + ": " + what + " -> " + r.error());
        }
        return r.isOk();
    }
}
