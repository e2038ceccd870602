package dev.gunyahdt.hypervisor.vic;

import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;

/** vic_configure (0x6028), and the VIC lookup the *_bind_virq calls of other objects share. */
public final class VicCalls {
    public static final int CONFIGURE = 0x28;

    private VicCalls() {
    }

    /** Defines vic_configure and registers the VIC factory. */
    public static void install(HypercallTable t, ObjectFactories types) {
        types.register(ObjectType.VIC, (serial, partition) -> new Vic(serial));
        // Code: X3 = option flags, X4 = max_msis; the doc calls X3 reserved (§0).
        t.define(CONFIGURE, "vic_configure", Reserved.NONE, VicCalls::configure);
    }

    /** hypercall_vic_configure: any state with OBJECT_ACTIVATE; the VIC checks INIT and the counts. */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.VIC);
        return HvcResult.error(l.ok() ? l.as(Vic.class).configure(in.x1(), in.x2(), in.x3(), in.x4()) : l.error());
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
