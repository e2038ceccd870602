package dev.gunyahdt.hypervisor.cspace;

import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.Partition;

import java.util.Random;
import java.util.function.Supplier;

/**
 * The cspace hypercalls (§1.4 0x6022–0x6025, 0x6059; §2.3), as [HYP] {@code hyp/core/cspace_twolevel/src/hypercalls.c}:
 * look up the cspace caps with the call's rights, call the cspace's own operation.
 */
public final class CSpaceCalls {
    public static final int DELETE_CAP_FROM = 0x22;
    public static final int COPY_CAP_FROM = 0x23;
    public static final int REVOKE_CAP_FROM = 0x24;
    public static final int CONFIGURE = 0x25;
    public static final int REVOKE_CAPS_FROM = 0x59;

    private CSpaceCalls() {
    }

    /**
     * Defines the cspace calls and registers the cspace factory: new cspaces draw their CapID scrambling from
     * {@code rng} and number as {@code numbering} says at the time; {@code partition} holds every object
     * (what cap deletion and revocation walk).
     */
    public static void install(HypercallTable t, ObjectFactories types, Partition partition, Random rng,
                               Supplier<CapIdNumbering> numbering) {
        types.register(ObjectType.CSPACE, (serial, owner) -> CSpace.create(serial, numbering.get(), rng));
        t.define(DELETE_CAP_FROM, "cspace_delete_cap_from", Reserved.res0(2), (ctx, in) -> deleteCapFrom(ctx, in, partition));
        t.define(COPY_CAP_FROM, "cspace_copy_cap_from", Reserved.res0(4), CSpaceCalls::copyCapFrom);
        // Unimplemented in the code (§0).
        t.define(REVOKE_CAP_FROM, "cspace_revoke_cap_from", Reserved.res0(2),
                (ctx, in) -> HvcResult.error(HypError.UNIMPLEMENTED));
        t.define(CONFIGURE, "cspace_configure", Reserved.res0(2), CSpaceCalls::configure);
        t.define(REVOKE_CAPS_FROM, "cspace_revoke_caps_from", Reserved.res0(2), (ctx, in) -> revokeCapsFrom(ctx, in, partition));
    }

    /** cspace_configure(cspace, max_caps): any state with OBJECT_ACTIVATE; the cspace checks INIT and the count. */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.CSPACE);
        return HvcResult.error(l.ok() ? l.as(CSpace.class).configure(in.x1()) : l.error());
    }

    /** cspace_copy_cap_from(src, cap, dest, rights_mask): X1 the new CapID, CSPACE_CAP_INVALID on failure. */
    private static HvcResult copyCapFrom(CallContext ctx, HvcArgs in) {
        Lookup src = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.CAP_COPY);
        if (!src.ok()) {
            return HvcResult.error(src.error(), HvcResult.CAP_INVALID);
        }
        Lookup dst = ctx.active(in.x2(), ObjectType.CSPACE, CSpaceRights.CAP_CREATE);
        if (!dst.ok()) {
            return HvcResult.error(dst.error(), HvcResult.CAP_INVALID);
        }
        int mask = (int) in.x3(); // rights_mask is a u32
        CSpace.Copied r = dst.as(CSpace.class).copyFrom(src.as(CSpace.class), in.x1(), mask, ctx::nextSerial);
        return HvcResult.error(r.error(), r.error() == HypError.OK ? r.capId() : HvcResult.CAP_INVALID);
    }

    /** cspace_delete_cap_from(cspace, cap): CAP_DELETE. */
    private static HvcResult deleteCapFrom(CallContext ctx, HvcArgs in, Partition partition) {
        Lookup l = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.CAP_DELETE);
        return HvcResult.error(l.ok() ? l.as(CSpace.class).deleteCap(in.x1(), partition) : l.error());
    }

    /** cspace_revoke_caps_from(cspace, master cap): CAP_REVOKE. */
    private static HvcResult revokeCapsFrom(CallContext ctx, HvcArgs in, Partition partition) {
        Lookup l = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.CAP_REVOKE);
        return HvcResult.error(l.ok() ? l.as(CSpace.class).revokeCaps(in.x1(), partition) : l.error());
    }
}
