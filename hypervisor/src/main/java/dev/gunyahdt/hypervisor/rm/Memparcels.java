package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.FIRST_DYNAMIC_VMID;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.LAST_DYNAMIC_VMID;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.PAGE;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.PARCEL_WINDOW;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.PARCEL_WINDOW_END;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_HLOS;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_RM;

import dev.gunyahdt.hypervisor.rm.ipa.IpaRefused;
import dev.gunyahdt.hypervisor.rm.ipa.MemUse;
import dev.gunyahdt.hypervisor.rm.ipa.VmIpaSpace;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Memparcels as the real RM's {@code memparcel.c} keeps them (§7.2): MEM_LEND / MEM_SHARE / MEM_DONATE
 * ({@code memparcel_construct}), MEM_APPEND, MEM_ACCEPT ({@code memparcel_do_accept}), MEM_RELEASE, MEM_RECLAIM,
 * MEM_NOTIFY (and the MEM_SHARED / MEM_ACCEPTED / MEM_RELEASED / MEM_RECALL notifications it sends) and
 * MEM_QCOM_LOOKUP_SGL, with their payload layouts, checks and error codes in the real order.
 *
 * <p>The pages: a LEND or DONATE range becomes an extent derived from the owner's extent holding it (so the
 * owner can no longer reach it); a SHARE range must be a whole region the owner holds, whose own extent the
 * borrowers then map beside the owner (the model cannot unmap part of a mapping, so it cannot keep the owner's
 * access to part of a larger extent — a SHARE of part of a region is refused with MEM_INVALID). Normal-memory
 * parcels are also mapped in the RM's own window (where it reads a VM's DT and writes the merged one); IO
 * parcels never are ({@code memparcel_map_rm}).
 */
final class Memparcels {
    static final int DONATE = 0;
    static final int LEND = 1;
    static final int SHARE = 2;
    static final int NORMAL = 0;
    static final int IO = 1;
    static final int RIGHTS_X = 1;
    static final int RIGHTS_W = 2;
    static final int RIGHTS_RW = 6;
    static final int RIGHTS_RWX = 7;
    static final int ATTR_NORMAL = 0;
    static final int ATTR_DEVICE = 1;
    private static final int ATTR_UNCACHED = 2;
    private static final int ATTR_CACHED = 3;
    private static final int CREATE_SANITIZE = 1;
    private static final int CREATE_APPEND = 2;
    static final int ACCEPT_VALIDATE_SANITIZED = 1;
    static final int ACCEPT_VALIDATE_ACL_ATTR = 2;
    static final int ACCEPT_VALIDATE_LABEL = 4;
    static final int ACCEPT_MAP_OTHER = 8;
    static final int ACCEPT_MAP_CONTIGUOUS = 16;
    static final int ACCEPT_SANITIZE = 32;
    static final int ACCEPT_DONE = 128;
    private static final int NOTIFY_SHARED = 1;
    private static final int NOTIFY_RELEASED = 2;
    private static final int NOTIFY_ACCEPTED = 4;
    private static final int NOTIFY_RECALL = 8;
    private static final int MAX_LIST_ENTRIES = 512;
    private static final int MAX_MEMPARCEL_PER_VM = 64;
    private static final long ADDR_LIMIT = 1L << 44;
    private static final String[] TRANSACTION = {"DONATE", "LEND", "SHARE"};

    private enum State {
        INIT,
        SHARING,
        SHARED
    }

    /** vm_meminfo_t: one ACL entry and, once accepted, where the parcel is mapped in that VM. */
    private static final class VmInfo {
        final int vmid;
        final int rights;
        int attr;
        boolean shared;
        boolean mapped;
        boolean contiguous;
        /** vm_info->ipa_list: one IPA per mapping (one when contiguous), filled over one or more accepts. */
        long[] ipaList;

        int ipaAllocCount;

        /** vm_info_get_ipa: region {@code i}'s IPA ({@code offset}: the size of the regions before it). */
        long ipa(int i, long offset) {
            return contiguous ? ipaList[0] + offset : ipaList[i];
        }

        VmInfo(int vmid, int rights, int attr) {
            this.vmid = vmid;
            this.rights = rights;
            this.attr = attr;
        }
    }

    /** One region (mem_region_t): where the owner had it, its pages' extent and where the RM sees it (-1: not). */
    private record Region(long ownerIpa, long pa, long size, long extent, boolean derived, long rmIpa) {}

    /** struct memparcel. */
    private static final class Parcel {
        final int handle;
        final int owner;
        final int trans;
        final int memType;
        long label;
        boolean labelValid;
        final boolean sanitizeCreate;
        boolean sanitizeReclaim;
        State state = State.INIT;
        int shareCount;
        long memInfoTag;
        boolean memInfoTagSet;
        final List<VmInfo> vms;
        final List<int[]> attrs;
        final List<Region> regions = new ArrayList<>();

        Parcel(
                int handle,
                int owner,
                int trans,
                int memType,
                long label,
                boolean sanitize,
                List<VmInfo> vms,
                List<int[]> attrs) {
            this.handle = handle;
            this.owner = owner;
            this.trans = trans;
            this.memType = memType;
            this.label = label;
            this.labelValid = true;
            this.sanitizeCreate = sanitize;
            this.vms = vms;
            this.attrs = attrs;
        }

        VmInfo info(int vmid) {
            return vms.stream().filter(v -> v.vmid == vmid).findFirst().orElse(null);
        }

        long size() {
            return regions.stream().mapToLong(Region::size).sum();
        }

        Memparcel view() {
            return new Memparcel(
                    handle,
                    owner,
                    trans,
                    memType,
                    label,
                    vms.stream().map(v -> new int[] {v.vmid, v.rights}).toList(),
                    regions.stream()
                            .map(r -> new long[] {r.ownerIpa(), r.size()})
                            .toList(),
                    vms.stream().filter(v -> v.shared).map(v -> v.vmid).toList());
        }

        String describe() {
            return "memparcel " + handle + " (" + TRANSACTION[trans] + (memType == IO ? " IO" : "") + ", label 0x"
                    + Long.toHexString(label) + ", " + Sizes.of(size()) + ")";
        }
    }

    private final RmContext ctx;
    private final Map<Integer, Parcel> parcels = new TreeMap<>();
    /** Held regions the owner SHAREs whole: their extent is in a parcel already. */
    private final List<Long> sharedExtents = new ArrayList<>();

    private long nextParcelIpa = PARCEL_WINDOW;
    private int nextHandle = 1;

    Memparcels(RmContext ctx) {
        this.ctx = ctx;
    }

    Optional<Memparcel> get(int handle) {
        return Optional.ofNullable(parcels.get(handle)).map(Parcel::view);
    }

    /** Memparcels alive now, by handle. */
    List<Memparcel> all() {
        return parcels.values().stream().map(Parcel::view).toList();
    }

    // ---- MEM_LEND / MEM_SHARE / MEM_DONATE ------------------------------------------------------------------

    /** memparcel_create: the fixed 8 bytes, then the ACL, SGL and attribute lists (memparcel_read_lists). */
    byte[] memCreate(RmVm caller, Wire.Reader in, int trans) {
        in.atLeast(20);
        int memType = in.u8();
        in.u8();
        int flags = in.u8();
        in.u8();
        long label = in.u32();
        Lists l = Lists.read(in, true, true, true);
        int handle = construct(caller, l.acl, l.sgl, l.attrs, label, memType, trans, flags);
        return Wire.writer().u32(handle).build();
    }

    /** memparcel_construct: its checks in its order, then add_sgl_to_mp. */
    private int construct(
            RmVm owner,
            List<int[]> acl,
            List<long[]> sgl,
            List<int[]> attrs,
            long label,
            int memType,
            int trans,
            int flags) {
        if (acl.isEmpty() || sgl.isEmpty()) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "empty ACL or SGL");
        }
        if (trans == DONATE && acl.size() > 1) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "memory can only be donated to one VM");
        }
        if (parcels.values().stream().filter(p -> p.owner == owner.vmid).count() >= MAX_MEMPARCEL_PER_VM) {
            throw new RmFailure(RmError.DENIED, owner + " has " + MAX_MEMPARCEL_PER_VM + " memparcels already");
        }
        if (memType > IO) {
            // vm_memory_create_extent makes a DDR extent for any type but IO; the model knows only these two
            throw new RmFailure(RmError.ARGUMENT_INVALID, "mem type " + memType);
        }
        boolean sanitize = (flags & CREATE_SANITIZE) != 0;
        if (sanitize && memType == IO) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "IO memory cannot be sanitized");
        }
        int maxRights = memType == IO ? RIGHTS_RW : RIGHTS_RWX;
        int defaultAttr = memType == IO ? ATTR_DEVICE : ATTR_NORMAL;
        List<VmInfo> vms = new ArrayList<>();
        VmInfo ownerInfo = null;
        for (int i = 0; i < acl.size(); i++) {
            int[] e = acl.get(i);
            for (int j = 0; j < i; j++) {
                if (acl.get(j)[0] == e[0]) {
                    throw new RmFailure(RmError.ARGUMENT_INVALID, "acl[" + i + "]: duplicate VMID " + e[0]);
                }
            }
            if (!vmidValid(e[0]) || !rightsValid(e[1])) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "acl[" + i + "]: invalid VMID or rights");
            }
            if (memType == IO && (e[1] & RIGHTS_X) != 0) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "acl[" + i + "]: IO memory is never executable");
            }
            if (trans == DONATE && e[1] != maxRights) {
                throw new RmFailure(RmError.DENIED, "a donation gives full rights (" + maxRights + ")");
            }
            VmInfo v = new VmInfo(e[0], e[1], defaultAttr);
            vms.add(v);
            if (e[0] == owner.vmid) {
                ownerInfo = v;
            }
        }
        if ((trans == SHARE) != (ownerInfo != null)) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "the owner is in the ACL for MEM_SHARE only");
        }
        List<int[]> attrCopy = new ArrayList<>();
        for (int i = 0; i < attrs.size(); i++) {
            int[] a = attrs.get(i);
            for (int j = 0; j < i; j++) {
                if (attrs.get(j)[1] == a[1]) {
                    throw new RmFailure(RmError.ARGUMENT_INVALID, "attr[" + i + "]: duplicate VMID " + a[1]);
                }
            }
            if (a[0] > ATTR_CACHED) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "attr[" + i + "]: invalid attribute " + a[0]);
            }
            if ((memType == IO) != (a[0] == ATTR_DEVICE)) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "attr[" + i + "]: device attributes are for IO only");
            }
            if (trans == DONATE && a[0] != defaultAttr) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "attr[" + i + "]: a donation keeps the default");
            }
            int vmid = a[1];
            VmInfo v = vms.stream().filter(x -> x.vmid == vmid).findFirst().orElse(null);
            if (v == null) {
                throw new RmFailure(RmError.VMID_INVALID, "attr[" + i + "]: VMID " + vmid + " is not in the ACL");
            }
            v.attr = a[0];
            attrCopy.add(a.clone());
        }
        Parcel p = new Parcel(nextFreeHandle(), owner.vmid, trans, memType, label, sanitize, vms, attrCopy);
        addSgl(owner, p, sgl, (flags & CREATE_APPEND) == 0);
        parcels.put(p.handle, p);
        ctx.note(owner.name, p.describe() + " for " + aclNames(p));
        return p.handle;
    }

    private int nextFreeHandle() {
        while (parcels.containsKey(nextHandle) || nextHandle == -1) {
            nextHandle++;
        }
        return nextHandle++;
    }

    private boolean vmidValid(int vmid) {
        return vmid == VMID_HLOS
                || vmid == VMID_RM
                || (vmid >= ctx.platform.firstSecondaryVmid() && vmid <= ctx.platform.lastSecondaryVmid())
                || (vmid >= FIRST_DYNAMIC_VMID && vmid <= LAST_DYNAMIC_VMID);
    }

    private static boolean rightsValid(int r) {
        return r == 4 || r == 5 || r == 6 || r == 7;
    }

    private static boolean addrValid(long a) {
        return a >= 0 && a < ADDR_LIMIT && a % PAGE == 0;
    }

    /**
     * add_sgl_to_mp: each SGL range looked up in what the owner holds (vm_memory_lookup, which may split it), its
     * pages moved into the parcel; on any failure the ranges this call added go back.
     */
    private void addSgl(RmVm owner, Parcel p, List<long[]> sgl, boolean done) {
        int before = p.regions.size();
        long windowBefore = nextParcelIpa;
        try {
            for (long[] e : sgl) {
                long offset = 0;
                while (offset < e[1]) {
                    long vaddr = e[0] + offset;
                    long vsize = e[1] - offset;
                    if (!addrValid(vaddr) || !addrValid(vsize)) {
                        throw new RmFailure(RmError.ARGUMENT_INVALID, "SGL entry not page aligned or beyond 2^44");
                    }
                    RmVm.Held h = owner.held.stream()
                            .filter(x -> x.memType() == p.memType && x.holds(vaddr))
                            .findFirst()
                            .orElseThrow(() -> new RmFailure(
                                    RmError.MEM_INVALID,
                                    "0x" + Long.toHexString(vaddr) + " is not " + (p.memType == IO ? "IO" : "")
                                            + " memory " + owner.name + " holds"));
                    long psize = Math.min(vsize, h.ipa() + h.size() - vaddr);
                    Region r = take(p, h, vaddr, psize);
                    p.regions.add(r);
                    if (p.sanitizeCreate) {
                        sanitise(r);
                    }
                    offset += psize;
                }
            }
        } catch (RmFailure f) {
            while (p.regions.size() > before) {
                giveBack(p.regions.remove(p.regions.size() - 1));
            }
            nextParcelIpa = windowBefore;
            throw f;
        }
        if (done) {
            p.state = State.SHARING;
        }
    }

    /** One region's pages into the parcel (LEND/DONATE: a derived extent; SHARE: the whole held region's). */
    private Region take(Parcel p, RmVm.Held h, long vaddr, long size) {
        String what = "memparcel " + p.handle;
        long pa = h.pa() + (vaddr - h.ipa());
        long extent;
        boolean derived = p.trans != SHARE;
        if (derived) {
            try {
                extent = ctx.hyp.derive(h.extent(), vaddr - h.ipa(), size, p.memType, what);
            } catch (RmFailure f) {
                throw new RmFailure(RmError.MEM_INVALID, what + ": " + f.getMessage());
            }
        } else {
            if (vaddr != h.ipa() || size != h.size() || sharedExtents.contains(h.extent())) {
                throw new RmFailure(
                        RmError.MEM_INVALID,
                        what + ": the model shares whole held regions only, once (no partial unmap)");
            }
            extent = h.extent();
            sharedExtents.add(extent);
        }
        long rmIpa = -1;
        if (p.memType == NORMAL) {
            if (size > PARCEL_WINDOW_END - nextParcelIpa) {
                release(extent, derived);
                throw new RmFailure(RmError.NORESOURCE, what + ": no room left in the RM's window");
            }
            rmIpa = nextParcelIpa;
            ctx.hyp.map(ctx.rmAddrspace, extent, rmIpa, size, 6, 15, what + " in the RM");
            nextParcelIpa += size;
        }
        return new Region(vaddr, pa, size, extent, derived, rmIpa);
    }

    /**
     * sanitise_region: the region's pages zeroed. The real RM asks the hypervisor (memextent_zero_range, a
     * memextent_modify the model does not build); the model writes zeros through the RM's own mapping of the parcel.
     */
    private void sanitise(Region r) {
        byte[] zeros = new byte[(int) Math.min(r.size(), 1 << 20)];
        for (long off = 0; off < r.size(); off += zeros.length) {
            byte[] chunk = r.size() - off < zeros.length ? new byte[(int) (r.size() - off)] : zeros;
            if (!ctx.rmMemory.write(r.rmIpa() + off, chunk)) {
                throw new IllegalStateException("the RM cannot write " + r + " it maps");
            }
        }
    }

    private void giveBack(Region r) {
        if (r.rmIpa() >= 0) {
            ctx.hyp.unmap(ctx.rmAddrspace, r.extent(), r.rmIpa(), r.size(), "memparcel give-back");
        }
        release(r.extent(), r.derived());
    }

    private void release(long extent, boolean derived) {
        if (derived) {
            ctx.hyp.delete(extent); // its pages go back to the owner's extent, and the owner's access with them
        } else {
            sharedExtents.remove(extent);
        }
    }

    // ---- MEM_APPEND --------------------------------------------------------------------------------------

    /** memparcel_append / memparcel_do_append. */
    byte[] memAppend(RmVm caller, Wire.Reader in) {
        in.atLeast(12);
        int handle = (int) in.u32();
        int flags = in.u8();
        in.u8();
        in.u8();
        in.u8();
        Lists l = Lists.read(in, false, true, false);
        if (l.sgl.isEmpty()) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "empty SGL");
        }
        Parcel p = parcel(handle);
        if (caller.vmid != p.owner || p.state != State.INIT) {
            throw new RmFailure(RmError.DENIED, "memparcel " + handle + " is not " + caller.name + "'s to append to");
        }
        addSgl(caller, p, l.sgl, (flags & 1) != 0);
        return new byte[0];
    }

    private Parcel parcel(int handle) {
        Parcel p = parcels.get(handle);
        if (p == null) {
            throw new RmFailure(RmError.HANDLE_INVALID, "no memparcel " + handle);
        }
        return p;
    }

    // ---- MEM_ACCEPT ----------------------------------------------------------------------------------------

    /**
     * memparcel_handle_accept: handle, mem type, transaction, flags, label, the ACL, the SGL (its count's second
     * half is map_vmid), the attributes. With no SGL the reply lists where each region was mapped.
     */
    byte[] memAccept(RmVm caller, Wire.Reader in) {
        in.atLeast(24);
        int handle = (int) in.u32();
        int memType = in.u8();
        int trans = in.u8();
        int flags = in.u8();
        in.u8();
        long label = in.u32();
        Lists l = Lists.read(in, true, true, true);
        List<long[]> resp = new ArrayList<>();
        String how = (flags & ACCEPT_VALIDATE_LABEL) != 0 ? "by label 0x" + Long.toHexString(label) : "by handle";
        boolean incomplete =
                accept(caller.vmid, l.acl, l.sgl, l.attrs, l.mapVmid, handle, label, memType, trans, flags, resp, how);
        if (!l.sgl.isEmpty()) {
            return new byte[0];
        }
        // memparcel_accept_sgl_resp_t: entries, flags (MEM_ACCEPT_RESP_FLAG_INCOMPLETE: more IPAs to allocate), res0
        Wire.Writer w = Wire.writer().u16(resp.size()).u8(incomplete ? 1 : 0).u8(0);
        resp.forEach(e -> w.u64(e[0]).u64(e[1]));
        return w.build();
    }

    /** The RM's own accept (vm_creation.c's callers of memparcel_accept), {@code how} for the log; the ranges. */
    List<long[]> acceptFor(
            RmVm vm,
            int handle,
            List<int[]> acl,
            List<long[]> sgl,
            List<int[]> attrs,
            long label,
            int flags,
            String how) {
        Parcel p = parcel(handle);
        List<long[]> resp = new ArrayList<>();
        accept(vm.vmid, acl, sgl, attrs, 0, handle, label, p.memType, p.trans, flags, resp, how);
        return resp;
    }

    /** memparcel_do_accept, its checks in its order; true when IPAs are left to place (RESP_FLAG_INCOMPLETE). */
    private boolean accept(
            int vmid,
            List<int[]> acl,
            List<long[]> sgl,
            List<int[]> attrs,
            int mapVmid,
            int handle,
            long label,
            int memType,
            int trans,
            int flags,
            List<long[]> resp,
            String how) {
        Parcel p = parcel(handle);
        if (memType != p.memType || trans != p.trans) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "mem type or transaction differ from the parcel's");
        }
        if ((flags & ACCEPT_VALIDATE_SANITIZED) != 0 && !p.sanitizeCreate) {
            throw new RmFailure(RmError.VALIDATE_FAILED, "memparcel " + handle + " was not sanitized");
        }
        if ((flags & ACCEPT_VALIDATE_LABEL) != 0 && label != p.label) {
            throw new RmFailure(RmError.VALIDATE_FAILED, "label 0x" + Long.toHexString(label) + " is not the parcel's");
        }
        if ((flags & ACCEPT_VALIDATE_ACL_ATTR) != 0) {
            validateAclAttrs(p, acl, attrs);
        }
        if ((flags & ACCEPT_MAP_OTHER) != 0) {
            throw new RmFailure(RmError.DENIED, "mapping for another VM is not supported");
        }
        if (mapVmid != 0) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "map_vmid without MAP_OTHER");
        }
        RmVm vm = ctx.vms.get(vmid);
        VmInfo info = p.info(vmid);
        if (vm == null || info == null) {
            throw new RmFailure(RmError.VMID_INVALID, "VMID " + vmid + " is not in memparcel " + handle + "'s ACL");
        }
        if (vmid == p.owner || info.mapped) {
            throw new RmFailure(RmError.DENIED, "memparcel " + handle + " is the owner's or already mapped");
        }
        boolean contiguous = (flags & ACCEPT_MAP_CONTIGUOUS) != 0;
        if (contiguous && (memType != NORMAL || (info.ipaList != null && !info.contiguous))) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "only normal memory maps contiguously, and from the start");
        }
        if (!contiguous && info.ipaList != null && info.contiguous) {
            // upstream goes on and writes past its one-entry IPA list (undefined); the model refuses it
            throw new RmFailure(RmError.ARGUMENT_INVALID, "an accept begun contiguous must go on contiguous");
        }
        if ((flags & ACCEPT_SANITIZE) != 0) {
            if (p.memType == IO || (info.rights & RIGHTS_W) == 0) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "sanitize needs normal memory and write access");
            }
            p.sanitizeReclaim = true;
        }
        int mappings = contiguous ? 1 : p.regions.size();
        int toAlloc = Math.min(mappings - info.ipaAllocCount, MAX_LIST_ENTRIES);
        boolean incomplete = false;
        if (sgl.isEmpty()) {
            incomplete = info.ipaAllocCount + toAlloc < mappings;
        } else if (sgl.size() <= toAlloc) {
            toAlloc = sgl.size();
        } else {
            throw new RmFailure(
                    RmError.ARGUMENT_INVALID, sgl.size() + " SGL entries for " + toAlloc + " IPAs to place");
        }
        boolean newList = info.ipaList == null;
        if (newList) {
            info.ipaList = new long[mappings];
            info.contiguous = contiguous;
        }
        // the IPAs come from the VM's allocator (alloc_as_range); kept only when the whole call succeeds
        VmIpaSpace space = ctx.rmTable.space(vmid).orElse(null);
        try {
            int allocated = 0;
            if (toAlloc > 0 && contiguous) {
                long at = VmIpaSpace.ANY;
                if (sgl.size() == 1) {
                    if (!addrValid(sgl.get(0)[0]) || sgl.get(0)[1] != p.size()) {
                        throw new RmFailure(RmError.ARGUMENT_INVALID, "the contiguous SGL entry must cover the parcel");
                    }
                    at = sgl.get(0)[0];
                }
                VmIpaSpace.Placed got = allocAsRange(space, p, at, VmIpaSpace.ANY, p.size());
                space = got.space();
                validateTag(got.tag()); // every region's physical tag is PHYS_TAG on QEMU
                resp.add(new long[] {got.base(), p.size()});
                info.ipaList[0] = got.base();
                allocated = 1;
            } else {
                for (int j = 0; j < toAlloc; j++) {
                    int i = info.ipaAllocCount + j;
                    Region r = p.regions.get(i);
                    long at = VmIpaSpace.ANY;
                    if (!sgl.isEmpty()) {
                        if (!addrValid(sgl.get(j)[0]) || sgl.get(j)[1] != r.size()) {
                            throw new RmFailure(RmError.ARGUMENT_INVALID, "SGL entry " + j + " is not region " + i);
                        }
                        at = sgl.get(j)[0];
                    }
                    VmIpaSpace.Placed got = allocAsRange(space, p, at, r.pa(), r.size());
                    space = got.space();
                    validateTag(got.tag());
                    resp.add(new long[] {got.base(), r.size()});
                    info.ipaList[i] = got.base();
                    allocated++;
                }
            }
            if ((flags & ACCEPT_DONE) == 0) {
                // a partial accept: the IPAs are placed, nothing is mapped yet; the VM shares the parcel already
                commit(vmid, space);
                info.ipaAllocCount += allocated;
                markShared(p, info);
                ctx.note(
                        vm.name,
                        "placed " + allocated + " of " + mappings + " IPA range(s) of " + p.describe() + " " + how
                                + " (not DONE yet)");
                return incomplete;
            }
            if (info.ipaAllocCount + allocated != mappings) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "MEM_ACCEPT_FLAG_DONE before every IPA is placed");
            }
            map(vm, p, info);
            commit(vmid, space);
            info.ipaAllocCount += allocated;
        } catch (RmFailure f) {
            if (newList) {
                info.ipaList = null;
                info.contiguous = false;
            }
            throw f;
        }
        List<Long> ipas = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < p.regions.size(); i++) {
            ipas.add(info.ipa(i, offset));
            offset += p.regions.get(i).size();
        }
        if (p.trans == DONATE) {
            // the pages are the new owner's now: its extent stays with it, the parcel goes; the previous owner's
            // IPA ranges go back to its allocator (free_as_range)
            RmVm prev = ctx.vms.get(p.owner);
            for (Region r : p.regions) {
                if (r.rmIpa() >= 0) {
                    ctx.hyp.unmap(ctx.rmAddrspace, r.extent(), r.rmIpa(), r.size(), "donated");
                }
                vm.masterCaps.add(r.extent());
                vm.held.add(new RmVm.Held(ipas.get(p.regions.indexOf(r)), r.pa(), r.size(), r.extent(), p.memType));
                if (prev != null) {
                    ctx.rmTable
                            .space(prev.vmid)
                            .ifPresent(s -> commit(prev.vmid, s.free(use(p), r.ownerIpa(), r.size())));
                }
            }
            parcels.remove(p.handle);
            ctx.note(vm.name, "took " + p.describe() + " from " + name(p.owner) + " " + how);
            return false;
        }
        markShared(p, info);
        ctx.note(
                vm.name,
                "accepted " + p.describe() + " from " + name(p.owner) + " " + how + ", mapped at 0x"
                        + Long.toHexString(ipas.get(0)));
        return false;
    }

    private static void markShared(Parcel p, VmInfo info) {
        if (!info.shared) {
            info.shared = true;
            p.shareCount++;
            p.state = State.SHARED;
        }
    }

    private static MemUse use(Parcel p) {
        return p.memType == IO ? MemUse.IO : MemUse.NORMAL;
    }

    /** alloc_as_range: any base 2 MiB aligned when the range is at least that big; a refusal is NORESOURCE. */
    private static VmIpaSpace.Placed allocAsRange(VmIpaSpace space, Parcel p, long at, long phys, long size) {
        if (space == null) {
            throw new RmFailure(RmError.NORESOURCE, "the VM has no IPA allocator");
        }
        long align = at == VmIpaSpace.ANY && size >= 2L << 20 ? 2L << 20 : PAGE;
        try {
            return space.alloc(use(p), at, phys, size, align);
        } catch (IpaRefused e) {
            throw new RmFailure(RmError.NORESOURCE, "no IPA range: " + e.getMessage());
        }
    }

    /** validate_as_tag: a tagged range takes only memory whose physical tag has all its bits. */
    private static void validateTag(int tag) {
        if (tag != 0 && (tag & VmIpaSpace.PHYS_TAG) != tag) {
            throw new RmFailure(
                    RmError.MEM_INVALID,
                    "the IPA range is tagged 0x" + Integer.toHexString(tag) + ", the memory is 0x"
                            + Integer.toHexString(VmIpaSpace.PHYS_TAG));
        }
    }

    private void commit(int vmid, VmIpaSpace space) {
        if (space != null) {
            ctx.rmTable.space(vmid, space);
        }
    }

    private static void validateAclAttrs(Parcel p, List<int[]> acl, List<int[]> attrs) {
        if (acl.size() != p.vms.size() || attrs.size() != p.attrs.size()) {
            throw new RmFailure(RmError.VALIDATE_FAILED, "the ACL or attributes differ from the parcel's");
        }
        for (int i = 0; i < acl.size(); i++) {
            if (acl.get(i)[0] != p.vms.get(i).vmid || acl.get(i)[1] != p.vms.get(i).rights) {
                throw new RmFailure(RmError.VALIDATE_FAILED, "acl[" + i + "] differs from the parcel's");
            }
        }
        for (int i = 0; i < attrs.size(); i++) {
            if (attrs.get(i)[0] != p.attrs.get(i)[0]
                    || attrs.get(i)[1] != p.attrs.get(i)[1]) {
                throw new RmFailure(RmError.VALIDATE_FAILED, "attr[" + i + "] differs from the parcel's");
            }
        }
    }

    /** map_memory_region for each region at its IPA; on a failure the ones mapped are unmapped (MAP_FAILED). */
    private void map(RmVm vm, Parcel p, VmInfo info) {
        int access = info.rights;
        int memtype = info.attr == ATTR_DEVICE ? 1 : info.attr == ATTR_UNCACHED ? 5 : 15;
        int done = 0;
        long offset = 0;
        try {
            for (; done < p.regions.size(); done++) {
                Region r = p.regions.get(done);
                ctx.hyp.map(
                        vm.addrspaceCap, r.extent(), info.ipa(done, offset), r.size(), access, memtype, p.describe());
                offset += r.size();
            }
        } catch (RmFailure f) {
            offset = 0;
            for (int i = 0; i < done; i++) {
                Region r = p.regions.get(i);
                ctx.hyp.unmap(vm.addrspaceCap, r.extent(), info.ipa(i, offset), r.size(), "undo");
                offset += r.size();
            }
            throw new RmFailure(RmError.MAP_FAILED, f.getMessage());
        }
        info.mapped = true;
    }

    // ---- MEM_RELEASE / MEM_RECLAIM -------------------------------------------------------------------------

    byte[] memRelease(RmVm caller, Wire.Reader in) {
        in.atLeast(8);
        int handle = (int) in.u32();
        int flags = in.u8();
        release(caller, parcel(handle), flags);
        return new byte[0];
    }

    /** memparcel_do_release. */
    private void release(RmVm vm, Parcel p, int flags) {
        VmInfo info = p.info(vm.vmid);
        if (info == null) {
            throw new RmFailure(RmError.HANDLE_INVALID, "memparcel " + p.handle + " is not for " + vm.name);
        }
        if (vm.vmid == p.owner) {
            throw new RmFailure(RmError.DENIED, "the owner releases nothing");
        }
        if (!info.shared) {
            throw new RmFailure(RmError.MEM_RELEASED, "memparcel " + p.handle + " is not accepted by " + vm.name);
        }
        if ((flags & 1) != 0) {
            if (p.memType == IO || (info.rights & RIGHTS_W) == 0) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "sanitize needs normal memory and write access");
            }
            p.sanitizeReclaim = true;
        }
        if (info.mapped && vm.addrspaceCap != -1) {
            long offset = 0;
            for (int i = 0; i < p.regions.size(); i++) {
                Region r = p.regions.get(i);
                ctx.hyp.unmap(vm.addrspaceCap, r.extent(), info.ipa(i, offset), r.size(), "release");
                offset += r.size();
            }
        }
        freeIpas(vm, p, info);
        info.ipaList = null;
        info.ipaAllocCount = 0;
        info.contiguous = false;
        info.shared = false;
        info.mapped = false;
        if (--p.shareCount == 0) {
            p.state = State.SHARING;
        }
        ctx.note(vm.name, "released " + p.describe());
    }

    /** free_allocated_ipas: every IPA range placed for the VM goes back to its allocator. */
    private void freeIpas(RmVm vm, Parcel p, VmInfo info) {
        VmIpaSpace space = ctx.rmTable.space(vm.vmid).orElse(null);
        if (space == null || info.ipaAllocCount == 0) {
            return;
        }
        if (info.contiguous) {
            space = space.free(use(p), info.ipaList[0], p.size());
        } else {
            for (int i = 0; i < info.ipaAllocCount; i++) {
                space = space.free(use(p), info.ipaList[i], p.regions.get(i).size());
            }
        }
        commit(vm.vmid, space);
    }

    /** vm_reset_handle_release_memparcels: every parcel the VM accepted goes back to its owner's keeping. */
    void releaseAll(RmVm vm) {
        for (Parcel p : List.copyOf(parcels.values())) {
            VmInfo info = p.info(vm.vmid);
            if (info != null && info.shared && vm.vmid != p.owner) {
                release(vm, p, 0);
            }
        }
    }

    byte[] memReclaim(RmVm caller, Wire.Reader in) {
        in.atLeast(8);
        int handle = (int) in.u32();
        int flags = in.u8();
        Parcel p = parcel(handle);
        if (caller.vmid != p.owner) {
            throw new RmFailure(RmError.DENIED, "memparcel " + handle + " is not " + caller.name + "'s");
        }
        if (p.state == State.SHARED) {
            throw new RmFailure(RmError.MEM_INUSE, "memparcel " + handle + " is still accepted");
        }
        if ((flags & 1) != 0) {
            if (p.memType == IO) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "IO memory cannot be sanitized");
            }
            p.sanitizeReclaim = true;
        }
        parcels.remove(handle);
        if (p.sanitizeReclaim) {
            // region_list_cleanup_regions: a borrower or the owner asked for it (accept/release/reclaim SANITIZE)
            p.regions.forEach(this::sanitise);
        }
        p.regions.forEach(this::giveBack);
        ctx.note(caller.name, "reclaimed " + p.describe());
        return new byte[0];
    }

    // ---- MEM_NOTIFY ----------------------------------------------------------------------------------------

    /** The auto-accept the RM runs for a READY VM a parcel was shared with (vm_creation_process_memparcel). */
    interface AutoAccept {
        /**
         * False when accepting failed; true otherwise — also when no vdevice has the parcel's label and nothing
         * was accepted (the owner then hears MEM_RELEASED as the answer, memparcel_notify_owner's mismatch).
         */
        boolean offer(RmVm vm, Memparcel p);
    }

    private AutoAccept autoAccept = (vm, p) -> false;

    void autoAccept(AutoAccept a) {
        this.autoAccept = a;
    }

    /** memparcel_notify: handle, flags, mem_info_tag, then (SHARED, RECALL) a VMID list. */
    byte[] memNotify(RmVm caller, Wire.Reader in) {
        in.atLeast(12);
        int handle = (int) in.u32();
        int flags = in.u8();
        in.u8();
        in.u8();
        in.u8();
        long tag = in.u32();
        Parcel p = parcel(handle);
        if (p.memInfoTagSet && p.memInfoTag != tag) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "mem-info-tag differs from the parcel's");
        }
        switch (flags) {
            case NOTIFY_SHARED -> notifyShared(caller, p, in, tag);
            case NOTIFY_RELEASED -> notifyOwner(p, caller.vmid, false);
            case NOTIFY_ACCEPTED -> notifyOwner(p, caller.vmid, true);
            case NOTIFY_RECALL -> {
                List<Integer> targets = vmidList(caller, p, in);
                byte[] n = Wire.writer().u32(p.handle).u32(p.memInfoTag).build();
                targets.forEach(t -> notify(MessageId.NOTIFY_MEM_RECALL, t, n));
            }
            default -> throw new RmFailure(RmError.ARGUMENT_INVALID, "notify flags " + flags);
        }
        return new byte[0];
    }

    /** get_vmid_list: u16 count + u16, then {vmid u16, res0 u16} entries, each an existing VM of the ACL. */
    private List<Integer> vmidList(RmVm caller, Parcel p, Wire.Reader in) {
        if (caller.vmid != p.owner) {
            throw new RmFailure(RmError.DENIED, "only the owner notifies borrowers");
        }
        int n = in.u16();
        in.u16();
        if (n == 0) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "empty VMID list");
        }
        if (in.remaining() < 4L * n) {
            throw new RmFailure(RmError.MSG_INVALID, "VMID list truncated");
        }
        if (n > p.vms.size()) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "more VMIDs than the ACL has");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int vmid = in.u16();
            in.u16();
            if (!ctx.vms.containsKey(vmid)) {
                throw new RmFailure(RmError.VMID_INVALID, "no VM " + vmid);
            }
            if (p.info(vmid) == null) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "VMID " + vmid + " is not in the ACL");
            }
            out.add(vmid);
        }
        return out;
    }

    /**
     * memparcel_notify_shared: a READY target gets the RM's auto-accept by label and its owner MEM_ACCEPTED (or
     * MEM_RELEASED); any other target gets MEM_SHARED, to accept itself.
     */
    private void notifyShared(RmVm caller, Parcel p, Wire.Reader in, long tag) {
        List<Integer> targets = vmidList(caller, p, in);
        if (!p.memInfoTagSet) {
            p.memInfoTag = tag;
            p.memInfoTagSet = true;
        }
        Wire.Writer w = Wire.writer()
                .u32(p.handle)
                .u8(p.memType)
                .u8(p.trans)
                .u8(p.sanitizeCreate ? 1 : 0)
                .u8(0)
                .u16(p.owner)
                .u16(0)
                .u32(p.label)
                .u32(p.memInfoTag)
                .u16(p.vms.size())
                .u16(0);
        p.vms.forEach(v -> w.u16(v.vmid).u8(v.rights).u8(0));
        int regions = Math.min(p.regions.size(), MAX_LIST_ENTRIES);
        w.u16(regions).u16(0);
        // the real notification carries each region's size only (a u64 each), not its address
        p.regions.stream().limit(regions).forEach(r -> w.u64(r.size()));
        w.u16(p.attrs.size()).u16(0);
        p.attrs.forEach(a -> w.u16(a[0]).u16(a[1]));
        byte[] notif = w.build();
        // the real loop keeps going after a failed target: its answer is the last target's
        RmFailure last = null;
        for (int t : targets) {
            RmVm target = ctx.vms.get(t);
            if (target.state == VmState.READY) {
                try {
                    notifyOwner(p, t, autoAccept.offer(target, p.view()));
                    last = null;
                } catch (RmFailure f) {
                    last = f;
                }
            } else {
                notify(MessageId.NOTIFY_MEM_SHARED, t, notif);
                last = null;
            }
        }
        if (last != null) {
            throw last;
        }
    }

    /** memparcel_notify_owner: MEM_ACCEPTED or MEM_RELEASED to the owner, when it matches the borrower's state. */
    private void notifyOwner(Parcel p, int vmid, boolean accepted) {
        VmInfo info = p.info(vmid);
        if (info == null) {
            throw new RmFailure(RmError.HANDLE_INVALID, "VMID " + vmid + " is not in memparcel " + p.handle);
        }
        if (accepted != info.shared) {
            throw info.shared
                    ? new RmFailure(RmError.MEM_INUSE, "memparcel " + p.handle + " is accepted")
                    : new RmFailure(RmError.MEM_RELEASED, "memparcel " + p.handle + " is not accepted");
        }
        byte[] n =
                Wire.writer().u32(p.handle).u16(vmid).u16(0).u32(p.memInfoTag).build();
        if (accepted) {
            notify(MessageId.NOTIFY_MEM_ACCEPTED, p.owner, n);
        } else {
            notify(MessageId.NOTIFY_MEM_RELEASED, p.owner, n);
        }
    }

    private void notify(MessageId id, int vmid, byte[] payload) {
        RmVm vm = ctx.vms.get(vmid);
        if (vm != null && vm.link != null) {
            vm.link.notify(id, payload);
        }
    }

    // ---- MEM_QCOM_LOOKUP_SGL -------------------------------------------------------------------------------

    /** memparcel_lookup_sgl: the caller's SHARING parcel with exactly this type, ACL, SGL and attributes. */
    byte[] memLookupSgl(RmVm caller, Wire.Reader in) {
        in.atLeast(16);
        int memType = in.u8();
        in.u8();
        in.u8();
        in.u8();
        long label = in.u32();
        Lists l = Lists.read(in, true, true, true);
        for (Parcel p : parcels.values()) {
            if (p.owner != caller.vmid || p.state != State.SHARING || p.memType != memType) {
                continue;
            }
            if (l.acl.size() != p.vms.size() || l.sgl.size() != p.regions.size() || l.attrs.size() != p.attrs.size()) {
                continue;
            }
            boolean match = true;
            for (int i = 0; match && i < l.acl.size(); i++) {
                match = l.acl.get(i)[0] == p.vms.get(i).vmid && l.acl.get(i)[1] == p.vms.get(i).rights;
            }
            for (int i = 0; match && i < l.sgl.size(); i++) {
                Region r = p.regions.get(i);
                match = l.sgl.get(i)[0] == r.ownerIpa() && l.sgl.get(i)[1] == r.size();
            }
            for (int i = 0; match && i < l.attrs.size(); i++) {
                match = l.attrs.get(i)[0] == p.attrs.get(i)[0]
                        && l.attrs.get(i)[1] == p.attrs.get(i)[1];
            }
            if (match) {
                if (!p.labelValid) {
                    p.label = label;
                    p.labelValid = true;
                }
                return Wire.writer().u32(p.handle).build();
            }
        }
        throw new RmFailure(RmError.LOOKUP_FAILED, "no memparcel of " + caller.name + " matches");
    }

    // ---- what the RM itself reads --------------------------------------------------------------------------

    /**
     * memparcel_accept_rm_donation: the RM accepts a parcel donated to it (memparcel_do_accept for VMID_RM with an
     * ACL of exactly {RM, RWX}, normal memory, DONE | MAP_CONTIGUOUS | VALIDATE_ACL_ATTR). Its pages already show in
     * the RM's window, where they stay; the parcel is gone, as any donation after its accept. Returns {RM address,
     * size} of each region, in order.
     */
    List<long[]> acceptRmDonation(int handle) {
        Parcel p = parcel(handle);
        if (p.memType != NORMAL || p.trans != DONATE) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "memparcel " + handle + " is not normal memory donated");
        }
        validateAclAttrs(p, List.<int[]>of(new int[] {VMID_RM, 7}), List.of());
        if (p.owner == VMID_RM || p.info(VMID_RM).mapped) {
            throw new RmFailure(RmError.DENIED, "memparcel " + handle + " is the RM's or already mapped");
        }
        parcels.remove(handle);
        ctx.note("RM", "took " + p.describe() + " from " + name(p.owner));
        return p.regions.stream().map(r -> new long[] {r.rmIpa(), r.size()}).toList();
    }

    /** The parcel's bytes at [offset, offset+len), read through the RM's window. */
    byte[] parcelBytes(Memparcel m, long offset, int len) {
        Parcel p = parcel(m.handle());
        byte[] out = new byte[len];
        int done = 0;
        long skip = offset;
        for (Region r : p.regions) {
            if (done == len) {
                break;
            }
            if (skip >= r.size()) {
                skip -= r.size();
                continue;
            }
            int n = (int) Math.min(len - done, r.size() - skip);
            byte[] part = r.rmIpa() < 0 ? null : ctx.rmMemory.read(r.rmIpa() + skip, n);
            if (part == null) {
                throw new RmFailure(RmError.MEM_INVALID, "memparcel " + p.handle + " is not readable");
            }
            System.arraycopy(part, 0, out, done, n);
            done += n;
            skip = 0;
        }
        return out;
    }

    /** Where the RM sees the parcel's first byte (its regions lie one after another there), or -1 for IO. */
    long rmAddress(int handle) {
        return parcel(handle).regions.get(0).rmIpa();
    }

    /** {ipa, size, extent, pa} of each region as mapped in {@code vmid}; empty when it has not accepted it. */
    List<long[]> mappedIn(int handle, int vmid) {
        Parcel p = parcels.get(handle);
        VmInfo info = p == null ? null : p.info(vmid);
        if (info == null || !info.mapped) {
            return List.of();
        }
        List<long[]> out = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < p.regions.size(); i++) {
            Region r = p.regions.get(i);
            out.add(new long[] {info.ipa(i, offset), r.size(), r.extent(), r.pa()});
            offset += r.size();
        }
        return out;
    }

    /** Each region's physical address and size (memparcel_get_phys, memparcel_get_region_size). */
    List<long[]> physRegions(int handle) {
        return parcels.get(handle).regions.stream()
                .map(r -> new long[] {r.pa(), r.size()})
                .toList();
    }

    /** memparcel_get_vm_rights: the rights of {@code vmid}'s ACL entry, empty when the ACL does not name it. */
    OptionalInt rights(int handle, int vmid) {
        VmInfo v = parcels.get(handle).info(vmid);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v.rights);
    }

    /** memparcel_get_vm_attrs: the attribute given for {@code vmid} at creation, empty when none was given. */
    OptionalInt attrs(int handle, int vmid) {
        return parcels.get(handle).attrs.stream()
                .filter(a -> a[1] == vmid)
                .mapToInt(a -> a[0])
                .findFirst();
    }

    /** The parcels whose ACL names {@code vmid} (foreach_memparcel_by_target_vmid), in handle order. */
    List<Memparcel> targeting(int vmid) {
        return parcels.values().stream()
                .filter(p -> p.info(vmid) != null)
                .map(Parcel::view)
                .toList();
    }

    private String name(int vmid) {
        RmVm vm = ctx.vms.get(vmid);
        return vm == null ? "VMID " + vmid : vm.name;
    }

    private String aclNames(Parcel p) {
        return String.join(
                ", ",
                p.vms.stream()
                        .map(v -> name(v.vmid) + " " + Rights.of(v.rights))
                        .toList());
    }

    /** The three lists of memparcel_read_lists: u16 count + u16 (map_vmid for the SGL of MEM_ACCEPT), entries. */
    private record Lists(List<int[]> acl, List<long[]> sgl, List<int[]> attrs, int mapVmid) {
        static Lists read(Wire.Reader in, boolean acl, boolean sgl, boolean attrs) {
            List<int[]> a = new ArrayList<>();
            List<long[]> s = new ArrayList<>();
            List<int[]> t = new ArrayList<>();
            int mapVmid = 0;
            if (acl) {
                int n = count(in, 4);
                for (int i = 0; i < n; i++) {
                    int vmid = in.u16();
                    int rights = in.u8();
                    in.u8();
                    a.add(new int[] {vmid, rights});
                }
            }
            if (sgl && in.remaining() > 0) {
                if (in.remaining() < 4) {
                    throw new RmFailure(RmError.MSG_INVALID, "list header truncated");
                }
                int n = in.u16();
                mapVmid = in.u16();
                checkCount(in, n, 16);
                for (int i = 0; i < n; i++) {
                    s.add(new long[] {in.u64(), in.u64()});
                }
            }
            if (attrs) {
                int n = count(in, 4);
                for (int i = 0; i < n; i++) {
                    int attr = in.u16();
                    t.add(new int[] {attr, in.u16()});
                }
            }
            if (in.remaining() != 0) {
                throw new RmFailure(RmError.MSG_INVALID, in.remaining() + " bytes after the lists");
            }
            return new Lists(a, s, t, mapVmid);
        }

        /** rm_rpc_read_list: nothing left = an empty list; else a count (≤ 512, else NORESOURCE) and its entries. */
        private static int count(Wire.Reader in, int entrySize) {
            if (in.remaining() == 0) {
                return 0;
            }
            if (in.remaining() < 4) {
                throw new RmFailure(RmError.MSG_INVALID, "list header truncated");
            }
            int n = in.u16();
            in.u16();
            checkCount(in, n, entrySize);
            return n;
        }

        private static void checkCount(Wire.Reader in, int n, int entrySize) {
            if (n > MAX_LIST_ENTRIES) {
                throw new RmFailure(RmError.NORESOURCE, "list of " + n + " entries (max " + MAX_LIST_ENTRIES + ")");
            }
            if (in.remaining() < (long) n * entrySize) {
                throw new RmFailure(RmError.MSG_INVALID, "list of " + n + " entries truncated");
            }
        }
    }

    /** R/W/X letters of ACL rights, for the boot log. */
    private static final class Rights {
        static String of(int r) {
            return ((r & 4) != 0 ? "R" : "") + ((r & 2) != 0 ? "W" : "") + ((r & 1) != 0 ? "X" : "");
        }
    }

    /** Byte counts as the boot log prints them. */
    static final class Sizes {
        static String of(long n) {
            if (n >= 1L << 30 && n % (1L << 30) == 0) {
                return (n >> 30) + " GiB";
            }
            if (n >= 1L << 20 && n % (1L << 20) == 0) {
                return (n >> 20) + " MiB";
            }
            return n % 1024 == 0 ? (n >> 10) + " KiB" : n + " bytes";
        }
    }
}
