package dev.gunyahdt.hypervisor.cspace;

import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.cspace.CSpace.Cap;
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

import java.util.ArrayList;
import java.util.List;

/** The cspace hypercalls (§1.4 0x6022–0x6025, 0x6059; §2.3). */
public final class CSpaceCalls {
    public static final int DELETE_CAP_FROM = 0x22;
    public static final int COPY_CAP_FROM = 0x23;
    public static final int REVOKE_CAP_FROM = 0x24;
    public static final int CONFIGURE = 0x25;
    public static final int REVOKE_CAPS_FROM = 0x59;

    private CSpaceCalls() {
    }

    public static void install(HypercallTable t) {
        t.define(DELETE_CAP_FROM, "cspace_delete_cap_from", Reserved.res0(2), CSpaceCalls::deleteCapFrom);
        t.define(COPY_CAP_FROM, "cspace_copy_cap_from", Reserved.res0(4), CSpaceCalls::copyCapFrom);
        // Unimplemented in the code (§0).
        t.define(REVOKE_CAP_FROM, "cspace_revoke_cap_from", Reserved.res0(2),
                (ctx, in) -> HvcResult.error(HypError.UNIMPLEMENTED));
        t.define(CONFIGURE, "cspace_configure", Reserved.res0(2), CSpaceCalls::configure);
        t.define(REVOKE_CAPS_FROM, "cspace_revoke_caps_from", Reserved.res0(2), CSpaceCalls::revokeCapsFrom);
    }

    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.CSPACE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        CSpace cs = l.as(CSpace.class);
        if (cs.state() != ObjectState.INIT) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        if (Long.compareUnsigned(in.x1(), CSpace.MAX_CAPS) > 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        cs.setMaxCaps((int) in.x1());
        return HvcResult.ok();
    }

    private static HvcResult copyCapFrom(CallContext ctx, HvcArgs in) {
        Lookup src = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.CAP_COPY);
        if (!src.ok()) {
            return HvcResult.error(src.error(), HvcResult.CAP_INVALID);
        }
        Lookup dst = ctx.active(in.x2(), ObjectType.CSPACE, CSpaceRights.CAP_CREATE);
        if (!dst.ok()) {
            return HvcResult.error(dst.error(), HvcResult.CAP_INVALID);
        }
        CSpace from = src.as(CSpace.class);
        CSpace to = dst.as(CSpace.class);
        HypError e = capError(from, in.x1());
        if (e != HypError.OK) {
            return HvcResult.error(e, HvcResult.CAP_INVALID);
        }
        if (!to.hasFreeSlot()) {
            return HvcResult.error(HypError.CSPACE_FULL, HvcResult.CAP_INVALID);
        }
        Cap c = from.capAt(in.x1());
        int mask = (int) in.x3(); // rights_mask is a u32
        // A copy of a copy still hangs off the original master, so revoking the master reaches it too.
        long parent = c.master() ? c.serial : c.parentSerial;
        long newCap = to.insert(new Cap(c.object, c.rights & mask, ctx.nextSerial(), parent));
        return HvcResult.ok(newCap);
    }

    private static HvcResult deleteCapFrom(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.CAP_DELETE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        CSpace cs = l.as(CSpace.class);
        Cap c = cs.capAt(in.x1());
        if (c == null) {
            return HvcResult.error(cs.lookup(in.x1(), null, 0, false).error());
        }
        cs.clear(in.x1());
        dropIfUnreferenced(ctx.partition(), c.object);
        return HvcResult.ok();
    }

    private static HvcResult revokeCapsFrom(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.CAP_REVOKE);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        CSpace cs = l.as(CSpace.class);
        HypError e = capError(cs, in.x1());
        if (e != HypError.OK) {
            return HvcResult.error(e);
        }
        Cap master = cs.capAt(in.x1());
        if (!master.master()) {
            // Model choice: only a master cap has children to revoke.
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        for (CSpace each : cspaces(ctx.partition())) {
            for (Cap c : each.slots()) {
                if (c != null && c.parentSerial == master.serial) {
                    c.revoked = true;
                }
            }
        }
        return HvcResult.ok();
    }

    /** OK when {@code capId} names a VALID cap of {@code cs}; else the lookup error. */
    private static HypError capError(CSpace cs, long capId) {
        return cs.lookup(capId, null, 0, false).error();
    }

    private static List<CSpace> cspaces(Partition p) {
        List<CSpace> out = new ArrayList<>();
        for (KernelObject o : p.objects()) {
            if (o instanceof CSpace cs) {
                out.add(cs);
            }
        }
        return out;
    }

    /**
     * Refcounting (§2.2): when no cap anywhere names {@code o} (and, for a cspace, no thread runs on it),
     * the object is destroyed; a destroyed cspace drops its own caps, which may cascade.
     */
    static void dropIfUnreferenced(Partition p, KernelObject o) {
        if (o instanceof Partition || (o instanceof CSpace cs && cs.hasThreads())) {
            return;
        }
        for (CSpace cs : cspaces(p)) {
            if (cs.referencesObject(o)) {
                return;
            }
        }
        KernelObject.Lifecycle.destroy(o);
        p.unregister(o);
        if (o instanceof CSpace gone) {
            List<KernelObject> held = new ArrayList<>();
            Cap[] slots = gone.slots();
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null) {
                    held.add(slots[i].object);
                    slots[i] = null;
                }
            }
            for (KernelObject h : held) {
                dropIfUnreferenced(p, h);
            }
        }
    }
}
