package dev.gunyahdt.hypervisor.virtio;

import static dev.gunyahdt.hypervisor.virtio.VirtioMmioRegs.CONFIG;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.memory.MemExtent;

/**
 * The virtio-input extension of a virtio-mmio object of device type 18 ([HYP] {@code hyp/vm/virtio_input}): the
 * device's static configuration — name, serial, device ids, property bits, event-type bitmaps and absolute-axis
 * infos — given by the backend VM through {@code virtio_input_configure} / {@code virtio_input_set_data}, and served
 * to the frontend, which writes {@code select} and {@code subsel} in the device config and reads {@code size} and
 * the union {@code u} from its read-only mapping of the register page.
 */
final class VirtioInput {
    /** virtio_device_type INPUT. */
    static final int DEVICE_TYPE = 18;

    static final int MAX_ABS_AXES = 64;
    static final int MAX_EV_TYPES = 32;
    static final int MAX_STRING_SIZE = 128;
    static final int MAX_BITMAP_SIZE = 128;
    static final int MAX_ABSINFO_SIZE = 20;
    static final int SUBSEL_INVALID = 255;

    /** virtio_input_config_select. */
    static final int CFG_ID_NAME = 0x01;

    static final int CFG_ID_SERIAL = 0x02;
    static final int CFG_ID_DEVIDS = 0x03;
    static final int CFG_PROP_BITS = 0x10;
    static final int CFG_EV_BITS = 0x11;
    static final int CFG_ABS_INFO = 0x12;

    /** virtio_input_config, from the device config base: select, subsel, size, the union u. */
    static final int SELECT = CONFIG;

    static final int SUBSEL = CONFIG + 1;
    static final int SIZE = CONFIG + 2;
    static final int U = CONFIG + 8;

    /** One event-type bitmap or axis info, free while its subsel is SUBSEL_INVALID. */
    private static final class Entry {
        int subsel = SUBSEL_INVALID;
        int size;
        final byte[] data;

        Entry(int capacity) {
            data = new byte[capacity];
        }
    }

    /** A string of the configuration (name, serial): up to 128 bytes, empty after a failed copy. */
    private static final class Text {
        final byte[] bytes = new byte[MAX_STRING_SIZE];
        int size;

        /** Subsel 0 only (ARGUMENT_INVALID); the copy's error, the size 0 when it fails. */
        HypError set(long subsel, GuestMemory memory, long va, long length) {
            if (subsel != 0) {
                return HypError.ARGUMENT_INVALID;
            }
            HypError e = copyIn(bytes, memory, va, length);
            size = e == HypError.OK ? (int) length : 0;
            return e;
        }

        byte[] value() {
            return java.util.Arrays.copyOf(bytes, size);
        }
    }

    private final Text name = new Text();
    private final Text serial = new Text();
    private long devids;
    private int propBits;
    /** Allocated by the first configure that asks for some; null before. */
    private Entry[] evBits;

    private Entry[] absInfo;

    /**
     * hypercall_virtio_input_configure: the device ids and property bits are stored first (even when the call then
     * fails); at most 32 event types and 64 axes (ARGUMENT_INVALID); the tables are sized once — asking again for a
     * non-zero count is BUSY (the event table may already have been sized by then, as upstream).
     */
    HypError configure(long ids, int props, long evTypes, long absAxes) {
        devids = ids;
        propBits = props;
        if (evTypes > MAX_EV_TYPES || absAxes > MAX_ABS_AXES) {
            return HypError.ARGUMENT_INVALID;
        }
        if (evBits == null && evTypes > 0) {
            evBits = table((int) evTypes, MAX_BITMAP_SIZE);
        } else if (evTypes > 0) {
            return HypError.BUSY;
        }
        if (absInfo == null && absAxes > 0) {
            absInfo = table((int) absAxes, MAX_ABSINFO_SIZE);
        } else if (absAxes > 0) {
            return HypError.BUSY;
        }
        return HypError.OK;
    }

    private static Entry[] table(int n, int capacity) {
        Entry[] t = new Entry[n];
        for (int i = 0; i < n; i++) {
            t[i] = new Entry(capacity);
        }
        return t;
    }

    /**
     * hypercall_virtio_input_set_data(sel, subsel, size, data): {@code size} bytes at the caller's {@code va}.
     * Name, serial, device ids and property bits take subsel 0 only; an event bitmap (subsel below 32) or axis info
     * (below 64) takes the first free entry (NORESOURCES when none; ARGUMENT_INVALID before configure sized the
     * table); any other select is ARGUMENT_INVALID. The copy fails as useraccess_copy_from_guest_va does.
     */
    HypError setData(long sel, long subsel, long size, GuestMemory memory, long va) {
        return switch ((int) sel) {
            case CFG_ID_NAME -> name.set(subsel, memory, va, size);
            case CFG_ID_SERIAL -> serial.set(subsel, memory, va, size);
            case CFG_ID_DEVIDS -> {
                byte[] b = le(devids, 8);
                HypError e = subsel != 0 ? HypError.ARGUMENT_INVALID : copyIn(b, memory, va, size);
                devids = fromLe(b);
                yield e;
            }
            case CFG_PROP_BITS -> {
                byte[] b = le(propBits & 0xFFFF_FFFFL, 4);
                HypError e = subsel != 0 ? HypError.ARGUMENT_INVALID : copyIn(b, memory, va, size);
                propBits = (int) fromLe(b);
                yield e;
            }
            case CFG_EV_BITS ->
                evBits == null ? HypError.ARGUMENT_INVALID : setEntry(evBits, MAX_EV_TYPES, subsel, size, memory, va);
            case CFG_ABS_INFO ->
                absInfo == null ? HypError.ARGUMENT_INVALID : setEntry(absInfo, MAX_ABS_AXES, subsel, size, memory, va);
            default -> HypError.ARGUMENT_INVALID;
        };
    }

    /** set_data_sel_ev_bits / set_data_sel_abs_info. */
    private static HypError setEntry(Entry[] table, int maxSubsel, long subsel, long size, GuestMemory m, long va) {
        if (subsel >= maxSubsel) {
            return HypError.ARGUMENT_INVALID;
        }
        for (Entry entry : table) {
            if (entry.subsel == SUBSEL_INVALID) {
                HypError e = copyIn(entry.data, m, va, size);
                if (e == HypError.OK) {
                    entry.size = (int) size;
                    entry.subsel = (int) subsel;
                }
                return e;
            }
        }
        return HypError.NORESOURCES;
    }

    /**
     * useraccess_copy_from_guest_va into {@code dst}: 1..dst.length bytes (ARGUMENT_SIZE), not wrapping the address
     * space (ADDR_OVERFLOW), readable through the caller's stage 2 (ADDR_INVALID; the model does not tell a
     * permission fault, DENIED, from a missing mapping).
     */
    private static HypError copyIn(byte[] dst, GuestMemory memory, long va, long size) {
        if (size == 0 || size > dst.length) {
            return HypError.ARGUMENT_SIZE;
        }
        if (Long.compareUnsigned(va, -size) > 0) {
            return HypError.ADDR_OVERFLOW;
        }
        byte[] src = memory.read(va, (int) size);
        if (src == null) {
            return HypError.ADDR_INVALID;
        }
        System.arraycopy(src, 0, dst, 0, src.length);
        return HypError.OK;
    }

    /**
     * virtio_input_config_write: the frontend's write of {@code size} bytes at {@code offset} of the page, byte by
     * byte: {@code select} and {@code subsel} are stored and each refreshes {@code size} and {@code u}; a byte
     * anywhere else ends the access as a fault (the bytes before it stay written). True when emulated.
     */
    boolean frontendWrite(MemExtent frame, int offset, int value, int size) {
        if (offset < CONFIG) {
            return false;
        }
        boolean emulated = false;
        int val = value;
        for (int at = offset; at < offset + size; at++) {
            if (at != SELECT && at != SUBSEL) {
                return false;
            }
            frame.hypWrite(at, new byte[] {(byte) val});
            byte[] regs = frame.hypRead(SELECT, 2);
            refresh(frame, regs[0] & 0xFF, regs[1] & 0xFF);
            val >>>= 8;
            emulated = true;
        }
        return emulated;
    }

    /** virtio_input_config_u_write: {@code size} and {@code u} for this select / subsel. */
    private void refresh(MemExtent frame, int sel, int subsel) {
        byte[] u = switch (sel) {
            case CFG_ID_NAME -> subsel == 0 ? name.value() : null;
            case CFG_ID_SERIAL -> subsel == 0 ? serial.value() : null;
            case CFG_ID_DEVIDS -> subsel == 0 ? le(devids, 8) : null;
            case CFG_PROP_BITS -> subsel == 0 ? le(propBits & 0xFFFF_FFFFL, 4) : null;
            case CFG_EV_BITS -> entry(evBits, MAX_EV_TYPES, subsel, false);
            case CFG_ABS_INFO -> entry(absInfo, MAX_ABS_AXES, subsel, true);
            default -> null;
        };
        if (u != null) {
            frame.hypWrite(U, u);
        }
        frame.hypWrite(SIZE, new byte[] {(byte) (u == null ? 0 : u.length)});
    }

    /** sel_cfg_ev_bits_write / sel_cfg_abs_info_write: the entry's bytes (an axis info always 20), or null. */
    private static byte[] entry(Entry[] table, int maxSubsel, int subsel, boolean whole) {
        if (table == null || subsel >= maxSubsel) {
            return null;
        }
        for (Entry e : table) {
            if (e.subsel == subsel) {
                return java.util.Arrays.copyOf(e.data, whole ? e.data.length : e.size);
            }
        }
        return null;
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static long fromLe(byte[] b) {
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("input name=")
                .append(name.size)
                .append(" serial=")
                .append(serial.size);
        sb.append(" ids=").append(Long.toHexString(devids)).append(" props=").append(Integer.toHexString(propBits));
        sb.append(" ev=").append(describe(evBits)).append(" abs=").append(describe(absInfo));
        return sb.toString();
    }

    private static String describe(Entry[] table) {
        if (table == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder("[");
        for (Entry e : table) {
            sb.append(e.subsel == SUBSEL_INVALID ? "-" : e.subsel + "/" + e.size)
                    .append(' ');
        }
        return sb.append(']').toString();
    }
}
