package dev.gunyahdt.hypervisor.virtio;

import static dev.gunyahdt.hypervisor.virtio.VirtioMmioRegs.*;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.memory.MemDb;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.memory.VdeviceAccess;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

/**
 * A virtio-mmio device ([HYP] {@code hyp/vm/virtio_mmio/src/virtio_mmio.c}, {@code vdevice.c}, {@code hypercalls.c}).
 * Its register frame is the one page of a memextent: the backend VM maps it read-write and fills the identity
 * registers and the device config itself; the frontend VM maps it read-only, reads it directly and has every write
 * emulated here ({@link #frontendWrite}), which keeps the banked per-queue and per-feature-word state, sets the
 * notify reason and raises the backend's VIRQ. The backend reads that state and raises the frontend's VIRQ with
 * its hypercalls. {@link VirtioMmioCalls} only decodes, looks up and encodes.
 *
 * <p>The sources, named as upstream names them: {@code backendSource} is asserted by the backend
 * (backend_assert_virq) and is bound into the <em>frontend's</em> VIC; {@code frontendSource} is asserted by the
 * frontend's writes and is bound into the <em>backend's</em> VIC.
 */
final class VirtioMmio extends KernelObject implements VdeviceAccess {
    /** virtio_option_flags bit 6: the device type argument is valid. */
    static final long FLAG_VALID_DEVICE_TYPE = 1L << 6;

    private MemExtent me;
    private int vqsNum;
    private int driverFeaturesSel;
    private int queueSel;
    private long vqsBitmap;
    private long reason;
    private final int[] devFeatures = new int[2];
    private final int[] drvFeatures = new int[2];
    private Queue[] queues = new Queue[0];
    private boolean attached;
    /** virtio_device_type: 0 (INVALID, a plain virtio-mmio frame) unless configured with a valid one. */
    private int deviceType;
    /** The virtio-input data of a type-18 device, made when it is activated. */
    private VirtioInput input;

    /** virtio_mmio_banked_queue_registers. */
    private static final class Queue {
        int numMax;
        int num;
        int ready;
        long desc;
        long driver;
        long device;

        @Override
        public String toString() {
            return num + "/" + numMax + (ready != 0 ? "r" : "") + "@" + Long.toHexString(desc) + ","
                    + Long.toHexString(driver) + "," + Long.toHexString(device);
        }
    }

    /** virtio_mmio_backend_handle_virq_check_pending: the frontend's line is high while InterruptStatus ≠ 0. */
    private final VirqSource backendSource = new VirqSource(() -> attached && reg(INTERRUPT_STATUS) != 0);
    /** virtio_mmio_frontend_handle_virq_check_pending: the backend's line is high while a reason is pending. */
    private final VirqSource frontendSource = new VirqSource(() -> reason != 0);

    VirtioMmio(long serial) {
        super(ObjectType.VIRTIO_MMIO, serial);
    }

    /**
     * virtio_mmio_configure: INIT only (OBJECT_STATE); one BASIC page and at most 16 queues (ARGUMENT_INVALID); with
     * the valid-device-type flag the type must be one a module of the build accepts (virtio_mmio_valid_device_type):
     * only 18, virtio-input (else ARGUMENT_INVALID); without it the type is INVALID (0).
     */
    HypError configure(MemExtent extent, long vqs, long flags, long type) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (!extent.isBasic() || extent.size() != MemDb.PAGE || Long.compareUnsigned(vqs, MAX_VQS) > 0) {
            return HypError.ARGUMENT_INVALID;
        }
        if ((flags & FLAG_VALID_DEVICE_TYPE) != 0) {
            if (type != VirtioInput.DEVICE_TYPE) {
                return HypError.ARGUMENT_INVALID;
            }
            deviceType = VirtioInput.DEVICE_TYPE;
        } else {
            deviceType = 0;
        }
        me = extent;
        vqsNum = (int) vqs;
        return HypError.OK;
    }

    /** virtio_mmio_handle_object_activate: needs a memextent; attaches the frontend vdevice to its page. */
    @Override
    protected HypError onActivate() {
        if (me == null) {
            return HypError.OBJECT_CONFIG;
        }
        if (!me.attachVdevice(this)) {
            return HypError.BUSY;
        }
        attached = true;
        // virtio_mmio_device_config_activate: virtio_input_handle_object_activate allocates the input data
        input = deviceType == VirtioInput.DEVICE_TYPE ? new VirtioInput() : null;
        queues = new Queue[vqsNum];
        for (int i = 0; i < vqsNum; i++) {
            queues[i] = new Queue();
        }
        return HypError.OK;
    }

    /** hypercall_virtio_input_configure: a device that is not virtio-input is OBJECT_CONFIG. */
    HypError inputConfigure(long devids, int propBits, long evTypes, long absAxes) {
        if (input == null) {
            return HypError.OBJECT_CONFIG;
        }
        return input.configure(devids, propBits, evTypes, absAxes);
    }

    /** hypercall_virtio_input_set_data: a device that is not virtio-input is CSPACE_WRONG_OBJECT_TYPE (the code's). */
    HypError inputSetData(long sel, long subsel, long size, GuestMemory memory, long va) {
        if (input == null) {
            return HypError.CSPACE_WRONG_OBJECT_TYPE;
        }
        return input.setData(sel, subsel, size, memory, va);
    }

    @Override
    protected void onDestroy() {
        input = null; // virtio_input_handle_object_cleanup
        backendSource.unbind();
        frontendSource.unbind();
        if (attached) {
            me.detachVdevice(this);
            attached = false;
        }
    }

    /** virtio_mmio_backend_bind_virq: the frontend's VIRQ, raised by the backend. */
    HypError bindBackend(VirqTarget target, int virq) {
        return backendSource.bind(target, virq);
    }

    /** virtio_mmio_backend_unbind_virq (OK when unbound). */
    void unbindBackend() {
        backendSource.unbind();
    }

    /** virtio_mmio_frontend_bind_virq: the backend's VIRQ, raised by the frontend's writes. */
    HypError bindFrontend(VirqTarget target, int virq) {
        return frontendSource.bind(target, virq);
    }

    /** virtio_mmio_frontend_unbind_virq (OK when unbound). */
    void unbindFrontend() {
        frontendSource.unbind();
    }

    /** hypercall_virtio_mmio_backend_assert_virq: DENIED while a reset is pending; else InterruptStatus |= bits. */
    HypError assertVirq(int interruptStatus) {
        if ((reg(STATUS) & STATUS_DEVICE_NEEDS_RESET) != 0) {
            return HypError.DENIED;
        }
        setReg(INTERRUPT_STATUS, reg(INTERRUPT_STATUS) | interruptStatus);
        backendSource.assertLevel();
        return HypError.OK;
    }

    /**
     * hypercall_virtio_mmio_backend_set_dev_features: sel 0 or 1 (ARGUMENT_INVALID); word 1 must offer
     * VIRTIO_F_VERSION_1 and VIRTIO_F_ACCESS_PLATFORM and not VIRTIO_F_NOTIFICATION_DATA (DENIED).
     */
    HypError setDeviceFeatures(long sel, int features) {
        if (Long.compareUnsigned(sel, 2) >= 0) {
            return HypError.ARGUMENT_INVALID;
        }
        if (sel == 1) {
            int allow = 1 << (F_VERSION_1 - 32) | 1 << (F_ACCESS_PLATFORM - 32) | features;
            int forbid = ~(1 << (F_NOTIFICATION_DATA - 32)) & features;
            if (allow != features || forbid != features) {
                return HypError.DENIED;
            }
        }
        devFeatures[(int) sel] = features;
        return HypError.OK;
    }

    /** hypercall_virtio_mmio_backend_set_queue_num_max: sel below the configured queue count (ARGUMENT_INVALID). */
    HypError setQueueNumMax(long sel, int max) {
        if (Long.compareUnsigned(sel, vqsNum) >= 0) {
            return HypError.ARGUMENT_INVALID;
        }
        queues[(int) sel].numMax = max;
        return HypError.OK;
    }

    /** hypercall_virtio_mmio_backend_get_drv_features: X1 = the frontend's word {@code sel}. */
    HvcResult driverFeatures(long sel) {
        if (Long.compareUnsigned(sel, 2) >= 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        return HvcResult.ok(drvFeatures[(int) sel] & 0xFFFFFFFFL);
    }

    /** hypercall_virtio_mmio_backend_get_queue_info: X1 num, X2 ready, X3 desc, X4 driver, X5 device. */
    HvcResult queueInfo(long sel) {
        if (Long.compareUnsigned(sel, vqsNum) >= 0) {
            return HvcResult.error(HypError.ARGUMENT_INVALID);
        }
        Queue q = queues[(int) sel];
        return HvcResult.ok(q.num & 0xFFFFFFFFL, q.ready & 0xFFFFFFFFL, q.desc, q.driver, q.device);
    }

    /**
     * hypercall_virtio_mmio_backend_get_notification: X1 = the queues notified since the last call (cleared), X2 =
     * the reasons (cleared). The backend's line then reads low at its next EOI (the level re-check).
     */
    HvcResult notification() {
        long bitmap = vqsBitmap;
        long why = reason;
        vqsBitmap = 0;
        reason = 0;
        return HvcResult.ok(bitmap, why);
    }

    /** hypercall_virtio_mmio_backend_acknowledge_reset: Status = 0 (the reset is complete). */
    void acknowledgeReset() {
        setReg(STATUS, 0);
    }

    /** hypercall_virtio_mmio_backend_update_status: Status |= {@code bits}. */
    void updateStatus(int bits) {
        setReg(STATUS, reg(STATUS) | bits);
    }

    /**
     * virtio_mmio_handle_vdevice_access for a write by the frontend: word accesses anywhere, byte accesses only in
     * the device config, size-aligned; then {@code virtio_mmio_vdevice_write}. False = the access faults.
     */
    @Override
    public boolean write(long offset, int size, long value) {
        if (!attached || (offset & (size - 1)) != 0) {
            return false;
        }
        boolean inConfig = offset >= CONFIG && offset <= CONFIG + CONFIG_BYTES - 1;
        if (size != 4 && !(size == 1 && inConfig)) {
            return false;
        }
        return frontendWrite((int) offset, (int) value, size);
    }

    /** virtio_mmio_vdevice_write. */
    private boolean frontendWrite(int offset, int val, int size) {
        switch (offset) {
            case DEVICE_FEATURES_SEL -> {
                if (Integer.compareUnsigned(val, 2) >= 0) {
                    return false;
                }
                setReg(DEVICE_FEATURES, devFeatures[val]);
            }
            case DRIVER_FEATURES -> drvFeatures[driverFeaturesSel] = val;
            case DRIVER_FEATURES_SEL -> {
                if (Integer.compareUnsigned(val, 2) >= 0) {
                    return false;
                }
                driverFeaturesSel = val;
            }
            case QUEUE_SEL -> {
                if (Integer.compareUnsigned(val, vqsNum) >= 0) {
                    return false;
                }
                queueSel = val;
                setReg(QUEUE_NUM_MAX, queues[val].numMax);
                setReg(QUEUE_READY, queues[val].ready);
            }
            case QUEUE_NUM -> selected().num = val;
            case QUEUE_READY -> {
                setReg(QUEUE_READY, val);
                selected().ready = val;
            }
            case QUEUE_NOTIFY -> {
                // util_bit(val): the model shifts a 64-bit one by val mod 64 (val ≥ 64 is undefined upstream)
                vqsBitmap |= 1L << val;
                reason |= REASON_NEW_BUFFER;
                frontendSource.assertLevel();
            }
            case INTERRUPT_ACK -> setReg(INTERRUPT_STATUS, reg(INTERRUPT_STATUS) & ~val);
            case STATUS -> writeStatus(val);
            case QUEUE_DESC_LOW -> selected().desc = low(selected().desc, val);
            case QUEUE_DESC_HIGH -> selected().desc = high(selected().desc, val);
            case QUEUE_DRIVER_LOW -> selected().driver = low(selected().driver, val);
            case QUEUE_DRIVER_HIGH -> selected().driver = high(selected().driver, val);
            case QUEUE_DEVICE_LOW -> selected().device = low(selected().device, val);
            case QUEUE_DEVICE_HIGH -> selected().device = high(selected().device, val);
            default -> {
                // virtio_mmio_device_config_write for the device type: virtio-input's handler
                if (input != null) {
                    return input.frontendWrite(me, offset, val, size);
                }
                // virtio_mmio_default_write (device type INVALID): bytes into the device config, else a fault
                if (offset < CONFIG || offset > CONFIG + CONFIG_BYTES - 1) {
                    return false;
                }
                byte[] b = new byte[size];
                for (int i = 0; i < size; i++) {
                    b[i] = (byte) (val >>> (8 * i));
                }
                me.hypWrite(offset, b);
            }
        }
        return true;
    }

    /**
     * virtio_mmio_write_status_reg: a non-zero value is stored and DRIVER_OK (else FAILED) newly set tells the
     * backend; the first zero before anything was set is ignored; a later zero is a reset request — DEVICE_NEEDS_RESET
     * set, every queue not ready, the backend told. Upstream the reset write is emulated only when the backend's
     * VIRQ was delivered edge-triggered ({@code virq_assert(...).r}); the model's VIRQ targets do not report that,
     * so the model always emulates it.
     */
    private void writeStatus(int val) {
        int old = reg(STATUS);
        if (val != 0) {
            setReg(STATUS, val);
            boolean tell = false;
            if ((old & STATUS_DRIVER_OK) == 0 && (val & STATUS_DRIVER_OK) != 0) {
                reason |= REASON_DRIVER_OK;
                tell = true;
            } else if ((old & STATUS_FAILED) == 0 && (val & STATUS_FAILED) != 0) {
                reason |= REASON_FAILED;
                tell = true;
            }
            if (tell) {
                frontendSource.assertLevel();
            }
        } else if (old != 0) {
            setReg(STATUS, old | STATUS_DEVICE_NEEDS_RESET);
            reason |= REASON_RESET_RQST;
            for (Queue q : queues) {
                q.ready = 0;
            }
            setReg(QUEUE_READY, 0);
            frontendSource.assertLevel();
        }
    }

    private Queue selected() {
        return queues[queueSel];
    }

    private static long low(long was, int val) {
        return (was & 0xFFFFFFFF00000000L) | (val & 0xFFFFFFFFL);
    }

    private static long high(long was, int val) {
        return (was & 0xFFFFFFFFL) | ((long) val << 32);
    }

    private int reg(int offset) {
        byte[] b = me.hypRead(offset, 4);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | b[3] << 24;
    }

    private void setReg(int offset, int value) {
        me.hypWrite(
                offset, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
    }

    @Override
    protected String describeState() {
        StringBuilder sb = new StringBuilder(" me=").append(me).append(" vqs=").append(vqsNum);
        if (deviceType != 0) {
            sb.append(" type=").append(deviceType).append(input != null ? " " + input : "");
        }
        sb.append(" devfeat=").append(Integer.toHexString(devFeatures[0])).append(',');
        sb.append(Integer.toHexString(devFeatures[1])).append(" drvfeat=");
        sb.append(Integer.toHexString(drvFeatures[0])).append(',').append(Integer.toHexString(drvFeatures[1]));
        sb.append(" sel=").append(driverFeaturesSel).append('/').append(queueSel);
        sb.append(" notify=").append(Long.toHexString(vqsBitmap)).append('/').append(Long.toHexString(reason));
        sb.append(" queues=").append(java.util.Arrays.toString(queues));
        if (attached) {
            sb.append(" status=").append(Integer.toHexString(reg(STATUS)));
            sb.append(" isr=").append(Integer.toHexString(reg(INTERRUPT_STATUS)));
        }
        return sb.append(" be=")
                .append(backendSource)
                .append(" fe=")
                .append(frontendSource)
                .toString();
    }
}
