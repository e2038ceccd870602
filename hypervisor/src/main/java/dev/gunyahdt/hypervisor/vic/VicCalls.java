package dev.gunyahdt.hypervisor.vic;

import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;

/**
 * vic_configure (0x6028), vic_bind_msi_source (0x6056), vgic_set_mpidr_mapping (0x6067), and the VIC lookup the
 * *_bind_virq calls of other objects share.
 */
public final class VicCalls {
    public static final int CONFIGURE = 0x28;
    public static final int BIND_MSI_SOURCE = 0x56;
    public static final int SET_MPIDR_MAPPING = 0x67;
    /** addrspace_attach_vdevice: the addrspace call whose only handler is the vGIC's. */
    public static final int ADDRSPACE_ATTACH_VDEVICE = 0x62;

    private VicCalls() {}

    /** Defines vic_configure and registers the VIC factory. */
    public static void install(HypercallTable t, ObjectFactories types) {
        types.register(ObjectType.VIC, (serial, partition) -> new Vic(serial));
        // Code: X3 = option flags, X4 = max_msis; the doc calls X3 reserved (§0).
        t.define(CONFIGURE, "vic_configure", Reserved.NONE, VicCalls::configure);
        t.define(ADDRSPACE_ATTACH_VDEVICE, "addrspace_attach_vdevice", Reserved.NONE, VicCalls::attachVdevice);
        t.define(BIND_MSI_SOURCE, "vic_bind_msi_source", Reserved.res0(2), VicCalls::bindMsiSource);
        t.define(SET_MPIDR_MAPPING, "vgic_set_mpidr_mapping", Reserved.NONE, VicCalls::setMpidrMapping);
    }

    /**
     * hypercall_vic_bind_msi_source ([HYP] {@code hyp/vm/vic_base/src/hypercalls.c}): the VIC ACTIVE with
     * BIND_SOURCE, then the vic_bind_msi_source event, which nothing in the open sources handles (an MSI source is a
     * platform object such as a GICv3 virtual ITS, and the QEMU build has none): its default,
     * CSPACE_WRONG_OBJECT_TYPE, whatever the source cap names.
     */
    private static HvcResult bindMsiSource(CallContext ctx, HvcArgs in) {
        Lookup l = bindTarget(ctx, in.x0());
        return HvcResult.error(l.ok() ? HypError.CSPACE_WRONG_OBJECT_TYPE : l.error());
    }

    /**
     * hypercall_vgic_set_mpidr_mapping(vic, mask, aff0..aff3 shifts, mt) ([HYP] {@code hyp/vm/vgic/src/distrib.c}):
     * the cap in any state with OBJECT_ACTIVATE, its type checked after the rights (cspace_lookup_object_any), then
     * the VIC's own checks. The shifts are count_t (32 bits), mt a bool (any non-zero register is true).
     */
    private static HvcResult setMpidrMapping(CallContext ctx, HvcArgs in) {
        Lookup l = ctx.cspace().lookup(in.x0(), null, ObjectType.OBJECT_ACTIVATE, false);
        if (!l.ok()) {
            return HvcResult.error(l.error());
        }
        if (l.object().type() != ObjectType.VIC) {
            return HvcResult.error(HypError.CSPACE_WRONG_OBJECT_TYPE);
        }
        long[] shifts = {in.x2() & 0xFFFF_FFFFL, in.x3() & 0xFFFF_FFFFL, in.x4() & 0xFFFF_FFFFL, in.x5() & 0xFFFF_FFFFL
        };
        return HvcResult.error(l.as(Vic.class).setMpidrMapping(in.x1(), shifts, in.x6() != 0));
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
