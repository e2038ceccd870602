package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.ipa.IpaRefused;
import dev.gunyahdt.hypervisor.rm.ipa.VmIpaSpace;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.util.ArrayList;
import java.util.List;

/**
 * IPA_RESERVE ([RM] {@code vm_ipa.c}: {@code reserve_ipa}): the caller tags ranges of its own IPA space with the
 * memory constraints it will need there, so that later accepts placed in them get only matching memory. Request:
 * alloc_type u8 (0 fixed list, 1 alloc list), res0 u8, res0 u16, generic and platform constraints u32 each, then a
 * list (u16 count ≤ 30, u16) of {base, size} u64 pairs (fixed) or {region_base, region_size, size, alignment} u64
 * quads (alloc). The fixed list answers nothing; the alloc list answers u32 count and the IPA chosen for each entry.
 * Any allocator refusal is DENIED and undoes the entries tagged before it. IPA_UNRESERVE is not handled upstream.
 */
final class IpaReservations {
    private static final int HEADER = 16; // sizeof(ipa_reserve_req_t)
    private static final int MAX_ENTRIES = 30;
    private static final int FIXED_LIST = 0;
    private static final int ALLOC_LIST = 1;

    private final RmContext ctx;

    IpaReservations(RmContext ctx) {
        this.ctx = ctx;
    }

    byte[] reserve(RmVm caller, Wire.Reader in) {
        VmIpaSpace space = ctx.rmTable
                .space(caller.vmid)
                .orElseThrow(() -> new RmFailure(RmError.DENIED, caller + " has no IPA allocator"));
        if (in.remaining() < HEADER) {
            throw new RmFailure(RmError.MSG_INVALID, "IPA_RESERVE shorter than its " + HEADER + "-byte header");
        }
        int type = in.u8();
        in.u8();
        in.u16();
        long generic = in.u32();
        long platform = in.u32();
        if (type != FIXED_LIST && type != ALLOC_LIST) {
            throw new RmFailure(RmError.MSG_INVALID, "alloc type " + type);
        }
        // vm_memory_constraints_to_tag; the base memory tag of a secondary is its DDR's (second_vm.c), HLOS has none
        int memBaseTag = caller.primary ? 0 : VmIpaSpace.PHYS_TAG;
        int tag = VmIpaSpace.constraintsToTag(generic, platform, memBaseTag);
        if (tag == 0) {
            throw new RmFailure(
                    RmError.ARGUMENT_INVALID,
                    "constraints 0x" + Long.toHexString(generic) + " 0x" + Long.toHexString(platform));
        }
        // rm_rpc_read_list: u16 count, u16 unused, the entries; nothing may follow
        int n = in.u16();
        in.u16();
        int words = type == FIXED_LIST ? 2 : 4;
        if (n > MAX_ENTRIES) {
            throw new RmFailure(RmError.NORESOURCE, n + " entries (at most " + MAX_ENTRIES + ")");
        }
        if (in.remaining() < n * words * 8L) {
            throw new RmFailure(RmError.MSG_INVALID, "list of " + n + " entries truncated");
        }
        List<long[]> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] e = new long[words];
            for (int w = 0; w < words; w++) {
                e[w] = in.u64();
            }
            list.add(e);
        }
        if (in.remaining() != 0) {
            throw new RmFailure(RmError.MSG_INVALID, in.remaining() + " bytes after the list");
        }
        // the space changes only when every entry is tagged: a refusal leaves it as it was, which is what
        // reserve_alloc_list's rollback does (reserve_fixed_list's rollback loop never ends upstream — its i is
        // not decremented — the model gives the result it means: every entry before the refused one untagged)
        Wire.Writer reply = Wire.writer();
        if (type == ALLOC_LIST) {
            reply.u32(n);
        }
        for (int i = 0; i < n; i++) {
            long[] e = list.get(i);
            try {
                if (type == FIXED_LIST) {
                    space = space.tag(e[0], e[1], tag);
                } else {
                    VmIpaSpace.Placed p = space.tagAny(e[0], e[1], e[2], e[3], tag);
                    space = p.space();
                    reply.u64(p.base());
                }
            } catch (IpaRefused r) {
                throw new RmFailure(RmError.DENIED, "entry " + i + ": " + r.getMessage());
            }
        }
        ctx.rmTable.space(caller.vmid, space);
        ctx.note(caller.name, "IPA_RESERVE: " + n + " range(s) tagged 0x" + Integer.toHexString(tag));
        return reply.build();
    }
}
