package dev.gunyahdt.hypervisor.memory;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import java.util.Map;
import java.util.TreeMap;

/**
 * A VM's stage-2 address space (§7.1): mappings of memextent ranges at IPAs. It is also the VM's
 * {@link GuestMemory}: every byte a vCPU (or the hypervisor on its behalf, e.g. a message-queue copy)
 * reads or writes goes through a mapping that allows it, to a page the mapped extent still owns in the
 * memory database — so a VM touches only memory it was given, and loses it when the pages are donated away.
 * Stage 1 is not modelled: a guest's VA is its IPA. Its operations follow [HYP] {@code hyp/mem/addrspace/src/addrspace.c}.
 */
public final class AddrSpace extends KernelObject implements GuestMemory {
    static final int ACCESS_W = 2;
    static final int ACCESS_R = 4;

    /** One mapping: [ipa, ipa+size) → extent bytes [offset, offset+size) with {@code access}. */
    record Mapping(AddrSpace space, long ipa, long size, MemExtent extent, long offset, int access, long attrs) {
        @Override
        public String toString() {
            return Long.toHexString(ipa) + "+" + Long.toHexString(size) + "->" + extent + "@" + Long.toHexString(offset)
                    + "/" + access;
        }
    }

    /** ADDRSPACE_MAX_VMMIO_RANGES: a bound on the ranges a VM with ADD_VMMIO_RANGE on its own space can add. */
    static final int MAX_VMMIO_RANGES = 128;
    /** GPT_MAX_SIZE_BITS (the VMMIO GPT) and VDEVICE_MAX_GPT_BITS (the vdevice GPT): how far each reaches. */
    private static final long VMMIO_GPT_LIMIT = 1L << 52;

    private static final long VDEVICE_GPT_LIMIT = 1L << 44;
    /** MAX_VM_INFO_AREA_SIZE: one page. */
    private static final long MAX_INFO_AREA = MemDb.PAGE;

    private final MemDb memdb;
    private int vmid;
    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
    /** VMMIO ranges base → size (the vmmio_ranges GPT). */
    private final TreeMap<Long, Long> vmmio = new TreeMap<>();
    /** Vdevices attached by IPA, base → {end, what} (the vdevice GPT). */
    private final TreeMap<Long, long[]> vdeviceRanges = new TreeMap<>();
    /** The info area: its extent and IPA, or null / -1. */
    private MemExtent infoArea;

    private long infoAreaIpa = -1;

    AddrSpace(long serial, MemDb memdb) {
        super(ObjectType.ADDRSPACE, serial);
        this.memdb = memdb;
    }

    public int vmid() {
        return vmid;
    }

    /** addrspace_configure(vmid): 1..255 (255 = the root VM), INIT only. */
    HypError configure(long id) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (id < 1 || id > 255) {
            return HypError.ARGUMENT_INVALID;
        }
        vmid = (int) id;
        return HypError.OK;
    }

    /**
     * [HYP] {@code addrspace_configure_info_area}: the extent's size at most a page (ARGUMENT_INVALID), the IPA
     * page-aligned and the area inside the 36-bit VM address space (ADDR_INVALID), a BASIC extent with RW access and
     * memtype ANY (ARGUMENT_INVALID). INIT only (the call checks). A second call replaces the first. The hypervisor
     * keeps PV-time data there on the real one; the model records the area and writes nothing into it.
     */
    HypError configureInfoArea(MemExtent me, long ipa) {
        if (me.size() > MAX_INFO_AREA) {
            return HypError.ARGUMENT_INVALID;
        }
        if (ipa % MemDb.PAGE != 0 || ipa < 0 || ipa > MemDb.ADDR_LIMIT - me.size()) {
            return HypError.ADDR_INVALID;
        }
        if (!me.isBasic() || (me.access() & (ACCESS_R | ACCESS_W)) != (ACCESS_R | ACCESS_W) || me.memtype() != 0) {
            return HypError.ARGUMENT_INVALID;
        }
        infoArea = me;
        infoAreaIpa = ipa;
        return HypError.OK;
    }

    /** The info area's IPA, or -1 when none was configured. */
    public long infoAreaIpa() {
        return infoArea == null ? -1 : infoAreaIpa;
    }

    /**
     * [HYP] {@code addrspace_add_vmmio_range}: size 0 → ARGUMENT_SIZE, base+size wrapping → ADDR_OVERFLOW, 128 ranges
     * already → NORESOURCES; then the GPT insert: past 2^52 → ARGUMENT_SIZE, overlapping a range → BUSY.
     */
    HypError addVmmioRange(long base, long size) {
        HypError e = vmmioRangeError(base, size);
        if (e != HypError.OK) {
            return e;
        }
        if (vmmio.size() == MAX_VMMIO_RANGES) {
            return HypError.NORESOURCES;
        }
        if (Long.compareUnsigned(base + size - 1, VMMIO_GPT_LIMIT - 1) > 0) {
            return HypError.ARGUMENT_SIZE;
        }
        Map.Entry<Long, Long> below = vmmio.floorEntry(base + size - 1);
        if (below != null && below.getKey() + below.getValue() > base) {
            return HypError.BUSY;
        }
        vmmio.put(base, size);
        return HypError.OK;
    }

    /**
     * [HYP] {@code addrspace_remove_vmmio_range}: the same argument checks; the GPT remove matches the entry, so
     * anything but a range as it was added → BUSY (the count stays right only that way, as the code's comment says).
     */
    HypError removeVmmioRange(long base, long size) {
        HypError e = vmmioRangeError(base, size);
        if (e != HypError.OK) {
            return e;
        }
        if (Long.compareUnsigned(base + size - 1, VMMIO_GPT_LIMIT - 1) > 0) {
            return HypError.ARGUMENT_SIZE;
        }
        Long had = vmmio.get(base);
        if (had == null || had != size) {
            return HypError.BUSY;
        }
        vmmio.remove(base);
        return HypError.OK;
    }

    private static HypError vmmioRangeError(long base, long size) {
        if (size == 0) {
            return HypError.ARGUMENT_SIZE;
        }
        return Long.compareUnsigned(base + size, base) < 0 ? HypError.ADDR_OVERFLOW : HypError.OK;
    }

    /** The VMMIO ranges as {base, size}, lowest first. */
    public java.util.List<long[]> vmmioRanges() {
        return vmmio.entrySet().stream()
                .map(e -> new long[] {e.getKey(), e.getValue()})
                .toList();
    }

    /**
     * [HYP] {@code vdevice_attach_vmaddr}: the vdevice GPT insert of [ipa, ipa+size) — size 0 → ARGUMENT_INVALID,
     * past 2^44 → ARGUMENT_SIZE, overlapping an attached vdevice → BUSY. Accesses there are the vdevice's, never VMMIO.
     */
    public HypError attachVdeviceRange(long ipa, long size) {
        if (size == 0 || Long.compareUnsigned(ipa + size - 1, ipa) < 0) {
            return HypError.ARGUMENT_INVALID;
        }
        if (Long.compareUnsigned(ipa + size - 1, VDEVICE_GPT_LIMIT - 1) > 0) {
            return HypError.ARGUMENT_SIZE;
        }
        Map.Entry<Long, long[]> below = vdeviceRanges.floorEntry(ipa + size - 1);
        if (below != null && below.getValue()[0] > ipa) {
            return HypError.BUSY;
        }
        vdeviceRanges.put(ipa, new long[] {ipa + size});
        return HypError.OK;
    }

    /** vdevice_detach_vmaddr of the range attached at {@code ipa}. */
    public void detachVdeviceRange(long ipa) {
        vdeviceRanges.remove(ipa);
    }

    /** addrspace_unmap: exactly an existing mapping of {@code extent} at {@code ipa}, else ARGUMENT_INVALID. */
    HypError unmap(MemExtent extent, long ipa, long offset, long size) {
        Mapping found = mappings.get(ipa);
        if (found == null || found.extent() != extent || found.offset() != offset || found.size() != size) {
            return HypError.ARGUMENT_INVALID;
        }
        remove(found);
        return HypError.OK;
    }

    /**
     * addrspace_lookup: the mapping of {@code extent} covering all of [ipa, ipa+size), or null (the call's
     * ADDR_INVALID).
     */
    Mapping lookup(MemExtent extent, long ipa, long size) {
        Mapping found = covering(ipa);
        if (found == null || found.extent() != extent || size <= 0 || ipa + size > found.ipa() + found.size()) {
            return null;
        }
        return found;
    }

    @Override
    protected HypError onActivate() {
        return vmid == 0 ? HypError.OBJECT_CONFIG : HypError.OK;
    }

    @Override
    protected void onDestroy() {
        for (Mapping m : mappings.values()) {
            m.extent().unmapped(m);
        }
        mappings.clear();
    }

    boolean overlaps(long ipa, long size) {
        Map.Entry<Long, Mapping> e = mappings.lowerEntry(ipa + size);
        return e != null && e.getValue().ipa() + e.getValue().size() > ipa;
    }

    void add(Mapping m) {
        mappings.put(m.ipa(), m);
        m.extent().mapped(m);
    }

    void remove(Mapping m) {
        mappings.remove(m.ipa());
        m.extent().unmapped(m);
    }

    /** The mapping holding {@code ipa}, or null. */
    private Mapping covering(long ipa) {
        Map.Entry<Long, Mapping> e = mappings.floorEntry(ipa);
        return e != null && ipa < e.getValue().ipa() + e.getValue().size() ? e.getValue() : null;
    }

    /** The physical address of {@code ipa} if the mapping allows {@code need} and the extent owns the page; else -1. */
    private long translate(long ipa, int need) {
        Mapping m = covering(ipa);
        if (m == null || (m.access() & need) != need) {
            return -1;
        }
        long pa = m.extent().base() + m.offset() + (ipa - m.ipa());
        return memdb.ownerOf(pa) == m.extent() ? pa : -1;
    }

    /** Checks every page of [ipa, ipa+len) and returns the physical address of each byte run, or null. */
    private boolean reachable(long ipa, int len, int need) {
        if (ipa < 0 || len < 0 || ipa > MemDb.ADDR_LIMIT - len) {
            return false;
        }
        for (long p = ipa - ipa % MemDb.PAGE; p < ipa + len; p += MemDb.PAGE) {
            if (translate(Math.max(p, ipa), need) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public byte[] read(long va, int len) {
        if (!reachable(va, len, ACCESS_R)) {
            return null;
        }
        byte[] out = new byte[len];
        copyPages(va, len, (pa, off, n) -> System.arraycopy(memdb.read(pa, n), 0, out, off, n));
        return out;
    }

    @Override
    public boolean write(long va, byte[] data) {
        if (!reachable(va, data.length, ACCESS_W)) {
            return vdeviceWrite(va, data);
        }
        copyPages(va, data.length, (pa, off, n) -> memdb.write(pa, java.util.Arrays.copyOfRange(data, off, off + n)));
        return true;
    }

    /**
     * The stage-2 permission fault of a write to a read-only mapping, handled as [HYP] {@code vdevice_access} handles
     * it: when the page is readable here and a vdevice is attached to its physical range, one access of 1, 2, 4 or 8
     * bytes goes to the vdevice, whose answer decides (emulated or fault). In the model this is a synchronous call
     * inside the guest's write: no exception, no VMMIO info area, no vcpu_run state.
     */
    private boolean vdeviceWrite(long va, byte[] data) {
        int n = data.length;
        if ((n != 1 && n != 2 && n != 4 && n != 8) || !reachable(va, n, ACCESS_R)) {
            return false;
        }
        long pa = translate(va, ACCESS_R);
        java.util.Map.Entry<Long, VdeviceAccess> v = memdb.vdeviceAt(pa);
        if (v == null || !v.equals(memdb.vdeviceAt(pa + n - 1))) {
            return false;
        }
        long value = 0;
        for (int i = n - 1; i >= 0; i--) {
            value = value << 8 | (data[i] & 0xFF);
        }
        return v.getValue().write(pa - v.getKey(), n, value);
    }

    /**
     * The loads and stores of {@code cpu}: this address space, and for an access of 1, 2, 4 or 8 bytes that no
     * mapping covers (a stage-2 translation fault) and no IPA-attached vdevice takes, inside one VMMIO range, by a
     * vCPU with vcpu_run enabled: the VMMIO trap of [HYP] {@code addrspace_handle_vdevice_access_fixed_addr} (see
     * {@link VmmioCpu}). Any other fault fails the access as before — the real one injects a data abort into the
     * guest. The hypervisor's own copies (message-queue buffers) use the address space itself, never this view.
     */
    public GuestMemory accessedBy(VmmioCpu cpu) {
        return new GuestMemory() {
            @Override
            public byte[] read(long va, int len) {
                byte[] b = AddrSpace.this.read(va, len);
                if (b != null || !vmmioTrap(va, len, cpu)) {
                    return b;
                }
                Long done = cpu.takeCompletedVmmio(va, len, 0, false);
                if (done == null) {
                    cpu.blockOnVmmio(va, len, 0, false);
                    return null;
                }
                byte[] out = new byte[len];
                for (int i = 0; i < len; i++) {
                    out[i] = (byte) (done >>> (8 * i));
                }
                return out;
            }

            @Override
            public boolean write(long va, byte[] data) {
                if (AddrSpace.this.write(va, data)) {
                    return true;
                }
                if (!vmmioTrap(va, data.length, cpu)) {
                    return false;
                }
                long value = 0;
                for (int i = data.length - 1; i >= 0; i--) {
                    value = value << 8 | (data[i] & 0xFF);
                }
                if (cpu.takeCompletedVmmio(va, data.length, value, true) != null) {
                    return true;
                }
                cpu.blockOnVmmio(va, data.length, value, true);
                return false;
            }
        };
    }

    /** Whether a failed access of {@code len} bytes at {@code ipa} by {@code cpu} is a VMMIO access (vmmio.c). */
    private boolean vmmioTrap(long ipa, int len, VmmioCpu cpu) {
        if ((len != 1 && len != 2 && len != 4 && len != 8) || ipa < 0 || !cpu.vcpuRunEnabled()) {
            return false;
        }
        long last = ipa + len - 1;
        if (covering(ipa) != null || covering(last) != null) {
            return false; // a permission fault, or memory taken away: not a translation fault
        }
        Map.Entry<Long, long[]> v = vdeviceRanges.floorEntry(last);
        if (v != null && v.getValue()[0] > ipa) {
            return false; // vdevice_access_ipa: an attached vdevice's range (not emulated in the model)
        }
        Map.Entry<Long, Long> r = vmmio.floorEntry(ipa);
        return r != null && last < r.getKey() + r.getValue();
    }

    private interface PageRun {
        void at(long pa, int offset, int n);
    }

    /** Splits [va, va+len) at page boundaries (contiguous IPAs need not be contiguous physically). */
    private void copyPages(long va, int len, PageRun run) {
        for (int off = 0; off < len; ) {
            long ipa = va + off;
            int n = (int) Math.min(len - off, MemDb.PAGE - ipa % MemDb.PAGE);
            run.at(translate(ipa, 0), off, n);
            off += n;
        }
    }

    @Override
    protected String describeState() {
        StringBuilder ranges = new StringBuilder();
        vmmio.forEach((b, n) ->
                ranges.append(' ').append(Long.toHexString(b)).append('+').append(Long.toHexString(n)));
        vdeviceRanges.forEach((b, e) ->
                ranges.append(" vdev:").append(Long.toHexString(b)).append('-').append(Long.toHexString(e[0])));
        return " vmid=" + vmid + " maps=" + mappings.values() + " vmmio=[" + ranges + "] info=" + infoArea + "@"
                + Long.toHexString(infoAreaIpa);
    }
}
