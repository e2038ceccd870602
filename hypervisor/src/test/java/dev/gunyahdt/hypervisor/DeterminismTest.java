package dev.gunyahdt.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gunyahdt.hypervisor.Fixture.Vm;
import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.prng.PrngCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Same seed, same CapIDs and same results; another seed, other CapIDs. */
class DeterminismTest {

    /** A fixed little scenario; returns every result register and CapID it saw, then the final snapshot. */
    static List<String> run(long seed) {
        Fixture f = new Fixture(seed);
        List<String> log = new ArrayList<>();
        log.add("root " + f.hv.rootPartitionCap() + " " + f.hv.rootCSpaceCap());
        Vm a = f.newVm("a");
        Vm b = f.newVm("b");
        long q = f.newMsgQueue(4, 32);
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        long qa = f.grant(a, q, MsgQueueRights.SEND);
        long qb = f.grant(b, q, MsgQueueRights.RECEIVE);
        long dba = f.grant(a, db, DoorbellRights.SEND);
        log.add("caps " + List.of(a.cspaceCap(), b.cspaceCap(), q, db, qa, qb, dba));
        a.caller().memory().write(0, "hello".getBytes());
        log.add(f.hv.call(a.caller(), MsgQueueCalls.SEND, qa, 5, 0, 0, 0).toString());
        log.add(f.hv.call(b.caller(), MsgQueueCalls.RECEIVE, qb, 0, 32, 0).toString());
        log.add(f.hv.call(a.caller(), DoorbellCalls.SEND, dba, 3, 0).toString()); // INIT: OBJECT_STATE
        log.add(f.hv.call(b.caller(), MsgQueueCalls.RECEIVE, qa, 0, 32, 0).toString());
        log.add("entropy " + f.hv.call(a.caller(), PrngCalls.GET_ENTROPY, 16, 0));
        log.addAll(f.hv.snapshot());
        return log;
    }

    @Test
    void sameSeedSameEverything() {
        assertEquals(run(42), run(42));
    }

    @Test
    void otherSeedOtherCapIds() {
        assertNotEquals(run(42).get(0), run(43).get(0));
        assertNotEquals(run(42).get(1), run(43).get(1));
        // but the same outcomes
        assertEquals(run(42).subList(2, 5), run(43).subList(2, 5));
        // and other entropy (prng_get_entropy draws from the same seeded generator)
        assertNotEquals(run(42).get(6), run(43).get(6));
    }
}
