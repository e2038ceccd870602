package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.RmSession.SVM1;
import static dev.gunyahdt.hypervisor.rm.RmSession.SVM2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import org.junit.jupiter.api.Test;

/**
 * VM_AUTH_IMAGE as vm_creation_handle_auth answers it: the primary only (DENIED), the length from the parameter count
 * (MSG_INVALID), the target (VMID_INVALID), the AUTH state only a PLATFORM image reaches (VM_STATE); on QEMU
 * platform_vm_auth accepts any parameters, so the VM goes AUTH -> INIT and VM_INIT builds it.
 */
class VmAuthImageTest {
    private static byte[] auth(int vmid, int... typeValue) {
        Wire.Writer w = Wire.writer().u16(vmid).u16(typeValue.length / 2);
        for (int v : typeValue) {
            w.u32(v);
        }
        return w.build();
    }

    @Test
    void aPlatformImageIsAcceptedAndGoesToInit() {
        RmSession s = new RmSession();
        s.configure(SVM1, 1);
        assertEquals(VmState.AUTH, s.state(SVM1));
        s.refused(RmError.VM_STATE, MessageId.VM_INIT, RmSession.vmid(SVM1)); // not authenticated yet
        s.ok(MessageId.VM_AUTH_IMAGE, auth(SVM1, 1, 0xAA, 2, 0xBB));
        assertEquals(VmState.INIT, s.state(SVM1));
        assertTrue(s.rm.events().stream()
                .anyMatch(e -> e.kind() == RmEvent.Kind.STATE && e.text().equals("AUTH -> INIT")));
        // vm_mgnt_send_state: NOTIFY_VM_STATUS {vmid, res0, vm state INIT, os state, app status} to the owner
        RpcMessage note = s.hlosNotes.get(s.hlosNotes.size() - 1);
        assertEquals(MessageId.NOTIFY_VM_STATUS.id(), note.messageId());
        assertArrayEquals(
                Wire.writer()
                        .u16(SVM1)
                        .u16(0)
                        .u8(VmState.INIT.code)
                        .u8(0)
                        .u16(0)
                        .build(),
                note.payload());
        s.refused(RmError.VM_STATE, MessageId.VM_AUTH_IMAGE, auth(SVM1)); // once
        s.start(SVM1);
        assertEquals(VmState.RUNNING, s.state(SVM1));
    }

    @Test
    void refusals() {
        RmSession s = new RmSession();
        s.refused(RmError.MSG_INVALID, MessageId.VM_AUTH_IMAGE, new byte[2]);
        s.refused(
                RmError.MSG_INVALID,
                MessageId.VM_AUTH_IMAGE,
                Wire.writer().u16(SVM1).u16(1).build());
        s.refused(
                RmError.MSG_INVALID,
                MessageId.VM_AUTH_IMAGE,
                Wire.writer().u16(SVM1).u16(0).u32(0).build());
        s.refused(RmError.VMID_INVALID, MessageId.VM_AUTH_IMAGE, auth(0x90));
        s.ok(MessageId.VM_ALLOCATE, RmSession.vmid(0));
        s.refused(RmError.VM_STATE, MessageId.VM_AUTH_IMAGE, auth(SVM1)); // LOAD
        s.ok(MessageId.VM_DEALLOCATE, RmSession.vmid(SVM1));
        s.configure(SVM1, 0); // an unauthenticated image goes straight to INIT
        s.refused(RmError.VM_STATE, MessageId.VM_AUTH_IMAGE, auth(SVM1));
        RpcClient svm1 = s.start(SVM1);
        s.configure(SVM2, 1);
        // the primary only, checked before anything else
        s.refused(svm1, RmError.DENIED, MessageId.VM_AUTH_IMAGE, auth(SVM2), new byte[0]);
        s.refused(svm1, RmError.DENIED, MessageId.VM_AUTH_IMAGE, new byte[1], new byte[0]);
        assertEquals(VmState.AUTH, s.state(SVM2));
    }
}
