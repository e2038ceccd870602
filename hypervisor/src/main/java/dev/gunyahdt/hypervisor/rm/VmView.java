package dev.gunyahdt.hypervisor.rm;

import java.util.Optional;

/**
 * A VM as the RM reports it after (or during) a run: name, VMID, state, and the three blobs of DESIGN.md §4.2 —
 * the base DTB it was configured with, the overlay it generated, and the merged DTB the guest booted with (empty
 * until VM_START got that far).
 */
public record VmView(
        String name,
        int vmid,
        boolean primary,
        VmState state,
        Optional<byte[]> baseDtb,
        Optional<byte[]> overlay,
        Optional<byte[]> guestDtb) {}
