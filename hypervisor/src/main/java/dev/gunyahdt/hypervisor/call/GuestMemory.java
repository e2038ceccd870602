package dev.gunyahdt.hypervisor.call;

import java.util.Arrays;

/**
 * A calling VM's view of its own memory by virtual address, as the hypervisor's user-access copy routines
 * see it. Stage-2 translation and address spaces are not built yet: a VM's memory is one flat buffer
 * starting at VA 0. A failed copy (outside the buffer) returns null/false, never throws.
 */
public interface GuestMemory {

    /** {@code len} bytes at {@code va}, or null when any of them is not mapped. */
    byte[] read(long va, int len);

    /** Writes {@code data} at {@code va}; false (and nothing written) when any byte is not mapped. */
    boolean write(long va, byte[] data);

    /** A flat memory of {@code size} bytes at VA 0..size-1, zero-filled. */
    static GuestMemory flat(int size) {
        return new Flat(new byte[size]);
    }

    /** Memory with nothing mapped: every copy fails. */
    static GuestMemory none() {
        return flat(0);
    }

    final class Flat implements GuestMemory {
        private final byte[] bytes;

        private Flat(byte[] bytes) {
            this.bytes = bytes;
        }

        private boolean inside(long va, int len) {
            return va >= 0 && len >= 0 && va <= bytes.length - (long) len;
        }

        @Override
        public byte[] read(long va, int len) {
            return inside(va, len) ? Arrays.copyOfRange(bytes, (int) va, (int) va + len) : null;
        }

        @Override
        public boolean write(long va, byte[] data) {
            if (!inside(va, data.length)) {
                return false;
            }
            System.arraycopy(data, 0, bytes, (int) va, data.length);
            return true;
        }
    }
}
