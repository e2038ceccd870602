package dev.gunyahdt.hypervisor.rm.overlay;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the RM writes into a secondary VM's overlay before {@code /hypervisor} (reference §10.2 steps 1, 3, 4, 5):
 * the memory the VM has accepted, the buffers of its shared parcels, the KASLR seed, and the facts about the base
 * DTB those fragments depend on.
 *
 * @param addressCells   the base root's {@code #address-cells} (2 when absent, as dtc assumes)
 * @param sizeCells      the base root's {@code #size-cells} (1 when absent)
 * @param baseReservedMemory the base has {@code /reserved-memory} (step 1 patches it; else step 4 creates one)
 * @param baseChosen     the base has {@code /chosen} (else the seed goes into a new {@code chosen} at "/")
 * @param baseVsoc       the base has {@code /vsoc} (else step 5 adds it)
 * @param kaslrSeed      the u64 {@code kaslr-seed} for {@code /chosen}
 * @param memory         the IPA ranges of every memparcel the VM accepted, private and shared (merged here)
 * @param buffers        one per shared parcel, address order
 * @param cpuCaps        a VM without a VPM group: each vCPU's CPU node and the POWER cap the RM gave the VM for it
 *                       (§10.2 step 6, {@code patch_cpus_nodes}); empty for a PSCI VM
 * @param vgicPatch      the GIC node to patch with the vGIC's place, when the VM's had no {@code reg} (step 9,
 *                       {@code vgic_dto_finalise})
 */
public record GuestLayout(
        int addressCells,
        int sizeCells,
        boolean baseReservedMemory,
        boolean baseChosen,
        boolean baseVsoc,
        long kaslrSeed,
        List<Region> memory,
        List<Buffer> buffers,
        List<CpuCap> cpuCaps,
        Optional<VgicPatch> vgicPatch) {

    /** Without per-CPU caps (a PSCI VM) or a vGIC patch. */
    public GuestLayout(
            int addressCells,
            int sizeCells,
            boolean baseReservedMemory,
            boolean baseChosen,
            boolean baseVsoc,
            long kaslrSeed,
            List<Region> memory,
            List<Buffer> buffers) {
        this(
                addressCells,
                sizeCells,
                baseReservedMemory,
                baseChosen,
                baseVsoc,
                kaslrSeed,
                memory,
                buffers,
                List.of(),
                Optional.empty());
    }

    /**
     * The GIC node's patch ({@code vgic_dto_finalise}): compatible, one redistributor region of {@code vcpus} frames
     * {@code gicrStride} apart, and {@code reg} = GICD (64 KiB), GICR, in the node's parent's cells.
     */
    public record VgicPatch(
            long phandle, long gicdBase, long gicrBase, long gicrStride, int vcpus, int addressCells, int sizeCells) {
        /** vgic_gicd_size. */
        public static final long GICD_SIZE = 0x1_0000L;
    }

    /** A CPU node to patch with {@code qcom,gunyah-capability}: the VM's POWER cap to that vCPU. */
    public record CpuCap(String path, long cap) {}

    /** An IPA range. */
    public record Region(long ipa, long size) {
        public Region {
            if (size <= 0 || ipa < 0) {
                throw new IllegalArgumentException(
                        "bad range 0x" + Long.toHexString(ipa) + "+0x" + Long.toHexString(size));
            }
        }

        long end() {
            return ipa + size;
        }
    }

    /**
     * A shared parcel's reserved-memory node (§10.4 "reserved-memory children").
     *
     * @param region        the parcel's IPA range
     * @param label         the parcel's label (the shm vdevice's)
     * @param memHandle     the memparcel handle
     * @param peers         the VMIDs sharing it, in ACL order
     * @param compatibles   the push-compatibles of the shm vdevice with this label
     * @param patchPath     when the base already has a matching {@code /reserved-memory} child: its path
     * @param basePhandle   that child's phandle in the base, when it has one (then no new phandle is made)
     */
    public record Buffer(
            Region region,
            long label,
            long memHandle,
            List<Long> peers,
            List<String> compatibles,
            Optional<String> patchPath,
            OptionalLong basePhandle) {
        public Buffer {
            peers = List.copyOf(peers);
            compatibles = List.copyOf(compatibles);
        }

        /** The node name the RM gives a new buffer: {@code buffer@<ipa in %lx>}. */
        public String nodeName() {
            return "buffer@" + Long.toHexString(region.ipa());
        }
    }

    public GuestLayout {
        if (addressCells < 1 || addressCells > 2 || sizeCells < 1 || sizeCells > 2) {
            // §10.7: the RM's range helper writes 0, 1 or 2 cells; 0 cells cannot hold a memory range
            throw new IllegalArgumentException(
                    "root #address-cells/#size-cells must be 1 or 2, not " + addressCells + "/" + sizeCells);
        }
        memory = merge(memory);
        buffers = buffers.stream()
                .sorted(Comparator.comparingLong(b -> b.region().ipa()))
                .toList();
        cpuCaps = List.copyOf(cpuCaps);
    }

    /** This layout with the nodes the RM patches from what it built: the CPU nodes (step 6) and the GIC (step 9). */
    public GuestLayout withPatches(List<CpuCap> caps, Optional<VgicPatch> vgic) {
        return new GuestLayout(
                addressCells,
                sizeCells,
                baseReservedMemory,
                baseChosen,
                baseVsoc,
                kaslrSeed,
                memory,
                buffers,
                caps,
                vgic);
    }

    /**
     * The layout for a VM: the facts read from its base DTB, the accepted ranges and shared parcels. A base
     * {@code /reserved-memory} child matches a parcel when its {@code qcom,label} equals the parcel's label or its
     * first {@code reg} address equals the parcel's IPA; such a child is patched instead of getting a new buffer.
     */
    public static GuestLayout of(DeviceTree base, long kaslrSeed, List<Region> memory, List<Buffer> shared) {
        Node root = base.root();
        int ac = (int) Addressing.countOrNone(root, "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        int sc = (int) Addressing.countOrNone(root, "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        Optional<NodeCursor> resmem = base.find("/reserved-memory");
        List<Buffer> buffers = new ArrayList<>();
        for (Buffer b : shared) {
            Buffer out = b;
            if (resmem.isPresent()) {
                for (Node child : resmem.get().node().children()) {
                    if (matches(child, b, ac)) {
                        OptionalLong ph = child.phandle() > 0 ? OptionalLong.of(child.phandle()) : OptionalLong.empty();
                        out = new Buffer(
                                b.region(),
                                b.label(),
                                b.memHandle(),
                                b.peers(),
                                b.compatibles(),
                                Optional.of("/reserved-memory/" + child.name()),
                                ph);
                        break;
                    }
                }
            }
            buffers.add(out);
        }
        return new GuestLayout(
                ac,
                sc,
                resmem.isPresent(),
                base.find("/chosen").isPresent(),
                base.find("/vsoc").isPresent(),
                kaslrSeed,
                memory,
                buffers);
    }

    private static boolean matches(Node child, Buffer b, int addressCells) {
        Optional<Property> label = child.property("qcom,label");
        if (label.isPresent()
                && label.get().value().length() == 4
                && label.get().value().asCell() == b.label()) {
            return true;
        }
        Optional<Property> reg = child.property("reg");
        if (reg.isEmpty() || reg.get().value().length() < 4 * addressCells) {
            return false;
        }
        long addr = Cells.join(reg.get().value().cells(), 0, addressCells);
        return addr == b.region().ipa();
    }

    /** Address order, with touching or overlapping ranges merged (§10.2 step 4). */
    static List<Region> merge(List<Region> ranges) {
        List<Region> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(Region::ipa));
        List<Region> out = new ArrayList<>();
        for (Region r : sorted) {
            Region last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r.ipa() <= last.end()) {
                out.set(out.size() - 1, new Region(last.ipa(), Math.max(last.end(), r.end()) - last.ipa()));
            } else {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }
}
