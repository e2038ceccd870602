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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the overlay the RM writes for a VM (reference §10) and applies it as the RM does.
 *
 * <p>Secondary VM (§10.2 steps 7, 8, 10): {@code fragment@0} targets "/" and adds
 * {@code /hypervisor} with {@code qcom,gunyah-vm} (§10.3); then one fragment per vdevice, RM-RPC
 * first, each built with the RM's "construct path" helper — a fragment at "/" that nests the
 * components of the vdevice's {@code generate} path, the last one named
 * {@code <component>@<CapID in %lx>} (§10.4); then empty {@code __fixups__} and
 * {@code __local_fixups__} (nothing emitted here refers to a phandle). The fragments of §10.2
 * steps 1–6 and 9 (reserved memory, iomem, /chosen, /memory, /vsoc, CPU caps, vGIC patch) are not
 * generated, so the hypervisor fragment is {@code fragment@0} here rather than {@code fragment@N}.
 *
 * <p>Primary VM (§10.5): one fragment at "/" with the whole {@code /hypervisor} node, its RM-RPC
 * child named {@code qcom,resource-manager-rpc@<TX CapID in %016lx>}.
 *
 * <p>Properties are added in the RM's emission order; the DTBO is written as dtc would write the
 * same tree, not as libfdt's sequential writer lays it out.
 */
public final class OverlayGenerator {

    static final List<String> HYP_COMPATIBLE_SECONDARY = List.of(
            "gunyah-hypervisor", "qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus");
    static final List<String> HYP_COMPATIBLE_PRIMARY = List.of(
            "qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus");
    static final List<String> VM_ID_COMPATIBLE = List.of("qcom,gunyah-vm-id-1.0", "qcom,gunyah-vm-id");
    static final List<String> RM_COMPATIBLE_SECONDARY = List.of(
            "gunyah-resource-manager", "qcom,resource-manager", "qcom,resource-manager-1-0");
    static final List<String> RM_COMPATIBLE_PRIMARY = List.of(
            "gunyah-resource-manager", "qcom,resource-manager-1-0", "qcom,resource-manager");
    static final List<String> MSGQ_COMPATIBLE = List.of("qcom,gunyah-message-queue", "qcom,gunyah-capability");
    /** §6.3: the first VIRQ the RM allocates to a VM other than itself. */
    static final long FREE_IRQ_START_PRIMARY = 960;

    private OverlayGenerator() {
    }

    /** The overlay as a tree ({@code /plugin/}), fragments in the RM's order. */
    public static DeviceTree generate(VmOverlayInfo vm) {
        return generate(vm, OverlayStyle.RM);
    }

    /** The overlay of the given style as a tree ({@code /plugin/}). */
    public static DeviceTree generate(VmOverlayInfo vm, OverlayStyle style) {
        List<Node> fragments = style == OverlayStyle.DTSCHEMA ? dtschemaFragments(vm)
                : vm.primary() ? primaryFragments(vm) : secondaryFragments(vm);
        List<Node> rootChildren = new ArrayList<>();
        for (int i = 0; i < fragments.size(); i++) {
            rootChildren.add(fragments.get(i).withName("fragment@" + i));
        }
        rootChildren.add(Node.of("__fixups__", List.of(), List.of()));
        rootChildren.add(Node.of("__local_fixups__", List.of(), List.of()));
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
            throw new OverlayRefusedException(RmError.DENIED,
                    "VM " + vm.vmid() + ": base DTB already has /hypervisor");
        }
        return OverlayApplier.apply(baseDtb, List.of(dtbo(vm, style)));
    }

    // ---- secondary VM ----------------------------------------------------------------------

    private static List<Node> secondaryFragments(VmOverlayInfo vm) {
        List<Node> out = new ArrayList<>();
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
        Node hypervisor = Node.of("hypervisor", List.of(
                u32("#address-cells", 2), u32("#size-cells", 0),
                strings("compatible", HYP_COMPATIBLE_SECONDARY)),
                List.of(Node.of("qcom,gunyah-vm", vmProps, List.of())));
        out.add(fragmentAtRoot(hypervisor));

        QueuePair rpc = vm.rmRpc();
        List<Property> rpcProps = new ArrayList<>();
        rpcProps.add(strings("compatible", concat(vm.rmRpcPushCompatibles(), RM_COMPATIBLE_SECONDARY,
                MSGQ_COMPATIBLE)));
        rpcProps.addAll(queuePairCore(rpc));
        rpcProps.add(u32("qcom,free-irq-start", 0));
        rpcProps.addAll(queuePairShape(rpc));
        // RM-RPC nodes always say 0 and take no value from the RM's vdevice-handle counter
        rpcProps.add(u32("qcom,vdevice-handle", 0));
        out.add(constructPath(vm.rmRpcGenerate(), rpc.rxCap(), rpcProps));

        for (Vdevice d : vm.vdevices()) {
            out.add(vdeviceFragment(d));
        }
        return out;
    }

    private static Node vdeviceFragment(Vdevice d) {
        List<Property> props = new ArrayList<>();
        if (d instanceof Vdevice.MessageQueuePair p) {
            props.add(strings("compatible", concat(p.pushCompatibles(), MSGQ_COMPATIBLE)));
            props.addAll(queuePairCore(p.queues()));
            p.peerVmid().ifPresent(v -> props.add(u32("qcom,peer-vmid", v)));
            props.add(u32("qcom,free-irq-start", 0));
            props.addAll(queuePairShape(p.queues()));
            props.add(u32("qcom,vdevice-handle", p.vdeviceHandle()));
            p.peerId().ifPresent(id -> props.add(strings("peer", List.of(id))));
            addLabels(props, p.label());
            return constructPath(p.generate(), p.queues().rxCap(), props);
        } else if (d instanceof Vdevice.MessageQueue q) {
            props.add(strings("compatible", concat(q.pushCompatibles(), MSGQ_COMPATIBLE)));
            props.add(u64s("reg", q.cap()));
            props.add(Property.of(q.sender() ? "is-sender" : "is-receiver", PropertyValue.EMPTY));
            props.add(u32("tx_message_size", q.messageSize()));
            props.add(u32("tx_queue_depth", q.queueDepth()));
            props.add(interrupts(q.virq()));
            addLabels(props, q.label());
            return constructPath(q.generate(), q.cap(), props);
        } else {
            Vdevice.Doorbell b = (Vdevice.Doorbell) d;
            props.add(strings("compatible", concat(b.pushCompatibles(),
                    List.of(b.source() ? "qcom,gunyah-doorbell-source" : "qcom,gunyah-doorbell",
                            "qcom,gunyah-capability"))));
            props.add(u64s("reg", b.cap()));
            b.virq().ifPresent(v -> props.add(interrupts(v)));
            addLabels(props, b.label());
            return constructPath(b.generate(), b.cap(), props);
        }
    }

    // ---- primary VM ------------------------------------------------------------------------

    private static List<Node> primaryFragments(VmOverlayInfo vm) {
        Node vmNode = Node.of("qcom,gunyah-vm", List.of(
                strings("compatible", VM_ID_COMPATIBLE),
                u32("qcom,vmid", vm.vmid()),
                strings("qcom,vendor", List.of("Qualcomm"))), List.of());
        QueuePair rpc = vm.rmRpc();
        List<Property> rpcProps = new ArrayList<>();
        rpcProps.add(strings("compatible", RM_COMPATIBLE_PRIMARY));
        rpcProps.addAll(queuePairCore(rpc));
        rpcProps.add(u32("qcom,free-irq-start", FREE_IRQ_START_PRIMARY));
        rpcProps.addAll(queuePairShape(rpc));
        Node rpcNode = Node.of(String.format("qcom,resource-manager-rpc@%016x", rpc.txCap()), rpcProps, List.of());
        Node hypervisor = Node.of("hypervisor", List.of(
                u32("#address-cells", 2), u32("#size-cells", 0),
                strings("compatible", HYP_COMPATIBLE_PRIMARY)),
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
        Node rpcNode = Node.of("gunyah-resource-mgr@" + Long.toHexString(rpc.txCap()), List.of(
                strings("compatible", List.of("gunyah-resource-manager")),
                u64s("reg", rpc.txCap(), rpc.rxCap()),
                interrupts(rpc.txVirq(), rpc.rxVirq())), List.of());
        Node hypervisor = Node.of("hypervisor", List.of(
                u32("#address-cells", 2), u32("#size-cells", 0),
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
     * zeros.
     */
    private static Node constructPath(String generate, long capId, List<Property> props) {
        String[] parts = generate.substring(1).split("/");
        Node node = Node.of(parts[parts.length - 1] + "@" + Long.toHexString(capId), props, List.of());
        for (int i = parts.length - 2; i >= 0; i--) {
            node = Node.of(parts[i], List.of(), List.of(node));
        }
        return fragmentAtRoot(node);
    }

    private static Node fragmentAtRoot(Node content) {
        return Node.of("fragment", List.of(strings("target-path", List.of("/"))),
                List.of(Node.of("__overlay__", List.of(), List.of(content))));
    }

    private static Property u32(String name, long value) {
        return Property.of(name, PropertyValue.ofCells(value & 0xffff_ffffL));
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
