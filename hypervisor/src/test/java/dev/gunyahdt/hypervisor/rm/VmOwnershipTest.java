package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import org.junit.jupiter.api.Test;

/**
 * The VM-management calls that take a target VM look it up first ([RM] vm_lookup): an unknown VMID is VMID_INVALID,
 * but HLOS (3) and the RM's own vm_t (255) exist and are owned by the RM (vm_mgnt_init), so a client naming them gets
 * the call's "not the owner" answer — DENIED for VM_CONFIG_IMAGE, VM_INIT and VM_START.
 */
class VmOwnershipTest {
    @Test
    void theRmAndHlosAreFoundButNotOwnedByAnyClient() {
        RmSession s = new RmSession();
        for (MessageId id : new MessageId[] {MessageId.VM_INIT, MessageId.VM_START}) {
            s.refused(RmError.DENIED, id, RmSession.vmid(ResourceManager.VMID_HLOS));
            s.refused(RmError.DENIED, id, RmSession.vmid(ResourceManager.VMID_RM));
            s.refused(RmError.VMID_INVALID, id, RmSession.vmid(0x99));
        }
    }
}
