package dev.gunyahdt.hypervisor.guest;

import static java.util.stream.Collectors.joining;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.hypervisor.device.Pl011Nodes;
import dev.gunyahdt.hypervisor.guest.GuestDt.Line;
import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * IRQ lending as the guests' drivers do it (the RM's VM_IRQ_* calls, [RM] {@code irq_manager.c}): the owner lends
 * each SPI of a device it passes to a secondary (VM_IRQ_LEND with the device's iomem vdevice label, then
 * VM_IRQ_NOTIFY LENT naming the borrower); the borrower, told by NOTIFY_VM_IRQ_LENT, finds the device by that
 * label, accepts the SPI 1:1 (VM_IRQ_ACCEPT with VIRQ_NUM_INVALID), configures the line and tells the owner
 * (VM_IRQ_NOTIFY ACCEPTED → NOTIFY_VM_IRQ_ACCEPTED). The label → device table is the {@code iomem} vdevices of the
 * VM's {@code /qcom,vm-config} (their {@code patch} path and {@code memory/qcom,label}), which both sides' trees
 * carry.
 */
final class LentIrqs {
    private static final long VIRQ_NUM_INVALID = 0xFFFF_FFFFL;
    private static final int NOTIFY_LENT = 1;
    private static final int NOTIFY_ACCEPTED = 4;

    /** A passed-through device a VM's config lists as an iomem vdevice, with its SPIs. */
    record Device(long label, String path, List<Line> spis) {}

    private final ProbeLog log;
    private final ActionLoop loop;
    /** Owner side: the borrower's name for each handle lent, for the ACCEPTED notification. */
    private final Map<Long, String> lent = new HashMap<>();
    /** Owner side, per borrower: SPIs to lend, lent, accepted (one boot-log line when all are accepted). */
    private final Map<String, int[]> counts = new HashMap<>();
    /** Borrower side, per device path: the SPIs accepted so far (one line when the device has them all). */
    private final Map<String, List<Integer>> accepted = new HashMap<>();
    /** Borrower side: devices with a driver here (their line is logged), SPIs expected and accepted in all. */
    private final Set<String> driven = new HashSet<>();

    private int expected;
    private int deviceCount;
    private int acceptedCount;

    private LentIrqs(ProbeLog log, ActionLoop loop) {
        this.log = log;
        this.loop = loop;
    }

    /** The iomem vdevices of {@code dt}'s VM config whose patched node has GIC SPIs (3-cell specifiers). */
    static List<Device> devices(DeviceTree dt) {
        List<Device> out = new ArrayList<>();
        Optional<NodeCursor> vdevs =
                dt.find("/qcom,vm-config/vdevices").or(() -> dt.find("/gunyah-vm-config/vdevices"));
        for (NodeCursor v : vdevs.map(NodeCursor::children).orElse(List.of())) {
            boolean iomem = v.node()
                    .property("vdevice-type")
                    .filter(p -> p.value().isStringList())
                    .map(p -> p.value().asString().equals("iomem"))
                    .orElse(false);
            Optional<String> patch = v.node()
                    .property("patch")
                    .filter(p -> p.value().isStringList())
                    .map(p -> p.value().asString());
            long[] label = v.children().stream()
                    .filter(c -> c.node().name().equals("memory"))
                    .findFirst()
                    .map(c -> GuestDtReader.cells(c, "qcom,label"))
                    .orElse(new long[0]);
            if (!iomem || patch.isEmpty() || label.length != 1) {
                continue;
            }
            Optional<NodeCursor> dev = dt.find(patch.get());
            long[] irq = dev.map(d -> GuestDtReader.cells(d, "interrupts")).orElse(new long[0]);
            List<Line> spis = new ArrayList<>();
            for (int i = 0; i + 3 <= irq.length; i += 3) {
                if (irq[i] == 0 && irq[i + 1] <= 1019 - 32) {
                    spis.add(new Line((int) irq[i + 1] + 32, (irq[i + 2] & 0xF) == 1));
                }
            }
            if (!spis.isEmpty()) {
                out.add(new Device(label[0], patch.get(), List.copyOf(spis)));
            }
        }
        return out;
    }

    // ---- the owner ----------------------------------------------------------------------------------------

    /** The owner's side, told of NOTIFY_VM_IRQ_ACCEPTED. */
    static LentIrqs owner(ProbeLog log, ActionLoop loop) {
        LentIrqs l = new LentIrqs(log, loop);
        loop.onNotification(l::ownerNotified);
        return l;
    }

    /**
     * Queues the lending of every SPI of {@code launched}'s passed-through devices to {@code name}: VM_IRQ_LEND of
     * my VIRQ (the RM maps my hwirqs 1:1), then VM_IRQ_NOTIFY LENT with the borrower as the only VMID.
     */
    void lendAll(String name, IntSupplier vmid, DeviceTree launched) {
        List<Device> devices = devices(launched);
        int[] count = counts.computeIfAbsent(name, k -> new int[3]);
        count[0] += devices.stream().mapToInt(d -> d.spis().size()).sum();
        for (Device d : devices) {
            for (Line spi : d.spis()) {
                long[] handle = {-1};
                String what = "SPI " + spi.intid() + " (" + d.path() + ") to " + name;
                loop.add(loop.callLater(
                        MessageId.VM_IRQ_LEND,
                        () -> Wire.writer()
                                .u16(vmid.getAsInt())
                                .u16(0)
                                .u32(spi.intid())
                                .u32(d.label())
                                .build(),
                        r -> {
                            if (ActionLoop.error(r) != 0 || r.replyData().length < 4) {
                                log.problem("VM_IRQ_LEND of " + what + " -> RM error " + ActionLoop.error(r));
                            } else {
                                handle[0] = new Wire.Reader(r.replyData()).u32();
                                lent.put(handle[0], name);
                            }
                        }));
                loop.add(ActionLoop.deferred(() -> handle[0] < 0
                        ? () -> true
                        : loop.call(
                                MessageId.VM_IRQ_NOTIFY,
                                Wire.writer()
                                        .u32(handle[0])
                                        .u32(NOTIFY_LENT)
                                        .u16(1)
                                        .u16(0)
                                        .u16(vmid.getAsInt())
                                        .u16(0)
                                        .build(),
                                r -> {
                                    loop.expectOk(r, "VM_IRQ_NOTIFY LENT of " + what);
                                    count[1] += ActionLoop.error(r) == 0 ? 1 : 0;
                                })));
            }
        }
    }

    private void ownerNotified(RpcMessage m) {
        if (m.messageId() != MessageId.NOTIFY_VM_IRQ_ACCEPTED.id() || m.payloadLength() < 4) {
            return;
        }
        long handle = new Wire.Reader(m.payload()).u32();
        String name = lent.get(handle);
        if (name == null) {
            log.problem("NOTIFY_VM_IRQ_ACCEPTED for handle 0x" + Long.toHexString(handle) + ", which I did not lend");
            return;
        }
        int[] count = counts.get(name);
        if (++count[2] == count[0]) {
            log.note(name + ": its " + count[0] + " device SPI(s) lent (VM_IRQ_LEND, VM_IRQ_NOTIFY LENT), " + count[2]
                    + " accepted (NOTIFY_VM_IRQ_ACCEPTED)");
        }
    }

    // ---- the borrower -------------------------------------------------------------------------------------

    /** The borrower's side: accepts each SPI lent for one of its devices. */
    static void borrower(GuestContext ctx, ProbeLog log, ActionLoop loop, DeviceTree mine) {
        List<Device> devices = devices(mine);
        if (devices.isEmpty()) {
            return;
        }
        LentIrqs l = new LentIrqs(log, loop);
        // a driver here says what it got (the UARTs: UartProbe takes their SPIs); the rest are summed up
        Pl011Nodes.find(mine).forEach(u -> l.driven.add(u.path()));
        l.expected = devices.stream().mapToInt(d -> d.spis().size()).sum();
        l.deviceCount = devices.size();
        loop.onNotification(m -> l.borrowerNotified(ctx, devices, m));
    }

    /** NOTIFY_VM_IRQ_LENT {u16 owner, u16 pad, u32 handle, u32 label}: accept, configure, tell the owner. */
    private void borrowerNotified(GuestContext ctx, List<Device> devices, RpcMessage m) {
        if (m.messageId() != MessageId.NOTIFY_VM_IRQ_LENT.id()) {
            return;
        }
        if (m.payloadLength() != 12) {
            log.problem("NOTIFY_VM_IRQ_LENT of " + m.payloadLength() + " bytes");
            return;
        }
        Wire.Reader in = new Wire.Reader(m.payload());
        int owner = in.u16();
        in.u16();
        long handle = in.u32();
        long label = in.u32();
        Optional<Device> dev = devices.stream().filter(d -> d.label() == label).findFirst();
        if (dev.isEmpty()) {
            log.problem("VM 0x" + Integer.toHexString(owner) + " lent me an IRQ with label " + label
                    + ", which none of my iomem devices has");
            return;
        }
        Device d = dev.get();
        loop.send(
                MessageId.VM_IRQ_ACCEPT,
                Wire.writer().u32(handle).u32(VIRQ_NUM_INVALID).build(),
                r -> {
                    if (ActionLoop.error(r) != 0 || r.replyData().length < 4) {
                        log.problem("VM_IRQ_ACCEPT of handle 0x" + Long.toHexString(handle) + " (" + d.path()
                                + ") -> RM error " + ActionLoop.error(r));
                        return;
                    }
                    long virq = new Wire.Reader(r.replyData()).u32();
                    Optional<Line> line =
                            d.spis().stream().filter(s -> s.intid() == virq).findFirst();
                    if (line.isEmpty()) {
                        log.problem("VM_IRQ_ACCEPT gave VIRQ " + virq + ", not an SPI of " + d.path());
                        return;
                    }
                    ActionLoop.configure(ctx, line.get());
                    loop.send(
                            MessageId.VM_IRQ_NOTIFY,
                            Wire.writer().u32(handle).u32(NOTIFY_ACCEPTED).build(),
                            n -> {
                                loop.expectOk(n, "VM_IRQ_NOTIFY ACCEPTED of " + d.path());
                                List<Integer> got = accepted.computeIfAbsent(d.path(), k -> new ArrayList<>());
                                got.add((int) virq);
                                if (ActionLoop.error(n) != 0) {
                                    return;
                                }
                                if (++acceptedCount == expected) {
                                    log.note(
                                            expected + " SPI(s) of my " + deviceCount + " passed-through device(s)"
                                                    + " lent by VM 0x" + Integer.toHexString(owner)
                                                    + ": each accepted 1:1 (VM_IRQ_ACCEPT), owner told (VM_IRQ_NOTIFY ACCEPTED)");
                                }
                                if (driven.contains(d.path())
                                        && got.size() == d.spis().size()) {
                                    log.note(d.path() + ": SPI "
                                            + got.stream().map(String::valueOf).collect(joining(", "))
                                            + " lent by VM 0x" + Integer.toHexString(owner) + " (label " + label
                                            + "), accepted 1:1 (VM_IRQ_ACCEPT), owner told (VM_IRQ_NOTIFY ACCEPTED)");
                                }
                            });
                });
    }
}
