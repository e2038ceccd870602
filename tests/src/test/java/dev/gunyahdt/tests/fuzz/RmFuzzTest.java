package dev.gunyahdt.tests.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.rm.GuestSeat;
import dev.gunyahdt.hypervisor.rm.Platform;
import dev.gunyahdt.hypervisor.rm.ResourceManager;
import dev.gunyahdt.hypervisor.rm.SystemConfig;
import dev.gunyahdt.hypervisor.rm.VcpuHost;
import dev.gunyahdt.hypervisor.rm.VmState;
import dev.gunyahdt.hypervisor.rm.config.VmConfigException;
import dev.gunyahdt.hypervisor.rm.config.VmConfigParser;
import dev.gunyahdt.hypervisor.rm.rpc.Decoded;
import dev.gunyahdt.hypervisor.rm.rpc.Le;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.Reassembler;
import dev.gunyahdt.hypervisor.rm.rpc.RmIntake;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.rm.rpc.RpcHeader;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import dev.gunyahdt.hypervisor.rm.Configs;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14: the Resource Manager's inputs — RM-RPC framing (the reassembler and intake), whole
 * packets on a booted RM's queue, and the VM-config parser through its public entry point
 * {@code VmConfigParser.parse(String, DeviceTree)} on a tree compiled from fuzzed DTS text.
 */
class RmFuzzTest {

    private static final byte[] SYSTEM = Configs.compile(Configs.system(
            Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L)));
    private static final byte[] HLOS = Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, "console-dev;", "", ""));

    /** Packets, each one length byte then that many bytes, through the reassembler and intake. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void rpcFraming(byte[] data) {
        Reassembler r = new Reassembler();
        for (byte[] p : packets(data)) {
            Decoded d = r.accept(p);
            assertNotNull(d);
            if (d instanceof Decoded.Message m) {
                RmIntake.Outcome o = RmIntake.classify(m.message());
                assertNotNull(o.action());
                assertTrue(m.message().payloadLength() <= RpcHeader.MAX_MESSAGE_PAYLOAD);
            }
            assertTrue(r.bufferedBytes() <= RpcHeader.MAX_MESSAGE_PAYLOAD, "the reassembler holds too much");
        }
    }

    /** The same packets on a booted RM's queue: it never faults, and still answers VM_GET_VMID. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void rmRequests(byte[] data) {
        List<GuestSeat> seats = new ArrayList<>();
        VcpuHost host = new VcpuHost() {
            @Override
            public void powerOn(GuestSeat seat) {
                seats.add(seat);
            }

            @Override
            public void powerOff(int vmid) {
            }
        };
        Hypervisor hv = new Hypervisor(3);
        SystemConfig sys = SystemConfig.read("system.dtb", DtbReader.read(SYSTEM, "system.dtb"));
        ResourceManager rm = ResourceManager.boot(hv, sys, Platform.QEMU, HLOS, host, () -> 0);
        GuestSeat seat = seats.get(0);
        NodeCursor node = DtbReader.read(rm.vm("hlos").orElseThrow().guestDtb().orElseThrow(), "guest").find("/hypervisor")
                .orElseThrow().children().stream().filter(c -> c.node().name().startsWith("qcom,resource-manager-rpc@"))
                .findFirst().orElseThrow();
        long[] reg = node.node().property("reg").orElseThrow().value().cells();
        RpcEndpoint ep = new RpcEndpoint(hv, seat.caller(), reg[0] << 32 | reg[1], reg[2] << 32 | reg[3],
                seat.ramBase() + 0x1000);
        for (byte[] p : packets(data)) {
            if (p.length > RpcHeader.FRAGMENT_SIZE) {
                continue;   // the queue's message size: longer ones never reach the RM
            }
            ep.sendRaw(p);
            rm.step();
            ep.receive();
        }
        RpcClient client = new RpcClient(ep);
        int seq = client.request(MessageId.VM_GET_VMID, new byte[0]);
        RpcMessage reply = null;
        for (int i = 0; i < 20 && reply == null; i++) {
            rm.step();
            for (RpcClient.Incoming in : client.poll()) {
                if (in.isReply() && in.message().sequence() == seq) {
                    reply = in.message();
                }
            }
        }
        assertNotNull(reply, "the RM stopped answering");
        assertEquals(0, reply.replyErrorCode());
        assertEquals(3, Le.u32(reply.replyData(), 0));
        assertEquals(0, rm.internalFaults(), "a handler faulted");
        assertEquals(VmState.RUNNING, rm.vm("hlos").orElseThrow().state());
    }

    /** A VM's devicetree as DTS text (no preprocessor), then its /qcom,vm-config parsed. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void vmConfig(byte[] dts) throws Exception {
        Compiler c = new Compiler(CompileOptions.defaults().withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB));
        Compilation[] r = new Compilation[1];
        if (!Refusals.run(() -> r[0] = c.compile(null, dts, "-"), DtException.class) || r[0].failed()) {
            return;
        }
        Refusals.run(() -> VmConfigParser.parse("fuzz.dtb", r[0].tree()), VmConfigException.class);
    }

    private static List<byte[]> packets(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < data.length) {
            int len = Math.min(data[at] & 0xff, data.length - at - 1);
            out.add(Arrays.copyOfRange(data, at + 1, at + 1 + len));
            at += 1 + len;
        }
        return out;
    }
}
