package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the virtio programs share: the block device's numbers (virtio 1.1 §5.2), the split virtqueue's layout (§2.6)
 * and little-endian access to guest memory. The disk the backend serves is a small fixed image, so the frontend
 * can check what it reads against the same image.
 */
final class VirtioBlk {
    /** virtio device ID of a block device. */
    static final int DEVICE_ID = 2;
    /** The backend's vendor ID: "GDT" (gunyah-dt). */
    static final int VENDOR_ID = 0x544447;

    static final int SECTOR = 512;
    /** The disk's size in sectors: the device config's {@code capacity} (u64 at config offset 0). */
    static final long CAPACITY = 8;
    /** virtio_blk_req: type IN (read), OUT (write); status OK. */
    static final int T_IN = 0;

    static final int S_OK = 0;
    /** The one queue (requestq) and how long the backend lets it be. */
    static final int QUEUE_NUM_MAX = 8;

    /** Descriptor flags. */
    static final int DESC_F_NEXT = 1;

    static final int DESC_F_WRITE = 2;

    private VirtioBlk() {}

    /** The disk image: sector {@code n} holds one line naming it, zero-padded. */
    static byte[] sector(long n) {
        byte[] line =
                ("gunyah-dt virtio-blk sector " + n + " served by the backend\n").getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(line, SECTOR);
    }

    /** The split ring of a queue of {@code num} entries placed in a DMA pool at {@code base}. */
    record Ring(long desc, long avail, long used, int num) {
        /** Descriptor table, available ring and used ring, each on its own 256-byte boundary (enough for num ≤ 8). */
        static Ring in(long base, int num) {
            return new Ring(base, base + 0x100, base + 0x200, num);
        }

        long descAt(int i) {
            return desc + 16L * i;
        }

        long availIdx() {
            return avail + 2;
        }

        long availRing(int i) {
            return avail + 4 + 2L * (i % num);
        }

        long usedIdx() {
            return used + 2;
        }

        long usedElem(int i) {
            return used + 4 + 8L * (i % num);
        }
    }

    static Integer u16(GuestMemory m, long at) {
        byte[] b = m.read(at, 2);
        return b == null ? null : (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
    }

    static Integer u32(GuestMemory m, long at) {
        byte[] b = m.read(at, 4);
        return b == null ? null : (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | b[3] << 24;
    }

    static Long u64(GuestMemory m, long at) {
        Integer lo = u32(m, at);
        Integer hi = u32(m, at + 4);
        return lo == null || hi == null ? null : (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }

    static boolean put16(GuestMemory m, long at, int v) {
        return m.write(at, new byte[] {(byte) v, (byte) (v >>> 8)});
    }

    static boolean put32(GuestMemory m, long at, int v) {
        return m.write(at, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }

    static boolean put64(GuestMemory m, long at, long v) {
        return put32(m, at, (int) v) && put32(m, at + 4, (int) (v >>> 32));
    }

    /** One descriptor: addr, len, flags, next. */
    static boolean putDesc(GuestMemory m, Ring r, int i, long addr, int len, int flags, int next) {
        long d = r.descAt(i);
        return put64(m, d, addr) && put32(m, d + 8, len) && put16(m, d + 12, flags) && put16(m, d + 14, next);
    }
}
