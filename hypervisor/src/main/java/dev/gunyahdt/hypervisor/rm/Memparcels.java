package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.PAGE;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.PARCEL_WINDOW;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.PARCEL_WINDOW_END;

import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Memparcels (§7.2): MEM_LEND / MEM_SHARE / MEM_DONATE / MEM_RECLAIM, and the RM reading a parcel's bytes. */
final class Memparcels {
    private final RmContext ctx;
    private final Map<Integer, Memparcel> parcels = new TreeMap<>();
    /** LEND/DONATE memparcels: per SGL entry {extent cap, where the RM maps it}. */
    private final Map<Integer, List<long[]>> parcelExtents = new TreeMap<>();

    private long nextParcelIpa = PARCEL_WINDOW;
    private int nextParcel = 1;

    Memparcels(RmContext ctx) {
        this.ctx = ctx;
    }

    Memparcel get(int handle) {
        return parcels.get(handle);
    }

    /** Adds or replaces the parcel under its handle. */
    void put(Memparcel p) {
        parcels.put(p.handle(), p);
    }

    /** A fresh handle for a parcel the RM makes itself (shm, §7.2). */
    int nextHandle() {
        return nextParcel++;
    }

    /** Memparcels alive now, by handle. */
    List<Memparcel> all() {
        return List.copyOf(parcels.values());
    }

    byte[] memCreate(RmVm caller, Wire.Reader in, int transaction) {
        int memType = in.u8();
        in.u8();
        int flags = in.u8();
        in.u8();
        long label = in.u32();
        if (memType > 1 || (flags & ~0x3) != 0) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "mem type " + memType + " flags " + flags);
        }
        List<int[]> acl = new ArrayList<>();
        int n = listCount(in);
        for (int i = 0; i < n; i++) {
            int vmid = in.u16();
            int rights = in.u8();
            in.u8();
            if (rights < 4 || rights > 7) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, "ACL rights " + rights);
            }
            acl.add(new int[] {vmid, rights});
        }
        List<long[]> sgl = new ArrayList<>();
        n = listCount(in);
        for (int i = 0; i < n; i++) {
            long ipa = in.u64();
            long size = in.u64();
            if (ipa % PAGE != 0 || size % PAGE != 0 || size == 0 || ipa >>> 44 != 0 || (ipa + size) >>> 44 != 0) {
                throw new RmFailure(
                        RmError.MEM_INVALID,
                        "SGL entry 0x" + Long.toHexString(ipa) + "+0x" + Long.toHexString(size)
                                + " not page aligned or beyond 2^44");
            }
            if (caller.ram == null || !caller.ram.contains(ipa, size)) {
                throw new RmFailure(RmError.MEM_INVALID, "SGL entry outside " + caller.name + "'s memory");
            }
            sgl.add(new long[] {ipa, size});
        }
        if (in.remaining() > 0) {
            int attrs = listCount(in);
            for (int i = 0; i < attrs; i++) {
                in.u32();
            }
        }
        if (acl.isEmpty() || sgl.isEmpty()) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "empty ACL or SGL");
        }
        int handle = nextParcel++;
        if (transaction != 2) {
            parcelExtents.put(handle, takePages(caller, sgl, handle));
        }
        parcels.put(handle, new Memparcel(handle, caller.vmid, transaction, memType, label, acl, sgl));
        return Wire.writer().u32(handle).build();
    }

    private static int listCount(Wire.Reader in) {
        int n = in.u16();
        in.u16();
        if (n > 512) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "list of " + n + " entries (max 512)");
        }
        return n;
    }

    /**
     * LEND / DONATE (§7.2): each SGL range becomes an extent derived from the owner's RAM extent, so its pages
     * leave the owner (it can no longer touch them); the RM sees them at PA + {@link ResourceManager#PARCEL_WINDOW}.
     * A SHARE keeps the pages where they are (the owner keeps its access) and the RM reads them through its RAM
     * mapping.
     */
    private List<long[]> takePages(RmVm owner, List<long[]> sgl, int handle) {
        long total = sgl.stream().mapToLong(e -> e[1]).sum();
        if (total > PARCEL_WINDOW_END - nextParcelIpa) {
            throw new RmFailure(RmError.NORESOURCE, "memparcel " + handle + ": no room left in the RM's window");
        }
        List<long[]> made = new ArrayList<>();
        try {
            for (long[] e : sgl) {
                long me = ctx.hyp.derive(owner.ramExtent, e[0] - owner.ram.ipa(), e[1], "memparcel " + handle);
                made.add(new long[] {me, nextParcelIpa});
                ctx.hyp.map(ctx.rmAddrspace, me, nextParcelIpa, e[1], 6, "memparcel " + handle);
                nextParcelIpa += e[1];
            }
        } catch (RmFailure f) {
            made.forEach(m -> ctx.hyp.delete(m[0]));
            throw f;
        }
        return made;
    }

    byte[] memReclaim(RmVm caller, Wire.Reader in) {
        in.exactly(8);
        int handle = (int) in.u32();
        Memparcel p = parcels.get(handle);
        if (p == null || p.owner() != caller.vmid) {
            throw new RmFailure(RmError.HANDLE_INVALID, "no memparcel " + handle + " of " + caller.name);
        }
        parcels.remove(handle);
        // the derived extents go: their pages return to the owner's RAM extent, and the owner's access with them
        parcelExtents.getOrDefault(handle, List.of()).forEach(m -> ctx.hyp.delete(m[0]));
        parcelExtents.remove(handle);
        return new byte[0];
    }

    byte[] parcelBytes(Memparcel p, long offset, int len) {
        RmVm owner = ctx.vms.get(p.owner());
        byte[] out = new byte[len];
        int done = 0;
        long skip = offset;
        List<long[]> lent = parcelExtents.get(p.handle());
        for (int k = 0; k < p.sgl().size(); k++) {
            long[] e = p.sgl().get(k);
            if (done == len) {
                break;
            }
            if (skip >= e[1]) {
                skip -= e[1];
                continue;
            }
            int n = (int) Math.min(len - done, e[1] - skip);
            long at = lent != null ? lent.get(k)[1] + skip : owner.ram.pa(e[0] + skip);
            byte[] part = ctx.rmMemory.read(at, n);
            if (part == null) {
                throw new RmFailure(RmError.MEM_INVALID, "memparcel " + p.handle() + " is not readable");
            }
            System.arraycopy(part, 0, out, done, n);
            done += n;
            skip = 0;
        }
        return out;
    }
}
