package dev.gunyahdt.hypervisor.vic;

import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;

/** vic_configure (0x6028), and the VIC lookup the *_bind_virq calls of other objects share. */
public final class VicCalls {
    public static final int CONFIGURE = 0x28;
    /** addrspace_attach_vdevice: the addrspace call whose only handler is the vGIC's. */
    public static final int ADDRSPACE_ATTACH_VDEVICE = 0x62;

    private VicCalls() {}

    /** Defines vic_configure and registers the VIC factory. */
    public static void install(HypercallTable t, ObjectFactories types) {
        types.register(ObjectType.VIC, (serial, partition) -> new Vic(serial));
        // Code: X3 = option flags, X4 = max_msis; the doc calls X3 reserved (§0).
        t.define(CONFIGURE, "vic_configure", Reserved.NONE, VicCalls::configure);
        t.define(ADDRSPACE_ATTACH_VDEVICE, "addrspace_attach_vdevice", Reserved.NONE, VicCalls::attachVdevice);
    }

    /** hypercall_vic_configure: any state with OBJECT_ACTIVATE; the VIC checks INIT and the counts. */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.forConfigure(in.x0(), ObjectType.VIC);
        return HvcResult.error(l.ok() ? l.as(Vic.class).configure(in.x1(), in.x2(), in.x3(), in.x4()) : l.error());
    }

    /**
     * addrspace_attach_vdevice(as, vdevice, index, vbase, size, flags), as [HYP] {@code
     * hypercall_addrspace_attach_vdevice}: the addrspace ACTIVE with MAP, then the {@code addrspace_attach_vdevice}
     * event, whose only handler in the QEMU build is the vGIC's: a VIC cap ACTIVE with ATTACH_VDEVICE. Any other
     * object → CSPACE_WRONG_OBJECT_TYPE, the event's default.
     */
    private static HvcResult attachVdevice(CallContext ctx, HvcArgs in) {
        Lookup a = ctx.active(in.x0(), ObjectType.ADDRSPACE, AddrSpaceRights.MAP);
        if (!a.ok()) {
            return HvcResult.error(a.error());
        }
        Lookup v = ctx.active(in.x1(), ObjectType.VIC, VicRights.ATTACH_VDEVICE);
        if (!v.ok()) {
            return HvcResult.error(v.error());
        }
        return HvcResult.error(v.as(Vic.class).attachFrame(a.as(AddrSpace.class), in.x2(), in.x3(), in.x4(), in.x5()));
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
