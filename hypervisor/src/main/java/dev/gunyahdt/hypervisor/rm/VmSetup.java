package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.OPT_HLOS;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.OPT_PINNED;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.ROOT_PRIORITY;

import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.call.ThreadRights;
import dev.gunyahdt.hypervisor.rm.config.VmConfig;
import dev.gunyahdt.hypervisor.rm.overlay.QueuePair;
import dev.gunyahdt.hypervisor.rm.overlay.Virq;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RmLink;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * VM set-up at VM_INIT (and for the primary at boot): VIC, RAM, vCPUs, the RM-RPC pair, then the vdevices (§5.4, §6.3,
 * §7.1, §8.1).
 */
final class VmSetup {
    private final RmContext ctx;
    private final Vdevices vdevices;

    VmSetup(RmContext ctx, Vdevices vdevices) {
        this.ctx = ctx;
        this.vdevices = vdevices;
    }

    void setUp(RmVm vm) {
        VmConfig cfg = vm.config;
        vm.vicCap = ctx.hyp.vic();
        vm.masterCaps.add(vm.vicCap);
        setUpMemory(vm);
        setUpVcpus(vm);
        vm.hasConsole = vm.primary || cfg.rmRpc().console();
        setUpRmRpc(vm);
        for (VmConfig.Vdevice d : cfg.vdevices()) {
            vdevices.setUpVdevice(vm, d);
        }
    }

    /**
     * §7.1: a new addrspace for the VM's VMID. A secondary's RAM is the memparcel its owner lent at
     * VM_CONFIG_IMAGE, accepted at VM_START ({@link VmLifecycle}); the primary's, which nobody lends (the real
     * HLOS owns DDR from boot), is an extent derived from the RM's (so its pages leave the RM and no other VM can
     * have them), mapped RWX at the config's IPA, and RW in the RM's own addrspace at its PA (where the RM writes
     * the DTB). PA = system.dtb's assignment.
     */
    /** The RM's default VMMIO region {base, size}: [0, 1 GiB). */
    static final long[] DEFAULT_VMMIO = {0, 0x4000_0000L};

    private void setUpMemory(RmVm vm) {
        if (!vm.primary) {
            // [RM] vm_config.c: a VM whose image the platform did not authenticate gets the default VMMIO region
            // (from Google's protected-VM platform spec): its owner emulates what its vCPUs touch there unmapped
            vm.addrspaceCap =
                    ctx.hyp.addrspace(vm.vmid, vm.authType != VmFirmware.AUTH_PLATFORM ? DEFAULT_VMMIO : null);
            vm.masterCaps.add(vm.addrspaceCap);
            return;
        }
        VmConfig cfg = vm.config;
        long size = Math.max(cfg.memory().sizeMin(), cfg.memory().sizeMax());
        Optional<SystemConfig.VmEntry> entry = vm.primary ? ctx.system.primary() : ctx.system.vm(vm.name);
        // the memory the owner lends is the VM's assignment in system.dtb; the config's size-min/size-max are
        // only limits (a VM of 4 GiB or more gives none)
        size = entry.map(SystemConfig.VmEntry::memorySize).orElse(size);
        long ipa = cfg.memory().baseAddress();
        long pa = entry.map(SystemConfig.VmEntry::memoryBase).orElse(ipa);
        vm.ramExtent = ctx.deriveRam(pa, size, "RAM of " + vm);
        vm.masterCaps.add(vm.ramExtent);
        vm.addrspaceCap = ctx.hyp.addrspace(vm.vmid);
        vm.masterCaps.add(vm.addrspaceCap);
        ctx.hyp.map(vm.addrspaceCap, vm.ramExtent, ipa, size, 7, "RAM of " + vm);
        ctx.hyp.map(ctx.rmAddrspace, vm.ramExtent, pa, size, 6, "the RM's view of the RAM of " + vm);
        vm.ram = new RmVm.Ram(ipa, pa, size);
        vm.held.add(new RmVm.Held(ipa, pa, size, vm.ramExtent, Memparcels.NORMAL));
    }

    /**
     * §5.4: one vCPU per enabled CPU of the config. pinned / static / sticky: affinity = affinity-map[i] (pinned
     * also sets the pinned option), priority 32 for the primary (with hlos_vm, critical, pinned), else the owner's
     * minus one (sched-priority / sched-timeslice are not read: a model default), 5 ms. proxy: priority 0, 100 µs,
     * no affinity, vcpu_run_scheduled, and a VCPU_RUN_WAKEUP VIRQ allocated in and bound to the owner's VIC. Each
     * gets a HALT VIRQ in the RM's VIC; the owner gets a copy with AFFINITY|YIELD_TO. A PSCI VM (HLOS always, as
     * {@code hlos_vm.c}; a secondary when its config enables PSCI) first gets a VPM group — no_aggregation when
     * proxy-scheduled — and each vCPU joins it at its index ([RM] {@code handle_vcpu}). A VM without one gets a
     * POWER cap to each of its vCPUs in its own cspace, to start them with vcpu_poweron ({@code vm_config_add_vcpu});
     * these come before the RM-RPC caps, as in the RM, where vCPUs are made before the vdevices.
     */
    private void setUpVcpus(RmVm vm) {
        VmConfig.Vcpus c = vm.config.vcpus();
        boolean proxy = !vm.primary && "proxy".equals(c.affinity());
        RmVm owner = vm.primary ? null : ctx.vms.get(vm.owner);
        long group = HypCalls.NO_VPM_GROUP;
        if (vm.primary || c.psci()) {
            group = ctx.hyp.vpmGroup(proxy, "the VPM group of " + vm);
            vm.masterCaps.add(group);
        }
        List<Long> made = new ArrayList<>();
        for (int i = 0; i < c.count(); i++) {
            String what = "vCPU " + i + " of " + vm;
            int affinity = proxy
                    ? Scheduler.CPU_INDEX_INVALID
                    : (int) (long) c.affinityMap().get(i);
            if (!proxy && (affinity < 0 || affinity >= ctx.hv.scheduler().cpus())) {
                throw new RmFailure(RmError.ARGUMENT_INVALID, what + ": affinity " + affinity + " is not a CPU");
            }
            // handle_vcpu: a proxy VM's sched-priority/-timeslice are ignored; VM_INIT has checked the ranges
            int priority = vm.primary ? ROOT_PRIORITY : proxy ? 0 : (int) (ROOT_PRIORITY + c.priorityOffset());
            long slice =
                    vm.primary ? Scheduler.TIMESLICE_DEFAULT : proxy ? Scheduler.TIMESLICE_MIN : c.timesliceUs() * 1000;
            long options = vm.primary
                    ? OPT_HLOS
                    : proxy ? Vcpu.OPTION_VCPU_RUN_SCHEDULED : "pinned".equals(c.affinity()) ? OPT_PINNED : 0;
            long t = ctx.hyp.vcpu(
                    vm.cspaceCap, vm.addrspaceCap, vm.vicCap, group, i, affinity, priority, slice, options, what);
            vm.masterCaps.add(t);
            made.add(t);
        }
        for (int i = 0; i < made.size(); i++) { // §5.4's second loop
            String what = "vCPU " + i + " of " + vm;
            long t = made.get(i);
            ctx.hyp.activate(t);
            int halt = ctx.rmVirq();
            ctx.hyp.bindVcpuVirq(t, ctx.rmVic, halt, 0);
            int wakeup = -1;
            if (proxy) {
                wakeup = ctx.virq(owner, List.of(), 0, what + " (wakeup)").intid();
                ctx.hyp.bindVcpuVirq(t, owner.vicCap, wakeup, 1);
            }
            long ownerCap = owner == null
                    ? t
                    : ctx.hyp.grant(owner.cspaceCap, t, ThreadRights.AFFINITY | ThreadRights.YIELD_TO);
            int label = proxy ? i : (int) (long) c.affinityMap().get(i);
            OptionalLong vmCap = group == HypCalls.NO_VPM_GROUP
                    ? OptionalLong.of(ctx.hyp.grant(vm.cspaceCap, t, ThreadRights.POWER))
                    : OptionalLong.empty();
            String cpuPath = i < c.cpuPaths().size() ? c.cpuPaths().get(i) : null;
            vm.vcpus.add(new RmVm.VcpuSlot(t, ownerCap, label, wakeup, halt, vmCap, cpuPath));
        }
    }

    private void setUpRmRpc(RmVm vm) {
        VmConfig.RmRpc r = vm.config.rmRpc();
        String what = "rm-rpc " + r.path();
        int rmTx = ctx.rmVirq();
        int rmRx = ctx.rmVirq();
        Virq tx = ctx.virq(vm, r.interrupts(), 0, what);
        Virq rx = ctx.virq(vm, r.interrupts(), 1, what);
        long toRm = ctx.hyp.msgqueue(r.queueDepth(), r.messageSize());
        vm.masterCaps.add(toRm);
        long toVm = ctx.hyp.msgqueue(r.queueDepth(), r.messageSize());
        vm.masterCaps.add(toVm);
        ctx.hyp.bindSend(toRm, vm.vicCap, tx.intid());
        ctx.hyp.bindReceive(toRm, ctx.rmVic, rmRx);
        ctx.hyp.bindSend(toVm, ctx.rmVic, rmTx);
        ctx.hyp.bindReceive(toVm, vm.vicCap, rx.intid());
        ctx.hyp.activate(toRm);
        ctx.hyp.activate(toVm);
        // TX first: in a fresh cspace the VM's caps come out in this order (0x0, 0x1 with plain CapIDs, as the real
        // debug build gives HLOS; 0x1, 0x2 in §10.6's worked example)
        long txCap = ctx.hyp.grant(vm.cspaceCap, toRm, MsgQueueRights.SEND);
        long rxCap = ctx.hyp.grant(vm.cspaceCap, toVm, MsgQueueRights.RECEIVE);
        vm.rpcView =
                new QueuePair(txCap, rxCap, tx, rx, r.messageSize(), r.messageSize(), r.queueDepth(), r.queueDepth());
        vm.rmEndpoint = new RpcEndpoint(ctx.hv, ctx.hyp.rm(), toVm, toRm, 0);
        vm.link = new RmLink(vm.rmEndpoint, ctx.notificationCounter);
    }
}
