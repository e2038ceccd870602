package dev.gunyahdt.hypervisor.prng;

import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * The hypervisor's entropy for guests, as [HYP] {@code hyp/misc/prng_hw/src/prng_api.c} serves it: words from the
 * platform generator — in the model, the hypervisor's one seeded generator, so the same seed and the same calls
 * give the same bytes — rate-limited per calling thread.
 */
public final class Entropy {
    /** At most 4 words (16 bytes) per call. */
    static final int MAX_BYTES = 16;
    /** The per-thread read window (33 ms, to reduce DoS) and the reads allowed in one (2 bits of count: 4). */
    static final long WINDOW_NS = 33_000_000;

    static final int READS_PER_WINDOW = 4;

    private final Random generator;
    private final LongSupplier clock;
    /** thread->prng_last_read, split into the window start and the reads counted in it (0..3). */
    private final Map<Object, long[]> lastRead = new IdentityHashMap<>();

    /**
     * @param generator the hypervisor's seeded generator
     * @param clock     virtual time in ns (the scheduler's)
     */
    public Entropy(Random generator, LongSupplier clock) {
        this.generator = generator;
        this.clock = clock;
    }

    /**
     * hypercall_prng_get_entropy(num_bytes) for {@code thread}: 1..16 bytes (ARGUMENT_SIZE), a whole number of words
     * (ARGUMENT_ALIGNMENT); a thread's fifth read inside one window is BUSY. X1..X4 = data0..data3, the words not
     * asked for (and every word of a refusal) zero. A thread starts with its last read at time 0, as the real
     * thread object is zero-initialised, so in the first 33 ms it gets three reads, not four.
     */
    HvcResult read(Object thread, long numBytes) {
        if (numBytes == 0 || numBytes > MAX_BYTES) {
            return HvcResult.error(HypError.ARGUMENT_SIZE);
        }
        if (numBytes % 4 != 0) {
            return HvcResult.error(HypError.ARGUMENT_ALIGNMENT);
        }
        long now = clock.getAsLong();
        long[] last = lastRead.computeIfAbsent(thread, t -> new long[2]);
        if (now - last[0] < WINDOW_NS) {
            if (last[1] == READS_PER_WINDOW - 1) {
                return HvcResult.error(HypError.BUSY);
            }
            last[1]++;
        } else {
            last[0] = now;
            last[1] = 0;
        }
        long[] words = new long[4];
        for (int i = 0; i < numBytes / 4; i++) {
            words[i] = generator.nextInt() & 0xFFFF_FFFFL;
        }
        return HvcResult.ok(words);
    }
}
