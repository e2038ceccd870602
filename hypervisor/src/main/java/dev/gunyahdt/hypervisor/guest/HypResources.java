package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.guest.GuestDt.Doorbell;
import dev.gunyahdt.hypervisor.guest.GuestDt.Line;
import dev.gunyahdt.hypervisor.guest.GuestDt.Queue;
import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * VM_GET_HYP_RESOURCES (§8.7) against the DT: checked entry for entry against the DT's vdevices, or adopted as the
 * guest's own when its DT lists none (as a Linux/crosvm host does). A secondary asks about its owner and each peer,
 * since about itself the RM lists nothing.
 */
final class HypResources {

    /** One 44-byte entry of §8.7, the fields the probe uses; type 0/1 doorbell source/receiver, 2/3 queue
     *  send/receive, 4 vCPU, 6 virtio-mmio (the backend's: {@code base}/{@code size} = its register page). */
    record Resource(int type, int partner, long label, long cap, long virq, long base, long size) {}

    private final GuestContext ctx;
    private final ProbeLog log;
    private final ActionLoop loop;
    private final Peers peers;
    private final boolean dtListsVdevices;
    private boolean match;

    HypResources(GuestContext ctx, ProbeLog log, ActionLoop loop, Peers peers, boolean dtListsVdevices) {
        this.ctx = ctx;
        this.log = log;
        this.loop = loop;
        this.peers = peers;
        this.dtListsVdevices = dtListsVdevices;
    }

    /** Whether the RM's answers agreed with the DT (or were adopted). */
    boolean match() {
        return match;
    }

    /** The primary: its own VM_GET_HYP_RESOURCES. */
    void checkOwn(IntSupplier vmid) {
        loop.add(loop.callLater(
                MessageId.VM_GET_HYP_RESOURCES,
                () -> Wire.writer().u16(vmid.getAsInt()).u16(0).build(),
                r -> {
                    List<Resource> all = parse(r, "VM_GET_HYP_RESOURCES");
                    if (all != null) {
                        compareWithDt(all);
                    }
                }));
    }

    /**
     * A secondary: about itself VM_GET_HYP_RESOURCES lists nothing, so it asks about its owner and each of its
     * peers (VM_GET_OWNER, VM_GET_PEERS) and compares the union with its DT.
     */
    void checkByPartner(IntSupplier vmid) {
        List<Integer> partners = new ArrayList<>();
        List<Resource> union = new ArrayList<>();
        loop.add(loop.callLater(
                MessageId.VM_GET_HYP_RESOURCES,
                () -> Wire.writer().u16(vmid.getAsInt()).u16(0).build(),
                r -> {
                    List<Resource> self = parse(r, "VM_GET_HYP_RESOURCES(self)");
                    if (self != null && self.stream().anyMatch(e -> e.type() <= 3)) {
                        log.problem("VM_GET_HYP_RESOURCES(self) lists " + self.size() + " entries; the RM lists none"
                                + " about a VM itself");
                    }
                }));
        loop.add(loop.call(MessageId.VM_GET_OWNER, new byte[0], r -> {
            if (ActionLoop.error(r) == 0 && r.replyData().length >= 4) {
                partners.add((int) new Wire.Reader(r.replyData()).u32());
            } else {
                log.problem("VM_GET_OWNER -> " + ActionLoop.error(r));
            }
        }));
        loop.add(loop.call(MessageId.VM_GET_PEERS, new byte[0], r -> {
            if (ActionLoop.error(r) != 0 || r.replyData().length < 4) {
                log.problem("VM_GET_PEERS -> " + ActionLoop.error(r));
                return;
            }
            Wire.Reader in = new Wire.Reader(r.replyData());
            long n = in.u32();
            for (long i = 0; i < n && in.remaining() >= 4; i++) {
                int p = (int) in.u32();
                if (!partners.contains(p)) {
                    partners.add(p);
                }
            }
        }));
        loop.add(ActionLoop.deferred(() -> {
            List<BooleanSupplier> calls = new ArrayList<>();
            for (int p : partners) {
                calls.add(loop.call(
                        MessageId.VM_GET_HYP_RESOURCES,
                        Wire.writer().u16(p).u16(0).build(),
                        r -> {
                            List<Resource> got = parse(r, "VM_GET_HYP_RESOURCES(0x" + Integer.toHexString(p) + ")");
                            if (got != null) {
                                union.addAll(got);
                            }
                        }));
            }
            return () -> {
                while (!calls.isEmpty() && calls.get(0).getAsBoolean()) {
                    calls.remove(0);
                }
                return calls.isEmpty();
            };
        }));
        loop.run(() -> compareWithDt(union));
    }

    private void compareWithDt(List<Resource> all) {
        List<Resource> entries = all.stream().filter(e -> e.type() != 4).toList(); // the RM owns my vCPUs
        if (!dtListsVdevices) {
            adopt(entries, "VM_GET_HYP_RESOURCES(self)");
            match = true;
            return;
        }
        int before = log.problemCount();
        int expected = 0;
        for (Peers.QueueState s : peers.queues()) {
            Queue q = s.q;
            if (q.hasTx()) {
                s.learnPeer(expect(entries, 2, q.label(), q.tx(), q.txVirq(), q.path() + " (send)"));
                expected++;
            }
            if (q.hasRx()) {
                s.learnPeer(expect(entries, 3, q.label(), q.rx(), q.rxVirq(), q.path() + " (receive)"));
                expected++;
            }
        }
        for (Peers.BellState s : peers.bells()) {
            Doorbell b = s.d;
            expect(entries, b.source() ? 0 : 1, b.label(), b.cap(), b.source() ? 0 : b.virq(), b.path());
            expected++;
        }
        long listed = entries.stream().filter(e -> e.type() <= 3).count(); // queues and doorbells
        if (listed != expected) {
            log.problem("VM_GET_HYP_RESOURCES lists " + listed + " queue/doorbell entries, my DT has " + expected);
        }
        match = log.problemCount() == before;
    }

    /** The entry the RM lists for this DT item (null, and a problem, when none). */
    private Resource expect(List<Resource> entries, int type, long label, long cap, long virq, String what) {
        Resource found = entries.stream()
                .filter(e -> e.type() == type && e.label() == label && e.cap() == cap && e.virq() == virq)
                .findFirst()
                .orElse(null);
        if (found == null) {
            log.problem("VM_GET_HYP_RESOURCES has no type-" + type + " entry for " + what + " (cap 0x"
                    + Long.toHexString(cap) + ", VIRQ " + virq + ")");
        }
        return found;
    }

    /**
     * Takes the doorbells and queues of a resources answer as mine: a SEND and a RECV entry with the same partner
     * and label are one pair. The RM allocates edge VIRQs (§6.3), so the receive lines are configured edge.
     */
    void adopt(List<Resource> entries, String from) {
        Map<String, List<Resource>> byKey = new LinkedHashMap<>();
        for (Resource e : entries) {
            if (e.type() == 2 || e.type() == 3) {
                byKey.computeIfAbsent(e.partner() + "/" + e.label(), k -> new ArrayList<>())
                        .add(e);
                ActionLoop.configure(ctx, new Line((int) e.virq(), true));
            } else if (e.type() == 6) {
                VirtioBackend.attach(ctx, log, loop, e, from); // I serve this virtio-mmio device
            } else if (e.type() == 0 || e.type() == 1) {
                boolean source = e.type() == 0;
                peers.add(new Doorbell(
                        from + " doorbell" + (source ? "-source" : "") + " vmid 0x" + Integer.toHexString(e.partner())
                                + " label " + e.label(),
                        e.label(),
                        source,
                        e.cap(),
                        (int) e.virq()));
                if (!source) {
                    ActionLoop.configure(ctx, new Line((int) e.virq(), true));
                }
            }
        }
        for (List<Resource> pair : byKey.values()) {
            Resource first = pair.get(0);
            Resource tx =
                    pair.stream().filter(e -> e.type() == 2).reduce((a, b) -> b).orElse(null);
            Resource rx =
                    pair.stream().filter(e -> e.type() == 3).reduce((a, b) -> b).orElse(null);
            peers.add(new Queue(
                    from + " vmid 0x" + Integer.toHexString(first.partner()) + " label " + first.label(),
                    first.label(),
                    first.partner(),
                    tx != null,
                    tx == null ? 0 : tx.cap(),
                    tx == null ? 0 : (int) tx.virq(),
                    rx != null,
                    rx == null ? 0 : rx.cap(),
                    rx == null ? 0 : (int) rx.virq()));
        }
    }

    /** The entries of a VM_GET_HYP_RESOURCES reply, or null (problem noted) when it is an error or malformed. */
    List<Resource> parse(RpcMessage r, String what) {
        if (ActionLoop.error(r) != 0) {
            log.problem(what + " -> RM error " + ActionLoop.error(r));
            return null;
        }
        Wire.Reader in = new Wire.Reader(r.replyData());
        long n = in.u32();
        if (in.remaining() != n * 44) {
            log.problem(what + ": " + n + " entries in " + in.remaining() + " bytes");
            return null;
        }
        List<Resource> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int type = in.u8();
            in.u8();
            int partner = in.u16();
            in.u32();
            long label = in.u32();
            long cap = in.u64();
            in.u32();
            long virq = in.u32();
            long base = in.u64();
            long size = in.u64();
            entries.add(new Resource(type, partner, label, cap, virq, base, size));
        }
        return entries;
    }
}
