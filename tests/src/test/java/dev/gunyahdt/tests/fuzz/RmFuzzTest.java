package dev.gunyahdt.tests.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.hypervisor.rm.RpcSeat;
import dev.gunyahdt.hypervisor.rm.config.VmConfigException;
import dev.gunyahdt.hypervisor.rm.config.VmConfigParser;
import dev.gunyahdt.hypervisor.rm.rpc.Decoded;
import dev.gunyahdt.hypervisor.rm.rpc.Reassembler;
import dev.gunyahdt.hypervisor.rm.rpc.RmIntake;
import dev.gunyahdt.hypervisor.rm.rpc.RpcHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14: the Resource Manager's inputs — RM-RPC framing (the reassembler and intake), whole
 * packets on a booted RM's queue, and the VM-config parser through its public entry point
 * {@code VmConfigParser.parse(String, DeviceTree)} on a tree compiled from fuzzed DTS text.
 */
class RmFuzzTest {

    static {
        // Boot one RM before fuzzing starts: the first boot loads (and Jazzer instruments) hundreds
        // of classes, which on a loaded machine took longer than the 10 s hang bound of one input.
        RpcSeat.boot().assertStillServes();
    }

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
        RpcSeat seat = RpcSeat.boot();
        for (byte[] p : packets(data)) {
            if (p.length <= RpcHeader.FRAGMENT_SIZE) { // the queue's message size: longer ones never reach the RM
                seat.send(p);
            }
        }
        seat.assertStillServes();
    }

    /** A VM's devicetree as DTS text (no preprocessor), then its /qcom,vm-config parsed. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void vmConfig(byte[] dts) throws Exception {
        Compiler c = new Compiler(
                CompileOptions.defaults().withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB));
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
