package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_HLOS;

import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RmLink;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The RM's hardware-IRQ bookkeeping and IRQ lending ([RM] {@code src/irq_manager/irq_manager.c}): who owns each
 * physical SPI (HLOS by default, {@code irq_manager_init}), which VIRQ of which VM each one is mapped to, and the
 * lending state machine of VM_IRQ_LEND / ACCEPT / RELEASE / RECLAIM / NOTIFY with the real RM's checks, error codes
 * and notifications.
 *
 * <p>A VM's IRQ namespace is its {@link RmVm#virqs} (the RM's {@code irq_mappings_dict}: one entry per number,
 * VIRQ-type entries for vdevices, HW-type ones here) plus, for HW entries, {@link #maps}. Handles are
 * {@code irq_handle_rand_base + hwirq}: one random base per RM, drawn here from a generator seeded from the
 * hypervisor's seed (the real RM asks the hypervisor's PRNG).
 *
 * <p>Quirks of the code kept as they are: ACCEPT binds the hwirq whose number is the VIRQ the borrower asks for
 * ({@code irq_manager_vm_hwirq_map_internal(vm, dst_irq, dst_irq, …)}), so the lent SPI only arrives when the
 * borrower accepts it 1:1 (or lets the RM choose); RECLAIM re-binds at the hwirq's number, not the owner's VIRQ
 * (the same for 1:1 maps); LEND does not check the borrower.
 */
final class IrqManager {
    /** VIRQ_NUM_INVALID: "choose for me" in VM_IRQ_ACCEPT. */
    static final long VIRQ_NUM_INVALID = 0xFFFF_FFFFL;

    static final int NOTIFY_LENT = 1;
    static final int NOTIFY_RELEASED = 2;
    static final int NOTIFY_ACCEPTED = 4;
    /** The last hwirq number (arch_irq_global_max): handles are base + 16..1019. */
    private static final int LAST_IRQ = 1019;
    /** VMID_PEER_DEFAULT: a lending with no borrower (after the borrower's reset). */
    private static final int VMID_PEER_DEFAULT = 0xFFFF;

    private enum LendState {
        OFFERED,
        ACCEPTED
    }

    /** irq_mapping_info_t of a HW entry: the hwirq and whether it is bound here or lent away. */
    private static final class HwMap {
        final int hw;
        boolean lending;

        HwMap(int hw) {
            this.hw = hw;
        }
    }

    /** irq_lending_t. */
    private static final class Lend {
        final int hw;
        final long handle;
        int borrower;
        long borrowerIrq = -1;
        LendState state = LendState.OFFERED;
        final long label;

        Lend(int hw, long handle, int borrower, long label) {
            this.hw = hw;
            this.handle = handle;
            this.borrower = borrower;
            this.label = label;
        }
    }

    private final RmContext ctx;
    private final long handleBase;
    /** hwirq_t.owner for SPIs given away from HLOS (none yet: every SPI stays HLOS's). */
    private final Map<Integer, Integer> owners = new HashMap<>();
    /** hwirq_t.owner_irq_number: the owner's VIRQ of each mapped hwirq. */
    private final Map<Integer, Integer> ownerIrq = new HashMap<>();
    /** Each VM's HW entries by its IRQ number. */
    private final Map<Integer, Map<Integer, HwMap>> maps = new HashMap<>();
    /** hwirq_lending_dict, by hwirq. */
    private final Map<Integer, Lend> lends = new TreeMap<>();

    IrqManager(RmContext ctx) {
        this.ctx = ctx;
        // irq_manager_init: a random 32-bit base, moved down when base + the last hwirq would wrap
        long base = new Random(ctx.hv.seed() ^ 0x6972_715f_6c65_6e64L).nextInt() & 0xFFFF_FFFFL;
        this.handleBase = base + LAST_IRQ > 0xFFFF_FFFFL ? base - LAST_IRQ : base;
    }

    private static boolean global(long n) {
        return n >= 32 && n <= 1019; // arch_irq_global_valid (GICv3, no extended SPIs)
    }

    private static boolean cpuLocal(long n) {
        return n >= 16 && n <= 31; // arch_irq_cpulocal_valid
    }

    /** irq_numbers_compatible: both SPIs or both PPIs. */
    private static boolean compatible(long a, long b) {
        return (cpuLocal(a) && cpuLocal(b)) || (global(a) && global(b));
    }

    private int owner(int hw) {
        return owners.getOrDefault(hw, VMID_HLOS);
    }

    /** The root's cap to hwirq {@code hw}, CAP_INVALID for a number the platform has no hwirq object for. */
    private long cap(long hw) {
        return global(hw) ? ctx.hv.hwirqCap((int) hw) : HvcResult.CAP_INVALID;
    }

    private Map<Integer, HwMap> mapsOf(RmVm vm) {
        return maps.computeIfAbsent(vm.vmid, k -> new TreeMap<>());
    }

    // ---- mapping at VM set-up -------------------------------------------------------------------------------

    /** Whether hwirq {@code hw} is mapped to its owner now (owner_irq_number set). */
    boolean mapped(int hw) {
        return ownerIrq.containsKey(hw);
    }

    /**
     * irq_manager_vm_hwirq_map (owner = true, alloc): a trusted config's {@code gic-irq-ranges} entry, or one of
     * HLOS's direct maps. NORESOURCE for no such hwirq, DENIED when {@code vm} does not own it, BUSY when it is
     * mapped already or the VIRQ is taken (dict_add's DENIED: the model says BUSY, as before), ARGUMENT_INVALID for
     * numbers of different kinds.
     */
    void mapOwned(RmVm vm, long virq, long hw, String what) {
        if (!compatible(virq, hw)) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": not both SPIs or both PPIs");
        }
        long cap = cap(hw);
        if (cap == HvcResult.CAP_INVALID) {
            throw new RmFailure(RmError.NORESOURCE, what + ": the platform has no such hardware IRQ");
        }
        int h = (int) hw;
        if (owner(h) != vm.vmid) {
            throw new RmFailure(RmError.DENIED, what + ": the hardware IRQ belongs to VM " + owner(h));
        }
        if (mapped(h)) {
            throw new RmFailure(RmError.BUSY, what + ": already mapped to VIRQ " + ownerIrq.get(h));
        }
        if (!vm.virqs.reserve((int) virq)) {
            throw new RmFailure(RmError.BUSY, what + ": the VIRQ is already used");
        }
        ctx.hyp.bindHwirq(cap, vm.vicCap, (int) virq, what);
        mapsOf(vm).put((int) virq, new HwMap(h));
        ownerIrq.put(h, (int) virq);
    }

    /**
     * irq_manager_vm_hwirq_map_all_direct (hlos_vm.c): every hwirq HLOS owns and has not mapped yet, bound 1:1
     * (VIRQ = INTID). {@code wired} stands for the boot environment's {@code vic_hwirq} list: the model makes
     * hwirq objects only for the SPIs the board's devices use (system.dtb's {@code hw-spis}).
     */
    void mapAllDirect(RmVm hlos, Iterable<Integer> wired) {
        for (int hw : wired) {
            if (owner(hw) == hlos.vmid && !mapped(hw) && global(hw)) {
                mapOwned(hlos, hw, hw, "hwirq " + hw + " of " + hlos + " (map_all_direct)");
            }
        }
    }

    // ---- VM_IRQ_LEND ---------------------------------------------------------------------------------------

    /** irq_manager_handle_lend: {u16 borrower, u16 pad, u32 virq, u32 label} → {u32 handle}. */
    byte[] lend(RmVm caller, Wire.Reader in) {
        in.exactly(12);
        int borrower = in.u16();
        in.u16();
        long src = in.u32();
        long label = in.u32();
        HwMap m = src > Integer.MAX_VALUE ? null : mapsOf(caller).get((int) src);
        if (m != null && m.lending) {
            throw new RmFailure(RmError.IRQ_INUSE, "IRQ " + src + " of " + caller + " is lent already");
        }
        if (m == null) {
            throw new RmFailure(RmError.IRQ_INVALID, "IRQ " + src + " is not a hardware IRQ bound in " + caller);
        }
        if (owner(m.hw) != caller.vmid) {
            throw new RmFailure(RmError.IRQ_INVALID, caller + " does not own hwirq " + m.hw);
        }
        long handle = (handleBase + m.hw) & 0xFFFF_FFFFL;
        ctx.hyp.unbindHwirq(cap(m.hw), "VM_IRQ_LEND of hwirq " + m.hw);
        m.lending = true;
        lends.put(m.hw, new Lend(m.hw, handle, borrower, label));
        return Wire.writer().u32(handle).build();
    }

    /** The lending a handle names (irq_manager_handle_lookup + dict_get), or HANDLE_INVALID. */
    private Lend lookup(long handle) {
        long hw = (handle - handleBase) & 0xFFFF_FFFFL;
        Lend l = hw <= LAST_IRQ ? lends.get((int) hw) : null;
        if (l == null) {
            throw new RmFailure(RmError.HANDLE_INVALID, "no IRQ lent with handle 0x" + Long.toHexString(handle));
        }
        return l;
    }

    /** ACCEPT's and RELEASE's checks: the caller borrows it (HANDLE_INVALID) and it is {@code in} (IN_USE). */
    private Lend borrowed(RmVm caller, long handle, LendState in) {
        Lend l = lookup(handle);
        if (l.borrower != caller.vmid) {
            throw new RmFailure(
                    RmError.HANDLE_INVALID, "handle 0x" + Long.toHexString(handle) + " is not lent to " + caller);
        }
        if (l.state != in) {
            throw new RmFailure(RmError.IN_USE, "hwirq " + l.hw + " is not " + in);
        }
        return l;
    }

    // ---- VM_IRQ_ACCEPT -------------------------------------------------------------------------------------

    /** irq_manager_handle_accept: {u32 handle, u32 virq or VIRQ_NUM_INVALID} → {u32 virq}. */
    byte[] accept(RmVm caller, Wire.Reader in) {
        in.exactly(8);
        long handle = in.u32();
        long dst = in.u32();
        Lend l = borrowed(caller, handle, LendState.OFFERED);
        if (dst == VIRQ_NUM_INVALID) {
            dst = l.hw; // the FIXME's 1:1 choice, so trusted VMs can validate what they got
        }
        mapBorrowed(caller, dst, "VM_IRQ_ACCEPT of handle 0x" + Long.toHexString(handle));
        l.state = LendState.ACCEPTED;
        l.borrowerIrq = dst;
        return Wire.writer().u32(dst).build();
    }

    /**
     * irq_manager_vm_hwirq_map_internal(vm, n, n, alloc, owner = false), errors as handle_accept maps them:
     * NOMEM, DENIED (the number is already in the VM's dict), everything else ARGUMENT_INVALID.
     */
    private void mapBorrowed(RmVm vm, long n, String what) {
        if (!compatible(n, n)) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": VIRQ " + n + " is not an SPI or PPI");
        }
        long cap = cap(n);
        if (cap == HvcResult.CAP_INVALID) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": no hwirq " + n);
        }
        if (!vm.virqs.reserve((int) n)) { // dict_add of a number the VM's dict holds
            throw new RmFailure(RmError.DENIED, what + ": VIRQ " + n + " is already used in " + vm);
        }
        HypError e = ctx.hyp.tryBindHwirq(cap, vm.vicCap, (int) n);
        if (e != HypError.OK) {
            vm.virqs.release((int) n);
            throw new RmFailure(
                    e == HypError.DENIED ? RmError.DENIED : RmError.ARGUMENT_INVALID,
                    what + ": hwirq_bind_virq -> " + e);
        }
        mapsOf(vm).put((int) n, new HwMap((int) n));
    }

    // ---- VM_IRQ_RELEASE ------------------------------------------------------------------------------------

    /** irq_manager_handle_release: {u32 handle}. */
    byte[] release(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        long handle = in.u32();
        Lend l = borrowed(caller, handle, LendState.ACCEPTED);
        unmapBorrowed(caller, (int) l.borrowerIrq);
        l.state = LendState.OFFERED;
        l.borrowerIrq = -1;
        return new byte[0];
    }

    /** irq_manager_vm_hwirq_unmap_internal(vm, n, free, owner = false). */
    private void unmapBorrowed(RmVm vm, int n) {
        HwMap m = mapsOf(vm).remove(n);
        if (m == null) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "IRQ " + n + " is not a hardware IRQ of " + vm);
        }
        if (vm.vicCap >= 0) {
            ctx.hyp.unbindHwirq(cap(m.hw), "unmap of hwirq " + m.hw + " from " + vm);
        }
        vm.virqs.release(n);
    }

    // ---- VM_IRQ_RECLAIM ------------------------------------------------------------------------------------

    /** irq_manager_handle_reclaim: {u32 handle}; the hwirq is bound to the owner again and the lending ends. */
    byte[] reclaim(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        long handle = in.u32();
        Lend l = lookup(handle);
        int hw = l.hw;
        if (l.borrower == caller.vmid) {
            throw new RmFailure(RmError.HANDLE_INVALID, caller + " borrows handle 0x" + Long.toHexString(handle));
        }
        if (l.state != LendState.OFFERED) {
            throw new RmFailure(RmError.IN_USE, "hwirq " + hw + " is still accepted by its borrower");
        }
        if (owner(hw) != caller.vmid) {
            throw new RmFailure(RmError.IRQ_INVALID, caller + " does not own hwirq " + hw);
        }
        Integer mine = ownerIrq.get(hw);
        HwMap m = mine == null ? null : mapsOf(caller).get(mine);
        if (m == null) {
            throw new RmFailure(RmError.IRQ_INVALID, "hwirq " + hw + " has no entry in " + caller);
        }
        // the code binds at irq_map->irq_number, the hwirq's own number (the owner's VIRQ when mapped 1:1)
        ctx.hyp.bindHwirq(cap(hw), caller.vicCap, m.hw, "VM_IRQ_RECLAIM of hwirq " + hw);
        m.lending = false;
        lends.remove(hw);
        return new byte[0];
    }

    // ---- VM_IRQ_NOTIFY -------------------------------------------------------------------------------------

    /**
     * irq_manager_handle_notify: {u32 handle, u32 flags} and, for LENT only, optionally {u16 entries, u16 pad,
     * entries × {u16 vmid, u16 pad}}. LENT (owner → borrower NOTIFY_VM_IRQ_LENT {u16 owner, u16 pad, u32 handle,
     * u32 label}), RELEASED and ACCEPTED (borrower → owner NOTIFY_VM_IRQ_RELEASED/ACCEPTED {u32 handle}).
     */
    byte[] notify(RmVm caller, Wire.Reader in) {
        in.atLeast(8);
        long handle = in.u32();
        long flags = in.u32();
        int len = in.remaining() + 8;
        if (flags != NOTIFY_LENT && len != 8) {
            throw new RmFailure(RmError.MSG_INVALID, "VM_IRQ_NOTIFY of " + len + " bytes with flags " + flags);
        }
        Lend l = lookup(handle);
        int hw = l.hw;
        int owner = owner(hw);
        if (flags == NOTIFY_LENT) {
            notifyLent(caller, l, owner, in, len);
        } else if (flags == NOTIFY_RELEASED || flags == NOTIFY_ACCEPTED) {
            if (l.borrower != caller.vmid) {
                throw new RmFailure(
                        RmError.HANDLE_INVALID, caller + " does not borrow handle 0x" + Long.toHexString(handle));
            }
            if (flags == NOTIFY_RELEASED && l.state != LendState.OFFERED) {
                throw new RmFailure(RmError.IRQ_INUSE, "hwirq " + hw + " is still accepted");
            }
            if (flags == NOTIFY_ACCEPTED && l.state != LendState.ACCEPTED) {
                throw new RmFailure(RmError.IRQ_RELEASED, "hwirq " + hw + " is not accepted");
            }
            RmLink to = linkOf(owner);
            byte[] payload = Wire.writer().u32(handle).build();
            if (to != null && flags == NOTIFY_RELEASED) {
                to.notify(MessageId.NOTIFY_VM_IRQ_RELEASED, payload);
            } else if (to != null) {
                to.notify(MessageId.NOTIFY_VM_IRQ_ACCEPTED, payload);
            }
        } else {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "VM_IRQ_NOTIFY flags " + flags);
        }
        return new byte[0];
    }

    /** irq_manager_notify_flag_lent: the optional VMID list may name only the borrower. */
    private void notifyLent(RmVm caller, Lend l, int owner, Wire.Reader in, int len) {
        int entries = 0;
        int only = -1;
        if (len > 8) {
            if (len < 12) {
                throw new RmFailure(RmError.MSG_INVALID, "VM_IRQ_NOTIFY LENT of " + len + " bytes");
            }
            entries = in.u16();
            in.u16();
            if (len != 12 + 4 * entries) {
                throw new RmFailure(
                        RmError.MSG_INVALID, "VM_IRQ_NOTIFY LENT: " + entries + " VMIDs in " + len + " bytes");
            }
            if (entries > 0) {
                only = in.u16();
            }
        }
        if (owner != caller.vmid) {
            throw new RmFailure(
                    RmError.HANDLE_INVALID, caller + " does not own handle 0x" + Long.toHexString(l.handle));
        }
        if (l.state != LendState.OFFERED) {
            throw new RmFailure(RmError.IRQ_INUSE, "handle 0x" + Long.toHexString(l.handle) + " is accepted already");
        }
        if (entries > 1 || (entries == 1 && only != l.borrower)) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "VM_IRQ_NOTIFY LENT may name only the borrower");
        }
        RmLink to = linkOf(l.borrower);
        if (to != null) {
            to.notify(
                    MessageId.NOTIFY_VM_IRQ_LENT,
                    Wire.writer().u16(owner).u16(0).u32(l.handle).u32(l.label).build());
        }
    }

    /** Where rm_notify reaches {@code vmid}: its link, null when it has none (a VM that does not exist). */
    private RmLink linkOf(int vmid) {
        RmVm to = ctx.vms.get(vmid);
        return to == null ? null : to.link;
    }

    // ---- VM reset --------------------------------------------------------------------------------------------

    /**
     * vm_reset_handle_release_irqs → irq_manager_check_release_global_irq: every hwirq {@code vm} borrows is
     * unmapped and offered again with no borrower (VMID_PEER_DEFAULT); its own maps go with its VIC.
     */
    void releaseOnReset(RmVm vm) {
        for (Lend l : lends.values()) {
            if (l.borrower == vm.vmid) {
                if (l.state == LendState.ACCEPTED) {
                    unmapBorrowed(vm, (int) l.borrowerIrq);
                }
                l.state = LendState.OFFERED;
                l.borrower = VMID_PEER_DEFAULT;
                l.borrowerIrq = -1;
            }
        }
        Map<Integer, HwMap> own = maps.remove(vm.vmid);
        if (own != null) {
            own.values().forEach(m -> {
                if (owner(m.hw) == vm.vmid) {
                    ownerIrq.remove(m.hw);
                }
            });
        }
    }
}
