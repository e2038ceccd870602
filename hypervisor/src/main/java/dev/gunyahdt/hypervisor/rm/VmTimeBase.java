package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;

/**
 * VM_SET_TIME_BASE (vm_mgnt_handle_set_time_base): sets the time base of a VM's virtual RTC. Every answer but OK is
 * rm_reply_error with a hypervisor error after the error word: ARGUMENT_INVALID for the request's own faults, the
 * vRTC's error once the VM is found.
 *
 * <p>On the QEMU platform no VM has a vRTC: platform_has_vrtc_support is false, so VM_INIT refuses a config that asks
 * for one (handle_rtc), and vm_config_vrtc_set_time_base answers DENIED for a VM without its cap (it never reaches
 * platform_rtc_set_time_base, which on QEMU answers UNIMPLEMENTED). So a request that passes the checks is answered
 * ARGUMENT_INVALID with DENIED, as the real RM on QEMU does.
 */
final class VmTimeBase {
    private final RmContext ctx;

    VmTimeBase(RmContext ctx) {
        this.ctx = ctx;
    }

    /** VMID u16 (0: the caller), u16 not read, time base u64, system timer reference u64. */
    byte[] set(RmVm caller, Wire.Reader in) {
        RmVm vm;
        try {
            in.exactly(20);
            int id = in.u16();
            vm = ctx.queryable(caller, id == 0 ? caller.vmid : id);
            if (vm.state != VmState.INIT && vm.state != VmState.READY) {
                throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
            }
        } catch (RmFailure f) {
            throw f.withData(hypError(HypError.ARGUMENT_INVALID));
        }
        throw new RmFailure(RmError.ARGUMENT_INVALID, vm + " has no vRTC (none on the QEMU platform)")
                .withData(hypError(HypError.DENIED));
    }

    private static byte[] hypError(HypError e) {
        return Wire.writer().u32(e.code()).build();
    }
}
