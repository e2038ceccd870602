package dev.gunyahdt.hypervisor.virtio;

import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.MemExtentRights;
import dev.gunyahdt.hypervisor.call.VirtioMmioRights;
import dev.gunyahdt.hypervisor.hypercall.CallContext;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable;
import dev.gunyahdt.hypervisor.hypercall.HypercallTable.Reserved;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.object.ObjectFactories;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * The virtio-mmio hypercalls (0x6049–0x6055, [HYP] {@code hyp/interfaces/virtio_mmio/virtio_mmio.hvc}), as
 * {@code hyp/vm/virtio_mmio/src/hypercalls.c}: look up the cap with the call's right, call the object, encode.
 * {@code partition_create_virtio_mmio} (0x6048) comes from the factory registered here.
 */
public final class VirtioMmioCalls {
    public static final int CONFIGURE = 0x49;
    public static final int BACKEND_BIND_VIRQ = 0x4a;
    public static final int BACKEND_UNBIND_VIRQ = 0x4b;
    public static final int FRONTEND_BIND_VIRQ = 0x4c;
    public static final int FRONTEND_UNBIND_VIRQ = 0x4d;
    public static final int BACKEND_ASSERT_VIRQ = 0x4e;
    public static final int BACKEND_SET_DEV_FEATURES = 0x4f;
    public static final int BACKEND_SET_QUEUE_NUM_MAX = 0x50;
    public static final int BACKEND_GET_DRV_FEATURES = 0x51;
    public static final int BACKEND_GET_QUEUE_INFO = 0x52;
    public static final int BACKEND_GET_NOTIFICATION = 0x53;
    public static final int BACKEND_ACKNOWLEDGE_RESET = 0x54;
    public static final int BACKEND_UPDATE_STATUS = 0x55;
    public static final int INPUT_CONFIGURE = 0x5e;
    public static final int INPUT_SET_DATA = 0x5f;
    /** virtio_device_type INPUT: the one type a configure with {@link #FLAG_VALID_DEVICE_TYPE} accepts. */
    public static final int DEVICE_TYPE_INPUT = VirtioInput.DEVICE_TYPE;
    /** virtio_input_config_select values for {@code virtio_input_set_data}. */
    public static final int INPUT_ID_NAME = VirtioInput.CFG_ID_NAME;

    public static final int INPUT_ID_SERIAL = VirtioInput.CFG_ID_SERIAL;
    public static final int INPUT_ID_DEVIDS = VirtioInput.CFG_ID_DEVIDS;
    public static final int INPUT_PROP_BITS = VirtioInput.CFG_PROP_BITS;
    public static final int INPUT_EV_BITS = VirtioInput.CFG_EV_BITS;
    public static final int INPUT_ABS_INFO = VirtioInput.CFG_ABS_INFO;

    /** virtio_option_flags bit 6: the device type argument (X4) is valid. */
    public static final long FLAG_VALID_DEVICE_TYPE = VirtioMmio.FLAG_VALID_DEVICE_TYPE;

    private VirtioMmioCalls() {}

    /** Defines the calls and registers the virtio-mmio factory. */
    public static void install(HypercallTable t, ObjectFactories types) {
        types.register(ObjectType.VIRTIO_MMIO, (serial, partition) -> new VirtioMmio(serial));
        t.define(CONFIGURE, "virtio_mmio_configure", Reserved.NONE, VirtioMmioCalls::configure);
        t.define(
                BACKEND_BIND_VIRQ,
                "virtio_mmio_backend_bind_virq",
                Reserved.res0(3),
                (c, in) -> bind(c, in, VirtioMmioRights.BIND_BACKEND_VIRQ, VirtioMmio::bindBackend));
        t.define(
                BACKEND_UNBIND_VIRQ,
                "virtio_mmio_backend_unbind_virq",
                Reserved.res0(1),
                (c, in) -> with(c, in, VirtioMmioRights.BIND_BACKEND_VIRQ, v -> {
                    v.unbindBackend();
                    return HvcResult.ok();
                }));
        t.define(
                FRONTEND_BIND_VIRQ,
                "virtio_mmio_frontend_bind_virq",
                Reserved.res0(3),
                (c, in) -> bind(c, in, VirtioMmioRights.BIND_FRONTEND_VIRQ, VirtioMmio::bindFrontend));
        t.define(
                FRONTEND_UNBIND_VIRQ,
                "virtio_mmio_frontend_unbind_virq",
                Reserved.res0(1),
                (c, in) -> with(c, in, VirtioMmioRights.BIND_FRONTEND_VIRQ, v -> {
                    v.unbindFrontend();
                    return HvcResult.ok();
                }));
        t.define(
                BACKEND_ASSERT_VIRQ,
                "virtio_mmio_backend_assert_virq",
                Reserved.res0(2),
                (c, in) ->
                        with(c, in, VirtioMmioRights.ASSERT_VIRQ, v -> HvcResult.error(v.assertVirq((int) in.x1()))));
        t.define(
                BACKEND_SET_DEV_FEATURES,
                "virtio_mmio_backend_set_dev_features",
                Reserved.res0(3),
                (c, in) -> with(
                        c,
                        in,
                        VirtioMmioRights.CONFIG,
                        v -> HvcResult.error(v.setDeviceFeatures(u32(in.x1()), (int) in.x2()))));
        t.define(
                BACKEND_SET_QUEUE_NUM_MAX,
                "virtio_mmio_backend_set_queue_num_max",
                Reserved.res0(3),
                (c, in) -> with(
                        c,
                        in,
                        VirtioMmioRights.CONFIG,
                        v -> HvcResult.error(v.setQueueNumMax(u32(in.x1()), (int) in.x2()))));
        t.define(
                BACKEND_GET_DRV_FEATURES,
                "virtio_mmio_backend_get_drv_features",
                Reserved.res0(2),
                (c, in) -> with(c, in, VirtioMmioRights.CONFIG, v -> v.driverFeatures(u32(in.x1()))));
        t.define(
                BACKEND_GET_QUEUE_INFO,
                "virtio_mmio_backend_get_queue_info",
                Reserved.res0(2),
                (c, in) -> with(c, in, VirtioMmioRights.CONFIG, v -> v.queueInfo(u32(in.x1()))));
        t.define(
                BACKEND_GET_NOTIFICATION,
                "virtio_mmio_backend_get_notification",
                Reserved.res0(1),
                (c, in) -> with(c, in, VirtioMmioRights.CONFIG, VirtioMmio::notification));
        t.define(
                BACKEND_ACKNOWLEDGE_RESET,
                "virtio_mmio_backend_acknowledge_reset",
                Reserved.res0(1),
                (c, in) -> with(c, in, VirtioMmioRights.CONFIG, v -> {
                    v.acknowledgeReset();
                    return HvcResult.ok();
                }));
        t.define(
                BACKEND_UPDATE_STATUS,
                "virtio_mmio_backend_update_status",
                Reserved.res0(2),
                (c, in) -> with(c, in, VirtioMmioRights.CONFIG, v -> {
                    v.updateStatus((int) in.x1());
                    return HvcResult.ok();
                }));
        // [HYP] hyp/vm/virtio_input/src/hypercalls.c: CONFIG right, an ACTIVE object, then the device type
        t.define(
                INPUT_CONFIGURE,
                "virtio_input_configure",
                Reserved.res0(5),
                (c, in) -> with(
                        c,
                        in,
                        VirtioMmioRights.CONFIG,
                        v -> HvcResult.error(v.inputConfigure(in.x1(), (int) in.x2(), u32(in.x3()), u32(in.x4())))));
        t.define(
                INPUT_SET_DATA,
                "virtio_input_set_data",
                Reserved.res0(5),
                (c, in) -> with(
                        c,
                        in,
                        VirtioMmioRights.CONFIG,
                        v -> HvcResult.error(
                                v.inputSetData(u32(in.x1()), u32(in.x2()), u32(in.x3()), c.memory(), in.x4()))));
    }

    /** A uint32 input: the register's low 32 bits (the generated wrapper's cast). */
    private static long u32(long reg) {
        return reg & 0xFFFFFFFFL;
    }

    /** cspace_lookup_virtio_mmio(cap, right): an ACTIVE object, else the lookup's error. */
    private static HvcResult with(
            CallContext ctx, HvcArgs in, int right, java.util.function.Function<VirtioMmio, HvcResult> op) {
        Lookup l = ctx.active(in.x0(), ObjectType.VIRTIO_MMIO, right);
        return l.ok() ? op.apply(l.as(VirtioMmio.class)) : HvcResult.error(l.error());
    }

    /** The bind calls: the object with its bind right, then the VIC with BIND_SOURCE; X2 = the VIRQ. */
    private static HvcResult bind(CallContext ctx, HvcArgs in, int right, TriBind op) {
        return with(ctx, in, right, v -> {
            Lookup vic = VicCalls.bindTarget(ctx, in.x1());
            if (!vic.ok()) {
                return HvcResult.error(vic.error());
            }
            return HvcResult.error(op.bind(v, vic.as(VirqTarget.class), VicCalls.virq(in.x2())));
        });
    }

    private interface TriBind {
        HypError bind(VirtioMmio v, VirqTarget target, int virq);
    }

    /**
     * hypercall_virtio_mmio_configure(virtio, memextent, vqs_num, flags, device_type): the memextent first (ACTIVE,
     * ATTACH), then the object in any state with OBJECT_ACTIVATE; the object checks INIT and the arguments.
     */
    private static HvcResult configure(CallContext ctx, HvcArgs in) {
        Lookup m = ctx.active(in.x1(), ObjectType.MEMEXTENT, MemExtentRights.ATTACH);
        if (!m.ok()) {
            return HvcResult.error(m.error());
        }
        Lookup v = ctx.forConfigure(in.x0(), ObjectType.VIRTIO_MMIO);
        if (!v.ok()) {
            return HvcResult.error(v.error());
        }
        // device_type: a C enumeration, the register's low 32 bits
        return HvcResult.error(
                v.as(VirtioMmio.class).configure(m.as(MemExtent.class), u32(in.x2()), in.x3(), u32(in.x4())));
    }
}
