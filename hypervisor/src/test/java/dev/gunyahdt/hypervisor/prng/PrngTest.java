package dev.gunyahdt.hypervisor.prng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.List;
import org.junit.jupiter.api.Test;

/** prng_get_entropy (0x6057) as [HYP] {@code hyp/misc/prng_hw/src/prng_api.c}: sizes, rate limit, determinism. */
class PrngTest {

    static HvcResult entropy(Fixture f, long n) {
        return f.call(PrngCalls.GET_ENTROPY, n, 0);
    }

    static List<Long> words(HvcResult r) {
        return List.of(r.x1(), r.x2(), r.x3(), r.x4());
    }

    @Test
    void sizesAreWholeWordsUpToFour() {
        Fixture f = new Fixture(7);
        assertEquals(HypError.ARGUMENT_SIZE, entropy(f, 0).error());
        assertEquals(HypError.ARGUMENT_SIZE, entropy(f, 17).error());
        assertEquals(HypError.ARGUMENT_SIZE, entropy(f, 1L << 32 | 17).error(), "count_t: 32 bits");
        assertEquals(HypError.ARGUMENT_ALIGNMENT, entropy(f, 6).error());
        assertEquals(
                HypError.ARGUMENT_INVALID, f.call(PrngCalls.GET_ENTROPY, 4, 1).error(), "res0");
        HvcResult two = entropy(f, 8);
        assertEquals(HypError.OK, two.error());
        assertEquals(0, two.x3());
        assertEquals(0, two.x4());
        assertNotEquals(0, two.x1() | two.x2());
        assertEquals(0, two.x1() >>> 32, "32-bit words");
    }

    @Test
    void theSameSeedGivesTheSameBytesAnotherSeedOthers() {
        assertEquals(words(entropy(new Fixture(7), 16)), words(entropy(new Fixture(7), 16)));
        assertNotEquals(words(entropy(new Fixture(7), 16)), words(entropy(new Fixture(8), 16)));
    }

    @Test
    void aThreadGetsFourReadsPerWindowAndThreeInTheFirst() {
        Fixture f = new Fixture(7);
        // time 0: the thread's last read is at 0, so this window already counts one
        for (int i = 0; i < 3; i++) {
            assertEquals(HypError.OK, entropy(f, 4).error(), "read " + i);
        }
        HvcResult busy = entropy(f, 16);
        assertEquals(HypError.BUSY, busy.error());
        assertEquals(List.of(0L, 0L, 0L, 0L), words(busy), "no data on an error");
        // the rate limit is per thread: a vCPU has its own
        long as = Builders.addrspace(f, 45);
        long t = Builders.vcpu(f, f.newCSpace(8), as, f.newVic(), 0, 0, 32, 0);
        Vcpu v = f.hv.vcpu(f.root, t);
        assertEquals(
                HypError.OK, f.hv.call(v.caller(), PrngCalls.GET_ENTROPY, 4, 0).error());
        // 33 ms later a new window opens: four reads, then BUSY
        f.hv.scheduler().tick(Entropy.WINDOW_NS);
        for (int i = 0; i < 4; i++) {
            assertEquals(HypError.OK, entropy(f, 4).error(), "read " + i);
        }
        assertEquals(HypError.BUSY, entropy(f, 4).error());
    }
}
