package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.RmSession.SVM1;
import static dev.gunyahdt.hypervisor.rm.RmSession.SVM1_RAM;
import static dev.gunyahdt.hypervisor.rm.RmSession.SVM2;
import static dev.gunyahdt.hypervisor.rm.RmSession.SVM_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import org.junit.jupiter.api.Test;

/**
 * VM firmware as vm_firmware.c and vm_mgnt.c answer it: FW_SET_VM_FIRMWARE (the primary, before FW_MILESTONE, the
 * ANDROID auth type only, a parcel donated to the RM with exactly {RM, RWX}, offset 0, once: BUSY), FW_MILESTONE
 * (once), VM_SET_FIRMWARE_MEM (refusals with the hypervisor error ARGUMENT_INVALID after the error word), and
 * VM_START of an ANDROID VM (vm_firmware_vm_start: DENIED before the milestone, NORESOURCE without an image,
 * MEM_INVALID when the image does not fit the VM's firmware region; with a region set, loading is not modelled).
 */
class VmFirmwareRpcTest {
    private static final int RM = 255;
    private static final int ANDROID = 2;
    private static final long FW = 0x7000_0000L; // hlos RAM it donates to the RM as the firmware image
    private static final byte[] HYP_ARGUMENT_INVALID = Wire.writer().u32(1).build();

    private static byte[] setFirmware(int auth, int res0, int handle, long offset, long size) {
        return Wire.writer()
                .u16(auth)
                .u16(res0)
                .u32(handle)
                .u64(offset)
                .u64(size)
                .build();
    }

    private static byte[] firmwareMem(int vmid, int res0, int handle, long offset, long size) {
        return Wire.writer()
                .u16(vmid)
                .u16(res0)
                .u32(handle)
                .u64(offset)
                .u64(size)
                .build();
    }

    /** VM_SET_FIRMWARE_MEM refused: every refusal carries the hypervisor error ARGUMENT_INVALID. */
    private static void refusedMem(RmSession s, RpcClient client, RmError want, byte[] payload) {
        s.refused(client, want, MessageId.VM_SET_FIRMWARE_MEM, payload, HYP_ARGUMENT_INVALID);
    }

    /** hlos donates 64 KiB of its RAM to the RM and registers it as the ANDROID firmware. */
    private static void register(RmSession s) {
        int image = s.create(MessageId.MEM_DONATE, RM, FW, 0x10000);
        s.ok(MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, image, 0, 0x1000));
    }

    @Test
    void registeringTheFirmwareImage() {
        RmSession s = new RmSession();
        int image = s.create(MessageId.MEM_DONATE, RM, FW, 0x10000);
        s.refused(RmError.MSG_INVALID, MessageId.FW_SET_VM_FIRMWARE, new byte[23]);
        s.refused(RmError.UNIMPLEMENTED, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 1, image, 0, 0x1000));
        for (int auth : new int[] {0, 1, 3}) { // only ANDROID has firmware
            s.refused(RmError.ARGUMENT_INVALID, MessageId.FW_SET_VM_FIRMWARE, setFirmware(auth, 0, image, 0, 0x1000));
        }
        s.refused(RmError.HANDLE_INVALID, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, 999, 0, 0x1000));
        int notForRm = s.create(MessageId.MEM_LEND, SVM1, SVM1_RAM, 0x10000);
        s.refused(RmError.HANDLE_INVALID, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, notForRm, 0, 0x1000));
        s.refused(RmError.ARGUMENT_INVALID, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, image, 0, 0));
        s.refused(
                RmError.ARGUMENT_INVALID, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, image, 0x1000, 0x1000));
        s.refused(RmError.ARGUMENT_INVALID, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, image, 0, 0x10001));
        // memparcel_accept_rm_donation: a lend is not a donation; an attribute list differs from none
        int lent = s.create(MessageId.MEM_LEND, RM, FW + 0x10000, 0x1000);
        s.refused(RmError.ARGUMENT_INVALID, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, lent, 0, 0x1000));
        byte[] withAttr = Wire.writer()
                .u32(0)
                .u32(0)
                .u16(1)
                .u16(0)
                .u16(RM)
                .u8(7)
                .u8(0)
                .u16(1)
                .u16(0)
                .u64(FW + 0x20000)
                .u64(0x1000)
                .u16(1)
                .u16(0)
                .u16(0)
                .u16(RM)
                .build();
        int attributed = (int) new Wire.Reader(s.ok(MessageId.MEM_DONATE, withAttr)).u32();
        s.refused(
                RmError.VALIDATE_FAILED, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, attributed, 0, 0x1000));
        // the image: the RM takes the donation, the parcel is gone
        s.ok(MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, image, 0, 0x1000));
        assertTrue(s.rm.memparcels().stream().noneMatch(m -> m.handle() == image));
        s.refused(RmError.BUSY, MessageId.FW_SET_VM_FIRMWARE, setFirmware(ANDROID, 0, attributed, 0, 0x1000));
        // the milestone: no payload, once; registration closes
        s.refused(RmError.MSG_INVALID, MessageId.FW_MILESTONE, new byte[4]);
        s.ok(MessageId.FW_MILESTONE, new byte[0]);
        s.refused(RmError.DENIED, MessageId.FW_MILESTONE, new byte[0]);
        s.refused(RmError.DENIED, MessageId.FW_SET_VM_FIRMWARE, new byte[0]); // before the length
    }

    @Test
    void onlyThePrimaryRegistersFirmware() {
        RmSession s = new RmSession();
        s.configure(SVM1, 0);
        RpcClient svm1 = s.start(SVM1);
        s.refused(svm1, RmError.DENIED, MessageId.FW_MILESTONE, new byte[0], new byte[0]);
        s.refused(svm1, RmError.DENIED, MessageId.FW_SET_VM_FIRMWARE, new byte[24], new byte[0]);
        s.ok(MessageId.FW_MILESTONE, new byte[0]); // the refusals left it open
    }

    @Test
    void settingAVmsFirmwareRegion() {
        RmSession s = new RmSession();
        int svm1Image = s.configure(SVM1, 0);
        refusedMem(s, s.hlos, RmError.MSG_INVALID, new byte[20]);
        refusedMem(s, s.hlos, RmError.MSG_INVALID, firmwareMem(SVM1, 1, svm1Image, 0, 0x1000));
        refusedMem(s, s.hlos, RmError.NORESOURCE, firmwareMem(0x90, 0, svm1Image, 0, 0x1000));
        refusedMem(s, s.hlos, RmError.DENIED, firmwareMem(RM, 0, svm1Image, 0, 0x1000));
        // an unauthenticated VM has no firmware (vm_firmware_lookup)
        refusedMem(s, s.hlos, RmError.ARGUMENT_INVALID, firmwareMem(SVM1, 0, svm1Image, 0, 0x1000));
        RpcClient svm1 = s.start(SVM1);
        int image = s.configure(SVM2, ANDROID);
        refusedMem(s, svm1, RmError.DENIED, firmwareMem(SVM2, 0, image, 0, 0x1000));
        // no ANDROID firmware registered yet
        refusedMem(s, s.hlos, RmError.DENIED, firmwareMem(SVM2, 0, image, 0x10_0000, 0x10_0000));
        register(s);
        refusedMem(
                s,
                s.hlos,
                RmError.MEM_INVALID,
                firmwareMem(SVM2, 0, svm1Image, 0, 0x1000)); // svm1's parcel, not svm2's
        refusedMem(s, s.hlos, RmError.ARGUMENT_INVALID, firmwareMem(SVM2, 0, image, SVM_SIZE - 0x1000, 0x2000));
        refusedMem(
                s,
                s.hlos,
                RmError.ARGUMENT_INVALID,
                firmwareMem(SVM2, 0, image, -0x1000L, 0x2000)); // offset + size wraps
        s.ok(MessageId.VM_SET_FIRMWARE_MEM, firmwareMem(SVM2, 0, image, 0x10_0000, 0x10_0000));
        s.ok(MessageId.FW_MILESTONE, new byte[0]);
        s.ok(MessageId.VM_INIT, RmSession.vmid(SVM2));
        refusedMem(s, s.hlos, RmError.VM_STATE, firmwareMem(SVM2, 0, image, 0x10_0000, 0x10_0000)); // READY
        // the region is set: the real RM would accept it and copy the image in; the model says it cannot
        s.refused(RmError.UNIMPLEMENTED, MessageId.VM_START, RmSession.vmid(SVM2));
        assertEquals(VmState.INIT_FAILED, s.state(SVM2));
        assertTrue(s.rm.events().stream()
                .anyMatch(e -> e.kind() == RmEvent.Kind.FAILURE && e.text().contains("not modelled")));
    }

    /** VM_START of an ANDROID VM without a firmware region: vm_firmware_copy_to_vm's refusals, in order. */
    @Test
    void anAndroidVmNeedsItsFirmwareToStart() {
        RmSession beforeMilestone = new RmSession();
        register(beforeMilestone);
        assertStartRefused(beforeMilestone, RmError.DENIED);

        RmSession noImage = new RmSession();
        noImage.ok(MessageId.FW_MILESTONE, new byte[0]);
        assertStartRefused(noImage, RmError.NORESOURCE);

        RmSession noRegion = new RmSession();
        register(noRegion);
        noRegion.ok(MessageId.FW_MILESTONE, new byte[0]);
        assertStartRefused(noRegion, RmError.MEM_INVALID);
        // an unauthenticated VM next to it needs no firmware
        noRegion.configure(SVM2, 0);
        noRegion.start(SVM2);
        assertEquals(VmState.RUNNING, noRegion.state(SVM2));
    }

    private static void assertStartRefused(RmSession s, RmError want) {
        s.configure(SVM1, ANDROID);
        s.ok(MessageId.VM_INIT, RmSession.vmid(SVM1));
        s.refused(want, MessageId.VM_START, RmSession.vmid(SVM1));
        assertEquals(VmState.INIT_FAILED, s.state(SVM1));
    }
}
