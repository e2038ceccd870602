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

    private final MemDb memdb;
    private int vmid;
    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();

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
        return " vmid=" + vmid + " maps=" + mappings.values();
    }
}
