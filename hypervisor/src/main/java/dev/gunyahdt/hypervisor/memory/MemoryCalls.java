package dev.gunyahdt.hypervisor.memory;

import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.MemExtentRights;
import dev.gunyahdt.hypervisor.call.PartitionRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;

/**
 * The memextent and addrspace hypercalls (§1.4, §7.1), as [HYP] {@code hyp/mem/memextent/src/hypercalls.c} and
 * {@code hyp/mem/addrspace/src/hypercalls.c}: decode the flags and attributes, look up the caps, call the
 * extent's or address space's own operation. Argument checks come after the cap lookups unless a comment says
 * otherwise; alignment is to the 4 KiB page.
 */
public final class MemoryCalls {
    public static final int ADDRSPACE_MAP = 0x2B;
    public static final int ADDRSPACE_UNMAP = 0x2C;
    public static final int ADDRSPACE_UPDATE_ACCESS = 0x2D;
    public static final int ADDRSPACE_ATTACH_VDMA = 0x2F;
    public static final int ADDRSPACE_CONFIGURE = 0x2E;
    public static final int MEMEXTENT_MODIFY = 0x30;
    public static final int MEMEXTENT_CONFIGURE = 0x31;
    public static final int MEMEXTENT_CONFIGURE_DERIVE = 0x32;
    public static final int ADDRSPACE_LOOKUP = 0x5A;
    public static final int ADDRSPACE_CONFIGURE_INFO_AREA = 0x5B;
    public static final int ADDRSPACE_CONFIGURE_VMMIO = 0x60;
    /** addrspace_vmmio_configure_op. */
    public static final int VMMIO_ADD = 0;

    public static final int VMMIO_REMOVE = 1;
    /** The code's number; the doc says 0x6033 (§0). */
    public static final int MEMEXTENT_DONATE = 0x61;

    /** memextent_mapping_attrs: user access 2:0, kernel access 6:4, memtype 23:16. */
    private static final long MAP_ATTR_BITS = 0x7L | 0x7L << 4 | 0xFFL << 16;
    /** addrspace_map_flags: bit 0 partial, bit 31 no_sync. */
    private static final long MAP_FLAG_PARTIAL = 0x1;

    private static final long MAP_FLAG_BITS = 0x1L | 1L << 31;
    /** memextent_access_attrs: user access 2:0, kernel access 6:4; the rest of the 32 bits is res0. */
    private static final long ACCESS_ATTR_BITS = 0x77;
    /** memextent_modify_flags: op 7:0, no_sync 31; 30:8 res0. */
    public static final long MODIFY_NO_SYNC = 1L << 31;

    public static final int MODIFY_UNMAP_ALL = 0;
    public static final int MODIFY_ZERO_RANGE = 1;
    public static final int MODIFY_CACHE_CLEAN_RANGE = 2;
    public static final int MODIFY_CACHE_FLUSH_RANGE = 3;
    public static final int MODIFY_SYNC_ALL = 255;
    private static final int DONATE_TO_CHILD = 0;
    private static final int DONATE_TO_PARENT = 1;
    private static final int DONATE_TO_SIBLING = 2;

    private MemoryCalls() {}

    /** Defines the memory calls and registers the addrspace and memextent factories, both over {@code memdb}. */
    public static void install(HypercallTable t, ObjectFactories types, MemDb memdb) {
        types.register(ObjectType.ADDRSPACE, (serial, partition) -> new AddrSpace(serial, memdb));
        types.register(ObjectType.MEMEXTENT, (serial, partition) -> new MemExtent(serial, memdb, partition));
        t.define(ADDRSPACE_CONFIGURE, "addrspace_configure", Reserved.res0(2), MemoryCalls::addrspaceConfigure);
        t.define(ADDRSPACE_MAP, "addrspace_map", Reserved.NONE, MemoryCalls::map);
        t.define(ADDRSPACE_UNMAP, "addrspace_unmap", Reserved.NONE, MemoryCalls::unmap);
        t.define(ADDRSPACE_LOOKUP, "addrspace_lookup", Reserved.res0(4), MemoryCalls::lookup);
        t.define(ADDRSPACE_ATTACH_VDMA, "addrspace_attach_vdma", Reserved.res0(3), MemoryCalls::attachVdma);
        t.define(ADDRSPACE_UPDATE_ACCESS, "addrspace_update_access", Reserved.NONE, MemoryCalls::updateAccess);
        t.define(MEMEXTENT_MODIFY, "memextent_modify", Reserved.NONE, MemoryCalls::modify);
        t.define(
                ADDRSPACE_CONFIGURE_INFO_AREA,
                "addrspace_configure_info_area",
                Reserved.res0(3),
                MemoryCalls::configureInfoArea);
        t.define(ADDRSPACE_CONFIGURE_VMMIO, "addrspace_configure_vmmio", Reserved.res0(4), MemoryCalls::configureVmmio);
        t.define(MEMEXTENT_CONFIGURE, "memextent_configure", Reserved.res0(4), MemoryCalls::configure);
        t.define(
                MEMEXTENT_CONFIGURE_DERIVE,
                "memextent_configure_derive",
                Reserved.res0(5),
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

    /** addrspace_configure(as, vmid): any state with OBJECT_ACTIVATE. */
    private static HvcResult addrspaceConfigure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.ADDRSPACE);
        return HvcResult.error(l.ok() ? l.as(AddrSpace.class).configure(in.x1()) : l.error());
    }

    /**
     * addrspace_configure_info_area(as, me, ipa), as [HYP] {@code hypercall_addrspace_configure_info_area}: the
     * addrspace in any state with OBJECT_ACTIVATE, the extent ACTIVE with ATTACH, then the addrspace INIT.
     */
    private static HvcResult configureInfoArea(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.forConfigure(in.x0(), ObjectType.ADDRSPACE);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup m = ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.ATTACH);
        if (!m.ok()) {
            return HvcResult.error(m.error());
        }
        AddrSpace as = a.as(AddrSpace.class);
        return HvcResult.error(
                as.state() == ObjectState.INIT
                        ? as.configureInfoArea(m.as(MemExtent.class), in.x2())
                        : HypError.OBJECT_STATE);
    }

    /**
     * addrspace_configure_vmmio(as, base, size, op), as [HYP] {@code hypercall_addrspace_configure_vmmio}: the
     * addrspace in any state with ADD_VMMIO_RANGE, then INIT or ACTIVE; op ADD or REMOVE, another → UNIMPLEMENTED.
     */
    private static HvcResult configureVmmio(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.cspace().lookup(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.ADD_VMMIO_RANGE, false);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        AddrSpace as = a.as(AddrSpace.class);
        if (as.state() != ObjectState.INIT && as.state() != ObjectState.ACTIVE) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        return HvcResult.error(
                in.x3() == VMMIO_ADD
                        ? as.addVmmioRange(in.x1(), in.x2())
                        : in.x3() == VMMIO_REMOVE ? as.removeVmmioRange(in.x1(), in.x2()) : HypError.UNIMPLEMENTED);
    }

    /** memextent_configure(me, base, size, attrs): any state with OBJECT_ACTIVATE. */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.MEMEXTENT);
        return HvcResult.error(l.ok() ? l.as(MemExtent.class).configure(in.x1(), in.x2(), in.x3()) : l.error());
    }

    /** memextent_configure_derive(me, parent, offset, size, attrs): the parent ACTIVE with DERIVE. */
    private static HvcResult configureDerive(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.MEMEXTENT);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Lookup p = ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.DERIVE);
        if (!p.ok()) {
            return HvcResult.error(p.error());
        }
        return HvcResult.error(l.as(MemExtent.class).configureDerive(p.as(MemExtent.class), in.x2(), in.x3(), in.x4()));
    }

    /**
     * memextent_donate(options, from, to, offset, size): moves pages between a parent (partition or extent)
     * and a SPARSE child, or between SPARSE siblings. {@code from} and {@code to} need DONATE (PARTITION
     * DONATE when the parent is a partition). {@code offset} is relative to the child extent (to_child:
     * {@code to}; to_parent and to_sibling: {@code from}).
     */
    private static HvcResult donate(CallContext ctx, HvcArgs in) {
        long options = in.x0();
        int type = (int) (options & 0xFF);
        if ((options & ~(0xFFL | 1L << 31)) != 0 || type > DONATE_TO_SIBLING) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup from = type == DONATE_TO_CHILD
                ? parentLookup(ctx, in.x1())
                : ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.DONATE);
        if (!from.ok()) {
            return HvcResult.error(from.error());
        }
        Lookup to = type == DONATE_TO_PARENT
                ? parentLookup(ctx, in.x2())
                : ctx.active(in.x2(), ObjectType.MEMEXTENT, MemExtentRights.DONATE);
        if (!to.ok()) {
            return HvcResult.error(to.error());
        }
        HypError e = switch (type) {
            case DONATE_TO_CHILD -> to.as(MemExtent.class).donateWithParent(from.object(), in.x3(), in.x4(), false);
            case DONATE_TO_PARENT -> from.as(MemExtent.class).donateWithParent(to.object(), in.x3(), in.x4(), true);
            default -> from.as(MemExtent.class).donateToSibling(to.as(MemExtent.class), in.x3(), in.x4());
        };
        return HvcResult.error(e);
    }

    /** A donation parent: an ACTIVE extent with DONATE, or a partition with DONATE. */
    private static Lookup parentLookup(CallContext ctx, long cap) {
        Lookup any = ctx.cspace().lookup(cap, null, 0, false);
        boolean partition = any.ok() && any.object().type() == ObjectType.PARTITION;
        return partition
                ? ctx.active(cap, ObjectType.PARTITION, PartitionRights.DONATE)
                : ctx.active(cap, ObjectType.MEMEXTENT, MemExtentRights.DONATE);
    }

    /** Decoded (user access) of memextent_mapping_attrs, or -1 when invalid. */
    private static int mapAccess(long attrs) {
        int user = (int) (attrs & 7);
        int kernel = (int) (attrs >>> 4 & 7);
        return (attrs & ~MAP_ATTR_BITS) != 0 || user == MemExtent.ACCESS_INVALID || kernel == MemExtent.ACCESS_INVALID
                ? -1
                : user;
    }

    /** addrspace_map(as, me, ipa, attrs, flags, offset, size): MAP on both, both ACTIVE; the extent maps itself. */
    private static HvcResult map(CallContext ctx, HvcArgs in) {
        return withBoth(ctx, in, AddrSpaceRights.MAP, MemExtentRights.MAP, (as, me) -> {
            int access = mapAccess(in.x3());
            long flags = in.x4();
            if (access < 0 || (flags & ~MAP_FLAG_BITS) != 0) {
                return HvcResult.error(HypError.ARGUMENT_INVALID);
            }
            return HvcResult.error(
                    me.map(as, in.x2(), access, in.x3(), (flags & MAP_FLAG_PARTIAL) != 0, in.x5(), in.x6()));
        });
    }

    /** addrspace_unmap(as, me, ipa, flags, offset, size). */
    private static HvcResult unmap(CallContext ctx, HvcArgs in) {
        return withBoth(ctx, in, AddrSpaceRights.MAP, MemExtentRights.MAP, (as, me) -> {
            if ((in.x3() & ~MAP_FLAG_BITS) != 0) {
                return HvcResult.error(HypError.ARGUMENT_INVALID);
            }
            return HvcResult.error(as.unmap(me, in.x2(), in.x4(), in.x5()));
        });
    }

    private interface AddrSpaceAndExtent {
        HvcResult call(AddrSpace as, MemExtent me);
    }

    /** The addrspace in X0 with {@code asRight}, then the memextent in X1 with {@code meRight}, both ACTIVE. */
    private static HvcResult withBoth(CallContext ctx, HvcArgs in, int asRight, int meRight, AddrSpaceAndExtent op) {
        Lookup a = ctx.active(in.x0(), ObjectType.ADDRSPACE, asRight);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup m = ctx.active(in.x1(), ObjectType.MEMEXTENT, meRight);
        if (!m.ok()) {
            return HvcResult.error(m.error());
        }
        return op.call(a.as(AddrSpace.class), m.as(MemExtent.class));
    }

    /**
     * addrspace_update_access(as, me, vbase, access_attrs, map_flags, offset, size) ([HYP] addrspace
     * {@code hypercall_addrspace_update_access}): reserved bits of the two bitfields first (ARGUMENT_INVALID;
     * bitfield inputs are 32 bits wide, the generated wrapper drops the upper half), then MAP on both, both ACTIVE;
     * {@code offset} and {@code size} count only with the partial flag.
     */
    private static HvcResult updateAccess(CallContext ctx, HvcArgs in) {
        long access = in.x3() & 0xFFFF_FFFFL;
        long flags = in.x4() & 0xFFFF_FFFFL;
        if ((access & ~ACCESS_ATTR_BITS) != 0 || (flags & ~MAP_FLAG_BITS) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        boolean partial = (flags & MAP_FLAG_PARTIAL) != 0;
        return withBoth(
                ctx,
                in,
                AddrSpaceRights.MAP,
                MemExtentRights.MAP,
                (as, me) -> HvcResult.error(me.updateAccess(as, in.x2(), access, partial, in.x5(), in.x6())));
    }

    /**
     * memextent_modify(me, flags, offset, size) ([HYP] memextent {@code hypercall_memextent_modify}): reserved flag
     * bits first (ARGUMENT_INVALID), then MAP on an ACTIVE extent. unmap_all always; zero / cache-clean /
     * cache-flush of a range only with no_sync (the code refuses them with a sync, ARGUMENT_INVALID); sync_all
     * only without no_sync; any other op ARGUMENT_INVALID. The sync itself (rcu_sync) has nothing to wait for in
     * the model.
     */
    private static HvcResult modify(CallContext ctx, HvcArgs in) {
        long flags = in.x1() & 0xFFFF_FFFFL;
        if ((flags & ~(0xFFL | MODIFY_NO_SYNC)) != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Lookup l = ctx.active(in.x0(), ObjectType.MEMEXTENT, MemExtentRights.MAP);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        MemExtent me = l.as(MemExtent.class);
        boolean sync = (flags & MODIFY_NO_SYNC) == 0;
        int op = (int) (flags & 0xFF);
        HypError e;
        if (op == MODIFY_UNMAP_ALL) {
            me.unmapAll();
            e = HypError.OK;
        } else if (!sync
                && (op == MODIFY_ZERO_RANGE || op == MODIFY_CACHE_CLEAN_RANGE || op == MODIFY_CACHE_FLUSH_RANGE)) {
            e = me.cleanRange(in.x2(), in.x3(), op == MODIFY_ZERO_RANGE);
        } else if (op == MODIFY_SYNC_ALL && sync) {
            e = HypError.OK;
        } else {
            e = HypError.ARGUMENT_INVALID;
        }
        return HvcResult.error(e);
    }

    /**
     * hypercall_addrspace_attach_vdma(addrspace, dma_device, index): the addrspace with ATTACH, then the
     * addrspace_attach_vdma event, which nothing in the open sources handles (a vDMA device is an SMMU context the
     * QEMU build does not have): its default, CSPACE_WRONG_OBJECT_TYPE, whatever the device cap names.
     */
    private static HvcResult attachVdma(CallContext ctx, HvcArgs in) {
        Lookup as = ctx.active(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.ATTACH);
        return HvcResult.error(as.ok() ? HypError.CSPACE_WRONG_OBJECT_TYPE : as.error());
    }

    /** addrspace_lookup(as, me, ipa, size): X1 offset, X2 size, X3 attrs of the mapping of {@code me} covering the range. */
    private static HvcResult lookup(CallContext ctx, HvcArgs in) {
        return withBoth(ctx, in, AddrSpaceRights.LOOKUP, MemExtentRights.LOOKUP, (as, me) -> {
            AddrSpace.Mapping found = as.lookup(me, in.x2(), in.x3());
            if (found == null) {
                return HvcResult.error(HypError.ADDR_INVALID);
            }
            return HvcResult.ok(found.offset() + (in.x2() - found.ipa()), in.x3(), found.attrs());
        });
    }
}
