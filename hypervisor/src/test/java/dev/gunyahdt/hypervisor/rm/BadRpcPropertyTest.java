package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 5 acceptance 5: whatever a client puts on its RM-RPC queue — short packets, wrong versions, bad fragment
 * counts, continuations of nothing or of another message, oversized fragments, whole requests with junk payloads
 * to every message ID — the RM neither throws nor wedges: afterwards the same client still gets a correct
 * VM_GET_VMID answer, and no handler ever hit an internal fault (§8.2: framing faults are dropped silently,
 * requests are answered with an error).
 */
class BadRpcPropertyTest {

    private static final List<Integer> IDS =
            java.util.Arrays.stream(MessageId.values()).map(MessageId::id).toList();

    @Property(tries = 200)
    void junkNeverCrashesOrWedgesTheRm(@ForAll("packets") List<byte[]> packets) {
        RpcSeat seat = RpcSeat.boot();
        for (byte[] p : packets) {
            seat.send(p);
        }
        // any message a junk first fragment left in progress is finished by a fresh request (it starts anew)
        seat.assertStillServes();
    }

    @Provide
    Arbitrary<List<byte[]>> packets() {
        Arbitrary<byte[]> junk =
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(260);
        Arbitrary<byte[]> framed = Combinators.combine(
                        Arbitraries.of(0x21, 0x21, 0x21, 0x11, 0x22, 0x31, 0x20), // version / header words
                        Arbitraries.integers().between(0, 255), // type + fragment count
                        Arbitraries.integers().between(0, 3), // sequence
                        Arbitraries.oneOf(Arbitraries.of(IDS), Arbitraries.integers()),
                        Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(250))
                .as((b0, b1, seq, id, payload) -> {
                    byte[] p = new byte[8 + payload.length];
                    p[0] = (byte) (int) b0;
                    p[1] = (byte) (int) b1;
                    p[2] = (byte) (int) seq;
                    p[4] = (byte) (int) id;
                    p[5] = (byte) (id >>> 8);
                    p[6] = (byte) (id >>> 16);
                    p[7] = (byte) (id >>> 24);
                    System.arraycopy(payload, 0, p, 8, payload.length);
                    return p;
                });
        // whole well-framed requests with junk payloads reach every handler
        Arbitrary<byte[]> request = Combinators.combine(
                        Arbitraries.of(IDS),
                        Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(48))
                .as((id, payload) -> {
                    byte[] p = new byte[8 + payload.length];
                    p[0] = 0x21;
                    p[1] = 1;
                    p[4] = (byte) (int) id;
                    p[5] = (byte) (id >>> 8);
                    p[6] = (byte) (id >>> 16);
                    p[7] = (byte) (id >>> 24);
                    System.arraycopy(payload, 0, p, 8, payload.length);
                    return p;
                });
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(2, junk),
                        net.jqwik.api.Tuple.of(5, framed),
                        net.jqwik.api.Tuple.of(5, request))
                .list()
                .ofMinSize(1)
                .ofMaxSize(40);
    }
}
