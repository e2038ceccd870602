package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.rpc.Le;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.io.ByteArrayOutputStream;

/**
 * Request and reply payloads (reference §8.6–§8.9, little-endian). {@link Reader} is for untrusted bytes:
 * reading past the end is the RM's MSG_INVALID, never an exception of another kind.
 */
public final class Wire {
    private Wire() {}

    /** Reads fields in order from an untrusted payload. */
    public static final class Reader {
        private final byte[] b;
        private int at;

        public Reader(byte[] b) {
            this.b = b;
        }

        private void need(int n) {
            if (at + n > b.length) {
                throw new RmFailure(RmError.MSG_INVALID, "payload of " + b.length + " bytes is too short");
            }
        }

        public int u8() {
            need(1);
            return b[at++] & 0xFF;
        }

        public int u16() {
            need(2);
            int v = Le.u16(b, at);
            at += 2;
            return v;
        }

        public long u32() {
            need(4);
            long v = Le.u32(b, at) & 0xFFFF_FFFFL;
            at += 4;
            return v;
        }

        public long u64() {
            need(8);
            long v = Le.u64(b, at);
            at += 8;
            return v;
        }

        public byte[] bytes(int n) {
            need(n);
            byte[] out = java.util.Arrays.copyOfRange(b, at, at + n);
            at += n;
            return out;
        }

        public int remaining() {
            return b.length - at;
        }

        /** The request must be exactly this long (the RM checks request sizes). */
        public Reader exactly(int len) {
            if (b.length != len) {
                throw new RmFailure(RmError.MSG_INVALID, "payload of " + b.length + " bytes, expected " + len);
            }
            return this;
        }

        public Reader atLeast(int len) {
            if (b.length < len) {
                throw new RmFailure(RmError.MSG_INVALID, "payload of " + b.length + " bytes, expected >= " + len);
            }
            return this;
        }
    }

    /** Builds a payload field by field. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Writer u8(int v) {
            out.write(v);
            return this;
        }

        public Writer u16(int v) {
            out.write(v);
            out.write(v >>> 8);
            return this;
        }

        public Writer u32(long v) {
            u16((int) v);
            return u16((int) (v >>> 16));
        }

        public Writer u64(long v) {
            u32(v);
            return u32(v >>> 32);
        }

        public Writer bytes(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        /** Zero bytes up to a multiple of 4. */
        public Writer pad4() {
            while (out.size() % 4 != 0) {
                out.write(0);
            }
            return this;
        }

        public byte[] build() {
            return out.toByteArray();
        }
    }

    public static Writer writer() {
        return new Writer();
    }
}
