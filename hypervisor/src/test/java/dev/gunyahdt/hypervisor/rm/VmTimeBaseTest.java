package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.RmSession.HLOS;
import static dev.gunyahdt.hypervisor.rm.RmSession.SVM1;
import static dev.gunyahdt.hypervisor.rm.RmSession.SVM2;

import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import org.junit.jupiter.api.Test;

/**
 * VM_SET_TIME_BASE as vm_mgnt_handle_set_time_base answers it on QEMU: every refusal carries a hypervisor error after
 * the error word, ARGUMENT_INVALID (1) for the request's faults, and a VM in INIT or READY that the caller may query
 * is ARGUMENT_INVALID with DENIED (30): no VM has a vRTC on the QEMU platform.
 */
class VmTimeBaseTest {
    private static final byte[] HYP_ARGUMENT_INVALID = Wire.writer().u32(1).build();
    private static final byte[] HYP_DENIED = Wire.writer().u32(30).build();

    private static byte[] timeBase(int vmid) {
        return Wire.writer()
                .u16(vmid)
                .u16(0)
                .u64(1_700_000_000L)
                .u64(0x1234_5678L)
                .build();
    }

    @Test
    void refusalsCarryTheHypervisorError() {
        RmSession s = new RmSession();
        s.refused(RmError.MSG_INVALID, MessageId.VM_SET_TIME_BASE, new byte[19], HYP_ARGUMENT_INVALID);
        s.refused(RmError.MSG_INVALID, MessageId.VM_SET_TIME_BASE, new byte[24], HYP_ARGUMENT_INVALID);
        s.refused(RmError.NORESOURCE, MessageId.VM_SET_TIME_BASE, timeBase(0x90), HYP_ARGUMENT_INVALID);
        // the RM's own vm_t exists, owned by itself, with no peers
        s.refused(RmError.DENIED, MessageId.VM_SET_TIME_BASE, timeBase(255), HYP_ARGUMENT_INVALID);
        // VMID 0 is the caller: hlos is RUNNING
        s.refused(RmError.VM_STATE, MessageId.VM_SET_TIME_BASE, timeBase(0), HYP_ARGUMENT_INVALID);
        s.refused(RmError.VM_STATE, MessageId.VM_SET_TIME_BASE, timeBase(HLOS), HYP_ARGUMENT_INVALID);
        s.ok(MessageId.VM_ALLOCATE, RmSession.vmid(0));
        s.refused(RmError.VM_STATE, MessageId.VM_SET_TIME_BASE, timeBase(SVM1), HYP_ARGUMENT_INVALID); // LOAD
    }

    @Test
    void aVmInInitOrReadyHasNoVrtcOnQemu() {
        RmSession s = new RmSession();
        s.configure(SVM1, 0);
        s.refused(RmError.ARGUMENT_INVALID, MessageId.VM_SET_TIME_BASE, timeBase(SVM1), HYP_DENIED); // INIT
        s.ok(MessageId.VM_INIT, RmSession.vmid(SVM1));
        s.refused(RmError.ARGUMENT_INVALID, MessageId.VM_SET_TIME_BASE, timeBase(SVM1), HYP_DENIED); // READY
        s.ok(MessageId.VM_START, RmSession.vmid(SVM1));
        s.refused(RmError.VM_STATE, MessageId.VM_SET_TIME_BASE, timeBase(SVM1), HYP_ARGUMENT_INVALID); // RUNNING
    }

    @Test
    void onlyTheVmItsOwnerAndItsPeersMayAsk() {
        RmSession s = new RmSession();
        s.configure(SVM1, 0);
        RpcClient svm1 = s.start(SVM1);
        s.configure(SVM2, 0); // in INIT, hlos's peer, not svm1's
        s.refused(svm1, RmError.DENIED, MessageId.VM_SET_TIME_BASE, timeBase(SVM2), HYP_ARGUMENT_INVALID);
        s.refused(svm1, RmError.VM_STATE, MessageId.VM_SET_TIME_BASE, timeBase(0), HYP_ARGUMENT_INVALID);
        s.refused(RmError.ARGUMENT_INVALID, MessageId.VM_SET_TIME_BASE, timeBase(SVM2), HYP_DENIED);
    }
}
