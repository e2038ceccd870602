package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.config.RmVmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmInit;
import dev.gunyahdt.hypervisor.rm.overlay.QueuePair;
import dev.gunyahdt.hypervisor.rm.rpc.RmLink;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/** Everything the RM holds about one VM (its {@code vm_t} + {@code vm_config_t}). Mutable, RM-internal. */
final class RmVm {
    final int vmid;
    final int owner;
    final boolean primary;
    String name;
    VmState state = VmState.NONE;
    int osState;
    int appStatus;

    /** The RM's master caps: the VM's cspace and VIC; every other master cap made for it, to delete at reset. */
    long cspaceCap = -1;

    long vicCap = -1;
    final List<Long> masterCaps = new ArrayList<>();
    /** The VM's stage-2 address space, the extent holding its RAM (derived from the RM's), its RAM's place. */
    long addrspaceCap = -1;

    long ramExtent = -1;
    Ram ram;
    /**
     * Memory the VM holds in its own IPA space and may lend, share or donate (vm_memory_lookup's answer): its RAM,
     * and for the primary the host memory the RM gave it at boot (its secondaries' RAM, shm and device memory).
     */
    final List<Held> held = new ArrayList<>();
    /** VM_CONFIG_IMAGE's memparcel (the VM's memory, the image and DT in it) and its size ({@code mem_mp_handle}). */
    int memParcel = -1;

    long memSize;
    /** VM_CONFIG_IMAGE's auth type (vm_auth_type_t: 0 none, 1 platform, 2 android). */
    int authType;
    /**
     * VM_SET_FIRMWARE_MEM's firmware region: memparcel, offset, size (0: none). Like vm_reset_handle_cleanup, VM_RESET
     * leaves them.
     */
    int fwParcel;

    long fwOffset;
    long fwSize;
    /** Its vCPUs in index order; the boot vCPU first. */
    final List<VcpuSlot> vcpus = new ArrayList<>();

    VirqAllocator virqs = new VirqAllocator(VirqAllocator.VM_BASE);

    String blobName;
    byte[] baseDtb;
    VmConfig config;
    /** The real RM's parse of the config (VM_INIT): shm and iomem labels for accepting memparcels. */
    RmVmConfig rmConfig;

    /** RM-RPC: the VM's view, and the RM's side of the link. */
    QueuePair rpcView;

    RpcEndpoint rmEndpoint;
    RmLink link;

    boolean hasConsole;
    boolean selfOpened;
    boolean ownerOpened;

    final Set<Integer> peers = new TreeSet<>();
    /** This VM's side of every vdevice, in creation order (including owner-side halves of peer-default ones). */
    final List<Side> sides = new ArrayList<>();

    /** Where VM_INIT's rules placed each virtio-mmio register page (frontend and HLOS IPAs), in config order. */
    List<VmInit.VirtioPlacement> virtioPlacements = List.of();
    /** Where VM_INIT placed the vGIC, and whether the overlay patches the GIC node (null before VM_INIT). */
    VmInit.VgicPlacement vgic;

    byte[] dtbo;
    byte[] guestDtb;
    /** VM_GET_ID's name, URI and GUID (set at VM_INIT, cleared at VM_RESET) and the crash message it left. */
    String idName = "";

    String idUri = "";
    byte[] idGuid = new byte[VmIdentity.GUID_LEN];
    byte[] crashMsg = new byte[0];

    /** A VM's RAM: [ipa, ipa+size) in its addrspace, backed by physical [pa, pa+size). */
    record Ram(long ipa, long pa, long size) {
        boolean contains(long at, long len) {
            return len >= 0 && at >= ipa && at - ipa <= size - len;
        }

        long pa(long at) {
            return pa + (at - ipa);
        }
    }

    /** [ipa, ipa+size) of the VM's IPA space backed by {@code extent} at physical {@code pa}; memType 0 RAM, 1 IO. */
    record Held(long ipa, long pa, long size, long extent, int memType) {
        boolean holds(long at) {
            return at >= ipa && at - ipa < size;
        }
    }

    /**
     * One vCPU (§5.4): the RM's master cap, the owner's copy (AFFINITY|YIELD_TO; the master for the primary, whose
     * owner is the RM), its VIRTUAL_CPU label, the proxy wakeup VIRQ in the owner's VIC (-1: not proxy) and the
     * HALT VIRQ in the RM's; for a VM without a VPM group, the VM's own POWER cap to it (any 64-bit value; empty for a
     * PSCI VM) and its CPU node.
     */
    record VcpuSlot(
            long master, long ownerCap, int label, int wakeupVirq, int haltVirq, OptionalLong vmCap, String cpuPath) {}

    RmVm(int vmid, int owner, boolean primary, String name) {
        this.vmid = vmid;
        this.owner = owner;
        this.primary = primary;
        this.name = name;
    }

    @Override
    public String toString() {
        return name + " (vmid 0x" + Integer.toHexString(vmid) + ")";
    }
}
