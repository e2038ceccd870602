package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;

/**
 * The two ways a guest names a hypercall (§1.1, §1.2) and the calls that answer without any object:
 * {@code hypervisor_identify} and the SMCCC vendor-hyp/arch service calls.
 */
public final class Abi {
    /** Native form: {@code hvc #(0x6000 + number)}; the range 0x6000..0x61FF is reserved for Gunyah. */
    public static final int HVC_BASE = 0x6000;

    static final int HVC_LAST = 0x61FF;
    /** SMCCC form of a Gunyah hypercall: fast, SMC64, owner VENDOR_HYP, class 0b10 → 0xC6008000 + number. */
    public static final int SMCCC_HYPERCALL_BASE = 0xC6008000;

    public static final int IDENTIFY = 0x00;
    /** SMCCC_UNKNOWN in X0. */
    public static final long SMCCC_UNKNOWN = -1L;

    static final int OWNER_ARCH = 0;
    static final int OWNER_STANDARD = 4;
    static final int OWNER_VENDOR_HYP = 6;
    static final int SMCCC_VERSION_1_3 = 0x10003;
    static final int FN_VENDOR_CALL_COUNT = 0x8600FF00;
    static final int FN_VENDOR_CALL_UID = 0x8600FF01;
    static final int FN_VENDOR_REVISION = 0x8600FF03;
    static final int FN_SMCCC_VERSION = 0x80000000;
    /** UUID c1d58fcd-a453-5fdb-9265-ce36673d5f14 as the four X0..X3 words CALL_UID returns. */
    static final long[] VENDOR_UID = {0xcd8fd5c1L, 0xdb5f53a4L, 0x36ce6592L, 0x145f3d67L};

    /**
     * hyp_api_info: API version 1 (13:0), 64-bit (bit 15), little-endian, variant in 63:56. The doc gives
     * variant 0x48; the code's default build says 0x51 (QUALCOMM). We follow the code (§0).
     */
    public static final long API_INFO = 1L | 1L << 15 | 0x51L << 56;
    /**
     * api_flags0: only what this model implements — bit 0 partition+cspace, 1 doorbell, 2 msgqueue, 3 vic/virq,
     * 4 vpm, 5 vcpu, 6 memextent, 7 trace_ctrl, 9 virtio_mmio, 10 prng, 11 vcpu_run; scheduler variant 1 (FPRR) in
     * 31:28. Not watchdog (8).
     */
    public static final long API_FLAGS0 =
            0x7L | 1L << 3 | 1L << 4 | 1L << 5 | 1L << 6 | 1L << 7 | 1L << 9 | 1L << 10 | 1L << 11 | 1L << 28;

    private Abi() {}

    /** The call number of a native immediate, or -1 when the immediate is not a Gunyah hypercall. */
    public static int nativeNumber(int immediate) {
        if (immediate < HVC_BASE || immediate > HVC_LAST) {
            return -1;
        }
        int n = immediate - HVC_BASE;
        return n < HypercallTable.HYPERCALL_NUM ? n : -1;
    }

    public static void install(HypercallTable t) {
        t.define(
                IDENTIFY,
                "hypervisor_identify",
                HypercallTable.Reserved.NONE,
                (ctx, in) -> HvcResult.raw(API_INFO, API_FLAGS0, 0, 0));
    }

    /**
     * An SMCCC call ({@code hvc #0}/{@code smc #0}, function ID in W0): a Gunyah hypercall runs from the table
     * with inputs shifted by one register; the few service calls answer here; anything else is SMCCC_UNKNOWN.
     */
    public static HvcResult smccc(HypercallTable table, CallContext ctx, HvcArgs regs) {
        int fid = (int) regs.x0();
        boolean fast = (fid & 0x8000_0000) != 0;
        boolean smc64 = (fid & 0x4000_0000) != 0;
        int owner = fid >>> 24 & 0x3F;
        int function = fid & 0xFFFF;
        if ((fid >>> 17 & 0x7F) != 0) {
            return unknown();
        }
        if (owner == OWNER_VENDOR_HYP && function >>> 14 == 0b10) {
            int n = function & 0x3FFF;
            if (!fast || !smc64 || n >= HypercallTable.HYPERCALL_NUM) {
                return unknown();
            }
            return table.invoke(n, ctx, regs.shifted());
        }
        if (owner == OWNER_STANDARD && table.standardService() != null) {
            return table.standardService().call(ctx, regs); // PSCI ([HYP] smccc_call_fast_*_standard events)
        }
        return switch (fid) {
            case FN_VENDOR_CALL_UID -> HvcResult.raw(VENDOR_UID[0], VENDOR_UID[1], VENDOR_UID[2], VENDOR_UID[3]);
            case FN_VENDOR_REVISION -> HvcResult.raw(API_INFO, 0, 0, 0);
            case FN_SMCCC_VERSION -> HvcResult.raw(SMCCC_VERSION_1_3, 0, 0, 0);
            default -> unknown(); // FN_VENDOR_CALL_COUNT is deprecated and answers unknown too
        };
    }

    private static HvcResult unknown() {
        return HvcResult.raw(SMCCC_UNKNOWN, 0, 0, 0);
    }
}
