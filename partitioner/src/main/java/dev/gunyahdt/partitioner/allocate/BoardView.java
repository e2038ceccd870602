package dev.gunyahdt.partitioner.allocate;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.partitioner.inventory.BoardInventory;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    public record MemoryBank(Range range, String path, SourceSpan span) {
    }

    public static BoardView of(DeviceTree tree) {
        BoardInventory inv = BoardInventory.of(tree);
        List<MemoryBank> banks = new ArrayList<>();
        for (Range r : inv.memory()) {
            banks.add(new MemoryBank(r, memoryNodeOf(tree, r), spanOfMemory(tree, r)));
        }
        return new BoardView(inv, tree, banks);
    }

    // The inventory keeps ranges only; find which memory node says each (first one whose name fits).
    private static String memoryNodeOf(DeviceTree tree, Range r) {
        for (NodeCursor c : tree.rootCursor().children()) {
            if (c.node().baseName().equals("memory") || c.node().name().startsWith("memory")) {
                if (c.node().unitAddress().equalsIgnoreCase(Long.toHexString(r.base()))) {
                    return c.path();
                }
            }
        }
        for (NodeCursor c : tree.rootCursor().children()) {
            if (c.node().name().startsWith("memory")) {
                return c.path();
            }
        }
        return "/memory";
    }

    private static SourceSpan spanOfMemory(DeviceTree tree, Range r) {
        return tree.find(memoryNodeOf(tree, r)).map(c -> c.node().span()).orElse(null);
    }

    /** The device a plan names: a path (starts with '/'), else a label, else an alias. */
    public Optional<Device> device(String ref) {
        String path = ref;
        if (!ref.startsWith("/")) {
            String label = ref.startsWith("&") ? ref.substring(1) : ref;
            Map<String, NodeCursor> labels = tree.nodeLabels();
            if (labels.containsKey(label)) {
                path = labels.get(label).path();
            } else {
                Optional<String> alias = tree.find("/aliases").flatMap(a -> a.node().property(label))
                        .filter(p -> p.value().isStringList())
                        .map(p -> p.value().asString());
                if (alias.isEmpty()) {
                    return Optional.empty();
                }
                path = alias.get();
            }
        }
        return inventory.device(path);
    }

    /** {@code file:line} of a board node, for messages; "(no source position)" for blob input. */
    public static String where(SourceSpan span) {
        return span == null ? "(no source position)" : span.file() + ":" + span.firstLine();
    }
}
