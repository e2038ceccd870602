package dev.gunyahdt.tests.bench;

import dev.gunyahdt.hypervisor.vcpu.Caller;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Issue 5, acceptance 6 (first target, ≥ 2 million pairs/s): one {@code msgqueue_send} by a sender VM and one
 * {@code msgqueue_receive} by a receiver VM, both through the native hypercall entry ({@code hv.call}: dispatch,
 * reserved-input check, CapID lookup with rights and state, guest-memory copies). The queue is built as the RM
 * builds an RM-RPC queue (depth 8, 240-byte messages) with both VIRQs bound into a VIC, so every send asserts the
 * receive VIRQ and every receive the send VIRQ — the whole hot path of a real exchange. Each VM holds only the
 * cap it needs (SEND or RECEIVE) in its own cspace, granted with {@code cspace_copy_cap_from}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MsgQueueBench {
    /** Message length in bytes: a minimal RPC fragment (header only) and a full 240-byte one. */
    @Param({"8", "240"})
    public int size;

    private Hypervisor hv;
    private Caller sender;
    private Caller receiver;
    private long sendCap;
    private long receiveCap;

    @Setup
    public void build() {
        hv = new Hypervisor(1);
        Caller root = hv.root();
        long q = ok(hv.call(root, PartitionCalls.CREATE_MSGQUEUE, hv.rootPartitionCap(), hv.rootCSpaceCap(), 0));
        ok(hv.call(root, MsgQueueCalls.CONFIGURE, q, MsgQueueCalls.createInfo(8, 240), 0));
        long vic = ok(hv.call(root, PartitionCalls.CREATE_VIC, hv.rootPartitionCap(), hv.rootCSpaceCap(), 0));
        ok(hv.call(root, VicCalls.CONFIGURE, vic, 8, 988, 0, 0));
        ok(hv.call(root, ObjectCalls.ACTIVATE, vic, 0));
        ok(hv.call(root, MsgQueueCalls.BIND_SEND_VIRQ, q, vic, 32, 0));
        ok(hv.call(root, MsgQueueCalls.BIND_RECEIVE_VIRQ, q, vic, 33, 0));
        ok(hv.call(root, ObjectCalls.ACTIVATE, q, 0));
        long senderCs = newCSpace(root);
        long receiverCs = newCSpace(root);
        sender = hv.attach(root, senderCs, "sender", GuestMemory.flat(4096));
        receiver = hv.attach(root, receiverCs, "receiver", GuestMemory.flat(4096));
        sendCap = ok(hv.call(root, CSpaceCalls.COPY_CAP_FROM, hv.rootCSpaceCap(), q, senderCs, MsgQueueRights.SEND, 0));
        receiveCap = ok(hv.call(root, CSpaceCalls.COPY_CAP_FROM, hv.rootCSpaceCap(), q, receiverCs,
                MsgQueueRights.RECEIVE, 0));
        byte[] msg = new byte[size];
        for (int i = 0; i < size; i++) {
            msg[i] = (byte) i;
        }
        sender.memory().write(0x100, msg);
        // one pair outside the measurement, checked: the bytes arrive
        pair();
        byte[] got = receiver.memory().read(0x800, size);
        if (!java.util.Arrays.equals(msg, got)) {
            throw new IllegalStateException("the message did not arrive intact");
        }
    }

    private long newCSpace(Caller root) {
        long cs = ok(hv.call(root, PartitionCalls.CREATE_CSPACE, hv.rootPartitionCap(), hv.rootCSpaceCap(), 0));
        ok(hv.call(root, CSpaceCalls.CONFIGURE, cs, 16, 0));
        ok(hv.call(root, ObjectCalls.ACTIVATE, cs, 0));
        return cs;
    }

    private static long ok(HvcResult r) {
        if (!r.isOk()) {
            throw new IllegalStateException("setup hypercall failed: " + r.error());
        }
        return r.x1();
    }

    /** One send + one receive; returns the received size (JMH consumes it). */
    @Benchmark
    public long pair() {
        HvcResult s = hv.call(sender, MsgQueueCalls.SEND, sendCap, size, 0x100, 0);
        HvcResult r = hv.call(receiver, MsgQueueCalls.RECEIVE, receiveCap, 0x800, 1024, 0);
        if (!s.isOk() || r.x1() != size) {
            throw new IllegalStateException("send " + s.error() + ", receive " + r.error() + " size " + r.x1());
        }
        return r.x1();
    }
}
