package dev.gunyahdt.partitioner.allocate;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.partitioner.inventory.BoardInventory;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A board as the allocator and the rules see it: its inventory, plus what only the tree knows —
 * labels and {@code /aliases} to find a device the plan names, and where each memory node was
 * written so a message can point at it.
 */
public record BoardView(BoardInventory inventory, DeviceTree tree, List<MemoryBank> banks) {

    public BoardView {
        banks = List.copyOf(banks);
    }

    /** One physical memory range and the {@code /memory*} node that declares it. */
    public record MemoryBank(Range range, String path, SourceSpan span) {}

    public static BoardView of(DeviceTree tree) {
        BoardInventory inv = BoardInventory.of(tree);
        // The inventory keeps ranges only; a range belongs to the first memory node whose unit
        // address is its base, else to the first memory node. One pass over the root's children,
        // then a map, so 4096 ranges do not each walk the root.
        Map<String, NodeCursor> byUnit = new HashMap<>();
        NodeCursor firstMemory = null;
        for (NodeCursor c : tree.rootCursor().children()) {
            if (c.node().baseName().equals("memory") || c.node().name().startsWith("memory")) {
                byUnit.putIfAbsent(c.node().unitAddress().toLowerCase(Locale.ROOT), c);
            }
            if (firstMemory == null && c.node().name().startsWith("memory")) {
                firstMemory = c;
            }
        }
        List<MemoryBank> banks = new ArrayList<>();
        for (Range r : inv.memory()) {
            NodeCursor c = byUnit.getOrDefault(Long.toHexString(r.base()), firstMemory);
            banks.add(
                    c == null
                            ? new MemoryBank(
                                    r,
                                    "/memory",
                                    tree.find("/memory")
                                            .map(m -> m.node().span())
                                            .orElse(null))
                            : new MemoryBank(r, c.path(), c.node().span()));
        }
        return new BoardView(inv, tree, banks);
    }

    /** The device a plan names: a path (starts with '/'), else a label, else an alias. */
    public Optional<Device> device(String ref) {
        return deviceLookup().apply(ref);
    }

    /**
     * {@link #device(String)} for many references: labels, aliases and device paths are indexed
     * once, and each lookup is then a few hash probes.
     */
    public Function<String, Optional<Device>> deviceLookup() {
        Map<String, NodeCursor> labels = tree.nodeLabels();
        Optional<NodeCursor> aliases = tree.find("/aliases");
        Map<String, Device> byPath = new HashMap<>();
        for (Device d : inventory.devices()) {
            byPath.putIfAbsent(d.path(), d);
        }
        return ref -> {
            String path = ref;
            if (!ref.startsWith("/")) {
                String label = ref.startsWith("&") ? ref.substring(1) : ref;
                if (labels.containsKey(label)) {
                    path = labels.get(label).path();
                } else {
                    Optional<String> alias = aliases.flatMap(a -> a.node().property(label))
                            .filter(p -> p.value().isStringList())
                            .map(p -> p.value().asString());
                    if (alias.isEmpty()) {
                        return Optional.empty();
                    }
                    path = alias.get();
                }
            }
            return Optional.ofNullable(byPath.get(path));
        };
    }

    /** {@code file:line} of a board node, for messages; "(no source position)" for blob input. */
    public static String where(SourceSpan span) {
        return span == null ? "(no source position)" : span.file() + ":" + span.firstLine();
    }
}
