package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_HLOS;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_RM;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.List;

/**
 * VM firmware (vm_firmware.c): until the primary declares FW_MILESTONE it may register, once per auth type that has
 * firmware, the firmware image donated to the RM (FW_SET_VM_FIRMWARE); an owner places a VM's firmware region in a
 * memparcel lent to that VM (VM_SET_FIRMWARE_MEM, vm_mgnt.c); VM_START of a VM whose auth type needs firmware
 * checks all three (vm_firmware_vm_start).
 *
 * <p>Only {@code VM_AUTH_TYPE_ANDROID} has firmware (vm_firmware_lookup's table), and it is mandatory. What the model
 * does not do: read the firmware region's IPA configuration (firmware-address, firmware-size-max) at VM_INIT, accept
 * a firmware memparcel into the VM, copy the image there and enter it with X1/X2 (vm_firmware_vm_start_android):
 * VM_START of such a VM that passes every check the model makes is answered UNIMPLEMENTED and says so.
 */
final class VmFirmware {
    static final int AUTH_NONE = 0;
    static final int AUTH_PLATFORM = 1;
    static final int AUTH_ANDROID = 2;

    private final RmContext ctx;
    private final Memparcels memparcels;
    /** vm_firmware_loading_disabled: set by FW_MILESTONE, never cleared. */
    private boolean loadingDisabled;
    /** The ANDROID firmware image once registered: {RM address, size} of each region of the donated parcel. */
    private List<long[]> androidImage;

    VmFirmware(RmContext ctx, Memparcels memparcels) {
        this.ctx = ctx;
        this.memparcels = memparcels;
    }

    /** vm_firmware_handle_milestone: the primary closes firmware registration; no payload. */
    byte[] milestone(RmVm caller, Wire.Reader in) {
        primaryWhileLoading(caller, "FW_MILESTONE");
        in.exactly(0);
        loadingDisabled = true;
        ctx.note(caller.name, "FW_MILESTONE: firmware registration closed");
        return new byte[0];
    }

    /**
     * vm_firmware_handle_set_vm_firmware: auth type u16, res0 u16, memparcel handle u32, image offset u64, image
     * size u64 (fw_set_vm_firmware_req_t); then vm_firmware_set.
     */
    byte[] setVmFirmware(RmVm caller, Wire.Reader in) {
        primaryWhileLoading(caller, "FW_SET_VM_FIRMWARE");
        in.exactly(24);
        int auth = in.u16();
        if (in.u16() != 0) {
            throw new RmFailure(RmError.UNIMPLEMENTED, "FW_SET_VM_FIRMWARE: res0 is not zero");
        }
        int handle = (int) in.u32();
        long offset = in.u64();
        long size = in.u64();
        if (auth != AUTH_ANDROID) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "auth type " + auth + " has no firmware");
        }
        if (androidImage != null) {
            throw new RmFailure(RmError.BUSY, "the firmware of auth type " + auth + " is already set");
        }
        Memparcel mp = memparcels
                .get(handle)
                .filter(m -> m.grants(VMID_RM))
                .orElseThrow(() -> new RmFailure(RmError.HANDLE_INVALID, "no memparcel " + handle + " for the RM"));
        // nonzero offsets are refused: the rest of the parcel could not be used for anything else
        if (size == 0 || offset != 0 || Long.compareUnsigned(size, mp.size()) > 0) {
            throw new RmFailure(
                    RmError.ARGUMENT_INVALID,
                    "image range 0x" + Long.toHexString(offset) + "+0x" + Long.toHexString(size) + " in a parcel of 0x"
                            + Long.toHexString(mp.size()));
        }
        androidImage = memparcels.acceptRmDonation(handle);
        ctx.note(caller.name, "FW_SET_VM_FIRMWARE: ANDROID firmware is memparcel " + handle);
        return new byte[0];
    }

    private void primaryWhileLoading(RmVm caller, String what) {
        if (loadingDisabled) {
            throw new RmFailure(RmError.DENIED, what + " after FW_MILESTONE");
        }
        if (caller.vmid != VMID_HLOS) {
            throw new RmFailure(RmError.DENIED, what + " is for the primary VM only");
        }
    }

    /**
     * vm_mgnt_handle_set_firmware_mem: target u16, res0 u16, memparcel handle u32, offset u64, size u64
     * (vm_set_firmware_mem_t); then vm_firmware_vm_set_mem. Every refusal is answered by rm_reply_error with the
     * hypervisor error ARGUMENT_INVALID after the error word (the handler never changes it).
     */
    byte[] setFirmwareMem(RmVm caller, Wire.Reader in) {
        try {
            in.exactly(24);
            int target = in.u16();
            if (in.u16() != 0) {
                throw new RmFailure(RmError.MSG_INVALID, "VM_SET_FIRMWARE_MEM: res0 is not zero");
            }
            int handle = (int) in.u32();
            long offset = in.u64();
            long size = in.u64();
            RmVm vm = ctx.queryable(caller, target);
            if (vm.state != VmState.INIT) {
                throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
            }
            if (vm.authType != AUTH_ANDROID) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, vm + "'s auth type " + vm.authType + " has no firmware");
            }
            if (androidImage == null) {
                throw new RmFailure(RmError.DENIED, "no firmware registered for " + vm + "'s auth type");
            }
            Memparcel mp = memparcels
                    .get(handle)
                    .filter(m -> m.grants(vm.vmid))
                    .orElseThrow(() -> new RmFailure(RmError.MEM_INVALID, vm + " has no memparcel " + handle));
            long end = offset + size;
            if (Long.compareUnsigned(end, offset) < 0 || Long.compareUnsigned(end, mp.size()) > 0) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "firmware range beyond memparcel " + handle);
            }
            // the address-range tag check cannot fail on QEMU: vm_memory_get_phys_address_tag (platform/qemu)
            // answers VALID|NORMAL for every range, the same tag the VM's image memparcel got
            vm.fwParcel = handle;
            vm.fwOffset = offset;
            vm.fwSize = size;
            ctx.note(
                    vm.name,
                    "firmware region: memparcel " + handle + " at 0x" + Long.toHexString(offset) + "+0x"
                            + Long.toHexString(size));
            return new byte[0];
        } catch (RmFailure f) {
            throw f.withData(Wire.writer().u32(HypError.ARGUMENT_INVALID.code()).build());
        }
    }

    /**
     * vm_firmware_vm_start's part before the boot vCPU starts: a VM without firmware passes; an ANDROID VM needs it
     * (mandatory), and vm_firmware_copy_to_vm refuses before FW_MILESTONE, without a registered image, or when the
     * image is larger than the VM's firmware region. With a firmware region set the real RM has already checked and
     * accepted it (process_firmware_memparcel) and would copy the image: not modelled, refused UNIMPLEMENTED.
     */
    void checkStart(RmVm vm) {
        if (vm.authType != AUTH_ANDROID) {
            return;
        }
        if (vm.fwSize != 0) {
            throw new RmFailure(
                    RmError.UNIMPLEMENTED,
                    "loading firmware into a VM is not modelled (process_firmware_memparcel, vm_firmware_copy_to_vm)");
        }
        if (!loadingDisabled) {
            throw new RmFailure(RmError.DENIED, "firmware is loaded only after FW_MILESTONE");
        }
        if (androidImage == null) {
            throw new RmFailure(RmError.NORESOURCE, "no ANDROID firmware registered");
        }
        // fw_data->size is what the donation gave (the whole parcel), not the size FW_SET_VM_FIRMWARE named
        if (androidImage.stream().mapToLong(r -> r[1]).sum() > vm.fwSize) {
            throw new RmFailure(RmError.MEM_INVALID, "the firmware does not fit " + vm + "'s firmware region");
        }
    }
}
