package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.OPT_PINNED;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.PAGE;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.ROOT_PRIORITY;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_RM;

import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.rm.config.RmVmTable;
import dev.gunyahdt.hypervisor.rm.config.VmInit;
import dev.gunyahdt.hypervisor.rm.ipa.VmIpaSpace;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RmLink;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What every RM service shares: the hypervisor and the RM's caps on it, the VM table, the RM's own VIC, vCPU,
 * address space and RAM, the VIRQ allocators, and the state changes, notifications and events every service makes.
 * One per {@link ResourceManager}; the services get it at construction.
 */
final class RmContext {
    final Hypervisor hv;
    final HypCalls hyp;
    final SystemConfig system;
    final Platform platform;
    final VcpuHost host;
    private final LongSupplier clock;
    final List<RmEvent> events = new ArrayList<>();
    final TreeMap<Integer, RmVm> vms = new TreeMap<>();
    /** The real RM's view of the VMs, for its VM_INIT rules (peers, VIRQs) and their IPA allocators: see {@link VmInit}. */
    final RmVmTable rmTable;

    final RmLink.Counter notificationCounter = new RmLink.Counter();
    final VirqAllocator rmVirqs = new VirqAllocator(VirqAllocator.RM_BASE);
    /** The priority the RM gives each of its VIRQs (one for all: none preempts another). */
    private static final int RM_PRIORITY = 0xA0;

    final long rmVic;
    /** The RM's own: its address space (VMID 255), the extent over DDR every VM's RAM is derived from, its vCPU. */
    final long rmAddrspace;
    /** The RM's RAM extents: DDR and system.dtb's /memory, merged; every VM's RAM and shm is derived from one. */
    private final List<long[]> rmRam = new ArrayList<>();

    private final long rmVcpuCap;
    final Vcpu rmVcpu;
    final GuestMemory rmMemory;

    /** Makes the RM's own objects; its vCPU stays off until {@link #startRmVcpu}. */
    RmContext(Hypervisor hv, SystemConfig system, Platform platform, VcpuHost host, LongSupplier clock) {
        this.hv = hv;
        this.platform = platform;
        this.hyp = new HypCalls(hv);
        this.system = system;
        // the board's device range: QEMU's, clipped below its lowest RAM (a real SoC's platform would give its own)
        this.rmTable = new RmVmTable(VmIpaSpace.devicesBelow(system.ram().stream()
                .mapToLong(SystemConfig.Range::base)
                .min()
                .orElse(VmIpaSpace.QEMU_DEVICES.size())));
        this.host = host;
        this.clock = clock;
        hv.call(hyp.rm(), 0); // hypervisor_identify, as the RM does first (§14 step 1)
        this.rmVic = hyp.vic();
        // the root VM's own objects: the hypervisor makes them at boot in Gunyah; here the RM makes them itself
        this.rmAddrspace = hyp.addrspace(VMID_RM);
        for (long[] r : ramRuns(system)) {
            try {
                rmRam.add(new long[] {r[0], r[1], hyp.extent(r[0], r[1])});
            } catch (RmFailure notGiven) {
                // RAM the hypervisor did not give the root VM: the RM cannot hand it out (a VM there fails)
            }
        }
        this.rmVcpuCap = hyp.vcpu(
                hv.rootCSpaceCap(),
                rmAddrspace,
                rmVic,
                HypCalls.NO_VPM_GROUP,
                0,
                0,
                ROOT_PRIORITY,
                Scheduler.TIMESLICE_DEFAULT,
                OPT_PINNED,
                "the RM's vCPU");
        hyp.activate(rmVcpuCap);
        this.rmVcpu = hv.vcpu(hyp.rm(), rmVcpuCap);
        this.rmMemory = rmVcpu.caller().memory();
        // the RM's own GIC set-up: its priority mask lets every line it enables through (RM_PRIORITY)
        rmVcpu.vic().setPriorityMask(rmVcpu.vicIndex(), 0xF0);
    }

    /** Gives the RM's vCPU its program (the RPC loop) and powers it on. */
    void startRmVcpu(VcpuProgram program) {
        rmVcpu.program(program);
        hyp.powerOn(rmVcpuCap, 0, 0);
    }

    /** An extent of [pa, pa+size) derived from the RM's RAM extent that holds it all. */
    long deriveRam(long pa, long size, String what) {
        for (long[] r : rmRam) {
            if (size > 0 && pa >= r[0] && pa - r[0] <= r[1] - size) {
                return hyp.derive(r[2], pa - r[0], size, what);
            }
        }
        throw new RmFailure(
                RmError.MEM_INVALID,
                what + ": 0x" + Long.toHexString(pa) + "+0x" + Long.toHexString(size)
                        + " is not inside the RM's memory");
    }

    /**
     * One page of the RM's own memory for an object of the RM's (create_virtio_mmio's {@code aligned_alloc}): the
     * highest page of its RAM that no VM and no shared region holds yet, as an extent derived from it.
     */
    long heapPage(String what) {
        for (int i = rmRam.size() - 1; i >= 0; i--) {
            long[] r = rmRam.get(i);
            Object rmExtent = hyp.rm().cspace().lookup(r[2], null, 0, false).object();
            for (long pa = r[0] + r[1] - PAGE; pa >= r[0]; pa -= PAGE) {
                if (hv.memdb().ownerOf(pa) == rmExtent) {
                    return hyp.derive(r[2], pa - r[0], PAGE, what);
                }
            }
        }
        throw new RmFailure(RmError.NOMEM, what + ": the RM has no free page");
    }

    Virq virq(RmVm vm, List<Virq> given, int index, String what) {
        if (!given.isEmpty()) {
            Virq v = given.get(index);
            if (!vm.virqs.reserve(v.intid())) {
                throw new RmFailure(RmError.IRQ_INUSE, what + ": VIRQ " + v.intid() + " is already used in " + vm);
            }
            return v;
        }
        int n = vm.virqs.allocate();
        if (n < 0) {
            throw new RmFailure(
                    RmError.NORESOURCE,
                    what + ": no free VIRQ for " + vm + " (" + VirqAllocator.VM_BASE + ".." + VirqAllocator.LAST_SPI
                            + " are all taken)");
        }
        return Virq.edge(n);
    }

    /** A VIRQ in the RM's own VIC; the RM's vCPU takes it edge-triggered, as the RM records every VIRQ (§6.3). */
    int rmVirq() {
        int n = rmVirqs.allocate();
        if (n < 0) {
            throw new RmFailure(RmError.NORESOURCE, "the RM is out of VIRQs");
        }
        rmVcpu.vic().configureEdge(rmVcpu.vicIndex(), n, true);
        rmVcpu.vic().setPriority(rmVcpu.vicIndex(), n, RM_PRIORITY);
        rmVcpu.vic().enable(rmVcpu.vicIndex(), n, true);
        return n;
    }

    void setState(RmVm vm, VmState to, boolean notify) {
        VmState from = vm.state;
        if (!to.allowedFrom().contains(from) && !(vm.primary && to == VmState.RUNNING)) {
            throw new IllegalStateException(vm + ": " + from + " -> " + to + " is not a VM transition");
        }
        vm.state = to;
        event(vm.name, RmEvent.Kind.STATE, from + " -> " + to);
        if (notify) {
            broadcastStatus(vm);
        }
    }

    /** NOTIFY_VM_STATUS to every peer that is RUNNING and has an RPC link (§8.5). */
    void broadcastStatus(RmVm vm) {
        byte[] payload = Wire.writer()
                .u16(vm.vmid)
                .u16(0)
                .u8(vm.state.code)
                .u8(vm.osState)
                .u16(vm.appStatus)
                .build();
        for (int p : vm.peers) {
            RmVm peer = vms.get(p);
            if (peer != null && peer.state == VmState.RUNNING && peer.link != null) {
                peer.link.notify(MessageId.NOTIFY_VM_STATUS, payload);
            }
        }
    }

    /** vm_lookup then is_vm_query_allowed (vm_mgnt.c): the VM itself, its owner or a peer may ask about it. */
    RmVm queryable(RmVm caller, int vmid) {
        if (vmid == VMID_RM) {
            // the RM's own vm_t (vm_mgnt_init) is its own owner and has no peers
            throw new RmFailure(RmError.DENIED, caller + " may not query the RM");
        }
        RmVm vm = vms.get(vmid);
        if (vm == null) {
            throw new RmFailure(RmError.NORESOURCE, "no VM " + vmid);
        }
        if (vm != caller && vm.owner != caller.vmid && !vm.peers.contains(caller.vmid)) {
            throw new RmFailure(RmError.DENIED, caller + " may not query " + vm);
        }
        return vm;
    }

    void failure(RmVm vm, String cause) {
        event(vm.name, RmEvent.Kind.FAILURE, cause);
    }

    void note(String vm, String text) {
        event(vm, RmEvent.Kind.NOTE, text);
    }

    void event(String vm, RmEvent.Kind kind, String text) {
        events.add(new RmEvent(clock.getAsLong(), vm, kind, text));
    }

    /** DDR plus system.dtb's RAM ranges, sorted and merged into disjoint runs {base, size}. */
    private static List<long[]> ramRuns(SystemConfig system) {
        List<long[]> all = new ArrayList<>();
        all.add(new long[] {Hypervisor.DDR_BASE, Hypervisor.DDR_BASE + Hypervisor.DDR_SIZE});
        system.ram().forEach(r -> all.add(new long[] {r.base(), r.base() + r.size()}));
        all.sort(java.util.Comparator.comparingLong(r -> r[0]));
        List<long[]> runs = new ArrayList<>();
        for (long[] r : all) {
            long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && r[0] <= last[1]) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                runs.add(new long[] {r[0], r[1]});
            }
        }
        return runs.stream().map(r -> new long[] {r[0], r[1] - r[0]}).toList();
    }
}
