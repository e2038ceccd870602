package dev.gunyahdt.hypervisor.hypercall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import org.junit.jupiter.api.Test;

/** Decoding of the two call forms (§1.1, §1.2), reserved inputs, and the ABI-level calls. */
class DispatchTest {
    final Fixture f = new Fixture(1);

    @Test
    void identifyNativeGivesApiInfoAndFlags() {
        HvcResult r = f.hv.hvc(f.root, 0x6000, HvcArgs.of());
        assertEquals(0x5100_0000_0000_8001L, r.x0()); // version 1, 64-bit, variant 0x51 (code, not doc's 0x48)
        // partition+cspace, doorbell, msgqueue, vic, vpm, vcpu, memextent, trace_ctrl, virtio_mmio, prng, vcpu_run;
        // scheduler FPRR
        assertEquals(0x1000_0EFFL, r.x1());
        assertEquals(0, r.x2());
        assertEquals(0, r.x3());
    }

    @Test
    void identifyThroughSmcccFunctionId() {
        HvcResult r = f.hv.hvc(f.root, 0, HvcArgs.of(0xC6008000L));
        assertEquals(Abi.API_INFO, r.x0());
        assertEquals(Abi.API_FLAGS0, r.x1());
        assertEquals(r, f.hv.smc(f.root, HvcArgs.of(0xC6008000L)));
    }

    @Test
    void smcccShiftsInputsByOneRegister() {
        long q = f.newMsgQueue(4, 16);
        GuestMemory mem = f.root.memory();
        mem.write(0x100, new byte[] {1, 2, 3});
        // msgqueue_send = 0xC600801B; inputs msgq, size, buf, flags, res0 come from X1..X5.
        HvcResult r = f.hv.smc(f.root, HvcArgs.of(0xC600801BL, q, 3, 0x100, 0, 0));
        assertEquals(HypError.OK, r.error());
        assertEquals(1, r.x1());
        HvcResult rx = f.hv.hvc(f.root, 0, HvcArgs.of(0xC600801CL, q, 0x200, 16, 0));
        assertEquals(HypError.OK, rx.error());
        assertEquals(3, rx.x1());
        assertArrayEquals(new byte[] {1, 2, 3}, mem.read(0x200, 3));
    }

    @Test
    void smcccGunyahClassMustBeFastAndSmc64() {
        assertEquals(-1, f.hv.smc(f.root, HvcArgs.of(0x86008000L)).x0()); // fast, SMC32
        assertEquals(-1, f.hv.smc(f.root, HvcArgs.of(0x46008000L)).x0()); // yielding, SMC64
        assertEquals(-1, f.hv.smc(f.root, HvcArgs.of(0xC6008000L | 1L << 17)).x0()); // bits 23:17 set
        assertEquals(-1, f.hv.smc(f.root, HvcArgs.of(0xC6008000L + 0x69)).x0()); // beyond the table
    }

    @Test
    void smcccServiceCalls() {
        HvcResult uid = f.hv.smc(f.root, HvcArgs.of(0x8600FF01L));
        assertArrayEquals(
                new long[] {0xcd8fd5c1L, 0xdb5f53a4L, 0x36ce6592L, 0x145f3d67L},
                new long[] {uid.x0(), uid.x1(), uid.x2(), uid.x3()});
        assertEquals(Abi.API_INFO, f.hv.smc(f.root, HvcArgs.of(0x8600FF03L)).x0());
        assertEquals(-1, f.hv.smc(f.root, HvcArgs.of(0x8600FF00L)).x0()); // CALL_COUNT: deprecated
        assertEquals(0x10003, f.hv.smc(f.root, HvcArgs.of(0x80000000L)).x0());
        assertEquals(-1, f.hv.smc(f.root, HvcArgs.of(0x84000000L)).x0()); // PSCI: not modelled
    }

    @Test
    void undefinedNumbersInRangeAreUnimplemented() {
        assertEquals(
                HypError.UNIMPLEMENTED, f.hv.hvc(f.root, 0x6008, HvcArgs.of()).error());
        for (int n : Unbuilt.all().keySet()) { // the defined numbers the model does not build
            assertEquals(
                    HypError.UNIMPLEMENTED,
                    f.hv.hvc(f.root, 0x6000 + n, HvcArgs.of()).error());
        }
        assertEquals(
                HypError.UNIMPLEMENTED, f.hv.hvc(f.root, 0x6069, HvcArgs.of()).error());
        assertEquals(
                HypError.UNIMPLEMENTED, f.hv.hvc(f.root, 0x1234, HvcArgs.of()).error());
    }

    @Test
    void reservedInputsAreChecked() {
        long q = f.newMsgQueue(4, 16);
        // flush(msgq, res0): non-zero X1
        assertEquals(
                HypError.ARGUMENT_INVALID, f.call(MsgQueueCalls.FLUSH, q, 7).error());
        // configure_send(msgq, thres, holdoff, res1): X3 must be all ones
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(MsgQueueCalls.CONFIGURE_SEND, q, -1, -1, 0).error());
        assertEquals(
                HypError.OK, f.call(MsgQueueCalls.CONFIGURE_SEND, q, -1, -1, -1).error());
    }

    @Test
    void createPartitionIsUnimplementedWithInvalidCap() {
        HvcResult r = f.call(PartitionCalls.CREATE_PARTITION, f.hv.rootPartitionCap(), f.hv.rootCSpaceCap(), 0);
        assertEquals(HypError.UNIMPLEMENTED, r.error());
        assertEquals(-1, r.x1());
    }

    @Test
    void namesFollowTheReferenceTable() {
        assertEquals("msgqueue_send", f.hv.hypercallName(0x1B));
        assertEquals("doorbell_mask", f.hv.hypercallName(0x15));
        assertEquals("cspace_revoke_caps_from", f.hv.hypercallName(0x59));
        assertEquals(MsgQueueRights.SEND, 1);
    }
}
