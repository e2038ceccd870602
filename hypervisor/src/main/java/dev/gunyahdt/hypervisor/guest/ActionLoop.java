package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The guest's actions, run one per turn of its vCPU, over its RPC link to the RM. An action that waits (for a
 * reply, a message, a doorbell) stays at the head. The link is polled only when its VIRQs fired (or at boot),
 * as an interrupt-driven driver reads it; replies go to the action waiting for them, and notifications are
 * handled here: console characters are kept, a NOTIFY_VM_SHUTDOWN is answered with VM_EXIT.
 */
final class ActionLoop {

    /** GICD_IPRIORITYR of a line a driver requests: Linux's GICv3 driver gives every interrupt 0xa0. */
    static final int DEFAULT_PRIORITY = 0xA0;
    /** ICC_PMR_EL1 as Linux's GICv3 driver sets it on each CPU (gic_cpu_sys_reg_init): 0xf0, everything above. */
    static final int PRIORITY_MASK = 0xF0;

    /**
     * request_irq of one VIRQ line (SPIs the vGIC has): GICD_ICFGR (edge or level), GICD_IPRIORITYR, then
     * GICD_ISENABLER, as a driver configures a line before it waits on it.
     */
    static void configure(GuestContext ctx, GuestDt.Line line) {
        Vcpu self = ctx.boot();
        if (line.intid() >= 32 && line.intid() < 1020) {
            self.vic().configureEdge(self.vicIndex(), line.intid(), line.edge());
            self.vic().setPriority(self.vicIndex(), line.intid(), DEFAULT_PRIORITY);
            self.vic().enable(self.vicIndex(), line.intid(), true);
        }
    }

    private final Deque<BooleanSupplier> script = new ArrayDeque<>();
    private final Map<Integer, Consumer<RpcMessage>> waiting = new HashMap<>();
    private final List<String> consoleSeen = new ArrayList<>();
    private final ProbeLog log;
    private final RpcClient rpc;
    private final int txVirq;
    private final int rxVirq;
    /** The RM link's VIRQs fired (or boot): poll it. */
    private boolean rpcReady = true;

    private BooleanSupplier pendingWrite;

    ActionLoop(ProbeLog log, RpcClient rpc, int txVirq, int rxVirq) {
        this.log = log;
        this.rpc = rpc;
        this.txVirq = txVirq;
        this.rxVirq = rxVirq;
    }

    void add(BooleanSupplier action) {
        script.add(action);
    }

    /** An action that runs once and completes at once. */
    void run(Runnable action) {
        script.add(() -> {
            action.run();
            return true;
        });
    }

    /** Device drivers' VIRQ handlers, told of every VIRQ taken. */
    private final List<java.util.function.IntConsumer> handlers = new ArrayList<>();

    /** A driver's handler, told of every VIRQ taken from now on. */
    void onVirq(java.util.function.IntConsumer handler) {
        handlers.add(handler);
    }

    /** A VIRQ was taken: the RM link's mean a message or free space may be there; drivers' handlers run. */
    void onVirq(int intid) {
        rpcReady |= intid == txVirq || intid == rxVirq;
        handlers.forEach(h -> h.accept(intid));
    }

    /** Handlers of notifications this loop does not handle itself (IRQ lending's, …). */
    private final List<Consumer<RpcMessage>> notificationHandlers = new ArrayList<>();

    /** A handler told of every notification from now on. */
    void onNotification(Consumer<RpcMessage> handler) {
        notificationHandlers.add(handler);
    }

    /** Sends a request now, outside the script (a driver answering a notification); {@code then} gets the reply. */
    void send(MessageId id, byte[] payload, Consumer<RpcMessage> then) {
        waiting.put(rpc.request(id, payload), then);
    }

    /** Whether every action ran and every reply came. */
    boolean idle() {
        return script.isEmpty() && waiting.isEmpty();
    }

    List<String> consoleSeen() {
        return List.copyOf(consoleSeen);
    }

    /** Polls the link if its VIRQs fired, delivers what came, then runs the head action; whether anything moved. */
    boolean turn() {
        boolean progress = false;
        List<RpcClient.Incoming> incoming = rpcReady ? rpc.poll() : List.of();
        rpcReady = false;
        for (RpcClient.Incoming in : incoming) {
            progress = true;
            if (in.isReply()) {
                Consumer<RpcMessage> k = waiting.remove(in.message().sequence());
                if (k != null) {
                    k.accept(in.message());
                }
            } else {
                notification(in.message());
            }
        }
        if (!script.isEmpty() && script.peekFirst().getAsBoolean()) {
            script.removeFirst();
            progress = true;
        }
        return progress;
    }

    private void notification(RpcMessage m) {
        Wire.Reader r = new Wire.Reader(m.payload());
        try {
            if (m.messageId() == MessageId.NOTIFY_VM_CONSOLE_CHARS.id()) {
                int from = r.u16();
                int n = r.u16();
                consoleSeen.add(
                        "0x" + Integer.toHexString(from) + ": " + new String(r.bytes(n), StandardCharsets.ISO_8859_1));
            } else if (m.messageId() == MessageId.NOTIFY_MEM_ACCEPTED.id()
                    || m.messageId() == MessageId.NOTIFY_MEM_RELEASED.id()) {
                long handle = r.u32();
                int vmid = r.u16();
                log.note("memparcel " + handle + " "
                        + (m.messageId() == MessageId.NOTIFY_MEM_ACCEPTED.id() ? "accepted" : "released")
                        + " by vmid 0x"
                        + Integer.toHexString(vmid));
            } else if (m.messageId() == MessageId.NOTIFY_VM_SHUTDOWN.id()) {
                log.note("shutdown requested; VM_EXIT");
                rpc.request(MessageId.VM_EXIT, Wire.writer().u16(0).u8(0).u8(0).build());
            } else {
                notificationHandlers.forEach(h -> h.accept(m));
            }
        } catch (RuntimeException malformed) {
            log.problem("malformed notification " + m);
        }
    }

    /** An action that sends a request once and completes when its reply came and {@code then} ran. */
    BooleanSupplier call(MessageId id, byte[] payload, Consumer<RpcMessage> then) {
        boolean[] sent = {false};
        boolean[] answered = {false};
        return () -> {
            if (!sent[0]) {
                sent[0] = true;
                int seq = rpc.request(id, payload);
                waiting.put(seq, m -> {
                    answered[0] = true;
                    then.accept(m);
                });
            }
            return answered[0];
        };
    }

    /** {@link #call} whose payload is built when the action reaches the head (it needs earlier replies). */
    BooleanSupplier callLater(MessageId id, Supplier<byte[]> payload, Consumer<RpcMessage> then) {
        return deferred(() -> call(id, payload.get(), then));
    }

    /** An action made when it reaches the head of the script. */
    static BooleanSupplier deferred(Supplier<BooleanSupplier> make) {
        BooleanSupplier[] made = {null};
        return () -> {
            if (made[0] == null) {
                made[0] = make.get();
            }
            return made[0].getAsBoolean();
        };
    }

    /** VM_CONSOLE_WRITE of one line; one write is in flight at a time. */
    BooleanSupplier consoleWrite(Supplier<String> line) {
        return () -> {
            if (pendingWrite == null) {
                byte[] b = line.get().getBytes(StandardCharsets.ISO_8859_1);
                pendingWrite = call(
                        MessageId.VM_CONSOLE_WRITE,
                        Wire.writer().u16(0).u16(b.length).bytes(b).build(),
                        r -> {
                            if (error(r) != 0) {
                                log.problem("VM_CONSOLE_WRITE -> " + error(r));
                            }
                        });
            }
            boolean ok = pendingWrite.getAsBoolean();
            if (ok) {
                pendingWrite = null;
            }
            return ok;
        };
    }

    /** A completed request's RM error code; -2 when the reply is too short to carry one. */
    static int error(RpcMessage reply) {
        return reply.payloadLength() < 4 ? -2 : reply.replyErrorCode();
    }

    void expectOk(RpcMessage r, String what) {
        if (error(r) != 0) {
            log.problem(what + " -> RM error " + error(r));
        }
    }
}
