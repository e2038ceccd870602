package dev.gunyahdt.hypervisor.memory;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import org.junit.jupiter.api.Test;

import static dev.gunyahdt.hypervisor.Builders.RW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memextents, address spaces and page ownership (§7.1). */
class MemoryTest {
    static final long PAGE = MemDb.PAGE;
    static final long BASE = Hypervisor.DDR_BASE + 0x100_0000;
    final Fixture f = new Fixture(11);

    AddrSpace space(long cap) {
        return f.root.cspace().lookup(cap, ObjectType.ADDRSPACE, 0, false).as(AddrSpace.class);
    }

    @Test
    void basicExtentTakesItsPagesAndIsMappedWholeAtMostFourTimes() {
        long me = Builders.extent(f, BASE, 4 * PAGE, RW, MemExtent.BASIC);
        Object ext = f.root.cspace().lookup(me, null, 0, false).object();
        assertSame(ext, f.hv.memdb().ownerOf(BASE + 3 * PAGE));
        // the same pages cannot be taken twice: activation fails, object FAILED
        long again = f.create(PartitionCalls.CREATE_MEMEXTENT);
        f.ok(MemoryCalls.MEMEXTENT_CONFIGURE, again, BASE + PAGE, PAGE, MemoryCalls.extentAttrs(RW, 0, 0), 0);
        assertEquals(HypError.MEMDB_NOT_OWNER, f.call(ObjectCalls.ACTIVATE, again, 0).error());
        long as = Builders.addrspace(f, 45);
        long attrs = MemoryCalls.mapAttrs(RW, 15);
        assertEquals(HypError.MEMEXTENT_TYPE, f.call(MemoryCalls.ADDRSPACE_MAP, as, me, 0, attrs, 1, 0, PAGE).error());
        assertEquals(HypError.ARGUMENT_INVALID, f.call(MemoryCalls.ADDRSPACE_MAP, as, me, 0, attrs, 0, 0, PAGE).error());
        assertEquals(HypError.ARGUMENT_ALIGNMENT,
                f.call(MemoryCalls.ADDRSPACE_MAP, as, me, 0x10, attrs, 0, 0, 4 * PAGE).error());
        for (int i = 0; i < 4; i++) {
            Builders.mapWhole(f, as, me, i * 0x10_0000L, 4 * PAGE);
        }
        assertEquals(HypError.MEMEXTENT_MAPPINGS_FULL,
                f.call(MemoryCalls.ADDRSPACE_MAP, as, me, 0x80_0000, attrs, 0, 0, 4 * PAGE).error());
        long as2 = Builders.addrspace(f, 46);
        f.ok(MemoryCalls.ADDRSPACE_UNMAP, as, me, 0x30_0000, 0, 0, 4 * PAGE);
        f.ok(MemoryCalls.ADDRSPACE_UNMAP, as, me, 0x20_0000, 0, 0, 4 * PAGE);
        Builders.mapWhole(f, as2, me, 0, 4 * PAGE);
        assertEquals(HypError.EXISTING_MAPPING,
                f.call(MemoryCalls.ADDRSPACE_MAP, as2, me, 2 * PAGE, attrs, 0, 0, 4 * PAGE).error());
        assertEquals(HypError.ARGUMENT_INVALID, f.call(MemoryCalls.ADDRSPACE_UNMAP, as2, me, 0, 0, 0, PAGE).error());
        // two address spaces mapping the same extent see the same bytes
        assertTrue(space(as).write(0x10_0000 + PAGE - 2, new byte[] {1, 2, 3, 4}));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, space(as2).read(PAGE - 2, 4));
        HvcResult l = f.call(MemoryCalls.ADDRSPACE_LOOKUP, as2, me, PAGE, PAGE, 0);
        assertEquals(java.util.List.of(0L, PAGE, PAGE), java.util.List.of(l.x0(), l.x1(), l.x2()));
        assertEquals(HypError.ADDR_INVALID, f.call(MemoryCalls.ADDRSPACE_LOOKUP, as2, me, 8 * PAGE, PAGE, 0).error());
        // nothing mapped there: no access
        assertNull(space(as2).read(4 * PAGE, 1));
    }

    @Test
    void accessIsLimitedByTheExtentAndDerivedExtentsCannotExceedTheirParent() {
        long ro = Builders.extent(f, BASE, 2 * PAGE, 4, MemExtent.BASIC); // R only
        long as = Builders.addrspace(f, 45);
        f.ok(MemoryCalls.ADDRSPACE_MAP, as, ro, 0, MemoryCalls.mapAttrs(Builders.RWX, 15), 0, 0, 2 * PAGE);
        assertTrue(space(as).read(0, 8) != null);
        assertFalse(space(as).write(0, new byte[] {1})); // W was asked for, the extent does not allow it
        long child = f.create(PartitionCalls.CREATE_MEMEXTENT);
        assertEquals(HypError.ARGUMENT_INVALID, f.call(MemoryCalls.MEMEXTENT_CONFIGURE_DERIVE, child, ro, 0, PAGE,
                MemoryCalls.extentAttrs(RW, 0, 0), 0).error());
        assertEquals(HypError.ADDR_OVERFLOW, f.call(MemoryCalls.MEMEXTENT_CONFIGURE_DERIVE, child, ro, PAGE,
                2 * PAGE, MemoryCalls.extentAttrs(4, 0, 0), 0).error());
        f.ok(MemoryCalls.MEMEXTENT_CONFIGURE_DERIVE, child, ro, PAGE, PAGE, MemoryCalls.extentAttrs(4, 0, 0), 0);
        f.ok(ObjectCalls.ACTIVATE, child, 0);
        // the parent's mapping no longer reaches the page the child took
        assertTrue(space(as).read(0, 8) != null);
        assertNull(space(as).read(PAGE, 8));
    }

    @Test
    void donationMovesPagesAndOnlyFromTheirOwner() {
        long sparse = Builders.extent(f, BASE, 8 * PAGE, RW, MemExtent.SPARSE);
        long as = Builders.addrspace(f, 45);
        long attrs = MemoryCalls.mapAttrs(RW, 15);
        // a sparse extent owns nothing yet
        assertEquals(HypError.MEMDB_NOT_OWNER, f.call(MemoryCalls.ADDRSPACE_MAP, as, sparse, 0, attrs, 1, 0, PAGE).error());
        f.ok(MemoryCalls.MEMEXTENT_DONATE, 0, f.hv.rootPartitionCap(), sparse, 2 * PAGE, 2 * PAGE, 0);
        assertEquals(HypError.MEMDB_NOT_OWNER, f.call(MemoryCalls.MEMEXTENT_DONATE, 0, f.hv.rootPartitionCap(),
                sparse, 3 * PAGE, 2 * PAGE, 0).error());
        f.ok(MemoryCalls.ADDRSPACE_MAP, as, sparse, 0x2000_0000, attrs, 1, 2 * PAGE, 2 * PAGE);
        assertTrue(space(as).write(0x2000_0000, new byte[] {7}));
        f.ok(MemoryCalls.MEMEXTENT_DONATE, 1, sparse, f.hv.rootPartitionCap(), 3 * PAGE, PAGE, 0);
        assertNull(space(as).read(0x2000_0000 + PAGE, 1)); // given back: unreachable although still mapped
        assertTrue(space(as).read(0x2000_0000, 1) != null);
        long basic = Builders.extent(f, BASE + 0x10_0000, PAGE, RW, MemExtent.BASIC);
        assertEquals(HypError.MEMEXTENT_TYPE, f.call(MemoryCalls.MEMEXTENT_DONATE, 1, basic, f.hv.rootPartitionCap(),
                0, PAGE, 0).error());
    }

    @Test
    void aVcpuCopiesMessagesThroughItsAddressSpace() {
        long me = Builders.extent(f, BASE, 2 * PAGE, RW, MemExtent.BASIC);
        long as = Builders.addrspace(f, 45);
        Builders.mapWhole(f, as, me, 0x8000_0000L, 2 * PAGE);
        long cs = f.newCSpace(8);
        long t = Builders.vcpu(f, cs, as, 0, 0, Scheduler.CPU_INDEX_INVALID, 32, 0);
        Vcpu v = f.hv.vcpu(f.root, t);
        long q = f.newMsgQueue(2, 16);
        long mine = f.ok(dev.gunyahdt.hypervisor.cspace.CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), q, cs,
                MsgQueueRights.SEND | MsgQueueRights.RECEIVE, 0);
        GuestMemory mem = v.caller().memory();
        assertTrue(mem.write(0x8000_0000L + PAGE - 3, "hello".getBytes()));
        f.hv.call(v.caller(), MsgQueueCalls.SEND, mine, 5, 0x8000_0000L + PAGE - 3, 0, 0);
        // a buffer outside its memory: the code's quirk (OK, nothing queued)
        f.hv.call(v.caller(), MsgQueueCalls.SEND, mine, 5, 0x1000, 0, 0);
        HvcResult r = f.hv.call(v.caller(), MsgQueueCalls.RECEIVE, mine, 0x8000_0100L, 16, 0);
        assertEquals(5, r.x1());
        assertEquals(0, r.x2()); // only one was queued
        assertArrayEquals("hello".getBytes(), mem.read(0x8000_0100L, 5));
        assertEquals(ObjectState.ACTIVE, v.state());
    }
}
