package dev.gunyahdt.hypervisor.rm.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FragmentationTest {
    static final int P = RpcHeader.FRAGMENT_PAYLOAD; // 232

    static byte[] payload(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, P - 1, P, P + 1, 2 * P, 2 * P + 1, 10 * P - 1, 62 * P, 62 * P + 1, 63 * P - 1, 63 * P})
    void splitsAtTheDocumentedBoundariesAndReassembles(int length) {
        RpcMessage m = RpcMessage.request(MessageId.VM_CONSOLE_WRITE, 77, payload(length, length));
        List<byte[]> frags = Fragmenter.fragments(m);
        int expected = length == 0 ? 1 : (length + P - 1) / P;
        assertEquals(expected, frags.size());
        assertEquals(expected, m.fragmentCount());
        Reassembler r = new Reassembler();
        for (int i = 0; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            RpcHeader h = RpcHeader.read(f);
            assertEquals(i == 0 ? MessageType.REQUEST : MessageType.CONTINUED, h.type());
            assertEquals(expected - 1, h.additionalFragments());
            assertEquals(77, h.sequence());
            assertEquals(MessageId.VM_CONSOLE_WRITE.id(), h.messageId());
            boolean last = i == frags.size() - 1;
            int body = last ? length - i * P : P;
            assertEquals(RpcHeader.SIZE + body, f.length);
            assertTrue(f.length <= RpcHeader.FRAGMENT_SIZE);
            Decoded d = r.accept(f);
            if (last) {
                assertEquals(new Decoded.Message(m, false), d);
            } else {
                assertEquals(new Decoded.Pending(i + 1, expected, false), d);
            }
        }
        assertFalse(r.inProgress());
        assertEquals(0, r.bufferedBytes());
    }

    @Test
    void theLargestMessageIs63FragmentsOf232Bytes() {
        assertEquals(14616, RpcHeader.MAX_MESSAGE_PAYLOAD);
        assertEquals(
                63,
                Fragmenter.fragments(RpcMessage.request(MessageId.VM_CONSOLE_WRITE, 0, new byte[14616]))
                        .size());
        assertThrows(
                IllegalArgumentException.class,
                () -> RpcMessage.request(MessageId.VM_CONSOLE_WRITE, 0, new byte[14617]));
    }

    @Test
    void receiverAcceptsShortMiddleFragments() {
        // The reassembler concatenates whatever each fragment carries; only the count ends the message.
        int id = MessageId.VM_SET_CRASH_MSG.id();
        Reassembler r = new Reassembler();
        byte[] f0 = concat(RpcHeader.of(MessageType.REQUEST, 2, 3, id).encode(), new byte[] {1});
        byte[] f1 = RpcHeader.of(MessageType.CONTINUED, 2, 3, id).encode();
        byte[] f2 = concat(RpcHeader.of(MessageType.CONTINUED, 2, 3, id).encode(), new byte[] {2, 3});
        assertEquals(new Decoded.Pending(1, 3, false), r.accept(f0));
        assertEquals(new Decoded.Pending(2, 3, false), r.accept(f1));
        assertEquals(
                new Decoded.Message(new RpcMessage(MessageType.REQUEST, 3, id, new byte[] {1, 2, 3}), false),
                r.accept(f2));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
