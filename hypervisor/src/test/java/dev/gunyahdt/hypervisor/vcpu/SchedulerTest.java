package dev.gunyahdt.hypervisor.vcpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.ThreadRights;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vCPU lifecycle and hypercall errors (§5.2, §0), the FPRR scheduler in virtual time (§5.1), vcpu_run (§5.3). */
class SchedulerTest {
    final Fixture f = new Fixture(7);
    final long cs = f.newCSpace(64);
    final long as = Builders.addrspace(f, 45);
    final long vic = f.newVic();
    final Scheduler s = f.hv.scheduler();

    long vcpu(int index, long cpu, int prio) {
        return Builders.vcpu(f, cs, as, vic, index, cpu, prio, 0);
    }

    Vcpu obj(long cap) {
        return f.hv.vcpu(f.root, cap);
    }

    @Test
    void activationNeedsCspaceAndAddrspaceAndConfigureIsInitOnly() {
        long t = f.create(PartitionCalls.CREATE_THREAD);
        f.ok(VcpuCalls.CSPACE_ATTACH_THREAD, cs, t, 0);
        assertEquals(HypError.OBJECT_CONFIG, f.call(ObjectCalls.ACTIVATE, t, 0).error());
        assertEquals(ObjectState.FAILED, obj(t).state());
        long u = vcpu(0, 0, 32);
        assertEquals(
                HypError.OBJECT_STATE, f.call(VcpuCalls.SET_PRIORITY, u, 10).error());
        assertEquals(
                HypError.OBJECT_STATE,
                f.call(VcpuCalls.SET_TIMESLICE, u, 1_000_000).error());
        assertEquals(HypError.OBJECT_STATE, f.call(VcpuCalls.CONFIGURE, u, 0, 0).error());
        assertEquals(
                HypError.OBJECT_STATE,
                f.call(VcpuCalls.CSPACE_ATTACH_THREAD, cs, u, 0).error());
        assertEquals(HypError.OK, f.call(VcpuCalls.SET_AFFINITY, u, 3, -1L).error()); // FPRR migrates: ACTIVE ok
    }

    @Test
    void argumentErrorsAreTheCodes() {
        long t = f.create(PartitionCalls.CREATE_THREAD);
        assertEquals(HypError.DENIED, f.call(VcpuCalls.SET_PRIORITY, t, 63).error()); // code: > 62 → DENIED
        assertEquals(HypError.OK, f.call(VcpuCalls.SET_PRIORITY, t, 62).error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VcpuCalls.SET_TIMESLICE, t, 99_999).error());
        assertEquals(HypError.OK, f.call(VcpuCalls.SET_TIMESLICE, t, 100_000).error()); // code minimum, not 1 ms
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VcpuCalls.SET_TIMESLICE, t, 100_000_001).error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VcpuCalls.SET_AFFINITY, t, 8, -1L).error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VcpuCalls.SET_AFFINITY, t, 3, 0).error()); // res1
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VcpuCalls.CONFIGURE, t, 1L << 6, 0).error());
        assertEquals(
                HypError.OK,
                f.call(VcpuCalls.CONFIGURE, t, 1L << 63 | 1L << 9 | 1, 0).error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VcpuCalls.VIC_ATTACH_VCPU, vic, t, 8, 0).error());
        assertEquals(
                HypError.OBJECT_STATE, f.call(VcpuCalls.POWERON, t, 0, 0, 0).error()); // not ACTIVE
        assertEquals(
                HypError.ARGUMENT_INVALID, f.call(VcpuCalls.POWERON, t, 0, 0, 4).error()); // flags first
        long u = vcpu(1, 0, 32);
        assertEquals(
                HypError.BUSY,
                f.call(VcpuCalls.VIC_ATTACH_VCPU, vic, f.create(PartitionCalls.CREATE_THREAD), 1, 0)
                        .error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VcpuCalls.REGISTER_WRITE, u, 0, 31, 5, 0).error());
        f.ok(VcpuCalls.REGISTER_WRITE, u, 0, 30, 5, 0);
        f.ok(VcpuCalls.POWERON, u, 0x1000, 0x2000, 0);
        assertEquals(HypError.BUSY, f.call(VcpuCalls.POWERON, u, 0, 0, 0).error());
        assertEquals(
                HypError.BUSY, f.call(VcpuCalls.REGISTER_WRITE, u, 1, 0, 5, 0).error());
        assertEquals(0x1000, obj(u).pc());
        assertEquals(0x2000, obj(u).x(0));
        assertEquals(5, obj(u).x(30));
        // poweroff is only for the calling vCPU itself: root is not u
        assertEquals(HypError.ARGUMENT_INVALID, f.call(VcpuCalls.POWEROFF, u, 0).error());
        f.ok(VcpuCalls.KILL, u, 0);
        assertEquals(HypError.OBJECT_STATE, f.call(VcpuCalls.KILL, u, 0).error());
        assertEquals(HypError.BUSY, f.call(VcpuCalls.POWERON, u, 0, 0, 0).error());
        assertEquals(HypError.BUSY, f.call(VcpuCalls.RUN, u, 0, 0, 0, 0).error()); // not proxy-scheduled
    }

    @Test
    void highestPriorityRunsEqualOnesRotateOnTimeslice() {
        long a = vcpu(0, 0, 20);
        long b = vcpu(1, 0, 20);
        long hi = vcpu(2, 0, 40);
        long other = vcpu(3, 1, 10);
        for (long v : new long[] {a, b, other}) {
            f.ok(VcpuCalls.POWERON, v, 0, 0, 0);
        }
        assertNull(s.next(2)); // idle CPU
        assertSame(obj(other), s.next(1));
        assertSame(obj(a), s.next(0));
        s.tick(4_999_999);
        assertSame(obj(a), s.next(0)); // 5 ms default timeslice not used up
        s.tick(1);
        assertSame(obj(b), s.next(0)); // round robin
        s.tick(5_000_000);
        assertSame(obj(a), s.next(0));
        f.ok(VcpuCalls.POWERON, hi, 0, 0, 0);
        assertSame(obj(hi), s.next(0)); // preempts at once
        assertEquals(10_000_000, s.now());
        // hi powers itself off from its own program: a is next, with what was left of its slice
        long own = f.ok(
                dev.gunyahdt.hypervisor.cspace.CSpaceCalls.COPY_CAP_FROM,
                f.hv.rootCSpaceCap(),
                hi,
                cs,
                ThreadRights.POWER,
                0);
        obj(hi).program(self -> assertEquals(
                HypError.OK,
                f.hv.call(self.caller(), VcpuCalls.POWEROFF, own, 1).error()));
        s.runRound(1000);
        assertFalse(obj(hi).poweredOn());
        assertSame(obj(a), s.next(0));
    }

    @Test
    void yieldSendsToTheTailAndWfiBlocksUntilAVirq() {
        long a = vcpu(0, 0, 20);
        long b = vcpu(1, 0, 20);
        f.ok(VcpuCalls.POWERON, a, 0, 0, 0);
        f.ok(VcpuCalls.POWERON, b, 0, 0, 0);
        // both run on cs, so each can name itself there with a master cap copy
        List<String> trace = new ArrayList<>();
        obj(a).program(self -> {
            trace.add("a");
            f.hv.call(self.caller(), VcpuCalls.SCHEDULER_YIELD, 0, 0, 0);
        });
        obj(b).program(self -> {
            trace.add("b");
            self.waitForInterrupt();
        });
        s.runRound(1000); // a runs, yields → b next
        s.runRound(1000); // b runs, waits for an interrupt
        s.runRound(1000); // only a is left
        assertEquals(List.of("a", "b", "a"), trace);
        assertTrue(obj(b).waiting());
        // a doorbell bound to the VIC, routed (default) to index 0 = a; route it to b's index 1
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        f.ok(dev.gunyahdt.hypervisor.doorbell.DoorbellCalls.BIND_VIRQ, db, vic, 970, 0);
        obj(a).vic().route(970, 1);
        obj(a).vic().enable(1, 970, true);
        obj(a).vic().setPriorityMask(1, 0xF0);
        f.ok(dev.gunyahdt.hypervisor.doorbell.DoorbellCalls.SEND, db, 1, 0);
        assertFalse(obj(b).waiting());
        assertEquals(970, obj(b).vic().acknowledge(1));
    }

    @Test
    void vcpuRunDrivesAProxyScheduledVcpuAndReportsItsState() {
        long proxy = vcpu(0, Scheduler.CPU_INDEX_INVALID, 0);
        // bind its wakeup VIRQ in the owner's VIC: proxy-scheduled from now on
        long ownerVic = f.newVic();
        f.ok(VcpuCalls.BIND_VIRQ, proxy, ownerVic, 980, VcpuCalls.VIRQ_RUN_WAKEUP, 0);
        HvcResult r = f.call(VcpuCalls.RUN, proxy, 0, 0, 0, 0);
        assertEquals(VcpuCalls.RUN_POWERED_OFF, r.x1());
        int[] steps = {0};
        obj(proxy).program(self -> {
            if (++steps[0] == 2) {
                self.waitForInterrupt();
            }
        });
        f.ok(VcpuCalls.POWERON, proxy, 0x8000, 0, 0);
        assertTrue(f.root.cspace()
                .lookup(ownerVic, null, 0, false)
                .as(dev.gunyahdt.hypervisor.vic.Vic.class)
                .isPending(980)); // leaving POWERED_OFF raises the wakeup VIRQ
        for (int c = 0; c < s.cpus(); c++) {
            assertNull(s.next(c)); // the FPRR scheduler never picks a proxy-scheduled vCPU
        }
        assertEquals(
                VcpuCalls.RUN_READY, f.call(VcpuCalls.RUN, proxy, 0, 0, 0, 0).x1());
        r = f.call(VcpuCalls.RUN, proxy, 0, 0, 0, 0);
        assertEquals(List.of((long) VcpuCalls.RUN_EXPECTS_WAKEUP, 0L, 1L), List.of(r.x1(), r.x2(), r.x3()));
        assertEquals(2, steps[0]);
        f.call(VcpuCalls.RUN, proxy, 0, 0, 0, 0);
        assertEquals(2, steps[0]); // waiting: not run
        obj(proxy).vic().setPriorityMask(0, 0xF0);
        obj(proxy).vic().enable(0, 27, true);
        obj(proxy).vic().assertPrivate(0, 27); // its virtual timer PPI
        assertEquals(VcpuCalls.RUN_READY, f.call(VcpuCalls.RUN_CHECK, proxy, 0).x1());
        f.ok(VcpuCalls.KILL, proxy, 0);
        r = f.call(VcpuCalls.RUN, proxy, 0, 0, 0, 0);
        assertEquals(List.of((long) VcpuCalls.RUN_POWERED_OFF, 1L), List.of(r.x1(), r.x2()));
    }
}
