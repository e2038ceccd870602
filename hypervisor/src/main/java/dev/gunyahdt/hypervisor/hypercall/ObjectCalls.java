package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;

/**
 * object_activate(_from) and object_reset(_from) (§2.2), as [HYP] {@code hyp/core/object_standard/src/hypercalls.c}:
 * look the cap up with OBJECT_ACTIVATE (any type), then the object's own activate.
 */
public final class ObjectCalls {
    public static final int ACTIVATE = 0x0C;
    public static final int ACTIVATE_FROM = 0x0D;
    public static final int RESET = 0x0E;
    public static final int RESET_FROM = 0x0F;

    private ObjectCalls() {
    }

    public static void install(HypercallTable t) {
        t.define(ACTIVATE, "object_activate", Reserved.res0(1), (ctx, in) ->
                activate(ctx.cspace().lookup(in.x0(), null, ObjectType.OBJECT_ACTIVATE, false)));
        t.define(ACTIVATE_FROM, "object_activate_from", Reserved.res0(2), (ctx, in) -> {
            Lookup cs = ctx.active(in.x0(), ObjectType.CSPACE, CSpaceRights.CAP_CREATE);
            if (!cs.ok()) {
                return HvcResult.error(cs.error());
            }
            return activate(cs.as(Capabilities.class).lookup(in.x1(), null, ObjectType.OBJECT_ACTIVATE, false));
        });
        // Both unimplemented in the code (§0).
        t.define(RESET, "object_reset", Reserved.res0(1), (ctx, in) -> HvcResult.error(HypError.UNIMPLEMENTED));
        t.define(RESET_FROM, "object_reset_from", Reserved.res0(2),
                (ctx, in) -> HvcResult.error(HypError.UNIMPLEMENTED));
    }

    private static HvcResult activate(Lookup l) {
        return HvcResult.error(l.ok() ? KernelObject.Lifecycle.activate(l.object()) : l.error());
    }
}
