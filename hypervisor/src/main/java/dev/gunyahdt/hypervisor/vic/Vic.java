package dev.gunyahdt.hypervisor.vic;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqEvent;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.VirqTarget;
import dev.gunyahdt.hypervisor.virq.Wakeable;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A VIC — the virtual GICv3 of one VM (§6). Shared sources (doorbells, queues, vCPU halt/wakeup) bind to
 * SPIs (32 ≤ INTID, INTID−32 &lt; max_virqs, one source per SPI); private interrupts (SGIs/PPIs 0..31) live
 * per attached vCPU and are raised by local sources through {@link #assertPrivate}.
 *
 * <p>Per line: edge or level, enabled, priority, pending, active. An assertion makes the line pending (an
 * edge-only assertion only when the line is configured edge), enabled or not; {@link #acknowledge} hands a vCPU
 * the pending, not-active, enabled line routed to it with the highest priority (the lowest value; ties: the
 * lowest INTID) that its priority mask lets through, and makes it active; {@link #endOfInterrupt} deactivates it
 * and, for a level line, re-checks the source: pending again if it was re-asserted meanwhile or its condition
 * still holds (§3.4). A line that becomes deliverable wakes the vCPU it is routed to. SGIs are raised by a vCPU's
 * ICC_SGI1R_EL1 write ({@link #generateSgi}).
 *
 * <p>Reset values as the architecture and [HYP] {@code hyp/vm/vgic} have them: every line disabled
 * (vgic_delivery_state_default), priority 0, each vCPU's priority mask 0 (ICH_VMCR_EL2's VPMR: everything
 * masked), SGIs edge, PPIs and SPIs level, SPIs routed to vCPU index 0 until {@link #route} says otherwise;
 * priorities keep their top 5 bits (VGIC_PRIO_BITS). A guest enables what it uses, as Linux's GIC driver does.
 *
 * <p>The methods below stand for the guest's register accesses (GICD/GICR frames and ICC system registers are
 * not decoded from MMIO or MSR traps: a guest program calls them). Not modelled (said plainly): running
 * priority and preemption (a vCPU may hold several lines active at once), binary point, groups (all group 1),
 * GICD_SGIR (the GICv2 form; affinity routing is on), LPIs/MSIs.
 */
public final class Vic extends KernelObject implements VirqTarget {
    /** PLATFORM_MAX_CORES on the QEMU reference build (§6.2). */
    public static final int MAX_VCPUS = 8;
    /** SPIs 32..1019 (§6.1). */
    public static final int MAX_VIRQS = 988;

    static final int SPI_BASE = 32;
    /** SGIs are INTIDs 0..15. */
    static final int SGI_COUNT = 16;
    /** VGIC_PRIO_BITS = 5: the bits of a priority the vGIC keeps. */
    static final int PRIORITY_MASK = 0xF8;
    /** What an acknowledge returns when nothing is deliverable (GIC's spurious INTID). */
    public static final int SPURIOUS = 1023;

    private int maxVcpus;
    private int maxVirqs;
    private long options;
    /** vic->mpidr_mapping: the platform's until vgic_set_mpidr_mapping changes it (INIT only). */
    private MpidrMapping mpidrMapping = MpidrMapping.QEMU;

    private Wakeable[] vcpus = new Wakeable[0];
    /** ICC_PMR_EL1 per vCPU index: a line is signalled only when its priority value is below it. */
    private int[] priorityMask = new int[0];
    /** SPI lines by INTID; a line exists once claimed or configured. */
    private final TreeMap<Integer, Line> spis = new TreeMap<>();
    /** Private lines: key vcpuIndex &lt;&lt; 16 | INTID. */
    private final TreeMap<Integer, Line> privates = new TreeMap<>();
    /** The same lines by INTID for the hot path (assert/clear on every queue send/receive); the map keeps the order. */
    private final Line[] spiByIntid = new Line[SPI_BASE + MAX_VIRQS];
    /**
     * The last {@link #EVENT_HISTORY} assertions and clears: a bounded history (an unbounded list grew by two
     * records per message-queue exchange for the life of the VM).
     */
    private final ArrayDeque<VirqEvent> events = new ArrayDeque<>();

    static final int EVENT_HISTORY = 256;

    /** One interrupt line's state. */
    private static final class Line {
        VirqSource source;
        boolean claimed;
        boolean edge;
        boolean enabled;
        int priority;
        boolean pending;
        boolean active;
        /** Asserted again since it was acknowledged: stays pending whatever the level re-check says. */
        boolean reasserted;

        int route;

        @Override
        public String toString() {
            return (claimed ? "c" : "")
                    + (edge ? "e" : "l")
                    + (enabled ? "" : "d")
                    + (priority != 0 ? "p" + priority : "")
                    + (pending ? "P" : "")
                    + (active ? "A" : "")
                    + (route != 0 ? ">" + route : "");
        }
    }

    Vic(long serial) {
        super(ObjectType.VIC, serial);
    }

    /**
     * vic_configure ([HYP] {@code hyp/vm/vgic/src/distrib.c}; INIT only): 1..8 vCPUs, 0..988 SPIs. No LPI support in this model, so max_msis must be 0
     * (§6.2); option bits above 1 are reserved.
     */
    HypError configure(long vcpus, long virqs, long opts, long maxMsis) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS || virqs < 0 || virqs > MAX_VIRQS || (opts & ~0x3L) != 0 || maxMsis != 0) {
            return HypError.ARGUMENT_INVALID;
        }
        maxVcpus = (int) vcpus;
        maxVirqs = (int) virqs;
        options = opts;
        this.vcpus = new Wakeable[maxVcpus];
        this.priorityMask = new int[maxVcpus];
        return HypError.OK;
    }

    /**
     * vgic_set_mpidr_mapping ([HYP] {@code hyp/vm/vgic/src/distrib.c}): INIT only (OBJECT_STATE), then the
     * mapping's own checks ({@link MpidrMapping#of}). The vCPUs' MPIDRs, PSCI's MPIDR lookups and SGI targets
     * follow the new mapping.
     */
    HypError setMpidrMapping(long mask, long[] shifts, boolean mt) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        MpidrMapping m = MpidrMapping.of(mask, shifts, mt);
        if (m == null) {
            return HypError.ARGUMENT_INVALID;
        }
        mpidrMapping = m;
        return HypError.OK;
    }

    /** How this VIC numbers its vCPUs' MPIDRs. */
    public MpidrMapping mpidrMapping() {
        return mpidrMapping;
    }

    /**
     * vgic_get_index_for_mpidr: the vCPU index the affinities of {@code mpidr} name, or -1 when an affinity has a bit
     * outside the mapping or the index is not below the configured vCPU count.
     */
    int indexForMpidr(long mpidr) {
        if (!mpidrMapping.valid(mpidr)) {
            return -1;
        }
        long index = mpidrMapping.indexOf(mpidr);
        return index < maxVcpus ? (int) index : -1;
    }

    // ---- vCPU attachment (vic_attach_vcpu, in VcpuCalls) -----------------------------------------

    // ---- vdevice attachment (addrspace_attach_vdevice, in VicCalls) ---------------------------------

    /** Where the GICD frame (index 0) and each vCPU's GICR frame (index i+1) are attached: {addrspace, ipa}. */
    private final Map<Integer, Object[]> frames = new TreeMap<>();

    /**
     * [HYP] {@code vgic_handle_addrspace_attach_vdevice}: index 0 is the GICD (flags must be 0), index 1..max_vcpus
     * the GICR of the vCPU attached at index-1 (flags: bit 0 last_valid, bit 1 last; no vCPU there → IDLE); beyond →
     * ARGUMENT_INVALID; a frame attached already → BUSY; then the addrspace's vdevice range. The frames' register
     * emulation is not modelled (the guest's GIC accesses are Java calls, see above): an access there faults.
     */
    public HypError attachFrame(
            dev.gunyahdt.hypervisor.memory.AddrSpace as, long index, long ipa, long size, long flags) {
        if (index < 0 || index > maxVcpus) {
            return HypError.ARGUMENT_INVALID;
        }
        int i = (int) index;
        if (i == 0 ? flags != 0 : (flags & ~0x3L) != 0) {
            return HypError.ARGUMENT_INVALID;
        }
        if (i > 0 && vcpus[i - 1] == null) {
            return HypError.IDLE;
        }
        if (frames.containsKey(i)) {
            return HypError.BUSY;
        }
        HypError e = as.attachVdeviceRange(ipa, size);
        if (e == HypError.OK) {
            frames.put(i, new Object[] {as, ipa});
        }
        return e;
    }

    @Override
    protected void onDestroy() {
        for (Object[] f : frames.values()) {
            ((dev.gunyahdt.hypervisor.memory.AddrSpace) f[0]).detachVdeviceRange((Long) f[1]);
        }
        frames.clear();
    }

    /** The configured vCPU count (vic_attach_vcpu indexes must be below it). */
    public int maxVcpus() {
        return maxVcpus;
    }

    /** Whether index {@code i} has a vCPU. */
    public boolean hasVcpu(int i) {
        return vcpus[i] != null;
    }

    /** Attaches {@code v} at {@code index} (checked by the caller). */
    public void attachVcpu(int index, Wakeable v) {
        vcpus[index] = v;
    }

    /** Frees the slot of {@code v} (vCPU destroyed or re-attached). */
    public void detachVcpu(Wakeable v) {
        for (int i = 0; i < vcpus.length; i++) {
            if (vcpus[i] == v) {
                vcpus[i] = null;
            }
        }
    }

    // ---- VirqTarget: shared sources -------------------------------------------------------------

    /** A shared source must use an SPI below the configured count (§6.1). */
    @Override
    public HypError claim(int virq) {
        return claim(virq, null);
    }

    @Override
    public HypError claim(int virq, VirqSource source) {
        if (virq < SPI_BASE || virq - SPI_BASE >= maxVirqs) {
            return HypError.ARGUMENT_INVALID;
        }
        Line l = spiLine(virq);
        if (l.claimed) {
            return HypError.BUSY;
        }
        l.claimed = true;
        l.source = source;
        return HypError.OK;
    }

    @Override
    public void release(int virq) {
        Line l = spi(virq);
        if (l != null) {
            l.claimed = false;
            l.source = null;
            l.pending = false;
        }
    }

    @Override
    public void assertVirq(int virq, boolean edgeOnly) {
        record(new VirqEvent(virq, edgeOnly ? VirqEvent.Kind.ASSERT_EDGE_ONLY : VirqEvent.Kind.ASSERT));
        Line l = spi(virq);
        if (l != null && (!edgeOnly || l.edge)) {
            raise(l, l.route);
        }
    }

    @Override
    public void clearVirq(int virq) {
        record(new VirqEvent(virq, VirqEvent.Kind.CLEAR));
        Line l = spi(virq);
        if (l != null) {
            l.pending = false;
        }
    }

    // ---- private interrupts ----------------------------------------------------------------------

    /** A local source (e.g. a virtual timer, PPI 27) raises private INTID {@code intid} 0..31 on vCPU {@code index}. */
    public void assertPrivate(int index, int intid) {
        checkPrivate(index, intid);
        raise(privateLine(index, intid), index);
    }

    /** Private line {@code intid} of vCPU {@code index}, made on first use (SGIs edge, PPIs level). */
    private Line privateLine(int index, int intid) {
        return privates.computeIfAbsent(index << 16 | intid, k -> {
            Line l = new Line();
            l.edge = intid < SGI_COUNT;
            return l;
        });
    }

    private void checkPrivate(int index, int intid) {
        if (index < 0 || index >= maxVcpus || intid < 0 || intid >= SPI_BASE) {
            throw new IllegalArgumentException("no private INTID " + intid + " on vCPU " + index);
        }
    }

    // ---- the guest's distributor / CPU-interface accesses ----------------------------------------

    /** GICD_ICFGR / GICR_ICFGR: configure {@code intid} edge- (true) or level-triggered, on vCPU {@code index} if private. */
    public void configureEdge(int index, int intid, boolean edge) {
        Line l = line(index, intid);
        l.edge = edge || intid < SGI_COUNT; // SGIs are always edge-triggered (GICR_ICFGR0 is read-only)
    }

    /**
     * GICD_ISENABLER / GICD_ICENABLER (SPIs) and GICR_ISENABLER0 / GICR_ICENABLER0 (vCPU {@code index}'s SGIs and
     * PPIs): a disabled line still becomes pending when asserted and is delivered once enabled.
     */
    public void enable(int index, int intid, boolean on) {
        Line l = line(index, intid);
        l.enabled = on;
        signal(l, intid < SPI_BASE ? index : l.route);
    }

    /** GICD_IPRIORITYR / GICR_IPRIORITYR: {@code priority} 0 (highest) .. 255, its top 5 bits kept. */
    public void setPriority(int index, int intid, int priority) {
        if (priority < 0 || priority > 0xFF) {
            throw new IllegalArgumentException("priority " + priority + " is not a byte");
        }
        Line l = line(index, intid);
        l.priority = priority & PRIORITY_MASK;
        signal(l, intid < SPI_BASE ? index : l.route);
    }

    /** ICC_PMR_EL1 of vCPU {@code index}: lines whose priority value is not below {@code mask} are not signalled. */
    public void setPriorityMask(int index, int mask) {
        if (index < 0 || index >= maxVcpus || mask < 0 || mask > 0xFF) {
            throw new IllegalArgumentException("no priority mask " + mask + " for vCPU " + index);
        }
        priorityMask[index] = mask & PRIORITY_MASK;
        if (hasDeliverable(index)) {
            wake(index);
        }
    }

    /**
     * ICC_SGI1R_EL1 written by vCPU {@code index} (vgic_icc_generate_sgi): INTID bits 27:24; IRM (bit 40) sends to
     * every other attached vCPU, else each bit of TargetList (15:0) names Aff0 = bit + 16 × RS (47:44) with Aff1
     * (23:16), Aff2 (39:32), Aff3 (55:48), turned into a vCPU index by the VIC's MPIDR mapping (with the QEMU
     * mapping Aff0 is the index and the higher levels must be 0). A target that maps to no attached vCPU is ignored. The SGI becomes pending on each target (edge),
     * delivered if that vCPU enabled it.
     */
    public void generateSgi(int index, long sgi1r) {
        int intid = (int) (sgi1r >>> 24) & 0xF;
        if ((sgi1r >>> 40 & 1) != 0) {
            for (int i = 0; i < vcpus.length; i++) {
                if (i != index && vcpus[i] != null) {
                    raise(privateLine(i, intid), i);
                }
            }
            return;
        }
        // Aff1 at 15:8, Aff2 at 23:16, Aff3 at 39:32 of an MPIDR
        long higher = (sgi1r >>> 16 & 0xFF) << 8 | (sgi1r >>> 32 & 0xFF) << 16 | (sgi1r >>> 48 & 0xFF) << 32;
        int rs = (int) (sgi1r >>> 44) & 0xF;
        for (int bit = 0; bit < 16; bit++) {
            if ((sgi1r >>> bit & 1) == 0) {
                continue;
            }
            int target = indexForMpidr(higher | ((bit + 16 * rs) & 0xFF));
            if (target < 0) {
                continue; // vgic_get_index_for_mpidr fails: ignored
            }
            if (vcpus[target] != null) {
                raise(privateLine(target, intid), target);
            }
        }
    }

    /** GICD_IROUTER: send SPI {@code intid} to vCPU {@code index}; a pending line wakes its new target. */
    public void route(int intid, int index) {
        if (intid < SPI_BASE || index < 0 || index >= maxVcpus) {
            throw new IllegalArgumentException("cannot route INTID " + intid + " to vCPU " + index);
        }
        Line l = line(0, intid);
        l.route = index;
        signal(l, index);
    }

    /**
     * ICC_IAR1 read by vCPU {@code index}: of the pending, not-active, enabled lines routed to it whose priority
     * passes its mask, the highest-priority one (ties: the lowest INTID), now active and no longer pending;
     * {@link #SPURIOUS} if none.
     */
    public int acknowledge(int index) {
        Map.Entry<Integer, Line> e = deliverable(index);
        if (e == null) {
            return SPURIOUS;
        }
        Line l = e.getValue();
        l.pending = false;
        l.active = true;
        l.reasserted = false;
        return e.getKey() & 0xFFFF;
    }

    /**
     * ICC_EOIR1 (EOImode 0: priority drop and deactivate) by vCPU {@code index} for {@code intid}: the line
     * is no longer active; a level line is pending again if it was re-asserted since the acknowledge or its
     * source still holds the condition. Ending a line that is not active does nothing.
     */
    public void endOfInterrupt(int index, int intid) {
        Line l = intid < SPI_BASE ? privates.get(index << 16 | intid) : spi(intid);
        if (l == null || !l.active) {
            return;
        }
        l.active = false;
        if (!l.edge && !l.pending && l.source != null && l.source.levelAsserted()) {
            l.pending = true;
        }
        if (l.pending) {
            signal(l, intid < SPI_BASE ? index : l.route);
        }
    }

    /** Whether vCPU {@code index} has an interrupt to take (what ends a WFI). */
    public boolean hasDeliverable(int index) {
        return deliverable(index) != null;
    }

    /** The line vCPU {@code index} would acknowledge: highest priority first, then the lowest INTID. */
    private Map.Entry<Integer, Line> deliverable(int index) {
        if (index < 0 || index >= priorityMask.length) {
            return null;
        }
        Map.Entry<Integer, Line> best = null;
        for (Map.Entry<Integer, Line> e :
                privates.subMap(index << 16, (index + 1) << 16).entrySet()) {
            if (signalled(e.getValue(), index) && (best == null || e.getValue().priority < best.getValue().priority)) {
                best = e;
            }
        }
        for (Map.Entry<Integer, Line> e : spis.entrySet()) {
            Line l = e.getValue();
            if (l.route == index && signalled(l, index) && (best == null || l.priority < best.getValue().priority)) {
                best = e;
            }
        }
        return best;
    }

    /** Pending, not active, enabled, and above vCPU {@code index}'s priority mask. */
    private boolean signalled(Line l, int index) {
        return l.pending && !l.active && l.enabled && l.priority < priorityMask[index];
    }

    /** Wakes vCPU {@code index} when {@code l} is now something it can take. */
    private void signal(Line l, int index) {
        if (index >= 0 && index < priorityMask.length && signalled(l, index)) {
            wake(index);
        }
    }

    private Line line(int index, int intid) {
        if (intid < SPI_BASE) {
            checkPrivate(index, intid);
            return privateLine(index, intid);
        }
        if (intid - SPI_BASE >= maxVirqs) {
            throw new IllegalArgumentException("INTID " + intid + " is beyond this VIC's " + maxVirqs + " SPIs");
        }
        return spiLine(intid);
    }

    private void raise(Line l, int index) {
        if (l.active) {
            l.reasserted = true;
        }
        boolean was = l.pending;
        l.pending = true;
        if (!was) {
            signal(l, index);
        }
    }

    private void wake(int index) {
        if (index < vcpus.length && vcpus[index] != null) {
            vcpus[index].virqDeliverable();
        }
    }

    /** The last {@link #EVENT_HISTORY} assertions and clears, oldest first. */
    public List<VirqEvent> events() {
        return List.copyOf(events);
    }

    private void record(VirqEvent e) {
        if (events.size() == EVENT_HISTORY) {
            events.removeFirst();
        }
        events.addLast(e);
    }

    /** The SPI line {@code intid}, or null when none was claimed or configured (any int is safe). */
    private Line spi(int intid) {
        return intid >= 0 && intid < spiByIntid.length ? spiByIntid[intid] : null;
    }

    /** The SPI line {@code intid} (32 ≤ intid &lt; 32 + MAX_VIRQS, checked by the callers), made on first use. */
    private Line spiLine(int intid) {
        Line l = spiByIntid[intid];
        if (l == null) {
            l = new Line();
            spiByIntid[intid] = l;
            spis.put(intid, l);
        }
        return l;
    }

    /** Whether SPI {@code virq} is pending (asserted and not yet acknowledged or cleared). */
    public boolean isPending(int virq) {
        Line l = spi(virq);
        return l != null && l.pending;
    }

    /** Whether {@code intid} (private lines: on vCPU {@code index}) is pending. */
    public boolean isPending(int index, int intid) {
        Line l = intid < SPI_BASE ? privates.get(index << 16 | intid) : spi(intid);
        return l != null && l.pending;
    }

    /** Whether {@code intid} (private lines: on vCPU {@code index}) is enabled. */
    public boolean isEnabled(int index, int intid) {
        Line l = intid < SPI_BASE ? privates.get(index << 16 | intid) : spi(intid);
        return l != null && l.enabled;
    }

    /** Whether {@code intid} (private lines: on vCPU {@code index}) is active. */
    boolean isActive(int index, int intid) {
        Line l = intid < SPI_BASE ? privates.get(index << 16 | intid) : spi(intid);
        return l != null && l.active;
    }

    @Override
    protected String describeState() {
        StringBuilder sb = new StringBuilder(" vcpus=")
                .append(maxVcpus)
                .append(" virqs=")
                .append(maxVirqs)
                .append(" opts=")
                .append(options)
                .append(mpidrMapping == MpidrMapping.QEMU ? "" : " mpidr=" + mpidrMapping)
                .append(" pmr=")
                .append(java.util.Arrays.toString(priorityMask))
                .append(" frames=")
                .append(frames.keySet())
                .append(" attached=[");
        for (Wakeable w : vcpus) {
            sb.append(w == null ? "-" : w.toString()).append(' ');
        }
        return sb.append("] spis=")
                .append(spis)
                .append(" ppis=")
                .append(privates)
                .append(" events=")
                .append(events)
                .toString();
    }
}
