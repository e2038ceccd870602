package dev.gunyahdt.hypervisor.vic;

import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.cspace.Lookup;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;

/** vic_configure (0x6028), and the VIC lookup the *_bind_virq calls of other objects share. */
public final class VicCalls {
    public static final int CONFIGURE = 0x28;

    private VicCalls() {
    }

    public static void install(HypercallTable t) {
        // Code: X3 = option flags, X4 = max_msis; the doc calls X3 reserved (§0).
        t.define(CONFIGURE, "vic_configure", Reserved.NONE, VicCalls::configure);
    }

    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.VIC);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        Vic vic = l.as(Vic.class);
        if (vic.state() != ObjectState.INIT) {
            return HvcResult.error(HypError.OBJECT_STATE);
        }
        long vcpus = in.x1();
        long virqs = in.x2();
        long options = in.x3();
        // No LPI support in this model, so max_msis must be 0 (§6.2); option bits above 1 are reserved.
        if (vcpus < 1 || vcpus > Vic.MAX_VCPUS || virqs < 0 || virqs > Vic.MAX_VIRQS
                || (options & ~0x3L) != 0 || in.x4() != 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        vic.configure((int) vcpus, (int) virqs, options);
        return HvcResult.ok();
    }

    /** The VIC a source is being bound into: VIC cap with BIND_SOURCE, ACTIVE. */
    public static Lookup bindTarget(CallContext ctx, long vicCap) {
        return ctx.active(vicCap, ObjectType.VIC, VicRights.BIND_SOURCE);
    }

    /** The u32 VIRQ number from a register; anything wider is not a VIRQ (fails the SPI check). */
    public static int virq(long reg) {
        return reg < 0 || reg > 0xFFFF_FFFFL ? -1 : (int) Math.min(reg, Integer.MAX_VALUE);
    }
}
