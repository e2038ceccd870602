package dev.gunyahdt.hypervisor.virtio;

import static dev.gunyahdt.hypervisor.virtio.VirtioMmioCalls.*;
import static dev.gunyahdt.hypervisor.virtio.VirtioMmioRegs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.VirtioMmioRights;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.memory.MemDb;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.memory.MemoryCalls;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vic.Vic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The virtio-mmio object and its hypercalls ([HYP] hyp/vm/virtio_mmio): configure and activation rules, every
 * backend call with its refusals, and the frontend's register writes emulated through its read-only mapping.
 */
class VirtioMmioTest {
    static final long PAGE = MemDb.PAGE;
    static final long FRAME = Hypervisor.DDR_BASE + 0x200_0000;
    static final long FE_IPA = 0x1000_0000L;
    static final long BE_IPA = 0x3000_0000L;
    static final int FE_VIRQ = 40; // in the frontend's VIC: raised by the backend
    static final int BE_VIRQ = 41; // in the backend's VIC: raised by the frontend

    final Fixture f = new Fixture(21);
    long me;
    long vio;
    long feVicCap;
    long beVicCap;
    Vic feVic;
    Vic beVic;
    AddrSpace fe;
    AddrSpace be;

    @BeforeEach
    void setUp() {
        me = Builders.extent(f, FRAME, PAGE, Builders.RW, MemExtent.BASIC);
        feVicCap = f.newVic();
        beVicCap = f.newVic();
        feVic = f.root.cspace().lookup(feVicCap, null, 0, false).as(Vic.class);
        beVic = f.root.cspace().lookup(beVicCap, null, 0, false).as(Vic.class);
        long feAs = Builders.addrspace(f, 45);
        long beAs = Builders.addrspace(f, 3);
        // create_virtio_mmio: read-only for the frontend, read-write for the backend, device memory
        f.ok(MemoryCalls.ADDRSPACE_MAP, feAs, me, FE_IPA, MemoryCalls.mapAttrs(4, 1), 0, 0, PAGE);
        f.ok(MemoryCalls.ADDRSPACE_MAP, beAs, me, BE_IPA, MemoryCalls.mapAttrs(6, 1), 0, 0, PAGE);
        fe = f.root.cspace().lookup(feAs, null, 0, false).as(AddrSpace.class);
        be = f.root.cspace().lookup(beAs, null, 0, false).as(AddrSpace.class);
        vio = f.create(PartitionCalls.CREATE_VIRTIO_MMIO);
    }

    private void activate(int vqs) {
        f.ok(CONFIGURE, vio, me, vqs, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, vio, 0);
        f.ok(BACKEND_BIND_VIRQ, vio, feVicCap, FE_VIRQ, 0);
        f.ok(FRONTEND_BIND_VIRQ, vio, beVicCap, BE_VIRQ, 0);
        // each guest's GIC set-up: lines are disabled and masked at reset
        for (Vic v : new Vic[] {feVic, beVic}) {
            v.setPriorityMask(0, 0xF0);
        }
        feVic.enable(0, FE_VIRQ, true);
        beVic.enable(0, BE_VIRQ, true);
    }

    private HypError err(int call, long... in) {
        return f.call(call, in).error();
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static int u32(byte[] b) {
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | b[3] << 24;
    }

    private boolean feWrite(int reg, int v) {
        return fe.write(FE_IPA + reg, le32(v));
    }

    private int feRead(int reg) {
        return u32(fe.read(FE_IPA + reg, 4));
    }

    @Test
    void partitionCreateGivesAnInitObjectWithEveryRight() {
        var l = f.root.cspace().lookup(vio, ObjectType.VIRTIO_MMIO, 0xF, false);
        assertTrue(l.ok());
        assertEquals(ObjectState.INIT, l.object().state());
    }

    @Test
    void configureChecksTheMemextentFirstThenTheObjectAndItsArguments() {
        // memextent looked up first (ACTIVE, ATTACH): a virtio cap there is the wrong type even with a bad object cap
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, err(CONFIGURE, 0x1234, vio, 1, 0, 0));
        long rx = f.ok(
                dev.gunyahdt.hypervisor.cspace.CSpaceCalls.COPY_CAP_FROM,
                f.hv.rootCSpaceCap(),
                me,
                f.hv.rootCSpaceCap(),
                0x1 /* MAP only */,
                0);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, err(CONFIGURE, vio, rx, 1, 0, 0));
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, err(CONFIGURE, me, me, 1, 0, 0));
        // one BASIC page, at most 16 queues, no device type the hypervisor does not know
        long two = Builders.extent(f, FRAME + 4 * PAGE, 2 * PAGE, Builders.RW, MemExtent.BASIC);
        assertEquals(HypError.ARGUMENT_INVALID, err(CONFIGURE, vio, two, 1, 0, 0));
        long sparse = Builders.extent(f, FRAME + 8 * PAGE, PAGE, Builders.RW, MemExtent.SPARSE);
        assertEquals(HypError.ARGUMENT_INVALID, err(CONFIGURE, vio, sparse, 1, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(CONFIGURE, vio, me, 17, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(CONFIGURE, vio, me, 1, FLAG_VALID_DEVICE_TYPE, 3));
        f.ok(CONFIGURE, vio, me, 16, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, vio, 0);
        assertEquals(HypError.OBJECT_STATE, err(CONFIGURE, vio, me, 1, 0, 0));
    }

    @Test
    void activationNeedsAMemextentAndOnePageHoldsOneDevice() {
        assertEquals(HypError.OBJECT_CONFIG, err(ObjectCalls.ACTIVATE, vio, 0));
        long other = f.create(PartitionCalls.CREATE_VIRTIO_MMIO);
        f.ok(CONFIGURE, other, me, 1, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, other, 0);
        long third = f.create(PartitionCalls.CREATE_VIRTIO_MMIO);
        f.ok(CONFIGURE, third, me, 1, 0, 0);
        // vdevice_attach_phys: the page already has a vdevice
        assertEquals(HypError.BUSY, err(ObjectCalls.ACTIVATE, third, 0));
    }

    @Test
    void backendCallsNeedAnActiveObjectAndTheirRights() {
        assertEquals(HypError.OBJECT_STATE, err(BACKEND_GET_NOTIFICATION, vio, 0));
        assertEquals(HypError.OBJECT_STATE, err(BACKEND_BIND_VIRQ, vio, feVicCap, FE_VIRQ, 0));
        activate(1);
        Fixture.Vm backend = f.newVm("backend");
        long cap = f.grant(backend, vio, VirtioMmioRights.CONFIG | VirtioMmioRights.ASSERT_VIRQ);
        assertEquals(
                HypError.OK,
                f.hv.call(backend.caller(), BACKEND_GET_NOTIFICATION, cap, 0).error());
        assertEquals(
                HypError.OK,
                f.hv.call(backend.caller(), BACKEND_ASSERT_VIRQ, cap, 1, 0).error());
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(backend.caller(), BACKEND_UNBIND_VIRQ, cap, 0).error());
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(backend.caller(), FRONTEND_UNBIND_VIRQ, cap, 0).error());
        long assertOnly = f.grant(backend, vio, VirtioMmioRights.ASSERT_VIRQ);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(backend.caller(), BACKEND_GET_QUEUE_INFO, assertOnly, 0, 0)
                        .error());
        // reserved inputs
        assertEquals(HypError.ARGUMENT_INVALID, err(BACKEND_GET_NOTIFICATION, vio, 1));
    }

    @Test
    void bindsFollowTheVirqSourceRules() {
        activate(1);
        assertEquals(HypError.VIRQ_BOUND, err(BACKEND_BIND_VIRQ, vio, feVicCap, 50, 0));
        f.ok(BACKEND_UNBIND_VIRQ, vio, 0);
        f.ok(BACKEND_UNBIND_VIRQ, vio, 0); // unbound already: OK
        long other = f.create(PartitionCalls.CREATE_VIRTIO_MMIO);
        long page = Builders.extent(f, FRAME + 16 * PAGE, PAGE, Builders.RW, MemExtent.BASIC);
        f.ok(CONFIGURE, other, page, 1, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, other, 0);
        assertEquals(HypError.BUSY, err(FRONTEND_BIND_VIRQ, other, beVicCap, BE_VIRQ, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(FRONTEND_BIND_VIRQ, other, beVicCap, 5, 0));
        f.ok(FRONTEND_BIND_VIRQ, other, beVicCap, 42, 0);
    }

    @Test
    void deviceFeaturesMustOfferVersion1AndAccessPlatformAndNotNotificationData() {
        activate(1);
        assertEquals(HypError.ARGUMENT_INVALID, err(BACKEND_SET_DEV_FEATURES, vio, 2, 0, 0));
        assertEquals(HypError.DENIED, err(BACKEND_SET_DEV_FEATURES, vio, 1, 0x1, 0));
        assertEquals(HypError.DENIED, err(BACKEND_SET_DEV_FEATURES, vio, 1, 0x2, 0));
        assertEquals(HypError.DENIED, err(BACKEND_SET_DEV_FEATURES, vio, 1, 0x43, 0));
        f.ok(BACKEND_SET_DEV_FEATURES, vio, 1, 0x3, 0);
        f.ok(BACKEND_SET_DEV_FEATURES, vio, 0, 0x40, 0); // word 0 is the backend's choice
        assertEquals(HypError.ARGUMENT_INVALID, err(BACKEND_SET_QUEUE_NUM_MAX, vio, 1, 8, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(BACKEND_GET_DRV_FEATURES, vio, 2, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(BACKEND_GET_QUEUE_INFO, vio, 1, 0));
    }

    @Test
    void theHandshakeThroughTheRegisterFrame() {
        activate(1);
        // the backend writes the identity registers straight into its read-write mapping
        assertTrue(be.write(BE_IPA + MAGIC_VALUE, le32(MAGIC)));
        assertTrue(be.write(BE_IPA + VERSION, le32(VERSION_MODERN)));
        assertTrue(be.write(BE_IPA + DEVICE_ID, le32(3)));
        f.ok(BACKEND_SET_DEV_FEATURES, vio, 1, 0x3, 0);
        f.ok(BACKEND_SET_QUEUE_NUM_MAX, vio, 0, 16, 0);
        // the frontend reads them through its read-only mapping; writing an identity register faults
        assertEquals(MAGIC, feRead(MAGIC_VALUE));
        assertEquals(3, feRead(DEVICE_ID));
        assertFalse(feWrite(MAGIC_VALUE, 0));
        assertEquals(MAGIC, feRead(MAGIC_VALUE));
        // features: the select write banks DeviceFeatures in; the driver's words are kept for the backend
        assertTrue(feWrite(DEVICE_FEATURES_SEL, 1));
        assertEquals(0x3, feRead(DEVICE_FEATURES));
        assertFalse(feWrite(DEVICE_FEATURES_SEL, 2));
        assertTrue(feWrite(DRIVER_FEATURES_SEL, 1));
        assertTrue(feWrite(DRIVER_FEATURES, 0x1));
        assertFalse(feWrite(DRIVER_FEATURES_SEL, 2));
        assertEquals(0x1, f.call(BACKEND_GET_DRV_FEATURES, vio, 1, 0).x1());
        assertTrue(feWrite(STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK));
        assertEquals(0, beVic.events().size()); // neither DRIVER_OK nor FAILED: the backend is not told
        // queue 0: the select write banks QueueNumMax in; queue 1 does not exist
        assertTrue(feWrite(QUEUE_SEL, 0));
        assertEquals(16, feRead(QUEUE_NUM_MAX));
        assertFalse(feWrite(QUEUE_SEL, 1));
        assertTrue(feWrite(QUEUE_NUM, 8));
        assertTrue(feWrite(QUEUE_DESC_LOW, 0x5000));
        assertTrue(feWrite(QUEUE_DESC_HIGH, 0x1));
        assertTrue(feWrite(QUEUE_DRIVER_LOW, 0x5080));
        assertTrue(feWrite(QUEUE_DEVICE_LOW, 0x5100));
        assertTrue(feWrite(QUEUE_READY, 1));
        assertEquals(1, feRead(QUEUE_READY));
        HvcResult q = f.call(BACKEND_GET_QUEUE_INFO, vio, 0, 0);
        assertEquals(HypError.OK, q.error());
        assertEquals(8, q.x1());
        assertEquals(1, q.x2());
        assertEquals(0x1_0000_5000L, q.x3());
        assertEquals(0x5080, q.x4());
        assertEquals(0x5100, q.x5());
        // DRIVER_OK raises the backend's VIRQ; get_notification says why and clears it
        assertTrue(feWrite(STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK));
        assertEquals(BE_VIRQ, beVic.acknowledge(0));
        HvcResult n = f.call(BACKEND_GET_NOTIFICATION, vio, 0);
        assertEquals(0, n.x1());
        assertEquals(REASON_DRIVER_OK, n.x2());
        beVic.endOfInterrupt(0, BE_VIRQ);
        assertEquals(Vic.SPURIOUS, beVic.acknowledge(0)); // the level re-check: no reason left
        // QueueNotify: the queue's bit and NEW_BUFFER
        assertTrue(feWrite(QUEUE_NOTIFY, 0));
        assertEquals(BE_VIRQ, beVic.acknowledge(0));
        n = f.call(BACKEND_GET_NOTIFICATION, vio, 0);
        assertEquals(1, n.x1());
        assertEquals(REASON_NEW_BUFFER, n.x2());
        beVic.endOfInterrupt(0, BE_VIRQ);
        // the backend answers: InterruptStatus |= used buffer, the frontend's VIRQ; ACK clears it and the line
        f.ok(BACKEND_ASSERT_VIRQ, vio, INT_USED_BUFFER, 0);
        assertEquals(INT_USED_BUFFER, feRead(INTERRUPT_STATUS));
        assertEquals(FE_VIRQ, feVic.acknowledge(0));
        assertTrue(feWrite(INTERRUPT_ACK, INT_USED_BUFFER));
        assertEquals(0, feRead(INTERRUPT_STATUS));
        feVic.endOfInterrupt(0, FE_VIRQ);
        assertEquals(Vic.SPURIOUS, feVic.acknowledge(0));
    }

    @Test
    void aZeroStatusAfterANonZeroOneIsAResetRequestUntilTheBackendAcknowledgesIt() {
        activate(2);
        assertTrue(feWrite(STATUS, 0)); // the first zero (status already 0): nothing
        assertEquals(0, f.call(BACKEND_GET_NOTIFICATION, vio, 0).x2());
        assertTrue(feWrite(QUEUE_SEL, 1));
        assertTrue(feWrite(QUEUE_READY, 1));
        assertTrue(feWrite(STATUS, STATUS_ACKNOWLEDGE));
        assertTrue(feWrite(STATUS, 0));
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DEVICE_NEEDS_RESET, feRead(STATUS));
        assertEquals(0, feRead(QUEUE_READY));
        assertEquals(0, f.call(BACKEND_GET_QUEUE_INFO, vio, 1, 0).x2());
        assertEquals(REASON_RESET_RQST, f.call(BACKEND_GET_NOTIFICATION, vio, 0).x2());
        assertEquals(HypError.DENIED, err(BACKEND_ASSERT_VIRQ, vio, 1, 0));
        f.ok(BACKEND_ACKNOWLEDGE_RESET, vio, 0);
        assertEquals(0, feRead(STATUS));
        f.ok(BACKEND_ASSERT_VIRQ, vio, 1, 0);
        f.ok(BACKEND_UPDATE_STATUS, vio, STATUS_FAILED, 0);
        assertEquals(STATUS_FAILED, feRead(STATUS));
    }

    @Test
    void onlyAlignedWordsAndConfigBytesAreEmulated() {
        activate(1);
        assertTrue(fe.write(FE_IPA + CONFIG + 3, new byte[] {0x5a}));
        assertArrayEquals(new byte[] {0x5a}, be.read(BE_IPA + CONFIG + 3, 1));
        assertTrue(feWrite(CONFIG + 8, 0x11223344));
        assertEquals(0x11223344, u32(be.read(BE_IPA + CONFIG + 8, 4)));
        assertFalse(fe.write(FE_IPA + STATUS, new byte[] {1})); // a byte outside the config
        assertFalse(fe.write(FE_IPA + STATUS + 2, le32(1))); // misaligned
        assertFalse(fe.write(FE_IPA + STATUS, new byte[] {1, 0})); // a halfword
        assertFalse(feWrite(VENDOR_ID, 1)); // a read-only register
    }
}
