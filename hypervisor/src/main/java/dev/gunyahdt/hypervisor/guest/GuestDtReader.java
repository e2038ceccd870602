package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.guest.GuestDt.Doorbell;
import dev.gunyahdt.hypervisor.guest.GuestDt.Line;
import dev.gunyahdt.hypervisor.guest.GuestDt.Queue;
import dev.gunyahdt.hypervisor.guest.GuestDt.Range;
import dev.gunyahdt.hypervisor.guest.GuestDt.RmLink;
import dev.gunyahdt.hypervisor.guest.GuestDt.SharedMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a Linux guest's DT into a {@link GuestDt}, as the Gunyah drivers find their nodes (reference §12): the
 * children of {@code /hypervisor}, each chosen by its first {@code compatible} string the table knows (Linux's
 * {@code of_match_node} prefers the earliest), and the {@code device_type = "memory"} nodes under the root.
 */
final class GuestDtReader {

    private enum Kind {
        RM,
        QUEUE,
        DOORBELL,
        DOORBELL_SOURCE,
        SHARED_MEMORY
    }

    private static final Map<String, Kind> BY_COMPATIBLE = Map.of(
            "gunyah-resource-manager", Kind.RM,
            "qcom,resource-manager", Kind.RM,
            "qcom,gunyah-message-queue", Kind.QUEUE,
            "qcom,gunyah-doorbell", Kind.DOORBELL,
            "qcom,gunyah-doorbell-source", Kind.DOORBELL_SOURCE,
            "qcom,shared-memory", Kind.SHARED_MEMORY);

    private final DeviceTree dt;
    private final List<String> problems = new ArrayList<>();
    private final List<Line> lines = new ArrayList<>();
    private final List<Queue> queues = new ArrayList<>();
    private final List<Doorbell> doorbells = new ArrayList<>();
    private final List<NodeCursor> shmNodes = new ArrayList<>();
    private NodeCursor rmNode;
    private Optional<String> imageName = Optional.empty();
    private int vmid;

    private GuestDtReader(DeviceTree dt) {
        this.dt = dt;
    }

    /** The DTB blob at the boot vCPU's X0 (the IPA the RM put it at, §5.4), its header's totalsize, at most 16 MiB. */
    static byte[] blobAtX0(GuestContext ctx) {
        GuestMemory memory = ctx.memory();
        long ipa = ctx.boot().x(0);
        byte[] head = memory.read(ipa, 8);
        if (head == null) {
            throw new DtException("X0 = 0x" + Long.toHexString(ipa) + " is outside my memory");
        }
        byte[] blob = memory.read(ipa, (int) Math.min(Cells.u32(head, 4), 1 << 24)); // totalsize
        if (blob == null) {
            throw new DtException("the DTB's totalsize runs past my memory");
        }
        return blob;
    }

    static GuestDt read(DeviceTree dt) {
        return new GuestDtReader(dt).read();
    }

    private GuestDt read() {
        Optional<NodeCursor> hyp = dt.find("/hypervisor");
        if (hyp.isEmpty()) {
            problems.add("no /hypervisor in my DT");
            return result(Optional.empty(), List.of(), List.of());
        }
        for (NodeCursor c : hyp.get().children()) {
            if (c.node().name().equals("qcom,gunyah-vm")) {
                vmid = (int) (long) c.node()
                        .property("qcom,vmid")
                        .map(p -> p.value().asCell())
                        .orElse(0L);
                imageName =
                        c.node().property("qcom,image-name").map(p -> p.value().asString());
                continue;
            }
            Kind kind = kind(c);
            if (kind != null) {
                switch (kind) {
                    case RM -> rmNode = c;
                    case QUEUE -> queue(c);
                    case DOORBELL, DOORBELL_SOURCE -> doorbell(c, kind == Kind.DOORBELL_SOURCE);
                    case SHARED_MEMORY -> shmNodes.add(c);
                }
            }
        }
        Optional<RmLink> rm = rm();
        List<Range> memory = memory();
        return result(rm, memory, sharedMemory());
    }

    private GuestDt result(Optional<RmLink> rm, List<Range> memory, List<SharedMemory> shms) {
        return new GuestDt(imageName, vmid, rm, queues, doorbells, memory, reserved(), shms, lines, problems);
    }

    private static Kind kind(NodeCursor c) {
        for (String compatible : strings(c, "compatible")) {
            Kind k = BY_COMPATIBLE.get(compatible);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    /** {@code qcom,gunyah-message-queue}: a full-duplex pair (reg TX RX, two VIRQs) or one direction. */
    private void queue(NodeCursor c) {
        long[] reg = Cells.pairs(cells(c, "reg"));
        long[] irq = cells(c, "interrupts");
        long label =
                c.node().property("qcom,label").map(x -> x.value().asCell()).orElse(0L);
        long peer =
                c.node().property("qcom,peer-vmid").map(x -> x.value().asCell()).orElse(-1L);
        boolean duplex = c.node().hasProperty("qcom,is-full-duplex");
        boolean oneWay = !duplex && reg.length == 1 && irq.length == 3;
        if (duplex && reg.length == 2 && irq.length == 6) {
            queues.add(new Queue(c.path(), label, peer, true, reg[0], line(irq, 0), true, reg[1], line(irq, 3)));
        } else if (oneWay && c.node().hasProperty("is-sender")) {
            queues.add(new Queue(c.path(), label, peer, true, reg[0], line(irq, 0), false, 0, 0));
        } else if (oneWay && c.node().hasProperty("is-receiver")) {
            queues.add(new Queue(c.path(), label, peer, false, 0, 0, true, reg[0], line(irq, 0)));
        } else {
            problems.add(c.path() + ": reg/interrupts/direction do not describe a queue pair or a one-way queue");
            queues.add(new Queue(c.path(), label, peer, false, 0, 0, false, 0, 0));
        }
    }

    private void doorbell(NodeCursor c, boolean source) {
        long[] reg = Cells.pairs(cells(c, "reg"));
        long[] irq = cells(c, "interrupts");
        doorbells.add(new Doorbell(
                c.path(),
                c.node().property("qcom,label").map(x -> x.value().asCell()).orElse(0L),
                source,
                reg.length > 0 ? reg[0] : -1,
                irq.length == 3 ? line(irq, 0) : 0));
    }

    private Optional<RmLink> rm() {
        if (rmNode == null) {
            problems.add("no RM node (compatible gunyah-resource-manager) under /hypervisor");
            return Optional.empty();
        }
        long[] reg = Cells.pairs(cells(rmNode, "reg"));
        if (reg.length != 2) {
            problems.add(rmNode.path() + ": reg is not <tx rx>");
            return Optional.empty();
        }
        long[] irq = cells(rmNode, "interrupts");
        if (irq.length != 6) {
            problems.add(rmNode.path() + ": interrupts are not <tx rx>");
            return Optional.of(new RmLink(rmNode.path(), reg[0], reg[1], -1, -1));
        }
        return Optional.of(new RmLink(rmNode.path(), reg[0], reg[1], line(irq, 0), line(irq, 3)));
    }

    /** Every {@code device_type = "memory"} node's reg, in the root's address and size cells. */
    private List<Range> memory() {
        List<Range> out = new ArrayList<>();
        NodeCursor root = dt.rootCursor();
        int ac;
        int sc;
        try {
            ac = Addressing.addressCells(root);
            sc = Addressing.sizeCells(root);
        } catch (DtException e) {
            problems.add(e.getMessage());
            return out;
        }
        for (NodeCursor c : root.children()) {
            if (!strings(c, "device_type").contains("memory")) {
                continue;
            }
            long[] reg = cells(c, "reg");
            for (int i = 0; ac + sc > 0 && i + ac + sc <= reg.length; i += ac + sc) {
                out.add(new Range(Cells.join(reg, i, ac), Cells.join(reg, i + ac, sc)));
            }
        }
        return out;
    }

    /** Every {@code /reserved-memory} child's reg, in that node's address and size cells. */
    private List<Range> reserved() {
        List<Range> out = new ArrayList<>();
        Optional<NodeCursor> rsv = dt.find("/reserved-memory");
        if (rsv.isEmpty()) {
            return out;
        }
        long ac = Addressing.countOrNone(rsv.get().node(), "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
        long sc = Addressing.countOrNone(rsv.get().node(), "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
        if (ac < 0 || sc < 0 || ac + sc == 0) {
            problems.add("/reserved-memory: its #address-cells/#size-cells do not read");
            return out;
        }
        for (NodeCursor c : rsv.get().children()) {
            long[] reg = cells(c, "reg");
            for (int i = 0; i + ac + sc <= reg.length; i += (int) (ac + sc)) {
                out.add(new Range(Cells.join(reg, i, (int) ac), Cells.join(reg, i + (int) ac, (int) sc)));
            }
        }
        return out;
    }

    /**
     * The shared regions: each {@code /reserved-memory} child with {@code qcom,shared-memory} (the RM writes these
     * buffers in both overlay styles, §10.2 step 1), its {@code reg} and {@code peers}, less a virtio-mmio device's
     * DMA pool (a buffer of the label of a virtio-mmio vdevice of my config: its driver's, shared like shm). An shm node under
     * {@code /hypervisor} (the rm style) must name one of them with its {@code memory-region}.
     */
    private List<SharedMemory> sharedMemory() {
        Map<Long, NodeCursor> byPhandle = dt.phandles();
        for (NodeCursor c : shmNodes) {
            long[] region = cells(c, "memory-region");
            NodeCursor buffer = region.length == 1 ? byPhandle.get(region[0]) : null;
            if (buffer == null
                    || !buffer.node().hasProperty("qcom,shared-memory")
                    || cells(buffer, "reg").length == 0) {
                problems.add(c.path() + ": memory-region does not name a shared reserved-memory node with a reg");
            }
        }
        // my config's virtio-mmio vdevices: a buffer of one's label is its DMA pool, the virtio driver's (both styles)
        List<Long> dmaPools = new ArrayList<>();
        for (NodeCursor v :
                dt.find("/qcom,vm-config/vdevices").map(NodeCursor::children).orElse(List.of())) {
            if (strings(v, "vdevice-type").contains("virtio-mmio")) {
                for (long l : cells(v, "qcom,label")) {
                    dmaPools.add(l);
                }
            }
        }
        List<SharedMemory> out = new ArrayList<>();
        Optional<NodeCursor> rsv = dt.find("/reserved-memory");
        for (NodeCursor c : rsv.map(NodeCursor::children).orElse(List.of())) {
            long[] label = cells(c, "qcom,label");
            if (!c.node().hasProperty("qcom,shared-memory") || (label.length == 1 && dmaPools.contains(label[0]))) {
                continue;
            }
            long ac = Addressing.countOrNone(rsv.get().node(), "#address-cells", Addressing.DEFAULT_ADDRESS_CELLS);
            long sc = Addressing.countOrNone(rsv.get().node(), "#size-cells", Addressing.DEFAULT_SIZE_CELLS);
            long[] reg = cells(c, "reg");
            List<Long> peers = new ArrayList<>();
            for (long v : cells(c, "peers")) {
                peers.add(v);
            }
            if (ac < 0 || sc < 0 || reg.length < ac + sc) {
                out.add(new SharedMemory(c.path(), 0, 0, peers, c.path() + ": no reg in its parent's cells"));
            } else {
                out.add(new SharedMemory(
                        c.path(), Cells.join(reg, 0, (int) ac), Cells.join(reg, (int) ac, (int) sc), peers, null));
            }
        }
        return out;
    }

    /** A 3-cell GIC specifier's VIRQ at {@code at}, noted as a line to configure: flags 1 = edge rising. */
    private int line(long[] cells, int at) {
        int intid = intid(cells, at);
        lines.add(new Line(intid, (cells[at + 2] & 0xF) == 1));
        return intid;
    }

    /** The GIC binding's first cell: 0 SPI (from 32), 1 PPI (from 16), 2 extended SPI, 3 extended PPI. */
    private static int intid(long[] cells, int at) {
        long base = switch ((int) cells[at]) {
            case 0 -> 32;
            case 1 -> 16;
            case 2 -> 4096;
            default -> 1056;
        };
        return (int) (base + cells[at + 1]);
    }

    private static List<String> strings(NodeCursor c, String prop) {
        return c.node().property(prop).map(p -> p.value().asStrings()).orElse(List.of());
    }

    static long[] cells(NodeCursor c, String prop) {
        return c.node().property(prop).map(p -> p.value().cells()).orElse(new long[0]);
    }
}
