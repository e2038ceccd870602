package dev.gunyahdt.hypervisor.rm.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random input: pure junk, and valid fragments of random messages damaged (bit flips, truncation,
 * extension, duplication, reordering). The decoder answers each with a typed result, never throws, never holds
 * more than 62 × 232 bytes, and every message it delivers is consistent with its header rules.
 */
class DecoderFuzzTest {

    @Test
    void randomAndDamagedFragmentsNeverThrowAndStayBounded() {
        Random rnd = new Random(0x5EED_8_2L);
        Reassembler r = new Reassembler();
        Map<DropReason, Integer> drops = new EnumMap<>(DropReason.class);
        int messages = 0;
        int pending = 0;
        int packets = 0;
        for (int round = 0; round < 6000; round++) {
            List<byte[]> batch = new ArrayList<>();
            if (rnd.nextInt(4) == 0) {
                byte[] junk = new byte[rnd.nextInt(300)];
                rnd.nextBytes(junk);
                if (junk.length > 0 && rnd.nextBoolean()) {
                    junk[0] = 0x21; // get past the version check more often
                }
                batch.add(junk);
            } else {
                MessageType t = MessageType.of(1 + rnd.nextInt(3));
                int len = rnd.nextInt(10) == 0 ? rnd.nextInt(RpcHeader.MAX_MESSAGE_PAYLOAD + 1) : rnd.nextInt(1200);
                byte[] p = new byte[len];
                rnd.nextBytes(p);
                for (byte[] f :
                        Fragmenter.fragments(new RpcMessage(t, rnd.nextInt(4), 0x56000000 + rnd.nextInt(3), p))) {
                    batch.add(mutate(f, rnd));
                    if (rnd.nextInt(20) == 0) {
                        batch.add(f.clone()); // duplicate
                    }
                }
                if (batch.size() > 1 && rnd.nextInt(5) == 0) {
                    int i = rnd.nextInt(batch.size());
                    int j = rnd.nextInt(batch.size());
                    byte[] tmp = batch.get(i);
                    batch.set(i, batch.get(j));
                    batch.set(j, tmp);
                }
            }
            for (byte[] f : batch) {
                packets++;
                Decoded d = r.accept(f);
                assertTrue(r.bufferedBytes() <= 62 * RpcHeader.FRAGMENT_PAYLOAD);
                if (d instanceof Decoded.Message m) {
                    messages++;
                    assertTrue(m.message().payloadLength() <= RpcHeader.MAX_MESSAGE_PAYLOAD);
                    assertTrue(m.message().type() != MessageType.CONTINUED);
                    assertTrue(!r.inProgress());
                } else if (d instanceof Decoded.Pending p) {
                    pending++;
                    assertTrue(p.received() < p.expected() && p.expected() <= 63);
                    assertTrue(r.inProgress());
                } else {
                    drops.merge(((Decoded.Dropped) d).reason(), 1, Integer::sum);
                }
            }
        }
        assertTrue(packets > 20000, "packets " + packets);
        // Every outcome class is reached, so the fuzzing exercises every path.
        assertEquals(DropReason.values().length, drops.size(), drops.toString());
        assertTrue(messages > 500 && pending > 1000, messages + " / " + pending);
        System.out.printf("fuzz: %d packets, %d messages, %d pending, drops %s%n", packets, messages, pending, drops);
    }

    private static byte[] mutate(byte[] f, Random rnd) {
        byte[] g = f.clone();
        switch (rnd.nextInt(12)) {
            case 0 -> g[rnd.nextInt(g.length)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> g = java.util.Arrays.copyOf(g, rnd.nextInt(g.length + 1));
            case 2 -> g = java.util.Arrays.copyOf(g, g.length + 1 + rnd.nextInt(40));
            case 3 -> g[1] = (byte) rnd.nextInt(256);
            default -> {}
        }
        return g;
    }
}
