package dev.gunyahdt.hypervisor.rm.overlay;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.dtb.DtbOptions;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.dtb.DtbWriter;
import dev.gunyahdt.dt.overlay.OverlayApplier;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Builds the overlay the RM writes for a VM (reference §10) and applies it as the RM does.
 *
 * <p>Secondary VM (§10.2): with a {@link GuestLayout} (the RM always gives one) first the memory fragments —
 * step 1 when the base has {@code /reserved-memory} (patch matching children, then {@code buffer@<ipa>} nodes for
 * the other shared parcels), step 2 one node per iomem vdevice with a parcel of its label (RM style), step 3 {@code /chosen} with {@code kaslr-seed}, step 4 at "/" (a new
 * {@code reserved-memory} when the base has none, then {@code memory} with the merged accepted ranges), step 5
 * {@code /vsoc} when the base lacks it — then step 7, {@code /hypervisor} with {@code qcom,gunyah-vm} (§10.3), then
 * step 8, one fragment per vdevice, RM-RPC first, each built with the RM's "construct path" helper — a fragment at
 * "/" that nests the components of the vdevice's {@code generate} path, the last one named
 * {@code <component>@<CapID in %lx>} (shm: the bare component) (§10.4); then {@code __fixups__} (empty: no
 * fragment targets a label) and {@code __local_fixups__} (each shm node's {@code memory-region}, a shm-doorbell's
 * {@code tx-doorbell}/{@code rx-doorbell}); last, step 9, the vGIC patch of a GIC node without {@code reg}
 * ({@link GuestLayout#vgicPatch}). Without a layout (unit tests) the hypervisor fragment is {@code fragment@0}.
 *
 * <p>Primary VM (§10.5): one fragment at "/" with the whole {@code /hypervisor} node, its RM-RPC
 * child named {@code qcom,resource-manager-rpc@<TX CapID in %016lx>}.
 *
 * <p>Properties are added in the RM's emission order; the DTBO is written as dtc would write the
 * same tree, not as libfdt's sequential writer lays it out.
 */
public final class OverlayGenerator {

    static final List<String> HYP_COMPATIBLE_SECONDARY =
            List.of("gunyah-hypervisor", "qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus");
    static final List<String> HYP_COMPATIBLE_PRIMARY =
            List.of("qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus");
    static final List<String> VM_ID_COMPATIBLE = List.of("qcom,gunyah-vm-id-1.0", "qcom,gunyah-vm-id");
    static final List<String> RM_COMPATIBLE_SECONDARY =
            List.of("gunyah-resource-manager", "qcom,resource-manager", "qcom,resource-manager-1-0");
    static final List<String> RM_COMPATIBLE_PRIMARY =
            List.of("gunyah-resource-manager", "qcom,resource-manager-1-0", "qcom,resource-manager");
    static final List<String> MSGQ_COMPATIBLE = List.of("qcom,gunyah-message-queue", "qcom,gunyah-capability");
    /** §6.3: the first VIRQ the RM allocates to a VM other than itself. */
    static final long FREE_IRQ_START_PRIMARY = 960;

    private OverlayGenerator() {}

    /** The overlay as a tree ({@code /plugin/}), fragments in the RM's order. */
    public static DeviceTree generate(VmOverlayInfo vm) {
        return generate(vm, OverlayStyle.RM);
    }

    /** The overlay of the given style as a tree ({@code /plugin/}). */
    public static DeviceTree generate(VmOverlayInfo vm, OverlayStyle style) {
        Fragments f = new Fragments();
        if (vm.primary()) {
            f.fragments.addAll(style == OverlayStyle.DTSCHEMA ? dtschemaFragments(vm) : primaryFragments(vm));
        } else {
            vm.layout().ifPresent(l -> memoryFragments(f, l, style, iomems(vm)));
            if (style == OverlayStyle.DTSCHEMA) {
                f.fragments.addAll(dtschemaFragments(vm));
            } else {
                secondaryFragments(vm, f);
            }
        }
        // step 9, after the vdevices (platform_dto_finalise → vgic_dto_finalise), in either style
        vm.layout().flatMap(GuestLayout::vgicPatch).ifPresent(p -> f.fragments.add(vgicFragment(p)));
        List<Node> rootChildren = new ArrayList<>();
        for (int i = 0; i < f.fragments.size(); i++) {
            rootChildren.add(f.fragments.get(i).withName("fragment@" + i));
        }
        // no fragment of ours targets a label (the vGIC patch targets the GIC node's phandle itself), so
        // __fixups__ stays empty; __local_fixups__ lists the shm nodes' memory-region phandles
        rootChildren.add(Node.of("__fixups__", List.of(), List.of()));
        rootChildren.add(f.localFixups());
        return new DeviceTree(Node.of("", List.of(), rootChildren), List.of(), true, 0);
    }

    /** The overlay as a DTBO (dtc's layout, version 17). */
    public static byte[] dtbo(VmOverlayInfo vm) {
        return dtbo(vm, OverlayStyle.RM);
    }

    /** The overlay of the given style as a DTBO. */
    public static byte[] dtbo(VmOverlayInfo vm, OverlayStyle style) {
        return DtbWriter.write(generate(vm, style), DtbOptions.defaults());
    }

    /**
     * Applies the VM's overlay to its base DTB as the RM does and returns the packed merged blob
     * (what fdtoverlay gives for the same base and {@link #dtbo}).
     *
     * @throws OverlayRefusedException DENIED when a secondary VM's base already has
     *                                 {@code /hypervisor} (§10.1)
     * @throws dev.gunyahdt.dt.diag.DtException when the base blob is malformed or the overlay
     *                                 cannot be applied
     */
    public static byte[] apply(byte[] baseDtb, VmOverlayInfo vm) {
        return apply(baseDtb, vm, OverlayStyle.RM);
    }

    /** {@link #apply(byte[], VmOverlayInfo)} with the overlay of the given style. */
    public static byte[] apply(byte[] baseDtb, VmOverlayInfo vm, OverlayStyle style) {
        DeviceTree base = DtbReader.read(baseDtb, "base DTB of VM " + vm.vmid());
        // libfdt's path lookup, like DeviceTree.find, lets "hypervisor" match "hypervisor@…" too
        if (!vm.primary() && base.find("/hypervisor").isPresent()) {
            throw new OverlayRefusedException(RmError.DENIED, "VM " + vm.vmid() + ": base DTB already has /hypervisor");
        }
        return OverlayApplier.apply(baseDtb, List.of(dtbo(vm, style)));
    }

    /** A phandle reference: the fragment, the node path inside its {@code __overlay__}, the property. */
    private record Fixup(int fragment, List<String> path, String property) {}

    /** The fragments as they are made, the phandles handed out and the local fixups they need. */
    private static final class Fragments {
        final List<Node> fragments = new ArrayList<>();
        /** label of a shared parcel → the phandle of its buffer node (overlay-local or the base's) */
        final Map<Long, Long> bufferPhandle = new HashMap<>();

        final Set<Long> localPhandle = new HashSet<>();
        final List<Fixup> fixups = new ArrayList<>();
        /** libfdt's generator in an overlay: one more than the highest phandle so far, from 1 */
        long nextPhandle = 1;

        Node localFixups() {
            Node root = Node.of("__local_fixups__", List.of(), List.of());
            for (Fixup fx : fixups) {
                List<String> path = new ArrayList<>(List.of("fragment@" + fx.fragment(), "__overlay__"));
                path.addAll(fx.path());
                root = addFixup(root, path, 0, fx.property());
            }
            return root;
        }

        private static Node addFixup(Node at, List<String> path, int i, String prop) {
            if (i == path.size()) {
                return at.withProperty(Property.of(prop, PropertyValue.ofCells(0)));
            }
            Node child = at.child(path.get(i)).orElse(Node.of(path.get(i), List.of(), List.of()));
            return at.withChild(addFixup(child, path, i + 1, prop));
        }
    }

    // ---- memory, /chosen, /vsoc (§10.2 steps 1, 3, 4, 5) ------------------------------------------

    /**
     * Steps 1 to 5 of §10.2 as far as the model has them (step 2, the iomem nodes, in the RM style only). The
     * firmware node is not built;
     * {@code linux,initrd-*} and {@code bootargs} never apply (the model loads no ramdisk and reads no config
     * cpio). Step 6 (a VM without a VPM group): each CPU node gets {@code qcom,gunyah-capability}, the VM's POWER
     * cap to that vCPU ({@code patch_cpus_nodes}), in both styles. The dt-schema style leaves out {@code /vsoc}:
     * simple-bus.yaml does not allow that node name.
     */
    private static void memoryFragments(Fragments f, GuestLayout l, OverlayStyle style, List<Vdevice.Iomem> iomems) {
        if (l.baseReservedMemory()) {
            // patches first, then the new buffers: phandles are handed out in that (creation) order
            for (GuestLayout.Buffer b : l.buffers()) {
                if (b.patchPath().isPresent()) {
                    Node patch = Node.of("__overlay__", bufferProperties(f, b, l, false), List.of());
                    f.fragments.add(Node.of(
                            "fragment",
                            List.of(strings("target-path", List.of(b.patchPath().get()))),
                            List.of(patch)));
                }
            }
            List<Node> fresh = new ArrayList<>();
            for (GuestLayout.Buffer b : l.buffers()) {
                if (b.patchPath().isEmpty()) {
                    fresh.add(Node.of(b.nodeName(), bufferProperties(f, b, l, true), List.of()));
                }
            }
            if (!fresh.isEmpty()) {
                f.fragments.add(Node.of(
                        "fragment",
                        List.of(strings("target-path", List.of("/reserved-memory"))),
                        List.of(Node.of("__overlay__", List.of(), fresh))));
            }
        }
        if (style == OverlayStyle.RM) {
            iomems.forEach(io -> f.fragments.add(iomemFragment(io)));
        }
        Property seed = u64s("kaslr-seed", l.kaslrSeed());
        if (l.baseChosen()) {
            f.fragments.add(Node.of(
                    "fragment",
                    List.of(strings("target-path", List.of("/chosen"))),
                    List.of(Node.of("__overlay__", List.of(seed), List.of()))));
        } else {
            // a target-path the base lacks cannot be applied; the model makes /chosen instead (a choice)
            f.fragments.add(fragmentAtRoot(Node.of("chosen", List.of(seed), List.of())));
        }
        List<Node> atRoot = new ArrayList<>();
        if (!l.baseReservedMemory()) {
            List<Node> buffers = new ArrayList<>();
            for (GuestLayout.Buffer b : l.buffers()) {
                buffers.add(Node.of(b.nodeName(), bufferProperties(f, b, l, true), List.of()));
            }
            atRoot.add(Node.of(
                    "reserved-memory",
                    List.of(
                            u32("#address-cells", l.addressCells()),
                            u32("#size-cells", l.sizeCells()),
                            Property.of("ranges", PropertyValue.EMPTY)),
                    buffers));
        }
        // the RM names it plain "memory" (vm_creation.c); dt-schema's root-node.yaml wants a unit address, so the
        // dt-schema style gives it the first range's base
        String memoryName = style == OverlayStyle.DTSCHEMA && !l.memory().isEmpty()
                ? "memory@" + Long.toHexString(l.memory().get(0).ipa())
                : "memory";
        atRoot.add(Node.of(
                memoryName,
                List.of(strings("device_type", List.of("memory")), ranges("reg", l, l.memory())),
                List.of()));
        f.fragments.add(Node.of(
                "fragment",
                List.of(strings("target-path", List.of("/"))),
                List.of(Node.of("__overlay__", List.of(), atRoot))));
        if (!l.baseVsoc() && style == OverlayStyle.RM) {
            f.fragments.add(fragmentAtRoot(Node.of(
                    "vsoc",
                    List.of(
                            u32("#address-cells", 2),
                            u32("#size-cells", 2),
                            Property.of("ranges", PropertyValue.EMPTY),
                            strings("compatible", List.of("simple-bus"))),
                    List.of())));
        }
        for (GuestLayout.CpuCap cpu : l.cpuCaps()) {
            f.fragments.add(Node.of(
                    "fragment",
                    List.of(strings("target-path", List.of(cpu.path()))),
                    List.of(Node.of("__overlay__", List.of(u64s("qcom,gunyah-capability", cpu.cap())), List.of()))));
        }
    }

    /**
     * A shared parcel's buffer node (§10.4): reg (new nodes only), qcom,shared-memory, no-map, peers,
     * qcom,rm-mem-handle, phandle (unless the patched base node has one), qcom,label, the shm's push-compatibles.
     */
    private static List<Property> bufferProperties(Fragments f, GuestLayout.Buffer b, GuestLayout l, boolean withReg) {
        List<Property> props = new ArrayList<>();
        if (withReg) {
            props.add(ranges("reg", l, List.of(b.region())));
        }
        props.add(Property.of("qcom,shared-memory", PropertyValue.EMPTY));
        props.add(Property.of("no-map", PropertyValue.EMPTY));
        props.add(Property.of(
                "peers",
                PropertyValue.ofCells(
                        b.peers().stream().mapToLong(v -> v & 0xffff_ffffL).toArray())));
        props.add(u32("qcom,rm-mem-handle", b.memHandle()));
        if (b.basePhandle().isPresent()) {
            f.bufferPhandle.put(b.label(), b.basePhandle().getAsLong());
        } else {
            long ph = f.nextPhandle++;
            f.bufferPhandle.put(b.label(), ph);
            f.localPhandle.add(b.label());
            props.add(u32("phandle", ph));
        }
        props.add(u32("qcom,label", b.label()));
        if (!b.compatibles().isEmpty()) {
            props.add(strings("compatible", b.compatibles()));
        }
        return props;
    }

    /** {@code reg}-style ranges in the root's cell sizes (§10.7). */
    private static Property ranges(String name, GuestLayout l, List<GuestLayout.Region> regions) {
        PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        for (GuestLayout.Region r : regions) {
            b.uint(fit(r.ipa(), l.addressCells()), 4 * l.addressCells());
            b.uint(fit(r.size(), l.sizeCells()), 4 * l.sizeCells());
        }
        return Property.of(name, b.build());
    }

    private static long fit(long v, int cells) {
        if (cells == 1 && (v >>> 32) != 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(v) + " does not fit one cell");
        }
        return v;
    }

    // ---- secondary VM ----------------------------------------------------------------------

    private static void secondaryFragments(VmOverlayInfo vm, Fragments f) {
        List<Node> out = f.fragments;
        List<Property> vmProps = new ArrayList<>();
        vmProps.add(strings("compatible", VM_ID_COMPATIBLE));
        vmProps.add(u32("qcom,vmid", vm.vmid()));
        vmProps.add(u32("qcom,owner-vmid", vm.ownerVmid()));
        vmProps.add(strings("qcom,vendor", List.of("Qualcomm")));
        vmProps.add(strings("qcom,image-name", List.of(vm.imageName())));
        vm.uri().ifPresent(u -> vmProps.add(strings("qcom,vm-uri", List.of(u))));
        vm.guid().ifPresent(g -> vmProps.add(strings("qcom,vm-guid", List.of(g.toLowerCase(Locale.ROOT)))));
        Set<String> peers = new LinkedHashSet<>();
        for (Vdevice d : vm.vdevices()) {
            if (d instanceof Vdevice.MessageQueuePair p) {
                p.peerId().ifPresent(peers::add);
            }
        }
        if (!peers.isEmpty()) {
            vmProps.add(strings("qcom,peers", List.copyOf(peers)));
        }
        Node hypervisor = Node.of(
                "hypervisor",
                List.of(
                        u32("#address-cells", 2),
                        u32("#size-cells", 0),
                        strings("compatible", HYP_COMPATIBLE_SECONDARY)),
                List.of(Node.of("qcom,gunyah-vm", vmProps, List.of())));
        out.add(fragmentAtRoot(hypervisor));

        QueuePair rpc = vm.rmRpc();
        List<Property> rpcProps = new ArrayList<>();
        rpcProps.add(
                strings("compatible", concat(vm.rmRpcPushCompatibles(), RM_COMPATIBLE_SECONDARY, MSGQ_COMPATIBLE)));
        rpcProps.addAll(queuePairCore(rpc));
        rpcProps.add(u32("qcom,free-irq-start", 0));
        rpcProps.addAll(queuePairShape(rpc));
        // RM-RPC nodes always say 0 and take no value from the RM's vdevice-handle counter
        rpcProps.add(u32("qcom,vdevice-handle", 0));
        out.add(constructPath(vm.rmRpcGenerate(), OptionalLong.of(rpc.rxCap()), rpcProps));

        for (Vdevice d : vm.vdevices()) {
            if (!(d instanceof Vdevice.Iomem)) {
                out.add(vdeviceFragment(d, f));
            }
        }
    }

    /**
     * vgic_dto_finalise: a fragment at the GIC node's phandle ({@code dto_modify_begin_by_phandle}) with
     * compatible, {@code #redistributor-regions} 1, {@code redistributor-stride} (u64) and {@code reg} = GICD,
     * GICR ({@code dto_property_add_addrrange_array} in the node's parent's cells).
     */
    private static Node vgicFragment(GuestLayout.VgicPatch p) {
        PropertyValue.Builder reg = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        long[][] ranges = {{p.gicdBase(), GuestLayout.VgicPatch.GICD_SIZE}, {p.gicrBase(), p.gicrStride() * p.vcpus()}};
        for (long[] r : ranges) {
            reg.uint(fit(r[0], p.addressCells()), 4 * p.addressCells());
            reg.uint(fit(r[1], p.sizeCells()), 4 * p.sizeCells());
        }
        List<Property> props = List.of(
                strings("compatible", List.of("arm,gic-v3")),
                u32("#redistributor-regions", 1),
                u64s("redistributor-stride", p.gicrStride()),
                Property.of("reg", reg.build()));
        return Node.of(
                "fragment", List.of(u32("target", p.phandle())), List.of(Node.of("__overlay__", props, List.of())));
    }

    private static List<Vdevice.Iomem> iomems(VmOverlayInfo vm) {
        List<Vdevice.Iomem> out = new ArrayList<>();
        for (Vdevice d : vm.vdevices()) {
            if (d instanceof Vdevice.Iomem io) {
                out.add(io);
            }
        }
        return out;
    }

    /**
     * §10.2 step 2 (create_iomem_nodes): the node at {@code generate} itself, 2/2 cells, the push-compatibles
     * alone, each region's physical address and size, the peer, the parcel's handle, the ACL and attribute pairs
     * when known, the label.
     */
    private static Node iomemFragment(Vdevice.Iomem io) {
        List<Property> props = new ArrayList<>();
        props.add(u32("#address-cells", 2));
        props.add(u32("#size-cells", 2));
        props.add(strings("compatible", io.pushCompatibles()));
        props.add(
                u64s("reg", io.regions().stream().flatMapToLong(Arrays::stream).toArray()));
        props.add(u32("peer", io.peer()));
        props.add(u64s("qcom,rm-mem-handle", io.handle()));
        if (!io.acl().isEmpty()) {
            props.add(u32s("qcom,rm-acl", io.acl()));
        }
        if (!io.attrs().isEmpty()) {
            props.add(u32s("qcom,rm-attributes", io.attrs()));
        }
        props.add(u32("qcom,label", io.label()));
        return constructPath(io.generate(), OptionalLong.empty(), props);
    }

    private static Node vdeviceFragment(Vdevice d, Fragments f) {
        List<Property> props = new ArrayList<>();
        if (d instanceof Vdevice.SharedMemory m) {
            // dto_create_shm: a shm-doorbell's source node, then its receiving node, each a fragment with a phandle
            long txPhandle = m.tx().map(b -> addDoorbellFragment(b, f)).orElse(0L);
            long rxPhandle = m.rx().map(b -> addDoorbellFragment(b, f)).orElse(0L);
            boolean plain = m.tx().isEmpty();
            props.add(strings(
                    "compatible",
                    concat(m.pushCompatibles(), List.of(plain ? "qcom,shared-memory" : "qcom,gunyah-shm-doorbell"))));
            Long buffer = f.bufferPhandle.get(m.label());
            // dtbo_add_memory_region: the same phandle twice, buffer first
            for (String name : buffer == null ? List.<String>of() : List.of("buffer", "memory-region")) {
                props.add(u32(name, buffer));
                if (f.localPhandle.contains(m.label())) {
                    f.fixups.add(new Fixup(
                            f.fragments.size(),
                            List.of(m.generate().substring(1).split("/")),
                            name));
                }
            }
            m.peerVmid().ifPresent(v -> props.add(u32("peer", v)));
            addLabels(props, m.label());
            if (!plain) {
                // overlay-local phandles, so in __local_fixups__ like memory-region's
                List<String> at = List.of(m.generate().substring(1).split("/"));
                props.add(u32("tx-doorbell", txPhandle));
                f.fixups.add(new Fixup(f.fragments.size(), at, "tx-doorbell"));
                props.add(u32("rx-doorbell", rxPhandle));
                f.fixups.add(new Fixup(f.fragments.size(), at, "rx-doorbell"));
            }
            m.dmaBase().ifPresent(b -> props.add(u64s("dma_base", b)));
            return constructPath(m.generate(), OptionalLong.empty(), props);
        } else if (d instanceof Vdevice.VirtioMmio v) {
            // dto_create_virtio_mmio, in its order; dtbo_add_memory_region refuses a label no parcel has
            props.add(strings("compatible", concat(v.pushCompatibles(), List.of("virtio,mmio"))));
            props.add(u64s("reg", v.ipa(), v.size()));
            Long buffer = f.bufferPhandle.get(v.label());
            if (buffer == null) {
                throw new OverlayRefusedException(
                        RmError.ARGUMENT_INVALID,
                        v.generate() + ": no memparcel with label " + v.label() + " (dtbo_add_memory_region)");
            }
            props.add(u32("memory-region", buffer));
            if (f.localPhandle.contains(v.label())) {
                String[] parts = v.generate().substring(1).split("/");
                parts[parts.length - 1] += "@" + Long.toHexString(v.ipa());
                f.fixups.add(new Fixup(f.fragments.size(), List.of(parts), "memory-region"));
            }
            props.add(interrupts(v.virq()));
            addLabels(props, v.label());
            props.add(u64s("dma_base", v.dmaBase()));
            props.add(u32("peer", v.backendVmid()));
            if (v.dmaCoherent()) {
                props.add(Property.of("dma-coherent", PropertyValue.EMPTY));
            }
            return constructPath(v.generate(), OptionalLong.of(v.ipa()), props);
        } else if (d instanceof Vdevice.MessageQueuePair p) {
            props.add(strings("compatible", concat(p.pushCompatibles(), MSGQ_COMPATIBLE)));
            props.addAll(queuePairCore(p.queues()));
            p.peerVmid().ifPresent(v -> props.add(u32("qcom,peer-vmid", v)));
            props.add(u32("qcom,free-irq-start", 0));
            props.addAll(queuePairShape(p.queues()));
            props.add(u32("qcom,vdevice-handle", p.vdeviceHandle()));
            p.peerId().ifPresent(id -> props.add(strings("peer", List.of(id))));
            addLabels(props, p.label());
            return constructPath(p.generate(), OptionalLong.of(p.queues().rxCap()), props);
        } else if (d instanceof Vdevice.MessageQueue q) {
            props.add(strings("compatible", concat(q.pushCompatibles(), MSGQ_COMPATIBLE)));
            props.add(u64s("reg", q.cap()));
            props.add(Property.of(q.sender() ? "is-sender" : "is-receiver", PropertyValue.EMPTY));
            props.add(u32("tx_message_size", q.messageSize()));
            props.add(u32("tx_queue_depth", q.queueDepth()));
            props.add(interrupts(q.virq()));
            addLabels(props, q.label());
            return constructPath(q.generate(), OptionalLong.of(q.cap()), props);
        } else {
            return doorbellFragment((Vdevice.Doorbell) d, OptionalLong.empty());
        }
    }

    /** A shm-doorbell's doorbell node, added to the fragments with a new phandle, which it returns. */
    private static long addDoorbellFragment(Vdevice.Doorbell b, Fragments f) {
        long ph = f.nextPhandle++;
        f.fragments.add(doorbellFragment(b, OptionalLong.of(ph)));
        return ph;
    }

    /** dto_create_doorbell: compatible, reg, the receiver's interrupts, the phandle when asked, the labels. */
    private static Node doorbellFragment(Vdevice.Doorbell b, OptionalLong phandle) {
        List<Property> props = new ArrayList<>();
        props.add(strings(
                "compatible",
                concat(
                        b.pushCompatibles(),
                        List.of(
                                b.source() ? "qcom,gunyah-doorbell-source" : "qcom,gunyah-doorbell",
                                "qcom,gunyah-capability"))));
        props.add(u64s("reg", b.cap()));
        b.virq().ifPresent(v -> props.add(interrupts(v)));
        phandle.ifPresent(ph -> props.add(u32("phandle", ph)));
        addLabels(props, b.label());
        return constructPath(b.generate(), OptionalLong.of(b.cap()), props);
    }

    // ---- primary VM ------------------------------------------------------------------------

    private static List<Node> primaryFragments(VmOverlayInfo vm) {
        Node vmNode = Node.of(
                "qcom,gunyah-vm",
                List.of(
                        strings("compatible", VM_ID_COMPATIBLE),
                        u32("qcom,vmid", vm.vmid()),
                        strings("qcom,vendor", List.of("Qualcomm"))),
                List.of());
        QueuePair rpc = vm.rmRpc();
        List<Property> rpcProps = new ArrayList<>();
        rpcProps.add(strings("compatible", RM_COMPATIBLE_PRIMARY));
        rpcProps.addAll(queuePairCore(rpc));
        rpcProps.add(u32("qcom,free-irq-start", FREE_IRQ_START_PRIMARY));
        rpcProps.addAll(queuePairShape(rpc));
        Node rpcNode = Node.of(String.format("qcom,resource-manager-rpc@%016x", rpc.txCap()), rpcProps, List.of());
        Node hypervisor = Node.of(
                "hypervisor",
                List.of(u32("#address-cells", 2), u32("#size-cells", 0), strings("compatible", HYP_COMPATIBLE_PRIMARY)),
                List.of(vmNode, rpcNode));
        return List.of(fragmentAtRoot(hypervisor));
    }

    // ---- the dt-schema style (OverlayStyle.DTSCHEMA) ------------------------------------------

    /**
     * One fragment at "/": {@code /hypervisor} as the upstream Linux binding describes it — the RM node only, named
     * after its first {@code reg} entry (the TX CapID) so dtc's unit-address checks hold. Same for every VM.
     */
    private static List<Node> dtschemaFragments(VmOverlayInfo vm) {
        QueuePair rpc = vm.rmRpc();
        Node rpcNode = Node.of(
                "gunyah-resource-mgr@" + Long.toHexString(rpc.txCap()),
                List.of(
                        strings("compatible", List.of("gunyah-resource-manager")),
                        u64s("reg", rpc.txCap(), rpc.rxCap()),
                        interrupts(rpc.txVirq(), rpc.rxVirq())),
                List.of());
        Node hypervisor = Node.of(
                "hypervisor",
                List.of(
                        u32("#address-cells", 2),
                        u32("#size-cells", 0),
                        strings("compatible", List.of("gunyah-hypervisor"))),
                List.of(rpcNode));
        return List.of(fragmentAtRoot(hypervisor));
    }

    // ---- shared pieces -----------------------------------------------------------------------

    /** {@code reg} = <TX RX> as u64s, {@code interrupts} = <TX> <RX>. */
    private static List<Property> queuePairCore(QueuePair q) {
        return List.of(u64s("reg", q.txCap(), q.rxCap()), interrupts(q.txVirq(), q.rxVirq()));
    }

    /** The five properties after {@code qcom,free-irq-start}: duplex flag, sizes, depths. */
    private static List<Property> queuePairShape(QueuePair q) {
        return List.of(
                Property.of("qcom,is-full-duplex", PropertyValue.EMPTY),
                u32("qcom,tx-message-size", q.txMessageSize()),
                u32("qcom,rx-message-size", q.rxMessageSize()),
                u32("qcom,tx-queue-depth", q.txQueueDepth()),
                u32("qcom,rx-queue-depth", q.rxQueueDepth()));
    }

    private static void addLabels(List<Property> props, long label) {
        props.add(u32("qcom,label", label));
        props.add(u32("label", label));
    }

    /**
     * The RM's "construct path": a fragment at "/" whose overlay nests each component of
     * {@code generate}, the last one with "@" and the CapID in lower-case hex without leading
     * zeros (no unit address for shm nodes, {@code capId} empty).
     */
    private static Node constructPath(String generate, OptionalLong capId, List<Property> props) {
        String[] parts = generate.substring(1).split("/");
        String last = parts[parts.length - 1];
        Node node =
                Node.of(capId.isPresent() ? last + "@" + Long.toHexString(capId.getAsLong()) : last, props, List.of());
        for (int i = parts.length - 2; i >= 0; i--) {
            node = Node.of(parts[i], List.of(), List.of(node));
        }
        return fragmentAtRoot(node);
    }

    private static Node fragmentAtRoot(Node content) {
        return Node.of(
                "fragment",
                List.of(strings("target-path", List.of("/"))),
                List.of(Node.of("__overlay__", List.of(), List.of(content))));
    }

    private static Property u32(String name, long value) {
        return Property.of(name, PropertyValue.ofCells(value & 0xffff_ffffL));
    }

    private static Property u32s(String name, List<Long> values) {
        PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        values.forEach(v -> b.uint(v & 0xffff_ffffL, 4));
        return Property.of(name, b.build());
    }

    /** u64 values as two cells each, high then low (§10.7). */
    private static Property u64s(String name, long... values) {
        PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        for (long v : values) {
            b.uint(v, 8);
        }
        return Property.of(name, b.build());
    }

    private static Property interrupts(Virq... virqs) {
        PropertyValue.Builder b = PropertyValue.builder().type(Marker.Kind.TYPE_UINT32);
        for (Virq v : virqs) {
            for (long c : v.cells()) {
                b.uint(c, 4);
            }
        }
        return Property.of("interrupts", b.build());
    }

    private static Property strings(String name, List<String> values) {
        return Property.of(name, PropertyValue.ofStrings(values));
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> l : lists) {
            out.addAll(l);
        }
        return out;
    }
}
