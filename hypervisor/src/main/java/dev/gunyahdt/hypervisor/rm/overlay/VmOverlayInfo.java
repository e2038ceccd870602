package dev.gunyahdt.hypervisor.rm.overlay;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the RM knows about one VM when it builds that VM's overlay (reference §10): identity from
 * the VM config (§9.1), the RM-RPC queue pair as the VM sees it, and the exported vdevices in the
 * RM's vdevice-list order. The RM will fill it from its real objects.
 *
 * @param vmid          the VM's VMID
 * @param ownerVmid     the owner's VMID (secondary VMs only; ignored for the primary)
 * @param imageName     {@code image-name} (secondary VMs only; required there, under 80 chars)
 * @param uri           {@code vm-uri}, under 80 chars
 * @param guid          {@code vm-guid}, 8-4-4-4-12 hex digits, any case (emitted in lower case)
 * @param primary       true for the primary VM (HLOS), which gets the §10.5 variant
 * @param rmRpcGenerate the RM-RPC vdevice's {@code generate} path (secondary VMs)
 * @param rmRpcPushCompatibles the RM-RPC vdevice's push-compatibles (at most 3)
 * @param rmRpc         the RM-RPC queue pair
 * @param vdevices      the other exported vdevices, in the RM's vdevice-list order
 * @param layout        memory, buffers, seed and base facts for the fragments before {@code /hypervisor}
 *                      (secondary VMs); empty: those fragments are left out (unit tests of the /hypervisor part)
 */
public record VmOverlayInfo(
        long vmid,
        long ownerVmid,
        String imageName,
        Optional<String> uri,
        Optional<String> guid,
        boolean primary,
        String rmRpcGenerate,
        List<String> rmRpcPushCompatibles,
        QueuePair rmRpc,
        List<Vdevice> vdevices,
        Optional<GuestLayout> layout) {

    /** Without a layout: only the {@code /hypervisor} and vdevice fragments. */
    public VmOverlayInfo(
            long vmid,
            long ownerVmid,
            String imageName,
            Optional<String> uri,
            Optional<String> guid,
            boolean primary,
            String rmRpcGenerate,
            List<String> rmRpcPushCompatibles,
            QueuePair rmRpc,
            List<Vdevice> vdevices) {
        this(
                vmid,
                ownerVmid,
                imageName,
                uri,
                guid,
                primary,
                rmRpcGenerate,
                rmRpcPushCompatibles,
                rmRpc,
                vdevices,
                Optional.empty());
    }

    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    public VmOverlayInfo {
        rmRpcPushCompatibles = List.copyOf(rmRpcPushCompatibles);
        vdevices = List.copyOf(vdevices);
        if (rmRpc == null) {
            throw new IllegalArgumentException("every VM has an RM-RPC queue pair");
        }
        if (rmRpcPushCompatibles.size() > 3) {
            // §9.5: at most 6 compatibles in all, and RM-RPC adds 3 of its own
            throw new IllegalArgumentException("RM-RPC allows at most 3 push-compatibles");
        }
        if (!primary) {
            if (imageName == null || imageName.isEmpty() || imageName.length() >= 80) {
                throw new IllegalArgumentException("image-name is required and must be under 80 characters");
            }
            if (rmRpcGenerate == null || !rmRpcGenerate.startsWith("/") || rmRpcGenerate.endsWith("/")) {
                throw new IllegalArgumentException("the RM-RPC vdevice needs an absolute generate path");
            }
        } else if (!vdevices.isEmpty()) {
            // §10.5 describes the primary overlay as one fragment; its vdevices are not covered
            throw new IllegalArgumentException("vdevices of the primary VM are not supported");
        }
        if (primary && layout.isPresent()) {
            throw new IllegalArgumentException("the primary VM's overlay has no memory fragments (§10.5)");
        }
        for (Vdevice d : vdevices) {
            if (d instanceof Vdevice.SharedMemory m
                    && (layout.isEmpty() || layout.get().buffers().stream().noneMatch(b -> b.label() == m.label()))) {
                throw new IllegalArgumentException(
                        "shm " + m.generate() + ": no shared buffer with label " + m.label());
            }
        }
        if (uri.isPresent() && uri.get().length() >= 80) {
            throw new IllegalArgumentException("vm-uri must be under 80 characters");
        }
        if (guid.isPresent() && !GUID.matcher(guid.get()).matches()) {
            throw new IllegalArgumentException("vm-guid must be xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: " + guid.get());
        }
    }

    /** This VM with the memory fragments of {@code l}. */
    public VmOverlayInfo withLayout(GuestLayout l) {
        return new VmOverlayInfo(
                vmid,
                ownerVmid,
                imageName,
                uri,
                guid,
                primary,
                rmRpcGenerate,
                rmRpcPushCompatibles,
                rmRpc,
                vdevices,
                Optional.of(l));
    }

    /** A secondary VM with no URI, GUID or push-compatibles. */
    public static VmOverlayInfo secondary(
            long vmid,
            long ownerVmid,
            String imageName,
            String rmRpcGenerate,
            QueuePair rmRpc,
            List<Vdevice> vdevices) {
        return new VmOverlayInfo(
                vmid,
                ownerVmid,
                imageName,
                Optional.empty(),
                Optional.empty(),
                false,
                rmRpcGenerate,
                List.of(),
                rmRpc,
                vdevices);
    }

    /** The primary VM (HLOS, VMID 3 in the RM): only its RM-RPC link. */
    public static VmOverlayInfo primary(long vmid, QueuePair rmRpc) {
        return new VmOverlayInfo(
                vmid, 0, null, Optional.empty(), Optional.empty(), true, null, List.of(), rmRpc, List.of());
    }
}
