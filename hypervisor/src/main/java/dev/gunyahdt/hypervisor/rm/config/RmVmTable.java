package dev.gunyahdt.hypervisor.rm.config;

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
        final AddressSpace space;

        Vm(int vmid, String name, String uri, byte[] guid, AddressSpace space) {
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

    /**
     * The RM's {@code address_range_allocator} for one VM's IPA space: fixed requests must lie inside and be
     * free; free requests take the lowest aligned gap.
     */
    static final class AddressSpace {
        private final long base;
        private final long size;
        private final TreeMap<Long, Long> used = new TreeMap<>();

        AddressSpace(long base, long size) {
            this.base = base;
            this.size = size;
        }

        /** Returns the base, or -1 when the request cannot be met. */
        long alloc(long at, long len, long align) {
            if (len < 4096 || len % 4096 != 0) {
                return -1;
            }
            if (at != -1) {
                if (at % 4096 != 0
                        || at < base
                        || at + len < at
                        || at + len > base + size
                        || firstOverlap(at, len) != null) {
                    return -1;
                }
                used.put(at, len);
                return at;
            }
            long a = Math.max(align, 1);
            long cand = (base + a - 1) / a * a;
            while (cand + len <= base + size) {
                var hit = firstOverlap(cand, len);
                if (hit == null) {
                    used.put(cand, len);
                    return cand;
                }
                long next = hit.getKey() + hit.getValue();
                cand = (next + a - 1) / a * a;
            }
            return -1;
        }

        /** The used range that overlaps [at, at + len): ranges never overlap, so only the last one starting before its end can. */
        private java.util.Map.Entry<Long, Long> firstOverlap(long at, long len) {
            var e = used.lowerEntry(at + len);
            return e != null && e.getKey() + e.getValue() > at ? e : null;
        }
    }

    static final long DEVICE_BASE = 0;
    static final long DEVICE_SIZE = 0x4000_0000L; // the QEMU platform's device range, 0–1 GiB
    static final long SVM_SPACE = 1L << 36; // SVM_ADDRESS_SPACE_BITS

    private final TreeMap<Integer, Vm> vms = new TreeMap<>();

    public RmVmTable() {
        Vm hlos = new Vm(
                VMID_HLOS,
                "HLOS",
                "",
                new byte[16],
                new AddressSpace(0x3000_0000L, 0x1000_0000L)); // PLATFORM_HLOS_VIRTIO_FREE_IPA_*
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
    static Vm secondary(int vmid, RmVmConfig cfg) {
        AddressSpace as = new AddressSpace(0, SVM_SPACE);
        as.alloc(DEVICE_BASE, DEVICE_SIZE, 0);
        return new Vm(vmid, cfg.name(), cfg.uri(), cfg.guid(), as);
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
