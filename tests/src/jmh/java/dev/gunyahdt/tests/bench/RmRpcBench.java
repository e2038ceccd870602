package dev.gunyahdt.tests.bench;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.rm.GuestSeat;
import dev.gunyahdt.hypervisor.rm.Platform;
import dev.gunyahdt.hypervisor.rm.ResourceManager;
import dev.gunyahdt.hypervisor.rm.SystemConfig;
import dev.gunyahdt.hypervisor.rm.VcpuHost;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.sim.Simulation;
import dev.gunyahdt.tests.scale.VmFleet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 5, acceptance 6 (second target, ≥ 200 thousand round trips/s): the primary VM asks VM_GET_VMID and gets
 * the answer, through the real pieces — the RM booted from a generated system.dtb ({@link VmFleet}, one VM), the
 * VM's {@link RpcClient}/{@link RpcEndpoint} on the TX/RX CapIDs it finds in the {@code /hypervisor} node the RM
 * merged into its DTB (as linux-probe does), the RM-RPC message queues the RM created, and the RM's own
 * {@code step()} (receive, reassemble, classify, dispatch, reply through its link). One round trip = request
 * fragment sent, RM step, reply fragment received and paired.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RmRpcBench {
    private ResourceManager rm;
    private RpcClient client;
    private static final byte[] NO_PAYLOAD = new byte[0];

    @Setup
    public void boot() {
        Simulation.Config c = VmFleet.config(1, 1);
        SystemConfig system = SystemConfig.read("system.dtb", DtbReader.read(c.systemDtb(), "system.dtb"));
        GuestSeat[] seat = new GuestSeat[1];
        VcpuHost host = new VcpuHost() {
            @Override
            public void powerOn(GuestSeat s) {
                seat[0] = s;
            }

            @Override
            public void powerOff(int vmid) {
            }
        };
        Hypervisor hv = new Hypervisor(1);
        rm = ResourceManager.boot(hv, system, Platform.QEMU, c.vmDtbs().get("hlos"), host, () -> 0);
        GuestSeat s = seat[0];
        // the guest's view: its merged DTB at X0, the RM node's reg = <TX RX> CapIDs
        byte[] head = s.memory().read(s.dtbIpa(), 8);
        int total = (int) Cells.u32(head, 4); // totalsize
        DeviceTree dt = DtbReader.read(s.memory().read(s.dtbIpa(), total), "DTB at X0");
        NodeCursor rmNode = dt.find("/hypervisor").orElseThrow().children().stream()
                .filter(n -> n.node().name().startsWith("qcom,resource-manager-rpc@")).findFirst().orElseThrow();
        long[] reg = Cells.pairs(rmNode.node().property("reg").orElseThrow().value().cells());
        client = new RpcClient(new RpcEndpoint(hv, s.caller(), reg[0], reg[1],
                VmFleet.PRIMARY_BASE + 0x10_0000)); // a free page of its RAM
        if (roundTrip() != 3) {
            throw new IllegalStateException("VM_GET_VMID did not answer 3");
        }
    }

    /** One VM_GET_VMID round trip; returns the VMID in the reply. */
    @Benchmark
    public int roundTrip() {
        int seq = client.request(MessageId.VM_GET_VMID, NO_PAYLOAD);
        rm.step();
        List<RpcClient.Incoming> in = client.poll();
        if (in.size() != 1 || in.get(0).message().sequence() != seq) {
            throw new IllegalStateException("no reply to request " + seq + ": " + in);
        }
        byte[] data = in.get(0).message().replyData();
        return data[0] & 0xFF | (data[1] & 0xFF) << 8;
    }
}
