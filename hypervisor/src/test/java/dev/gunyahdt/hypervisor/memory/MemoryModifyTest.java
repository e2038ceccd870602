package dev.gunyahdt.hypervisor.memory;

import static dev.gunyahdt.hypervisor.Builders.RW;
import static dev.gunyahdt.hypervisor.Builders.RWX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.MemExtentRights;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import org.junit.jupiter.api.Test;

/** addrspace_update_access (0x602D) and memextent_modify (0x6030), as [HYP] 36ca3a2a does them. */
class MemoryModifyTest {
    static final long PAGE = MemDb.PAGE;
    static final long BASE = Hypervisor.DDR_BASE + 0x200_0000;
    static final long R = 4;
    static final long NO_SYNC = MemoryCalls.MODIFY_NO_SYNC;
    final Fixture f = new Fixture(5);

    AddrSpace space(long cap) {
        return f.root.cspace().lookup(cap, ObjectType.ADDRSPACE, 0, false).as(AddrSpace.class);
    }

    HypError update(long as, long me, long ipa, long access, long flags, long offset, long size) {
        return f.call(MemoryCalls.ADDRSPACE_UPDATE_ACCESS, as, me, ipa, access, flags, offset, size)
                .error();
    }

    HypError modify(long me, long flags, long offset, long size) {
        return f.call(MemoryCalls.MEMEXTENT_MODIFY, me, flags, offset, size).error();
    }

    /** user and kernel access in memextent_access_attrs. */
    static long access(long a) {
        return a | a << 4;
    }

    /** addrspace_attach_vdma: nothing in the open sources handles its event, so the default answer after the lookup. */
    @Test
    void attachVdmaLooksUpTheAddrspaceThenAnswersTheUnhandledEventsDefault() {
        long as = Builders.addrspace(f, 45);
        long me = Builders.extent(f, BASE, PAGE, RW, MemExtent.BASIC);
        assertEquals(
                HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.call(MemoryCalls.ADDRSPACE_ATTACH_VDMA, as, me, 0).error());
        assertEquals(
                HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.call(MemoryCalls.ADDRSPACE_ATTACH_VDMA, me, as, 0).error(),
                "an extent is not an addrspace");
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(MemoryCalls.ADDRSPACE_ATTACH_VDMA, as, me, 0, 1).error());
    }

    @Test
    void updateAccessMakesAWholeBasicMappingReadOnlyAndBackInPlace() {
        long me = Builders.extent(f, BASE, 2 * PAGE, RW, MemExtent.BASIC);
        long as = Builders.addrspace(f, 45);
        Builders.mapWhole(f, as, me, 0x10_0000, 2 * PAGE);
        assertTrue(space(as).write(0x10_0000, new byte[] {7}));

        assertEquals(HypError.OK, update(as, me, 0x10_0000, access(R), 0, 0, 0));
        assertFalse(space(as).write(0x10_0000, new byte[] {8}), "now read-only");
        assertArrayEquals(new byte[] {7}, space(as).read(0x10_0000, 1));
        HvcResult l = f.call(MemoryCalls.ADDRSPACE_LOOKUP, as, me, 0x10_0000, PAGE, 0);
        assertEquals(access(R) | 15L << 16, l.x3(), "the lookup shows the new access, the memtype kept");

        assertEquals(HypError.OK, update(as, me, 0x10_0000, access(RW), 0, 0, 0));
        assertTrue(space(as).write(0x10_0000 + PAGE, new byte[] {9}));
        // no access at all: nothing readable either
        assertEquals(HypError.OK, update(as, me, 0x10_0000, 0, 0, 0, 0));
        assertNull(space(as).read(0x10_0000, 1));
    }

    @Test
    void updateAccessRefusalsCarryTheRealCodes() {
        long me = Builders.extent(f, BASE, 2 * PAGE, RW, MemExtent.BASIC);
        long as = Builders.addrspace(f, 45);
        Builders.mapWhole(f, as, me, 0x10_0000, 2 * PAGE);
        // reserved bits of either bitfield, before any lookup (even with a junk cap)
        assertEquals(HypError.ARGUMENT_INVALID, update(as, me, 0x10_0000, access(R) | 1L << 3, 0, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, update(as, me, 0x10_0000, access(R) | 1L << 8, 0, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, update(12345, 678, 0x10_0000, access(R), 2, 0, 0));
        // the bitfields are 32 bits wide: the upper half of the register is dropped
        assertEquals(HypError.OK, update(as, me, 0x10_0000, access(R) | 1L << 40, 1L << 40, 0, 0));
        // caps: MAP on the addrspace, then MAP on the extent
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, update(me, me, 0x10_0000, access(R), 0, 0, 0));
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, update(as, as, 0x10_0000, access(R), 0, 0, 0));
        long meNoMap = f.ok(
                CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), me, f.hv.rootCSpaceCap(), MemExtentRights.LOOKUP, 0);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, update(as, meNoMap, 0x10_0000, access(R), 0, 0, 0));
        // more access than the extent has (X on an RW extent)
        assertEquals(HypError.ARGUMENT_INVALID, update(as, me, 0x10_0000, access(RWX), 0, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, update(as, me, 0x10_0000, R | 1L << 4, 0, 0, 0));
        // an unaligned IPA, then an IPA where the extent is not mapped
        assertEquals(HypError.ARGUMENT_ALIGNMENT, update(as, me, 0x10_0010, access(R), 0, 0, 0));
        assertEquals(HypError.ADDR_INVALID, update(as, me, 0x10_0000 + PAGE, access(R), 0, 0, 0));
        long other = Builders.addrspace(f, 46);
        assertEquals(HypError.ADDR_INVALID, update(other, me, 0x10_0000, access(R), 0, 0, 0));
        // partial: alignment, then the range, then a BASIC extent has no partial update
        assertEquals(HypError.ARGUMENT_ALIGNMENT, update(as, me, 0x10_0000, access(R), 1, 0x10, PAGE));
        assertEquals(HypError.ARGUMENT_SIZE, update(as, me, 0x10_0000, access(R), 1, 0, 0));
        assertEquals(HypError.ARGUMENT_SIZE, update(as, me, 0x10_0000, access(R), 1, PAGE, 2 * PAGE));
        assertEquals(HypError.MEMEXTENT_TYPE, update(as, me, 0x10_0000, access(R), 1, 0, PAGE));
        // the refusals changed nothing: the mapping is still the read-only one the accepted call above made
        assertFalse(space(as).write(0x10_0000, new byte[] {1}));
        assertEquals(
                access(R) | 15L << 16,
                f.call(MemoryCalls.ADDRSPACE_LOOKUP, as, me, 0x10_0000, PAGE, 0).x3());
    }

    @Test
    void updateAccessOfASparseExtentIsAddrInvalidAsInTheRealCode() {
        // memextent_update_access_partial_sparse never assigns the mapping it looks for: the real call always
        // answers ADDR_INVALID for a SPARSE extent, mapped or not
        long me = Builders.extent(f, BASE, 4 * PAGE, RW, MemExtent.SPARSE);
        f.ok(MemoryCalls.MEMEXTENT_DONATE, 0, f.hv.rootPartitionCap(), me, 0, 2 * PAGE, 0);
        long as = Builders.addrspace(f, 45);
        f.ok(MemoryCalls.ADDRSPACE_MAP, as, me, 0, MemoryCalls.mapAttrs(RW, 15), 1, 0, 2 * PAGE);
        assertEquals(HypError.ADDR_INVALID, update(as, me, 0, access(R), 0, 0, 0));
        assertEquals(HypError.ADDR_INVALID, update(as, me, 0, access(R), 1, 0, PAGE));
        assertTrue(space(as).write(0, new byte[] {1}), "still writable");
    }

    @Test
    void unmapAllRemovesEveryMappingOfTheExtentInEveryAddressSpace() {
        long me = Builders.extent(f, BASE, PAGE, RW, MemExtent.BASIC);
        long a = Builders.addrspace(f, 45);
        long b = Builders.addrspace(f, 46);
        Builders.mapWhole(f, a, me, 0, PAGE);
        Builders.mapWhole(f, a, me, 0x10_0000, PAGE);
        Builders.mapWhole(f, b, me, 0, PAGE);
        assertEquals(HypError.OK, modify(me, MemoryCalls.MODIFY_UNMAP_ALL, 0, 0));
        assertNull(space(a).read(0, 1));
        assertNull(space(a).read(0x10_0000, 1));
        assertNull(space(b).read(0, 1));
        // with no_sync too, and on an extent with no mappings
        assertEquals(HypError.OK, modify(me, MemoryCalls.MODIFY_UNMAP_ALL | NO_SYNC, 0, 0));
        // and it can be mapped again
        Builders.mapWhole(f, a, me, 0, PAGE);
    }

    @Test
    void zeroRangeClearsTheOwnedPagesOfTheRangeOnly() {
        long me = Builders.extent(f, BASE, 3 * PAGE, RW, MemExtent.BASIC);
        long as = Builders.addrspace(f, 45);
        Builders.mapWhole(f, as, me, 0, 3 * PAGE);
        for (int i = 0; i < 3; i++) {
            assertTrue(space(as).write(i * PAGE + 5, new byte[] {1, 2}));
        }
        assertEquals(HypError.OK, modify(me, MemoryCalls.MODIFY_ZERO_RANGE | NO_SYNC, PAGE, PAGE));
        assertArrayEquals(new byte[] {1, 2}, space(as).read(5, 2));
        assertArrayEquals(new byte[] {0, 0}, space(as).read(PAGE + 5, 2));
        assertArrayEquals(new byte[] {1, 2}, space(as).read(2 * PAGE + 5, 2));
        // cache clean / flush: nothing the model can show changes, and they answer OK
        assertEquals(HypError.OK, modify(me, MemoryCalls.MODIFY_CACHE_CLEAN_RANGE | NO_SYNC, 0, 3 * PAGE));
        assertEquals(HypError.OK, modify(me, MemoryCalls.MODIFY_CACHE_FLUSH_RANGE | NO_SYNC, 0, PAGE));
        assertArrayEquals(new byte[] {1, 2}, space(as).read(5, 2));
        // a SPARSE extent zeroes only the pages it owns: the page it gave back to the partition keeps its bytes
        long sp = Builders.extent(f, BASE + 0x10_0000, 2 * PAGE, RW, MemExtent.SPARSE);
        f.ok(MemoryCalls.MEMEXTENT_DONATE, 0, f.hv.rootPartitionCap(), sp, 0, 2 * PAGE, 0);
        long as2 = Builders.addrspace(f, 46);
        f.ok(MemoryCalls.ADDRSPACE_MAP, as2, sp, 0, MemoryCalls.mapAttrs(RW, 15), 1, 0, 2 * PAGE);
        assertTrue(space(as2).write(5, new byte[] {3}));
        assertTrue(space(as2).write(PAGE + 5, new byte[] {4}));
        f.ok(MemoryCalls.MEMEXTENT_DONATE, 1, sp, f.hv.rootPartitionCap(), PAGE, PAGE, 0);
        assertEquals(HypError.OK, modify(sp, MemoryCalls.MODIFY_ZERO_RANGE | NO_SYNC, 0, 2 * PAGE));
        assertArrayEquals(new byte[] {0}, space(as2).read(5, 1));
        assertArrayEquals(new byte[] {4}, f.hv.memdb().read(BASE + 0x10_0000 + PAGE + 5, 1));
    }

    @Test
    void modifyRefusalsCarryTheRealCodes() {
        long me = Builders.extent(f, BASE, 2 * PAGE, RW, MemExtent.BASIC);
        // reserved flag bits 30:8, before the lookup
        assertEquals(HypError.ARGUMENT_INVALID, modify(12345, 1L << 8, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, 1L << 30, 0, 0));
        // 32-bit flags: the upper half is dropped
        assertEquals(HypError.OK, modify(me, 1L << 40, 0, 0));
        // MAP on an ACTIVE extent
        long noMap = f.ok(
                CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), me, f.hv.rootCSpaceCap(), MemExtentRights.LOOKUP, 0);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, modify(noMap, 0, 0, 0));
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, modify(f.hv.rootPartitionCap(), 0, 0, 0));
        long init = f.create(PartitionCalls.CREATE_MEMEXTENT);
        assertEquals(HypError.OBJECT_STATE, modify(init, 0, 0, 0));
        // range ops need no_sync; sync_all needs a sync; unknown ops are invalid
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, MemoryCalls.MODIFY_ZERO_RANGE, 0, PAGE));
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, MemoryCalls.MODIFY_CACHE_CLEAN_RANGE, 0, PAGE));
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, MemoryCalls.MODIFY_CACHE_FLUSH_RANGE, 0, PAGE));
        assertEquals(HypError.OK, modify(me, MemoryCalls.MODIFY_SYNC_ALL, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, MemoryCalls.MODIFY_SYNC_ALL | NO_SYNC, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, 4 | NO_SYNC, 0, PAGE));
        // memextent_clean_range: alignment, size, range
        long zero = MemoryCalls.MODIFY_ZERO_RANGE | NO_SYNC;
        assertEquals(HypError.ARGUMENT_ALIGNMENT, modify(me, zero, 0x10, PAGE));
        assertEquals(HypError.ARGUMENT_ALIGNMENT, modify(me, zero, 0, 0x10));
        assertEquals(HypError.ARGUMENT_SIZE, modify(me, zero, 0, 0));
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, zero, PAGE, 2 * PAGE));
        assertEquals(HypError.ARGUMENT_INVALID, modify(me, zero, -PAGE, PAGE), "base + offset wraps");
        // a read-only extent, and a device extent, are DENIED
        long ro = Builders.extent(f, BASE + 0x10_0000, PAGE, (int) R, MemExtent.BASIC);
        assertEquals(HypError.DENIED, modify(ro, zero, 0, PAGE));
        long dev = f.create(PartitionCalls.CREATE_MEMEXTENT);
        f.ok(MemoryCalls.MEMEXTENT_CONFIGURE, dev, BASE + 0x20_0000, PAGE, MemoryCalls.extentAttrs(RW, 1, 0), 0);
        f.ok(ObjectCalls.ACTIVATE, dev, 0);
        assertEquals(HypError.DENIED, modify(dev, MemoryCalls.MODIFY_CACHE_CLEAN_RANGE | NO_SYNC, 0, PAGE));
        // but unmap_all is allowed on both
        assertEquals(HypError.OK, modify(ro, 0, 0, 0));
    }
}
