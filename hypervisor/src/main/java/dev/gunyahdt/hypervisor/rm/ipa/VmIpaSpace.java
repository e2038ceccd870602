package dev.gunyahdt.hypervisor.rm.ipa;

import dev.gunyahdt.hypervisor.rm.ipa.IpaRefused.Why;

/**
 * One VM's IPA allocator as the QEMU platform's {@code vm_memory.c} wraps the generic one
 * ({@code vm_address_range_init} / {@code _alloc} / {@code _free} / {@code _tag} / {@code _tag_any} /
 * {@code _untag}), immutable: every change returns the next space.
 *
 * <ul>
 *   <li>HLOS allocates only its virtio-mmio frames, from [0x30000000, 0x40000000)
 *       ({@code PLATFORM_HLOS_VIRTIO_FREE_IPA_*}); a secondary has [0, 2^36) with the physical device range
 *       allocated from the start;
 *   <li>IO is always mapped direct, and NORMAL / BOOTINFO in HLOS or an {@code is-direct} VM
 *       ({@code is_mapped_direct}): the answer is the physical address, nothing is recorded, and a start address
 *       other than it (or no physical address) is DENIED;
 *   <li>a PLATFORM_VDEVICE at a fixed address inside the device range is granted without recording
 *       ({@code is_device_mapping}: the VM keeps such vdevices from colliding);
 *   <li>HLOS cannot tag (DENIED).
 * </ul>
 */
public final class VmIpaSpace {
    /** INVALID_ADDRESS: any base (as a start address) or no physical address. */
    public static final long ANY = AddressRanges.ANY;

    public static final long PAGE = AddressRanges.PAGE;
    /** ADDRESS_RANGE_TAG_* of the QEMU platform: every valid tag has VALID. */
    public static final int TAG_VALID = 1;

    public static final int TAG_ECC = 2;
    public static final int TAG_MEMTAG = 4;
    public static final int TAG_NORMAL = 8;
    /** vm_memory_get_phys_address_tag: all physical memory is valid normal memory on QEMU. */
    public static final int PHYS_TAG = TAG_VALID | TAG_NORMAL;
    /** IPA_GENERIC_CONSTRAINT_* of IPA_RESERVE and base-mem-constraints. */
    public static final long CONSTRAINT_ECC = 0x1;

    public static final long CONSTRAINT_TAGGED = 0x2;
    public static final long CONSTRAINT_NORMAL = 0x4;
    public static final long CONSTRAINT_BASE_MEMORY_COMPATIBLE = 0x40;

    static final long HLOS_VIRTIO_BASE = 0x3000_0000L;
    static final long HLOS_VIRTIO_SIZE = 0x1000_0000L;
    static final long SVM_SPACE = 1L << 36; // SVM_ADDRESS_SPACE_BITS
    /**
     * The device memory range the hypervisor hands the RM ({@code rm_get_device_me_base}/{@code _size}, boot env
     * data), reserved in every secondary's space: the open tree has only QEMU's, 0–1 GiB ({@link #QEMU_DEVICES}).
     * For a board whose RAM starts below 1 GiB the model clips it to below the lowest RAM ({@link #devicesBelow}):
     * a real SoC's platform layer would describe its own device range, which never covers its RAM.
     */
    public record DeviceRange(long base, long size) {
        public DeviceRange {
            if (base < 0 || size < 0) {
                throw new IllegalArgumentException(
                        "device range 0x" + Long.toHexString(base) + "+0x" + Long.toHexString(size));
            }
        }

        boolean holds(long start, long len) {
            return start >= base && len >= 0 && len <= size && start - base <= size - len;
        }
    }

    /** The QEMU platform's device memory range: 0–1 GiB. */
    public static final DeviceRange QEMU_DEVICES = new DeviceRange(0, 0x4000_0000L);

    /** QEMU's device range, clipped to end at or below {@code lowestRam} (a board's lowest RAM address). */
    public static DeviceRange devicesBelow(long lowestRam) {
        return new DeviceRange(0, Math.min(QEMU_DEVICES.size(), Math.max(0, lowestRam)));
    }

    private final boolean hlos;
    private final boolean mapDirect;
    private final DeviceRange devices;
    private final AddressRanges ranges;

    private VmIpaSpace(boolean hlos, boolean mapDirect, DeviceRange devices, AddressRanges ranges) {
        this.hlos = hlos;
        this.mapDirect = mapDirect;
        this.devices = devices;
        this.ranges = ranges;
    }

    /** vm_address_range_init for HLOS. */
    public static VmIpaSpace hlos() {
        return new VmIpaSpace(true, true, new DeviceRange(0, 0), AddressRanges.of(HLOS_VIRTIO_BASE, HLOS_VIRTIO_SIZE));
    }

    /**
     * vm_address_range_init for a secondary: its whole space less the platform's device range; {@code mapDirect} is
     * its config's {@code is-direct}.
     */
    public static VmIpaSpace secondary(boolean mapDirect, DeviceRange devices) {
        AddressRanges r = AddressRanges.of(0, SVM_SPACE);
        if (devices.size() > 0) {
            r = r.alloc(devices.base(), devices.size(), 0).ranges();
        }
        return new VmIpaSpace(false, mapDirect, devices, r);
    }

    /** A granted range and the space after it; {@code tag} is the tagged range it lies in (0: none). */
    public record Placed(VmIpaSpace space, long base, int tag) {}

    /** vm_address_range_alloc. {@code start} and {@code phys} may be {@link #ANY}; {@code align} 0 = a page. */
    public Placed alloc(MemUse use, long start, long phys, long size, long align) {
        if (direct(use)) {
            if (phys != ANY && (start == phys || start == ANY)) {
                return new Placed(this, phys, AddressRanges.NO_TAG);
            }
            throw new IpaRefused(Why.DENIED, use + " is mapped direct here: IPA = PA");
        }
        if (deviceMapping(use, start, size)) {
            return new Placed(this, start, AddressRanges.NO_TAG);
        }
        AddressRanges.Placed p = ranges.alloc(start, size, align);
        return new Placed(new VmIpaSpace(hlos, mapDirect, devices, p.ranges()), p.base(), p.tag());
    }

    /** vm_address_range_free: nothing to do for what was granted without recording. */
    public VmIpaSpace free(MemUse use, long base, long size) {
        if (direct(use) || deviceMapping(use, base, size)) {
            return this;
        }
        return new VmIpaSpace(hlos, mapDirect, devices, ranges.free(base, size));
    }

    /** vm_address_range_tag: exactly [base, base+size), untagged and free. */
    public VmIpaSpace tag(long base, long size, int tag) {
        refuseHlos();
        return new VmIpaSpace(
                hlos,
                mapDirect,
                devices,
                ranges.tagRegion(base, PAGE, size, PAGE, tag).ranges());
    }

    /** vm_address_range_tag_any: a free range whose start lies in [cbase, cbase+csize) ({@code cbase} may be ANY). */
    public Placed tagAny(long cbase, long csize, long size, long align, int tag) {
        refuseHlos();
        AddressRanges.Placed p = ranges.tagRegion(cbase, csize, size, align, tag);
        return new Placed(new VmIpaSpace(hlos, mapDirect, devices, p.ranges()), p.base(), p.tag());
    }

    /** vm_address_range_untag. */
    public VmIpaSpace untag(long base, long size, int tag) {
        refuseHlos();
        return new VmIpaSpace(hlos, mapDirect, devices, ranges.untag(base, size, tag));
    }

    /** Whether nothing is allocated or tagged in [base, base+size) (for tests and reports). */
    public boolean isFree(long base, long size) {
        return ranges.isFree(base, size);
    }

    /**
     * vm_memory_constraints_to_tag (QEMU): none → VALID; exactly BASE_MEMORY_COMPATIBLE → the VM's base memory
     * tag; otherwise NORMAL is required, ECC and TAGGED add their bits, anything else (or a platform constraint)
     * gives no tag (0).
     */
    public static int constraintsToTag(long generic, long platform, int memBaseTag) {
        if (generic == 0 && platform == 0) {
            return TAG_VALID;
        }
        if (generic == CONSTRAINT_BASE_MEMORY_COMPATIBLE && platform == 0) {
            return memBaseTag;
        }
        if ((generic & ~(CONSTRAINT_ECC | CONSTRAINT_TAGGED | CONSTRAINT_NORMAL)) != 0
                || (generic & CONSTRAINT_NORMAL) == 0
                || platform != 0) {
            return AddressRanges.NO_TAG;
        }
        int tag = TAG_VALID | TAG_NORMAL;
        if ((generic & CONSTRAINT_ECC) != 0) {
            tag |= TAG_ECC;
        }
        if ((generic & CONSTRAINT_TAGGED) != 0) {
            tag |= TAG_MEMTAG;
        }
        return tag;
    }

    private boolean direct(MemUse use) {
        return use == MemUse.IO || ((use == MemUse.NORMAL || use == MemUse.BOOTINFO) && (hlos || mapDirect));
    }

    private boolean deviceMapping(MemUse use, long start, long size) {
        return use == MemUse.PLATFORM_VDEVICE && start != ANY && devices.holds(start, size);
    }

    private void refuseHlos() {
        if (hlos) {
            throw new IpaRefused(Why.DENIED, "HLOS does not support address space tagging");
        }
    }
}
