package dev.gunyahdt.hypervisor.memory;

import dev.gunyahdt.hypervisor.call.MemExtentRights;
import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.cspace.Lookup;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.Partition;
import dev.gunyahdt.hypervisor.call.PartitionRights;

/**
 * The memextent and addrspace hypercalls (§1.4, §7.1). Argument checks come after the cap lookups unless a
 * comment says otherwise; alignment is to the 4 KiB page.
 */
public final class MemoryCalls {
    public static final int ADDRSPACE_MAP = 0x2B;
    public static final int ADDRSPACE_UNMAP = 0x2C;
    public static final int ADDRSPACE_CONFIGURE = 0x2E;
    public static final int MEMEXTENT_CONFIGURE = 0x31;
    public static final int MEMEXTENT_CONFIGURE_DERIVE = 0x32;
    public static final int ADDRSPACE_LOOKUP = 0x5A;
    /** The code's number; the doc says 0x6033 (§0). */
    public static final int MEMEXTENT_DONATE = 0x61;

    /** pgtable_access values (§1.5): 3 (WX) is not one. */
    static final int ACCESS_INVALID = 3;
    /** memextent_attrs: access 2:0, memtype 9:8, type 17:16; the append bit 31 is not modelled. */
    static final long EXTENT_ATTR_BITS = 0x7L | 0x3L << 8 | 0x3L << 16;
    /** memextent_mapping_attrs: user access 2:0, kernel access 6:4, memtype 23:16. */
    static final long MAP_ATTR_BITS = 0x7L | 0x7L << 4 | 0xFFL << 16;
    /** addrspace_map_flags: bit 0 partial, bit 31 no_sync. */
    static final long MAP_FLAG_PARTIAL = 0x1;
    static final long MAP_FLAG_BITS = 0x1L | 1L << 31;
    static final int DONATE_TO_CHILD = 0;
    static final int DONATE_TO_PARENT = 1;
    static final int DONATE_TO_SIBLING = 2;

    private MemoryCalls() {
    }

    public static void install(HypercallTable t) {
        t.define(ADDRSPACE_CONFIGURE, "addrspace_configure", Reserved.res0(2), MemoryCalls::addrspaceConfigure);
        t.define(ADDRSPACE_MAP, "addrspace_map", Reserved.NONE, MemoryCalls::map);
        t.define(ADDRSPACE_UNMAP, "addrspace_unmap", Reserved.NONE, MemoryCalls::unmap);
        t.define(ADDRSPACE_LOOKUP, "addrspace_lookup", Reserved.res0(4), MemoryCalls::lookup);
        t.define(MEMEXTENT_CONFIGURE, "memextent_configure", Reserved.res0(4), MemoryCalls::configure);
        t.define(MEMEXTENT_CONFIGURE_DERIVE, "memextent_configure_derive", Reserved.res0(5),
                MemoryCalls::configureDerive);
        t.define(MEMEXTENT_DONATE, "memextent_donate", Reserved.res0(5), MemoryCalls::donate);
    }

    /** memextent_attrs for {@code memextent_configure(_derive)}. */
    public static long extentAttrs(int access, int memtype, int type) {
        return (access & 7) | (long) (memtype & 3) << 8 | (long) (type & 3) << 16;
    }

    /** memextent_mapping_attrs for {@code addrspace_map}: user and kernel access, stage-2 memtype. */
    public static long mapAttrs(int access, int vmMemtype) {
        return (access & 7) | (long) (access & 7) << 4 | (long) (vmMemtype & 0xFF) << 16;
    }

    private static boolean aligned(long v) {
        return v % MemDb.PAGE == 0;
    }

    /** vmid 1..255 (255 = the root VM), INIT only. */
    private static HvcResult addrspaceConfigure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.ADDRSPACE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        AddrSpace as = l.as(AddrSpace.class);
        if (as.state() != ObjectState.INIT) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        if (in.x1() < 1 || in.x1() > 255) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        as.vmid = (int) in.x1();
        return HvcResult.ok();
    }

    /** Decoded memextent_attrs, or null when a reserved bit or an invalid access/type is set. */
    private static int[] extentAttrs(long attrs) {
        int access = (int) (attrs & 7);
        int type = (int) (attrs >>> 16 & 3);
        if ((attrs & ~EXTENT_ATTR_BITS) != 0 || access == ACCESS_INVALID || type > MemExtent.SPARSE) {
            return null;
        }
        return new int[] {access, (int) (attrs >>> 8 & 3), type};
    }

    private static HypError rangeError(long base, long size, long limit) {
        if (!aligned(base) || !aligned(size)) {
            return HypError.ARGUMENT_ALIGNMENT;
        }
        if (size == 0) {
            return HypError.ARGUMENT_SIZE;
        }
        if (base < 0 || size < 0 || base > limit - size) {
            return HypError.ADDR_OVERFLOW;
        }
        return HypError.OK;
    }

    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.MEMEXTENT);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MemExtent me = l.as(MemExtent.class);
        if (me.state() != ObjectState.INIT) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        int[] a = extentAttrs(in.x3());
        if (a == null) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        HypError e = rangeError(in.x1(), in.x2(), MemDb.ADDR_LIMIT);
        if (e != HypError.OK) {
            return HvcResult.error(e);
        }
        set(me, null, in.x1(), in.x2(), a);
        return HvcResult.ok();
    }

    /** A child [offset, offset+size) of an ACTIVE parent (DERIVE right); access must not exceed the parent's. */
    private static HvcResult configureDerive(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.MEMEXTENT);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Lookup p = ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.DERIVE);
        if (!p.ok()) {
            return HvcResult.error(p.error());
        }
        MemExtent me = l.as(MemExtent.class);
        MemExtent parent = p.as(MemExtent.class);
        if (me.state() != ObjectState.INIT) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        int[] a = extentAttrs(in.x4());
        if (a == null || me == parent || (a[0] & ~parent.access) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        HypError e = rangeError(in.x2(), in.x3(), parent.size);
        if (e != HypError.OK) {
            return HvcResult.error(e);
        }
        set(me, parent, parent.base + in.x2(), in.x3(), a);
        return HvcResult.ok();
    }

    private static void set(MemExtent me, MemExtent parent, long base, long size, int[] attrs) {
        me.parent = parent;
        me.base = base;
        me.size = size;
        me.access = attrs[0];
        me.memtype = attrs[1];
        me.extentType = attrs[2];
        me.configured = true;
    }

    /**
     * memextent_donate(options, from, to, offset, size): moves pages between a parent (partition or extent)
     * and a SPARSE child, or between SPARSE siblings. {@code from} and {@code to} need DONATE (PARTITION
     * DONATE when the parent is a partition). Model choice, the reference does not say: {@code offset} is
     * relative to the child extent (to_child: {@code to}; to_parent and to_sibling: {@code from}), and a
     * sibling's pages must lie inside both siblings' ranges.
     */
    private static HvcResult donate(CallContext ctx, HvcArgs in) {
        long options = in.x0();
        int type = (int) (options & 0xFF);
        if ((options & ~(0xFFL | 1L << 31)) != 0 || type > DONATE_TO_SIBLING) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup from = type == DONATE_TO_CHILD ? parentLookup(ctx, in.x1())
                : ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.DONATE);
        if (!from.ok()) {
            return HvcResult.error(from.error());
        }
        Lookup to = type == DONATE_TO_PARENT ? parentLookup(ctx, in.x2())
                : ctx.active(in.x2(), ObjectType.MEMEXTENT, MemExtentRights.DONATE);
        if (!to.ok()) {
            return HvcResult.error(to.error());
        }
        KernelObject src = from.object();
        KernelObject dst = to.object();
        MemExtent child = (MemExtent) (type == DONATE_TO_CHILD ? dst : src);
        KernelObject parent = type == DONATE_TO_CHILD ? src : type == DONATE_TO_PARENT ? dst : null;
        if (parent != null && child.parentOwner() != parent) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        if (type == DONATE_TO_SIBLING && (src == dst || ((MemExtent) dst).parentOwner() != child.parentOwner())) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        if (child.extentType != MemExtent.SPARSE
                || (type == DONATE_TO_SIBLING && ((MemExtent) dst).extentType != MemExtent.SPARSE)) {
            return HvcResult.error(HypError.MEMEXTENT_TYPE);
        }
        HypError e = rangeError(in.x3(), in.x4(), child.size);
        if (e != HypError.OK) {
            return HvcResult.error(e);
        }
        long pa = child.base + in.x3();
        if (type == DONATE_TO_SIBLING) {
            MemExtent sib = (MemExtent) dst;
            if (pa < sib.base || pa + in.x4() > sib.base + sib.size) {
                return HvcResult.error(HypError.ARGUMENT_INVALID);
            }
        }
        if (!ctx.memdb().transfer(pa, in.x4(), src, dst)) {
            return HvcResult.error(HypError.MEMDB_NOT_OWNER);
        }
        return HvcResult.ok();
    }

    /** A donation parent: an ACTIVE extent with DONATE, or a partition with DONATE. */
    private static Lookup parentLookup(CallContext ctx, long cap) {
        Lookup any = ctx.cspace().lookup(cap, null, 0, false);
        ObjectType t = any.ok() && any.object() instanceof Partition ? ObjectType.PARTITION : ObjectType.MEMEXTENT;
        int right = t == ObjectType.PARTITION ? PartitionRights.DONATE : MemExtentRights.DONATE;
        return ctx.active(cap, t, right);
    }

    /** Decoded (access) of memextent_mapping_attrs, or -1 when invalid. */
    private static int mapAccess(long attrs) {
        int user = (int) (attrs & 7);
        int kernel = (int) (attrs >>> 4 & 7);
        return (attrs & ~MAP_ATTR_BITS) != 0 || user == ACCESS_INVALID || kernel == ACCESS_INVALID ? -1 : user;
    }

    /**
     * addrspace_map(as, me, ipa, attrs, flags, offset, size): MAP on both, both ACTIVE. The access is the
     * requested one limited to the extent's (§7.1). Every page must be owned by the extent (MEMDB_NOT_OWNER).
     * A BASIC extent is mapped whole (a partial flag → MEMEXTENT_TYPE, another range → ARGUMENT_INVALID), at
     * most 4 times (MEMEXTENT_MAPPINGS_FULL); an overlap with a mapping of this addrspace → EXISTING_MAPPING.
     */
    private static HvcResult map(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.active(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.MAP);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup m = ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.MAP);
        if (!m.ok()) {
            return HvcResult.error(m.error());
        }
        AddrSpace as = a.as(AddrSpace.class);
        MemExtent me = m.as(MemExtent.class);
        long ipa = in.x2();
        int access = mapAccess(in.x3());
        long flags = in.x4();
        long offset = in.x5();
        long size = in.x6();
        if (access < 0 || (flags & ~MAP_FLAG_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        HypError e = rangeError(offset, size, me.size);
        if (e == HypError.OK) {
            e = rangeError(ipa, size, MemDb.ADDR_LIMIT);
        }
        if (e != HypError.OK) {
            return HvcResult.error(e);
        }
        if (me.extentType == MemExtent.BASIC) {
            if ((flags & MAP_FLAG_PARTIAL) != 0) {
                return HvcResult.error(HypError.MEMEXTENT_TYPE);
            }
            if (offset != 0 || size != me.size) {
                return HvcResult.error(HypError.ARGUMENT_INVALID);
            }
            if (me.mappings.size() >= MemExtent.MAX_MAPS) {
                return HvcResult.error(HypError.MEMEXTENT_MAPPINGS_FULL);
            }
        }
        if (!ctx.memdb().ownedBy(me.base + offset, size, me)) {
            return HvcResult.error(HypError.MEMDB_NOT_OWNER);
        }
        if (as.overlaps(ipa, size)) {
            return HvcResult.error(HypError.EXISTING_MAPPING);
        }
        as.add(new AddrSpace.Mapping(as, ipa, size, me, offset, access & me.access, in.x3()));
        return HvcResult.ok();
    }

    /** addrspace_unmap(as, me, ipa, flags, offset, size): exactly an existing mapping of {@code me}, else ARGUMENT_INVALID. */
    private static HvcResult unmap(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.active(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.MAP);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup m = ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.MAP);
        if (!m.ok()) {
            return HvcResult.error(m.error());
        }
        if ((in.x3() & ~MAP_FLAG_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        AddrSpace as = a.as(AddrSpace.class);
        AddrSpace.Mapping found = as.at(in.x2());
        if (found == null || found.extent() != m.object() || found.offset() != in.x4() || found.size() != in.x5()) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        as.remove(found);
        return HvcResult.ok();
    }

    /** addrspace_lookup(as, me, ipa, size): X1 offset, X2 size, X3 attrs of the mapping of {@code me} covering the range. */
    private static HvcResult lookup(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.active(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.LOOKUP);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup m = ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.LOOKUP);
        if (!m.ok()) {
            return HvcResult.error(m.error());
        }
        AddrSpace.Mapping found = a.as(AddrSpace.class).covering(in.x2());
        long size = in.x3();
        if (found == null || found.extent() != m.object() || size <= 0
                || in.x2() + size > found.ipa() + found.size()) {
            return HvcResult.error(HypError.ADDR_INVALID);
        }
        return HvcResult.ok(found.offset() + (in.x2() - found.ipa()), size, found.attrs());
    }
}
