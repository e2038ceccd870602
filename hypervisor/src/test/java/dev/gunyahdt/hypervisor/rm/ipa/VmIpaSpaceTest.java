package dev.gunyahdt.hypervisor.rm.ipa;

import static dev.gunyahdt.hypervisor.rm.ipa.VmIpaSpace.ANY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The QEMU RM's IPA allocator: vm_address_range_* over address_range_allocator, with their refusals. */
class VmIpaSpaceTest {
    private static final long GIB = 1L << 30;
    private static final long MIB2 = 2L << 20;

    private static IpaRefused.Why why(Runnable r) {
        return assertThrows(IpaRefused.class, r::run).why();
    }

    @Test
    void aSecondaryAllocatesAboveItsDeviceRangeLowestFirst() {
        VmIpaSpace s = VmIpaSpace.secondary(false, VmIpaSpace.QEMU_DEVICES);
        VmIpaSpace.Placed a = s.alloc(MemUse.VDEVICE, ANY, ANY, 0x1000, 0);
        assertEquals(GIB, a.base(), "the first page after the 1 GiB device range");
        VmIpaSpace.Placed b = a.space().alloc(MemUse.NORMAL, ANY, ANY, MIB2, MIB2);
        assertEquals(GIB + MIB2, b.base(), "2 MiB aligned past the page");
        assertTrue(s.isFree(GIB, 0x1000), "immutable: the first space is unchanged");
        assertFalse(b.space().isFree(GIB, 0x1000));
        // fixed: inside the space, page aligned, aligned to the asked alignment, free
        assertEquals(IpaRefused.Why.NORESOURCES, why(() -> b.space().alloc(MemUse.NORMAL, GIB, ANY, 0x1000, 0)));
        assertEquals(IpaRefused.Why.NORESOURCES, why(() -> s.alloc(MemUse.VDEVICE, 0x900_0000L, ANY, 0x1000, 0)));
        assertEquals(IpaRefused.Why.ARGUMENT_INVALID, why(() -> s.alloc(MemUse.NORMAL, GIB + 8, ANY, 0x1000, 0)));
        assertEquals(IpaRefused.Why.ARGUMENT_INVALID, why(() -> s.alloc(MemUse.NORMAL, GIB, ANY, 0x800, 0)));
        assertEquals(
                IpaRefused.Why.ARGUMENT_INVALID, why(() -> s.alloc(MemUse.NORMAL, GIB + 0x1000, ANY, 0x1000, MIB2)));
        assertEquals(IpaRefused.Why.ARGUMENT_INVALID, why(() -> s.alloc(MemUse.NORMAL, 1L << 36, ANY, 0x1000, 0)));
        // freed, the range is allocated again
        VmIpaSpace freed = b.space().free(MemUse.NORMAL, GIB + MIB2, MIB2);
        assertEquals(
                GIB + MIB2, freed.alloc(MemUse.NORMAL, ANY, ANY, MIB2, MIB2).base());
        assertEquals(IpaRefused.Why.ARGUMENT_INVALID, why(() -> freed.free(MemUse.NORMAL, GIB + MIB2, MIB2)));
    }

    /** A board whose RAM starts below 1 GiB (e.g. rk3568's at 0): the device range ends below it, RAM there is placeable. */
    @Test
    void theDeviceRangeEndsBelowABoardsLowestRam() {
        assertEquals(new VmIpaSpace.DeviceRange(0, GIB), VmIpaSpace.devicesBelow(2 * GIB));
        assertEquals(new VmIpaSpace.DeviceRange(0, 0x2000_0000L), VmIpaSpace.devicesBelow(0x2000_0000L));
        VmIpaSpace low = VmIpaSpace.secondary(false, VmIpaSpace.devicesBelow(0x2000_0000L));
        assertEquals(
                0x2000_0000L,
                low.alloc(MemUse.NORMAL, 0x2000_0000L, ANY, 0x800_0000L, 0).base());
        assertEquals(
                IpaRefused.Why.NORESOURCES,
                why(() -> VmIpaSpace.secondary(false, VmIpaSpace.QEMU_DEVICES)
                        .alloc(MemUse.NORMAL, 0x2000_0000L, ANY, 0x800_0000L, 0)),
                "inside QEMU's device range");
        VmIpaSpace none = VmIpaSpace.secondary(false, VmIpaSpace.devicesBelow(0));
        assertEquals(0, none.alloc(MemUse.NORMAL, ANY, ANY, 0x1000, 0).base(), "no device range at all");
    }

    @Test
    void directMappingsAnswerThePhysicalAddressAndRecordNothing() {
        VmIpaSpace s = VmIpaSpace.secondary(false, VmIpaSpace.QEMU_DEVICES);
        VmIpaSpace.Placed io = s.alloc(MemUse.IO, ANY, 0x900_0000L, 0x1000, 0);
        assertEquals(0x900_0000L, io.base());
        assertSame(s, io.space());
        assertEquals(
                0x900_0000L,
                s.alloc(MemUse.IO, 0x900_0000L, 0x900_0000L, 0x1000, 0).base());
        assertEquals(IpaRefused.Why.DENIED, why(() -> s.alloc(MemUse.IO, 0x5000, 0x900_0000L, 0x1000, 0)));
        assertEquals(IpaRefused.Why.DENIED, why(() -> s.alloc(MemUse.IO, ANY, ANY, 0x1000, 0)));
        VmIpaSpace hlos = VmIpaSpace.hlos();
        assertEquals(
                0x6000_0000L,
                hlos.alloc(MemUse.NORMAL, ANY, 0x6000_0000L, 0x1000, 0).base());
        assertEquals(
                0x3000_0000L, hlos.alloc(MemUse.VDEVICE, ANY, ANY, 0x1000, 0).base(), "HLOS's virtio window");
        assertEquals(IpaRefused.Why.DENIED, why(() -> hlos.tag(0x3000_0000L, 0x1000, 1)), "HLOS cannot tag");
        VmIpaSpace direct = VmIpaSpace.secondary(true, VmIpaSpace.QEMU_DEVICES);
        assertEquals(
                0x7000_0000L,
                direct.alloc(MemUse.NORMAL, ANY, 0x7000_0000L, 0x1000, 0).base());
    }

    @Test
    void platformVdevicesMaySitInTheDeviceRange() {
        VmIpaSpace s = VmIpaSpace.secondary(false, VmIpaSpace.QEMU_DEVICES);
        VmIpaSpace.Placed gicd = s.alloc(MemUse.PLATFORM_VDEVICE, 0x800_0000L, ANY, 0x1_0000L, 0x1_0000L);
        assertEquals(0x800_0000L, gicd.base());
        assertSame(s, gicd.space(), "is_device_mapping: granted, not recorded");
        assertEquals(
                IpaRefused.Why.NORESOURCES, why(() -> s.alloc(MemUse.PLATFORM_VDEVICE, GIB - 0x1000, ANY, 0x2000, 0)));
        assertEquals(
                GIB,
                s.alloc(MemUse.PLATFORM_VDEVICE, ANY, ANY, 0x1_0000L, 0x1_0000L).base());
    }

    @Test
    void taggedRangesAreTakenOnlyByFixedRequestsInsideThem() {
        VmIpaSpace s = VmIpaSpace.secondary(false, VmIpaSpace.QEMU_DEVICES).tag(GIB, MIB2, 0xB);
        assertEquals(GIB + MIB2, s.alloc(MemUse.NORMAL, ANY, ANY, 0x1000, 0).base(), "any skips the tagged range");
        VmIpaSpace.Placed in = s.alloc(MemUse.NORMAL, GIB + 0x1000, ANY, 0x1000, 0);
        assertEquals(0xB, in.tag(), "a fixed request inside carries the tag");
        assertEquals(
                IpaRefused.Why.NORESOURCES, why(() -> in.space().alloc(MemUse.NORMAL, GIB + 0x1000, ANY, 0x1000, 0)));
        assertEquals(
                IpaRefused.Why.NORESOURCES,
                why(() -> s.alloc(MemUse.NORMAL, GIB + MIB2 - 0x1000, ANY, 0x2000, 0)),
                "a request may not straddle the tag's edge");
        assertEquals(IpaRefused.Why.NORESOURCES, why(() -> s.tag(GIB, 0x1000, 3)), "tagged already");
        assertEquals(IpaRefused.Why.NORESOURCES, why(() -> in.space().untag(GIB, MIB2, 0xB)), "part of it is in use");
        assertEquals(IpaRefused.Why.ARGUMENT_INVALID, why(() -> s.untag(GIB, MIB2, 3)), "another tag");
        VmIpaSpace untagged =
                in.space().free(MemUse.NORMAL, GIB + 0x1000, 0x1000).untag(GIB, MIB2, 0xB);
        assertEquals(GIB, untagged.alloc(MemUse.NORMAL, ANY, ANY, 0x1000, 0).base());
        assertEquals(IpaRefused.Why.ARGUMENT_INVALID, why(() -> s.tag(GIB, MIB2, 0)), "tag 0 is no tag");
    }

    @Test
    void tagAnyStartsInsideTheConstraintAndMayRunPastIt() {
        VmIpaSpace s = VmIpaSpace.secondary(false, VmIpaSpace.QEMU_DEVICES);
        VmIpaSpace.Placed p = s.tagAny(0x5000_0000L, 0x1000, MIB2, 0x1000, 1);
        assertEquals(0x5000_0000L, p.base(), "range_list_find_range_by_region measures to the free range's end");
        VmIpaSpace.Placed q = p.space().tagAny(ANY, 0, MIB2, MIB2, 1);
        assertEquals(GIB, q.base());
        assertEquals(
                IpaRefused.Why.NORESOURCES,
                why(() -> s.tagAny(0x1000, 0x1000, 0x1000, 0x1000, 1)),
                "the device range is allocated");
        assertEquals(IpaRefused.Why.ARGUMENT_INVALID, why(() -> s.tagAny(ANY, 0, 0x1000, 0x3000, 1)));
    }

    @Test
    void constraintsBecomeTagsAsTheQemuPlatformMapsThem() {
        assertEquals(1, VmIpaSpace.constraintsToTag(0, 0, 9));
        assertEquals(9, VmIpaSpace.constraintsToTag(0x40, 0, 9));
        assertEquals(0xB, VmIpaSpace.constraintsToTag(0x5, 0, 9));
        assertEquals(0xF, VmIpaSpace.constraintsToTag(0x7, 0, 9));
        assertEquals(0, VmIpaSpace.constraintsToTag(0x1, 0, 9), "NORMAL is required");
        assertEquals(0, VmIpaSpace.constraintsToTag(0x4, 1, 9), "no platform constraint exists");
        assertEquals(0, VmIpaSpace.constraintsToTag(0x14, 0, 9), "OWNER_VM_VISIBLE is not supported");
    }
}
