package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads {@code /qcom,vm-config} (or {@code /gunyah-vm-config}) from a VM's devicetree into a {@link VmConfig}
 * (reference §9). Every refusal is a {@link VmConfigException} naming the blob, node and property.
 *
 * <p>Cell sizes follow the RM's DTB parser: a property of node N is read with N's parent's
 * {@code #address-cells}/{@code #size-cells}, 2 and 1 when the parent does not set them.
 *
 * <p>Choices, each an assumption where the reference is silent: a config without an {@code rm-rpc} vdevice gets
 * one with generate {@code /hypervisor/qcom,resource-mgr} and no console (every VM talks to the RM); vdevice
 * kinds the model does not build (virtio-mmio, iomem, vsmmu-v2, vrtc-pl031, shm-doorbell, watchdog) are refused
 * with a message saying so rather than silently dropped.
 */
public final class VmConfigParser {
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    static final String DEFAULT_RM_RPC_GENERATE = "/hypervisor/qcom,resource-mgr";
    private static final int DEFAULT_MESSAGE_SIZE = 240;
    private static final int DEFAULT_QUEUE_DEPTH = 8;

    private final String blob;
    private final DeviceTree tree;

    private VmConfigParser(String blob, DeviceTree tree) {
        this.blob = blob;
        this.tree = tree;
    }

    /** @param blob how messages name the source ({@code vm/svm1.dtb}) */
    public static VmConfig parse(String blob, DeviceTree tree) {
        return new VmConfigParser(blob, tree).config();
    }

    private VmConfig config() {
        NodeCursor cfg = tree.find("/qcom,vm-config").or(() -> tree.find("/gunyah-vm-config"))
                .orElseThrow(() -> fail("/", null, "no /qcom,vm-config (or /gunyah-vm-config) node"));
        Node n = cfg.node();
        oneOf(cfg, "vm-type", "aarch64-guest");
        oneOf(cfg, "os-type", "linux");
        String image = string(cfg, "image-name").orElseThrow(() -> fail(cfg.path(), "image-name", "required"));
        if (image.isEmpty() || image.length() >= 80) {
            throw fail(cfg.path(), "image-name", "must be 1 to 79 characters");
        }
        Optional<String> uri = string(cfg, "vm-uri");
        if (uri.isPresent() && uri.get().length() >= 80) {
            throw fail(cfg.path(), "vm-uri", "must be under 80 characters");
        }
        Optional<String> guid = string(cfg, "vm-guid");
        if (guid.isPresent() && !GUID.matcher(guid.get()).matches()) {
            throw fail(cfg.path(), "vm-guid", "must be xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: " + guid.get());
        }
        List<String> attrs = n.property("vm-attrs").map(p -> p.value().asStrings()).orElse(List.of());

        VmConfig.Memory memory = memory(cfg);
        VmConfig.Vcpus vcpus = vcpus(cfg);
        Optional<String> gic = cfg.children().stream().filter(c -> c.node().name().equals("interrupts"))
                .findFirst().flatMap(c -> string(c, "config"));
        if (gic.isPresent() && tree.find(gic.get()).isEmpty()) {
            throw fail(cfg.path() + "/interrupts", "config", "no node " + gic.get());
        }

        VmConfig.RmRpc rmRpc = null;
        List<VmConfig.Vdevice> vdevices = new ArrayList<>();
        List<NodeCursor> all = new ArrayList<>();
        cfg.walk(all::add);
        for (NodeCursor c : all) {
            Optional<String> type = string(c, "vdevice-type");
            if (type.isEmpty()) {
                continue;
            }
            if (type.get().equals("rm-rpc")) {
                if (rmRpc != null) {
                    throw fail(c.path(), "vdevice-type", "a second rm-rpc vdevice (the first is " + rmRpc.path() + ")");
                }
                rmRpc = rmRpc(c);
            } else {
                vdevices.add(vdevice(c, type.get()));
            }
        }
        if (rmRpc == null) {
            rmRpc = new VmConfig.RmRpc(cfg.path(), DEFAULT_RM_RPC_GENERATE, List.of(), false,
                    DEFAULT_MESSAGE_SIZE, DEFAULT_QUEUE_DEPTH, List.of());
        }
        vdevices.sort(Comparator.comparingInt(d -> d.kind().rank())); // stable: tree order within a kind
        return new VmConfig(image, uri, guid, attrs, memory, vcpus, gic, rmRpc, vdevices);
    }

    private VmConfig.Memory memory(NodeCursor cfg) {
        Optional<NodeCursor> m = child(cfg, "memory");
        if (m.isEmpty()) {
            // §9.2 defaults on QEMU: base 0x28800000, size-max 0x07FFFFFF
            return new VmConfig.Memory(0x2880_0000L, 0, 0x07FF_FFFFL);
        }
        NodeCursor mc = m.get();
        int ac = cells(cfg.node(), "#address-cells", 2);
        int sc = cells(cfg.node(), "#size-cells", 1);
        long base = number(mc, "base-address", ac).orElse(0x2880_0000L);
        if ((base & 0xFFF) != 0) {
            throw fail(mc.path(), "base-address", "not page aligned: 0x" + Long.toHexString(base));
        }
        long min = number(mc, "size-min", sc).orElse(0L);
        long max = number(mc, "size-max", sc).orElse(0x07FF_FFFFL);
        if (max < min) {
            throw fail(mc.path(), "size-max", "smaller than size-min");
        }
        return new VmConfig.Memory(base, min, max);
    }

    private VmConfig.Vcpus vcpus(NodeCursor cfg) {
        Optional<NodeCursor> v = child(cfg, "vcpus");
        String cpusPath = v.flatMap(c -> string(c, "config")).orElse("/cpus");
        String where = v.map(NodeCursor::path).orElse(cfg.path());
        String affinity = v.flatMap(c -> string(c, "affinity")).orElse("static");
        if (!List.of("static", "sticky", "pinned", "proxy").contains(affinity)) {
            throw fail(where, "affinity", "must be static, sticky, pinned or proxy: " + affinity);
        }
        NodeCursor cpus = tree.find(cpusPath).orElseThrow(() -> fail(where, "config", "no node " + cpusPath));
        int count = 0;
        for (NodeCursor c : cpus.children()) {
            Optional<String> dt = string(c, "device_type");
            Optional<String> status = string(c, "status");
            if (dt.isPresent() && dt.get().equals("cpu")
                    && (status.isEmpty() || status.get().equals("okay") || status.get().equals("ok"))) {
                count++;
            }
        }
        if (count == 0) {
            throw fail(cpusPath, null, "no enabled CPU node (device_type = \"cpu\")");
        }
        List<Long> map = new ArrayList<>();
        Optional<Property> am = v.flatMap(c -> c.node().property("affinity-map"));
        if (am.isPresent()) {
            for (long cell : am.get().value().cells()) {
                map.add(cell);
            }
        }
        if (!affinity.equals("proxy")) {
            if (am.isEmpty()) {
                throw fail(where, "affinity-map", "required unless affinity is proxy");
            }
            if (map.size() != count) {
                throw fail(where, "affinity-map", map.size() + " entries for " + count + " CPUs in " + cpusPath);
            }
        }
        return new VmConfig.Vcpus(affinity, map, cpusPath, count);
    }

    private VmConfig.RmRpc rmRpc(NodeCursor c) {
        List<Virq> irqs = interrupts(c);
        if (!irqs.isEmpty() && irqs.size() != 2) {
            throw fail(c.path(), "interrupts", "rm-rpc takes two (tx, rx), not " + irqs.size());
        }
        List<String> push = pushCompatibles(c, 3);
        return new VmConfig.RmRpc(c.path(), string(c, "generate").orElse(DEFAULT_RM_RPC_GENERATE), push,
                c.node().hasProperty("console-dev"), u32(c, "message-size", DEFAULT_MESSAGE_SIZE),
                u32(c, "queue-depth", DEFAULT_QUEUE_DEPTH), irqs);
    }

    private VmConfig.Vdevice vdevice(NodeCursor c, String type) {
        VmConfig.Kind kind = null;
        for (VmConfig.Kind k : VmConfig.Kind.values()) {
            if (k.dtName.equals(type)) {
                kind = k;
            }
        }
        if (kind == null) {
            boolean known = List.of("shm-doorbell", "virtio-mmio", "iomem", "vsmmu-v2", "vrtc-pl031", "watchdog")
                    .contains(type);
            throw fail(c.path(), "vdevice-type", known
                    ? "'" + type + "' vdevices are not built in this model"
                    : "unknown vdevice type '" + type + "'");
        }
        String generate = string(c, "generate").orElseThrow(() -> fail(c.path(), "generate",
                "required for an emitted vdevice"));
        if (!generate.startsWith("/") || generate.endsWith("/") || generate.length() < 2 || generate.contains("//")) {
            throw fail(c.path(), "generate", "must be an absolute node path: " + generate);
        }
        long label = number(c, "qcom,label", 1).or(() -> number(c, "label", 1)).orElse(0L);
        Optional<String> peerId = string(c, "peer");
        boolean peerDefault = c.node().hasProperty("peer-default");
        if (peerId.isPresent() && peerDefault) {
            throw fail(c.path(), "peer", "give peer or peer-default, not both");
        }
        if (peerId.isEmpty() && !peerDefault) {
            throw fail(c.path(), "peer", "a " + type + " needs peer or peer-default");
        }
        List<Virq> irqs = interrupts(c);
        int want = switch (kind) {
            case MESSAGE_QUEUE_PAIR -> 2;
            case DOORBELL, MESSAGE_QUEUE -> 1;
            default -> 0;
        };
        if (!irqs.isEmpty() && irqs.size() != want) {
            throw fail(c.path(), "interrupts", type + " takes " + want + ", not " + irqs.size());
        }
        boolean sender = false;
        if (kind == VmConfig.Kind.MESSAGE_QUEUE) {
            boolean s = c.node().hasProperty("is-sender");
            boolean r = c.node().hasProperty("is-receiver");
            if (s == r) {
                throw fail(c.path(), "is-sender", "a message-queue is is-sender or is-receiver (exactly one)");
            }
            sender = s;
        }
        OptionalLong shmBase = OptionalLong.empty();
        if (kind == VmConfig.Kind.SHM) {
            Optional<NodeCursor> mem = child(c, "memory");
            if (mem.isPresent()) {
                Optional<Long> b = number(mem.get(), "base", cells(c.node(), "#address-cells", 2));
                if (b.isPresent()) {
                    shmBase = OptionalLong.of(b.get());
                }
            }
        }
        return new VmConfig.Vdevice(c.path(), kind, generate, pushCompatibles(c, 6), label,
                new VmConfig.Peer(peerId, peerDefault), u32(c, "message-size", DEFAULT_MESSAGE_SIZE),
                u32(c, "queue-depth", DEFAULT_QUEUE_DEPTH), irqs, sender,
                c.node().hasProperty("source-can-clear"), shmBase);
    }

    // ---- property readers ----------------------------------------------------------------------

    private List<String> pushCompatibles(NodeCursor c, int max) {
        List<String> push = c.node().property("push-compatible").map(p -> p.value().asStrings()).orElse(List.of());
        if (push.size() > max) {
            throw fail(c.path(), "push-compatible", "at most " + max + " here (6 compatibles in all)");
        }
        return push;
    }

    /** §6.4 in reverse: {type, number, flags} triples to INTIDs. */
    private List<Virq> interrupts(NodeCursor c) {
        Optional<Property> p = c.node().property("interrupts");
        if (p.isEmpty()) {
            return List.of();
        }
        long[] cells = p.get().value().cells();
        if (cells.length == 0 || cells.length % 3 != 0 || p.get().value().length() % 4 != 0) {
            throw fail(c.path(), "interrupts", "not a list of 3-cell specifiers");
        }
        List<Virq> out = new ArrayList<>();
        for (int i = 0; i < cells.length; i += 3) {
            long base = switch ((int) cells[i]) {
                case 0 -> 32;
                case 1 -> 16;
                case 2 -> 4096;
                case 3 -> 1056;
                default -> -1;
            };
            long flags = cells[i + 2];
            if (base < 0 || cells[i] > 3 || (flags != 1 && flags != 4) || cells[i + 1] > 1100) {
                throw fail(c.path(), "interrupts", "unsupported specifier <" + cells[i] + " " + cells[i + 1]
                        + " " + flags + ">");
            }
            try {
                out.add(new Virq((int) (base + cells[i + 1]), flags == 4));
            } catch (IllegalArgumentException e) {
                throw fail(c.path(), "interrupts", e.getMessage());
            }
        }
        return out;
    }

    private void oneOf(NodeCursor c, String prop, String only) {
        Optional<String> v = string(c, prop);
        if (v.isPresent() && !v.get().equals(only)) {
            throw fail(c.path(), prop, "must be \"" + only + "\", not \"" + v.get() + "\"");
        }
    }

    private Optional<String> string(NodeCursor c, String prop) {
        Optional<Property> p = c.node().property(prop);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        PropertyValue v = p.get().value();
        if (v.length() == 0 || v.byteAt(v.length() - 1) != 0) {
            throw fail(c.path(), prop, "not a string");
        }
        return Optional.of(v.asString());
    }

    private int u32(NodeCursor c, String prop, int dflt) {
        return number(c, prop, 1).map(Long::intValue).orElse(dflt);
    }

    /** A number of {@code cells} 32-bit cells (exactly that length). */
    private Optional<Long> number(NodeCursor c, String prop, int cells) {
        Optional<Property> p = c.node().property(prop);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        PropertyValue v = p.get().value();
        if (v.length() != 4 * cells) {
            throw fail(c.path(), prop, "expected " + cells + " cell(s), found " + v.length() + " bytes");
        }
        long out = 0;
        for (int i = 0; i < cells; i++) {
            out = out << 32 | v.cellAt(4 * i);
        }
        return Optional.of(out);
    }

    private static int cells(Node parent, String prop, int dflt) {
        return parent.property(prop).map(p -> (int) p.value().asCell()).filter(x -> x >= 0 && x <= 2).orElse(dflt);
    }

    private static Optional<NodeCursor> child(NodeCursor c, String name) {
        return c.children().stream().filter(k -> k.node().name().equals(name)).findFirst();
    }

    private VmConfigException fail(String path, String prop, String message) {
        return new VmConfigException(blob, path, prop, message);
    }
}
