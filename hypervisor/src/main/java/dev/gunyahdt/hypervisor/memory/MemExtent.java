package dev.gunyahdt.hypervisor.memory;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory extent (§7.1): a physical range [base, base+size) with an access ceiling and a memtype. A BASIC
 * extent takes every page of its range from its parent when activated and is mapped whole, at most 4
 * times; a SPARSE extent starts owning nothing and gets pages by {@code memextent_donate}, and may be mapped
 * in parts. A derived extent's parent is another extent, otherwise the partition it was created from.
 * Destroying an extent returns the pages it still owns to its parent and removes its mappings. Its operations
 * follow [HYP] {@code hyp/mem/memextent/src/memextent.c} (and {@code memextent_basic.c}, {@code memextent_sparse.c}).
 */
public final class MemExtent extends KernelObject {
    public static final int BASIC = 0;
    public static final int SPARSE = 1;
    /** MEMEXTENT_MAX_MAPS: mappings of a BASIC extent (§7.1). */
    private static final int MAX_MAPS = 4;
    /** pgtable_access values (§1.5): 3 (WX) is not one. */
    static final int ACCESS_INVALID = 3;
    /** memextent_memtype DEVICE: device memory types only (not cleaned or zeroed). */
    private static final int MEMTYPE_DEVICE = 1;
    /** memextent_attrs: access 2:0, memtype 9:8, type 17:16; the append bit 31 is not modelled. */
    private static final long EXTENT_ATTR_BITS = 0x7L | 0x3L << 8 | 0x3L << 16;

    private final MemDb memdb;
    /** The partition it was created from. */
    private final KernelObject partition;

    private long base;
    private long size;
    private int access;
    private int memtype;
    private int extentType;
    /** The extent this one was derived from; null: the partition is the parent. */
    private MemExtent parent;

    private boolean configured;
    private final List<AddrSpace.Mapping> mappings = new ArrayList<>();

    MemExtent(long serial, MemDb memdb, KernelObject partition) {
        super(ObjectType.MEMEXTENT, serial);
        this.memdb = memdb;
        this.partition = partition;
    }

    /** The owner pages come from and go back to. */
    Object parentOwner() {
        return parent != null ? parent : partition;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** Its access ceiling (pgtable_access: R 4, W 2, X 1). */
    int access() {
        return access;
    }

    /** Its memextent_memtype (0: ANY). */
    int memtype() {
        return memtype;
    }

    /** Whether this is a BASIC extent (one contiguous physical range), not a SPARSE one. */
    public boolean isBasic() {
        return extentType == BASIC;
    }

    /**
     * memextent_attach: the hypervisor's own mapping of this extent, for an object that keeps registers in it
     * (virtio-mmio). {@code len} bytes at {@code offset}; reads as zero where nothing was written.
     */
    public byte[] hypRead(long offset, int len) {
        return memdb.read(base + offset, len);
    }

    /** memextent_attach: the hypervisor writes {@code data} at {@code offset} of this extent. */
    public void hypWrite(long offset, byte[] data) {
        memdb.write(base + offset, data);
    }

    /** vdevice_attach_phys: {@code access} takes the writes a VM's read-only mapping of this extent does not allow. */
    public boolean attachVdevice(VdeviceAccess access) {
        return memdb.attachVdevice(base, size, access);
    }

    /** vdevice_detach_phys. */
    public void detachVdevice(VdeviceAccess access) {
        memdb.detachVdevice(base, access);
    }

    /** memextent_configure(base, size, attrs): INIT only; a page-aligned range below 2^36. */
    HypError configure(long phys, long length, long attrs) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        int[] a = decodeAttrs(attrs);
        if (a == null) {
            return HypError.ARGUMENT_INVALID;
        }
        HypError e = MemDb.rangeError(phys, length, MemDb.ADDR_LIMIT);
        if (e != HypError.OK) {
            return e;
        }
        set(null, phys, length, a);
        return HypError.OK;
    }

    /**
     * memextent_configure_derive(parent, offset, size, attrs): a child [offset, offset+size) of an ACTIVE
     * {@code from}; access must not exceed the parent's.
     */
    HypError configureDerive(MemExtent from, long offset, long length, long attrs) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        int[] a = decodeAttrs(attrs);
        if (a == null || from == this || (a[0] & ~from.access) != 0) {
            return HypError.ARGUMENT_INVALID;
        }
        HypError e = MemDb.rangeError(offset, length, from.size);
        if (e != HypError.OK) {
            return e;
        }
        set(from, from.base + offset, length, a);
        return HypError.OK;
    }

    /** Decoded memextent_attrs {access, memtype, type}, or null when a reserved bit or an invalid access/type is set. */
    private static int[] decodeAttrs(long attrs) {
        int acc = (int) (attrs & 7);
        int type = (int) (attrs >>> 16 & 3);
        if ((attrs & ~EXTENT_ATTR_BITS) != 0 || acc == ACCESS_INVALID || type > SPARSE) {
            return null;
        }
        return new int[] {acc, (int) (attrs >>> 8 & 3), type};
    }

    private void set(MemExtent from, long phys, long length, int[] attrs) {
        parent = from;
        base = phys;
        size = length;
        access = attrs[0];
        memtype = attrs[1];
        extentType = attrs[2];
        configured = true;
    }

    /**
     * memextent_donate_child: pages [offset, offset+size) of this SPARSE extent move from {@code parentObject} (its
     * parent) to it, or back with {@code toParent}. Model choice, the reference does not say: {@code offset}
     * is relative to this (child) extent.
     */
    HypError donateWithParent(KernelObject parentObject, long offset, long length, boolean toParent) {
        if (parentOwner() != parentObject) {
            return HypError.ARGUMENT_INVALID;
        }
        if (extentType != SPARSE) {
            return HypError.MEMEXTENT_TYPE;
        }
        HypError e = MemDb.rangeError(offset, length, size);
        if (e != HypError.OK) {
            return e;
        }
        long pa = base + offset;
        boolean moved = toParent
                ? memdb.transfer(pa, length, this, parentObject)
                : memdb.transfer(pa, length, parentObject, this);
        return moved ? HypError.OK : HypError.MEMDB_NOT_OWNER;
    }

    /**
     * memextent_donate_sibling: pages [offset, offset+size) of this SPARSE extent move to {@code sibling}, a
     * SPARSE extent of the same parent; they must lie inside both ranges (model choice).
     */
    HypError donateToSibling(MemExtent sibling, long offset, long length) {
        if (sibling == this || sibling.parentOwner() != parentOwner()) {
            return HypError.ARGUMENT_INVALID;
        }
        if (extentType != SPARSE || sibling.extentType != SPARSE) {
            return HypError.MEMEXTENT_TYPE;
        }
        HypError e = MemDb.rangeError(offset, length, size);
        if (e != HypError.OK) {
            return e;
        }
        long pa = base + offset;
        if (pa < sibling.base || pa + length > sibling.base + sibling.size) {
            return HypError.ARGUMENT_INVALID;
        }
        return memdb.transfer(pa, length, this, sibling) ? HypError.OK : HypError.MEMDB_NOT_OWNER;
    }

    /**
     * memextent_map / memextent_map_partial into {@code space} at {@code ipa}: the access is the requested one
     * limited to the extent's (§7.1); every page must be owned by the extent (MEMDB_NOT_OWNER). A BASIC extent
     * is mapped whole (a partial map → MEMEXTENT_TYPE, another range → ARGUMENT_INVALID), at most 4 times
     * (MEMEXTENT_MAPPINGS_FULL); an overlap with a mapping of the addrspace → EXISTING_MAPPING.
     */
    HypError map(AddrSpace space, long ipa, int requested, long attrs, boolean partial, long offset, long length) {
        HypError e = MemDb.rangeError(offset, length, size);
        if (e == HypError.OK) {
            e = MemDb.rangeError(ipa, length, MemDb.ADDR_LIMIT);
        }
        if (e != HypError.OK) {
            return e;
        }
        if (extentType == BASIC) {
            if (partial) {
                return HypError.MEMEXTENT_TYPE;
            }
            if (offset != 0 || length != size) {
                return HypError.ARGUMENT_INVALID;
            }
            if (mappings.size() >= MAX_MAPS) {
                return HypError.MEMEXTENT_MAPPINGS_FULL;
            }
        }
        if (!memdb.ownedBy(base + offset, length, this)) {
            return HypError.MEMDB_NOT_OWNER;
        }
        if (space.overlaps(ipa, length)) {
            return HypError.EXISTING_MAPPING;
        }
        space.add(new AddrSpace.Mapping(space, ipa, length, this, offset, requested & access, attrs));
        return HypError.OK;
    }

    /**
     * addrspace_update_access on this extent's mapping at {@code ipa} in {@code space} ([HYP] memextent.c
     * {@code memextent_update_access} / {@code _partial}, then the type's handler). The new user and kernel access
     * must both be within the extent's (ARGUMENT_INVALID). Whole: {@code ipa} page-aligned (ARGUMENT_ALIGNMENT).
     * Partial: {@code ipa}, {@code offset}, {@code length} page-aligned, then a non-empty range inside the extent
     * (ARGUMENT_SIZE). A BASIC extent has no partial handler (MEMEXTENT_TYPE) and changes its whole mapping at
     * exactly {@code ipa} (none: ADDR_INVALID). A SPARSE extent answers ADDR_INVALID: in
     * {@code memextent_update_access_partial_sparse} the mapping it looks for is never assigned, so the real code
     * finds none; the model does what the code does.
     */
    HypError updateAccess(AddrSpace space, long ipa, long accessAttrs, boolean partial, long offset, long length) {
        int user = (int) (accessAttrs & 7);
        int kernel = (int) (accessAttrs >>> 4 & 7);
        if ((access & user) != user || (access & kernel) != kernel) {
            return HypError.ARGUMENT_INVALID; // memextent_check_access_attrs
        }
        if (!partial) {
            if (ipa % MemDb.PAGE != 0) {
                return HypError.ARGUMENT_ALIGNMENT;
            }
        } else {
            if (ipa % MemDb.PAGE != 0 || offset % MemDb.PAGE != 0 || length % MemDb.PAGE != 0) {
                return HypError.ARGUMENT_ALIGNMENT;
            }
            if (length == 0
                    || addOverflows(offset, length - 1)
                    || addOverflows(ipa, length - 1)
                    || Long.compareUnsigned(offset + length - 1, size) >= 0) {
                return HypError.ARGUMENT_SIZE;
            }
        }
        if (extentType != BASIC) {
            return HypError.ADDR_INVALID;
        }
        if (partial) {
            return HypError.MEMEXTENT_TYPE; // no memextent_update_access_partial handler for BASIC
        }
        for (AddrSpace.Mapping m : mappings) {
            if (m.space() == space && m.ipa() == ipa) {
                space.remove(m);
                long attrs = m.attrs() & ~0x77L | user | (long) kernel << 4;
                space.add(new AddrSpace.Mapping(space, ipa, m.size(), this, m.offset(), user, attrs));
                return HypError.OK;
            }
        }
        return HypError.ADDR_INVALID;
    }

    /** memextent_unmap_all: every mapping of this extent, in every address space, goes. */
    void unmapAll() {
        for (AddrSpace.Mapping m : new ArrayList<>(mappings)) {
            m.space().remove(m);
        }
    }

    /**
     * memextent_clean_range ([HYP] memextent.c) for memextent_modify's zero / cache-clean / cache-flush ops: a
     * device or non-writable extent is DENIED; {@code offset} and {@code length} page-aligned (ARGUMENT_ALIGNMENT);
     * non-empty (ARGUMENT_SIZE); inside the extent (ARGUMENT_INVALID). Then each page of the range the extent
     * still owns is cleaned: zeroed when {@code zero}; the model has no caches, so clean and flush change nothing
     * it can show.
     */
    HypError cleanRange(long offset, long length, boolean zero) {
        if (memtype == MEMTYPE_DEVICE || (access & AddrSpace.ACCESS_W) == 0) {
            return HypError.DENIED;
        }
        if (offset % MemDb.PAGE != 0 || length % MemDb.PAGE != 0) {
            return HypError.ARGUMENT_ALIGNMENT;
        }
        if (addOverflows(base, offset)) {
            return HypError.ARGUMENT_INVALID;
        }
        long phys = base + offset;
        if (length == 0 || addOverflows(phys, length - 1)) {
            return HypError.ARGUMENT_SIZE;
        }
        if (Long.compareUnsigned(phys + length - 1, base + size - 1) > 0) {
            return HypError.ARGUMENT_INVALID; // extent_range_valid
        }
        if (zero) {
            memdb.zeroOwned(phys, length, this);
        }
        return HypError.OK;
    }

    /** util_add_overflows for unsigned 64-bit values. */
    private static boolean addOverflows(long a, long b) {
        return Long.compareUnsigned(a, -1L - b) > 0;
    }

    /** The address space recorded a mapping of this extent (or dropped one). */
    void mapped(AddrSpace.Mapping m) {
        mappings.add(m);
    }

    void unmapped(AddrSpace.Mapping m) {
        mappings.remove(m);
    }

    /** §2.2: a memextent needs a size; a BASIC one takes its pages from its parent here (else MEMDB_NOT_OWNER). */
    @Override
    protected HypError onActivate() {
        if (!configured || size == 0) {
            return HypError.OBJECT_CONFIG;
        }
        if (parent != null && parent.state() != ObjectState.ACTIVE) {
            return HypError.OBJECT_STATE;
        }
        if (extentType == BASIC && !memdb.transfer(base, size, parentOwner(), this)) {
            return HypError.MEMDB_NOT_OWNER;
        }
        return HypError.OK;
    }

    @Override
    protected void onDestroy() {
        for (AddrSpace.Mapping m : new ArrayList<>(mappings)) {
            m.space().remove(m);
        }
        if (state() == ObjectState.ACTIVE) {
            memdb.returnAll(base, size, this, parentOwner());
        }
    }

    @Override
    protected String describeState() {
        return " base=" + Long.toHexString(base) + " size=" + Long.toHexString(size) + " access=" + access
                + " memtype=" + memtype + " type=" + extentType + " parent=" + (parent == null ? "-" : parent)
                + " maps=" + mappings.size();
    }
}
