package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.hypervisor.rm.ipa.VmIpaSpace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The real RM's table of VMs as VM_INIT sees it on the QEMU platform: HLOS ({@code vmid 3}, named
 * {@code "HLOS"}, owner of every secondary), then each secondary that passed VM_INIT, with what later VMs look
 * up in it — its name, URI and GUID ({@code vm_lookup_by_id}), its doorbell and message-queue-pair vdevices
 * ({@code create_doorbell_with_peer}, {@code create_msgqueue_pair}) and the VIRQs in use ({@code irq_manager}).
 * Mutable by design: it is the state one vm-check run (or one boot) carries from VM to VM.
 */
public final class RmVmTable {
    public static final int VMID_HLOS = 3;
    static final int FIRST_VIRQ = 32;
    static final int LAST_VIRQ = 1019;
    static final int ALLOC_BASE = 960; // irq_manager_vm_init: global_irq_alloc_base for VMs other than the RM

    /** A doorbell vdevice as a peer finds it. */
    record DoorbellNode(long label, boolean source, boolean sourceCanClear, String peerId, int vmid) {}

    /** A message-queue pair as a peer finds it. */
    record PairNode(long label, int messageSize, int queueDepth, String peerId, int vmid) {}

    /** One VM in the table. */
    static final class Vm {
        final int vmid;
        final String name;
        final String uri;
        final byte[] guid;
        final List<DoorbellNode> doorbells = new ArrayList<>();
        final List<PairNode> pairs = new ArrayList<>();
        final java.util.BitSet virqs = new java.util.BitSet();
        /** Its IPA allocator ({@code vm->as_allocator}); each change replaces it. */
        VmIpaSpace space;

        Vm(int vmid, String name, String uri, byte[] guid, VmIpaSpace space) {
            this.vmid = vmid;
            this.name = name;
            this.uri = uri;
            this.guid = guid.clone();
            this.space = space;
        }

        /** {@code irq_manager_vm_virq_map(…, alloc = true)}: a given VIRQ must be an SPI and free. */
        boolean map(int virq) {
            if (virq < FIRST_VIRQ || virq > LAST_VIRQ || virqs.get(virq)) {
                return false;
            }
            virqs.set(virq);
            return true;
        }

        /** {@code alloc_map_virq}: the first free SPI from 960; -1 when none is left. */
        int alloc() {
            int v = virqs.nextClearBit(ALLOC_BASE);
            if (v > LAST_VIRQ) {
                return -1;
            }
            virqs.set(v);
            return v;
        }
    }

    static final long SVM_SPACE = 1L << 36; // SVM_ADDRESS_SPACE_BITS

    private final TreeMap<Integer, Vm> vms = new TreeMap<>();
    private final VmIpaSpace.DeviceRange devices;

    /** The table of the QEMU platform (vm-check, the RM oracle's platform). */
    public RmVmTable() {
        this(VmIpaSpace.QEMU_DEVICES);
    }

    /** The table of a platform whose device range ({@code rm_get_device_me_base}/{@code _size}) is {@code devices}. */
    public RmVmTable(VmIpaSpace.DeviceRange devices) {
        this.devices = devices;
        Vm hlos = new Vm(VMID_HLOS, "HLOS", "", new byte[16], VmIpaSpace.hlos()); // PLATFORM_HLOS_VIRTIO_FREE_IPA_*
        // vm_config_hlos_vdevices_setup: HLOS's own RM link takes the first two VIRQs at RM boot (960, 961)
        hlos.alloc();
        hlos.alloc();
        vms.put(VMID_HLOS, hlos);
    }

    Vm hlos() {
        return vms.get(VMID_HLOS);
    }

    Optional<Vm> vm(int vmid) {
        return Optional.ofNullable(vms.get(vmid));
    }

    /** A fresh secondary's entry ({@code vm_address_range_init} reserves the device range). */
    Vm secondary(int vmid, RmVmConfig cfg) {
        return new Vm(
                vmid,
                cfg.name(),
                cfg.uri(),
                cfg.guid(),
                VmIpaSpace.secondary(cfg.memory().mapDirect(), devices));
    }

    /** A VM's IPA allocator, empty when the VM has none (not past VM_INIT, or reset). */
    public Optional<VmIpaSpace> space(int vmid) {
        return vm(vmid).map(v -> v.space);
    }

    /** Replaces a VM's IPA allocator with its next state (the RM's own allocations and IPA_RESERVE). */
    public void space(int vmid, VmIpaSpace next) {
        vms.get(vmid).space = next;
    }

    void add(Vm vm) {
        vms.put(vm.vmid, vm);
    }

    /** A VM that failed VM_INIT is hidden from later lookups (its VMM would reset it). */
    void remove(int vmid) {
        vms.remove(vmid);
    }

    /** Whether a peer id has a form the RM parses ({@code vm_mgnt_parse_peer_id}). */
    static boolean parsable(String peerId) {
        return idParts(peerId) != null;
    }

    /** {@code vm_lookup_by_id}: {@code vm-name:}, {@code vm-uri:} or {@code vm-guid:}, first match in VMID order. */
    Optional<Vm> lookup(String peerId) {
        String[] p = idParts(peerId);
        if (p == null) {
            return Optional.empty();
        }
        byte[] guid = null;
        if (p[0].equals("vm-guid")) {
            guid = Guid.parse(p[1]);
            if (guid == null) {
                return Optional.empty();
            }
        }
        for (Vm vm : vms.values()) {
            boolean hit = switch (p[0]) {
                case "vm-name" -> vm.name.equals(p[1]);
                case "vm-uri" -> vm.uri.equals(p[1]);
                default -> Arrays.equals(vm.guid, guid);
            };
            if (hit) {
                return Optional.of(vm);
            }
        }
        return Optional.empty();
    }

    /** {@code strtok_r(id, ":")}: leading colons are skipped; the rest after the first colon is the value. */
    private static String[] idParts(String peerId) {
        int i = 0;
        while (i < peerId.length() && peerId.charAt(i) == ':') {
            i++;
        }
        if (i == peerId.length()) {
            return null;
        }
        int colon = peerId.indexOf(':', i);
        String type = colon < 0 ? peerId.substring(i) : peerId.substring(i, colon);
        String value = colon < 0 ? "" : peerId.substring(colon + 1);
        if (!type.equals("vm-name") && !type.equals("vm-uri") && !type.equals("vm-guid")) {
            return null;
        }
        // names compare as the RM stores them: bytes up to the first NUL
        return new String[] {type, new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1)
        };
    }
}
