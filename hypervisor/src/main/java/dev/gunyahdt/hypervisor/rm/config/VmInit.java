package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.hypervisor.rm.config.RmVmConfig.Affinity;
import dev.gunyahdt.hypervisor.rm.config.RmVmConfig.Irq;
import dev.gunyahdt.hypervisor.rm.config.RmVmTable.DoorbellNode;
import dev.gunyahdt.hypervisor.rm.config.RmVmTable.PairNode;
import dev.gunyahdt.hypervisor.rm.config.RmVmTable.Vm;
import dev.gunyahdt.hypervisor.rm.ipa.IpaRefused;
import dev.gunyahdt.hypervisor.rm.ipa.MemUse;
import dev.gunyahdt.hypervisor.rm.ipa.VmIpaSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks the real RM's VM_INIT makes after parsing, in its order, on the QEMU platform
 * ({@code vm_config.c}: {@code vm_config_update_parsed}, then {@code vm_config_create_vdevices}:
 * {@code handle_irqs}, {@code handle_iomems}, {@code handle_iomem_ranges}, {@code handle_rtc},
 * {@code handle_vcpu}, {@code handle_rm_rpc}, {@code handle_doorbell}, {@code handle_msgqueue},
 * {@code handle_msgqueue_pair}, {@code handle_shm}, {@code handle_virtio_mmio}, then the vGIC of the platform's
 * {@code vgic_vm_config_add}). What the hypervisor itself would refuse is out of scope, as in the RM oracle;
 * the one hypervisor rule kept is that a vCPU's affinity names a CPU that exists.
 */
public final class VmInit {
    /** The QEMU platform's physical CPUs (usable-cores mask 0xFF). */
    static final int MAX_CORES = 8;

    private static final int OWNER_PRIORITY = 32; // HLOS
    private static final long MIN_TIMESLICE_NS = 100_000;
    private static final long MAX_TIMESLICE_NS = 100_000_000;
    private static final int CPU_INDEX_INVALID = 0xFFFF;
    private static final long HW_IRQ_FIRST = 16; // QEMU virt: HLOS owns INTIDs 16..287
    private static final long HW_IRQ_LAST = 287;
    private static final long GICD_SIZE = 0x1_0000L;
    private static final long GICR_SIZE = 0x2_0000L;
    private static final long VIRTIO_SIZE = 0x1000L;

    /**
     * What VM_INIT built: one line per object, for the report, and where each virtio-mmio device's register page
     * went in the frontend's and the backend's (HLOS) IPA space, in config order.
     */
    public record Built(
            List<String> lines, List<String> unresolvedPeers, List<VirtioPlacement> virtio, VgicPlacement vgic) {
        public Built {
            lines = List.copyOf(lines);
            unresolvedPeers = List.copyOf(unresolvedPeers);
            virtio = List.copyOf(virtio);
        }
    }

    /**
     * Where {@code vgic_vm_config_add} put the vGIC: GICD (64 KiB) and {@code vcpus} GICR frames {@code gicrStride}
     * apart. {@code patchDt}: the VM's GIC node had no {@code reg}, so {@code vgic_dto_finalise} writes these into
     * the node with {@code phandle} (~0 when the config named no usable GIC: then the RM cannot, UNIMPLEMENTED).
     */
    public record VgicPlacement(
            long phandle,
            long gicdBase,
            long gicrBase,
            long gicrStride,
            int vcpus,
            boolean patchDt,
            int addressCells,
            int sizeCells) {
        public static final long NO_PHANDLE = 0xFFFF_FFFFL;
    }

    /** A virtio-mmio device's register page: at {@code frontendIpa} in the VM, {@code backendIpa} in HLOS. */
    public record VirtioPlacement(String path, long label, long frontendIpa, long backendIpa, long size) {}

    private final RmVmTable table;
    private final RmVmConfig cfg;
    private final boolean trusted;
    private final Vm self;
    private final List<String> lines = new ArrayList<>();
    private final List<String> unresolved = new ArrayList<>();
    private final List<VirtioPlacement> virtio = new ArrayList<>();
    private VgicPlacement vgic;

    private VmInit(RmVmTable table, RmVmConfig cfg, boolean trusted, int vmid) {
        this.table = table;
        this.cfg = cfg;
        this.trusted = trusted;
        this.self = table.secondary(vmid, cfg);
    }

    /**
     * Runs VM_INIT for {@code cfg} as VM {@code vmid} owned by HLOS. On success the VM joins {@code table} (later
     * VMs can name it as a peer); on refusal the table keeps only what the RM leaves behind (the owner's VIRQs).
     */
    public static Built run(RmVmTable table, RmVmConfig cfg, boolean trusted, int vmid) {
        VmInit init = new VmInit(table, cfg, trusted, vmid);
        // the VM is in the RM's table from VM_ALLOCATE on, so it can find itself by name
        table.add(init.self);
        try {
            init.updateParsed();
            init.createVdevices();
        } catch (RmCheckFailure f) {
            table.remove(vmid);
            throw f;
        }
        return new Built(init.lines, init.unresolved, init.virtio, init.vgic);
    }

    private static RmCheckFailure refuse(String path, String prop, String fn, String reason) {
        return RmCheckFailure.vdevices(path, prop, fn, reason);
    }

    private static final String CONFIG = "/qcom,vm-config";

    /** {@code vm_config_update_parsed}. */
    private void updateParsed() {
        RmVmConfig.Memory m = cfg.memory();
        long base = m.base();
        if (m.mapDirect()) {
            base = 0x1_0000_0000L + (long) (self.vmid - 0x80) * 0x1000_0000L; // the image memparcel's address
        }
        if (Long.compareUnsigned(base, RmVmTable.SVM_SPACE) >= 0) {
            throw RmCheckFailure.update(
                    CONFIG + "/memory",
                    "base-address",
                    "vm_config_update_parsed",
                    "0x" + Long.toHexString(base) + " is outside a secondary's 36-bit IPA space (64 GiB)");
        }
        if (Long.compareUnsigned(m.sizeMin(), m.sizeMax()) > 0) {
            throw RmCheckFailure.update(
                    CONFIG + "/memory",
                    "size-min",
                    "vm_config_update_parsed",
                    "0x" + Long.toHexString(m.sizeMin()) + " is above size-max 0x" + Long.toHexString(m.sizeMax()));
        }
        if (m.baseConstraints() != null && (m.baseConstraints()[0] != 0 || m.baseConstraints()[1] != 0)) {
            long generic = m.baseConstraints()[0];
            if (m.baseConstraints()[1] != 0 || (generic != 1)) {
                throw RmCheckFailure.update(
                        CONFIG + "/memory",
                        "base-mem-constraints",
                        "vm_config_validate_base_constraints",
                        "constraints 0x" + Long.toHexString(generic) + " 0x" + Long.toHexString(m.baseConstraints()[1])
                                + " the QEMU platform cannot meet");
            }
        }
        // the RM caps size-max at what the IPA space leaves above the base (all of it for a direct mapping)
        long avail = m.mapDirect() ? RmVmTable.SVM_SPACE : RmVmTable.SVM_SPACE - base;
        long sizeMax = Long.compareUnsigned(m.sizeMax(), avail) < 0 ? m.sizeMax() : avail;
        lines.add("memory: ipa-base=0x" + Long.toHexString(base) + " size-min=0x" + Long.toHexString(m.sizeMin())
                + " size-max=0x" + Long.toHexString(sizeMax) + (m.mapDirect() ? " (direct)" : ""));
        if (cfg.attrs().crashFatal() && !trusted) {
            throw RmCheckFailure.update(
                    CONFIG, "vm-attrs", "vm_config_update_parsed", "crash-fatal is only for a trusted config");
        }
        if (m.mapDirect() && !trusted) {
            throw RmCheckFailure.update(
                    CONFIG + "/memory",
                    "is-direct",
                    "vm_config_update_parsed",
                    "is-direct is only for a trusted config");
        }
    }

    /** {@code vm_config_create_vdevices}, in its order. */
    private void createVdevices() {
        handleIrqs();
        handleIomems();
        handleIomemRanges();
        if (!cfg.rtcs().isEmpty()) {
            throw refuse(
                    cfg.rtcs().get(0).path(),
                    "vdevice-type",
                    "handle_rtc",
                    "virtual RTC requested, but the QEMU platform has no vRTC support");
        }
        handleVcpu();
        handleRmRpc();
        handleDoorbells();
        handleMsgQueues();
        handleMsgQueuePairs();
        handleShm();
        handleVirtioMmio();
        handleVgic();
    }

    /** {@code handle_irqs}: hardware IRQ lending; on QEMU HLOS owns every hardware IRQ and static lending is off. */
    private void handleIrqs() {
        if (cfg.irqRanges().isEmpty()) {
            return;
        }
        if (!trusted) {
            throw refuse(CONFIG, "gic-irq-ranges", "handle_irqs", "hardware IRQs are only for a trusted config");
        }
        for (RmVmConfig.IrqRange r : cfg.irqRanges()) {
            if (r.hwIrq() >= HW_IRQ_FIRST && r.hwIrq() <= HW_IRQ_LAST) {
                throw refuse(
                        CONFIG,
                        "gic-irq-ranges",
                        "handle_irqs",
                        "hardware IRQ " + r.hwIrq()
                                + " belongs to HLOS and the QEMU platform denies static IRQ lending");
            }
            lines.add("irq: hw " + r.hwIrq() + " has no owner on this platform; skipped");
        }
    }

    /** {@code handle_iomems}: each iomem vdevice is generated or patched somewhere. */
    private void handleIomems() {
        for (RmVmConfig.Iomem d : cfg.iomems()) {
            if (d.general().generate() == null && d.patch() == null) {
                throw refuse(d.general().path(), "generate", "handle_iomems", "an iomem needs generate or patch");
            }
            lines.add("vdevice iomem label=" + d.label() + " peer=HLOS");
        }
    }

    /** {@code handle_iomem_ranges}: trusted only, identity-mapped. */
    private void handleIomemRanges() {
        if (cfg.iomemRanges().isEmpty()) {
            return;
        }
        if (!trusted) {
            throw refuse(
                    CONFIG, "iomemory-ranges", "handle_iomem_ranges", "device memory is only for a trusted config");
        }
        for (RmVmConfig.IomemRange r : cfg.iomemRanges()) {
            if (r.ipa() != r.phys() || r.size() == 0 || Long.compareUnsigned(r.ipa() + r.size() - 1, r.ipa()) < 0) {
                throw refuse(
                        CONFIG,
                        "iomemory-ranges",
                        "handle_iomem_ranges",
                        "range 0x" + Long.toHexString(r.phys()) + " must map to the same IPA and not wrap");
            }
            // device memory is always mapped 1:1 (is_mapped_direct for VM_MEMUSE_IO): nothing to allocate
            lines.add("iomem range 0x" + Long.toHexString(r.ipa()) + "+0x" + Long.toHexString(r.size()));
        }
    }

    /** {@code handle_vcpu}. */
    private void handleVcpu() {
        RmVmConfig.Vcpus v = cfg.vcpus();
        String path = CONFIG + "/vcpus";
        boolean proxy = v.affinity() == Affinity.PROXY;
        int priority;
        if (proxy) {
            priority = 0;
        } else {
            long offset = OWNER_PRIORITY + v.priorityOffset();
            if (offset < 0 || offset > 63) {
                throw refuse(
                        path,
                        "sched-priority",
                        "handle_vcpu",
                        "32 + " + v.priorityOffset() + " is outside the scheduler's 0..63");
            }
            priority = (int) offset;
            long ns = v.timesliceUs() * 1000;
            if (ns < MIN_TIMESLICE_NS || ns > MAX_TIMESLICE_NS) {
                throw refuse(
                        path,
                        "sched-timeslice",
                        "handle_vcpu",
                        v.timesliceUs()
                                + " µs" + (v.present() && v.timesliceUs() == 0 ? " (missing reads as 0)" : "")
                                + "; the RM allows 100..100000 µs");
            }
        }
        if (priority >= OWNER_PRIORITY && !trusted) {
            throw refuse(
                    path,
                    "sched-priority",
                    "handle_vcpu",
                    "an untrusted VM must run below its owner's"
                            + " priority 32: give a negative sched-priority (it is " + v.priorityOffset() + ")");
        }
        int count = v.cpus().size();
        if (count == 0 || count > MAX_CORES) {
            throw refuse(path, null, "handle_vcpu", count + " vCPUs; the platform has " + MAX_CORES + " cores");
        }
        if (cfg.attrs().rasErrorHandler()) {
            throw refuse(
                    CONFIG,
                    "vm-attrs",
                    "handle_vcpu",
                    count < MAX_CORES
                            ? "ras-error-handler needs a vCPU on every core"
                            : "ras-error-handler: HLOS already handles RAS");
        }
        for (int i = 0; i < count; i++) {
            if (!proxy) {
                int cpu = (int) (v.affinityMap().get(i) & 0xFFFF);
                if (cpu != CPU_INDEX_INVALID && cpu >= MAX_CORES) {
                    throw refuse(
                            path,
                            "affinity-map",
                            "handle_vcpu",
                            "vCPU " + i + " on CPU " + cpu + ", which does not exist (hypercall_vcpu_set_affinity)");
                }
            } else if (table.hlos().alloc() < 0) {
                throw refuse(path, null, "handle_vcpu", "the owner has no free VIRQ for a proxy vCPU");
            }
        }
        lines.add("vcpus: " + count + " " + v.affinity().name().toLowerCase() + " priority " + priority
                + (proxy ? "" : " timeslice " + v.timesliceUs() + "us") + (v.psci() ? " psci" : ""));
    }

    private int mapOrAlloc(Vm vm, Irq given, String path, String fn) {
        if (given == null) {
            int v = vm.alloc();
            if (v < 0) {
                throw refuse(path, "interrupts", fn, "no free VIRQ left for VM " + vm.name);
            }
            return v;
        }
        if (!vm.map(given.intid())) {
            throw refuse(
                    path,
                    "interrupts",
                    fn,
                    "VIRQ " + given.intid()
                            + (given.intid() < RmVmTable.FIRST_VIRQ || given.intid() > RmVmTable.LAST_VIRQ
                                    ? " is not an SPI (32..1019)"
                                    : " is already in use in this VM"));
        }
        return given.intid();
    }

    /** {@code handle_rm_rpc} / {@code vm_config_add_rm_rpc}. */
    private void handleRmRpc() {
        boolean console = false;
        for (RmVmConfig.RmRpc r : cfg.rmRpcs()) {
            String path = r.general().path();
            if (r.general().generate() == null) {
                throw RmCheckFailure.crash(
                        path,
                        "generate",
                        "vm_config_add_rm_rpc",
                        "an rm-rpc needs generate: the RM copies it unchecked and crashes");
            }
            int tx = mapOrAlloc(self, r.irqs().isEmpty() ? null : r.irqs().get(0), path, "vm_config_add_rm_rpc");
            int rx = mapOrAlloc(self, r.irqs().isEmpty() ? null : r.irqs().get(1), path, "vm_config_add_rm_rpc");
            if (r.console() && console) {
                throw RmCheckFailure.crash(
                        path, "console-dev", "handle_rm_rpc", "a second console rm-rpc: the RM asserts and aborts");
            }
            console |= r.console();
            lines.add("vdevice rm-rpc tx-virq=" + tx + " rx-virq=" + rx + (r.console() ? " console" : ""));
        }
    }

    /** Resolves a vdevice's peer as {@code handle_doorbell} / {@code handle_msgqueue_pair} do. */
    private Optional<Vm> peer(String peerId, String path, String fn) {
        if (peerId == null) {
            return Optional.of(table.hlos());
        }
        Optional<Vm> p = table.lookup(peerId);
        if (p.isEmpty()) {
            unresolved.add(path + ": peer \"" + peerId + "\" "
                    + (RmVmTable.parsable(peerId)
                            ? "is not (yet) a VM; the link forms only if that VM names this one"
                            : "cannot be parsed (use vm-name:, vm-uri: or vm-guid:): the link never forms"));
        }
        if (p.isPresent() && p.get() == self) {
            throw refuse(path, "peer", fn, "names this VM itself");
        }
        return p;
    }

    private void checkPeerNamesUs(String peerIdOfPeer, String path, String fn, Vm peer) {
        Optional<Vm> back = peerIdOfPeer == null ? Optional.empty() : table.lookup(peerIdOfPeer);
        if (back.isEmpty() || back.get() != self) {
            throw refuse(
                    path,
                    "peer",
                    fn,
                    "the matching vdevice of " + peer.name + " names "
                            + (peerIdOfPeer == null ? "its owner" : "\"" + peerIdOfPeer + "\"")
                            + ", not this VM (vm_config_check_peer)");
        }
    }

    /** {@code handle_doorbell}. */
    private void handleDoorbells() {
        for (RmVmConfig.Doorbell d : cfg.doorbells()) {
            String path = d.general().path();
            Optional<Vm> peer = peer(d.peerId(), path, "handle_doorbell");
            boolean owner = peer.isPresent() && peer.get() == table.hlos();
            DoorbellNode match = null;
            if (peer.isPresent() && !owner) {
                for (DoorbellNode n : peer.get().doorbells) {
                    if (n.label() == d.general().label() && n.source() != d.source()) {
                        match = n;
                        break;
                    }
                }
                if (match == null) {
                    throw refuse(
                            path,
                            "qcom,label",
                            "create_doorbell_with_peer",
                            peer.get().name
                                    + " has no " + (d.source() ? "receiving" : "source") + " doorbell with label "
                                    + d.general().label());
                }
            }
            int virq = d.source() ? -1 : mapOrAlloc(self, d.irq(), path, "configure_doorbell_with_peer");
            if (match != null) {
                checkPeerNamesUs(match.peerId(), path, "vm_config_add_doorbell_with_peer", peer.get());
            }
            if (owner && d.source()) {
                table.hlos().alloc();
            }
            self.doorbells.add(
                    new DoorbellNode(d.general().label(), d.source(), d.sourceCanClear(), d.peerId(), self.vmid));
            lines.add("vdevice doorbell" + (d.source() ? "-source" : "") + " label="
                    + d.general().label() + " peer=" + peer.map(p -> p.name).orElse("(none yet)")
                    + (virq < 0 ? "" : " virq=" + virq));
        }
    }

    /** {@code handle_msgqueue} / {@code add_msgqueue}: always with the owner. */
    private void handleMsgQueues() {
        for (RmVmConfig.MsgQueue q : cfg.msgQueues()) {
            String path = q.general().path();
            int virq = mapOrAlloc(self, q.irq(), path, "add_msgqueue");
            mapOrAlloc(table.hlos(), null, path, "add_msgqueue");
            lines.add("vdevice message-queue " + (q.sender() ? "tx" : "rx") + " label="
                    + q.general().label() + " peer=HLOS virq=" + virq);
        }
    }

    /** {@code handle_msgqueue_pair} / {@code create_msgqueue_pair} / {@code vm_config_add_msgqueue_pair}. */
    private void handleMsgQueuePairs() {
        for (RmVmConfig.MsgQueuePair q : cfg.msgQueuePairs()) {
            String path = q.general().path();
            Optional<Vm> peer = peer(q.peerId(), path, "handle_msgqueue_pair");
            boolean owner = peer.isPresent() && peer.get() == table.hlos();
            PairNode match = null;
            if (peer.isPresent() && !owner) {
                for (PairNode n : peer.get().pairs) {
                    if (n.label() == q.general().label()
                            && n.messageSize() == q.messageSize()
                            && n.queueDepth() == q.queueDepth()) {
                        match = n;
                        break;
                    }
                }
                if (match == null) {
                    throw refuse(
                            path,
                            "qcom,label",
                            "create_msgqueue_pair",
                            peer.get().name
                                    + " has no message-queue pair with label "
                                    + q.general().label() + ", message-size "
                                    + q.messageSize() + " and queue-depth " + q.queueDepth());
                }
            }
            int tx = mapOrAlloc(self, q.irqs().isEmpty() ? null : q.irqs().get(0), path, "configure_msgqueue_pair");
            int rx = mapOrAlloc(self, q.irqs().isEmpty() ? null : q.irqs().get(1), path, "configure_msgqueue_pair");
            if (match != null) {
                checkPeerNamesUs(match.peerId(), path, "vm_config_add_msgqueue_pair", peer.get());
            }
            if (owner) {
                table.hlos().alloc();
                table.hlos().alloc();
            }
            self.pairs.add(new PairNode(q.general().label(), q.messageSize(), q.queueDepth(), q.peerId(), self.vmid));
            lines.add("vdevice message-queue-pair label=" + q.general().label() + " peer="
                    + peer.map(p -> p.name).orElse("(none yet)") + " virqs=" + tx + "," + rx);
        }
    }

    /** {@code handle_shm}: shm-doorbell also makes a doorbell each way with the owner. */
    private void handleShm() {
        for (RmVmConfig.Shm s : cfg.shms()) {
            String path = s.general().path();
            if (!s.plain()) {
                int virq = mapOrAlloc(self, null, path, "add_doorbell");
                self.doorbells.add(new DoorbellNode(s.general().label(), false, false, null, self.vmid));
                table.hlos().alloc();
                self.doorbells.add(new DoorbellNode(s.general().label(), true, false, null, self.vmid));
                lines.add("vdevice shm-doorbell label=" + s.general().label() + " peer=HLOS virq=" + virq);
            } else {
                lines.add("vdevice shm label=" + s.general().label() + " peer=HLOS");
            }
        }
    }

    /** {@code handle_virtio_mmio} / {@code add_virtio_mmio}: the owner is the backend. */
    private void handleVirtioMmio() {
        for (RmVmConfig.VirtioMmio v : cfg.virtioMmios()) {
            String path = v.general().path();
            long fe;
            long be;
            try {
                // create_virtio_mmio: a VDEVICE page anywhere in the frontend, then in the backend (HLOS)
                VmIpaSpace.Placed f = self.space.alloc(MemUse.VDEVICE, VmIpaSpace.ANY, VmIpaSpace.ANY, VIRTIO_SIZE, 0);
                VmIpaSpace.Placed b =
                        table.hlos().space.alloc(MemUse.VDEVICE, VmIpaSpace.ANY, VmIpaSpace.ANY, VIRTIO_SIZE, 0);
                self.space = f.space();
                table.hlos().space = b.space();
                fe = f.base();
                be = b.base();
            } catch (IpaRefused e) {
                throw refuse(path, null, "create_virtio_mmio", "no IPA space left for the device registers");
            }
            int virq = mapOrAlloc(self, null, path, "add_virtio_mmio");
            mapOrAlloc(table.hlos(), null, path, "add_virtio_mmio");
            virtio.add(new VirtioPlacement(path, v.general().label(), fe, be, VIRTIO_SIZE));
            lines.add("vdevice virtio-mmio label=" + v.general().label() + " backend=HLOS ipa=0x" + Long.toHexString(fe)
                    + " virq=" + virq);
        }
    }

    /** {@code vgic_vm_config_add}: place GICD (64 KiB) and one 128 KiB GICR frame per vCPU. */
    private void handleVgic() {
        RmVmConfig.Gic g = cfg.gic();
        long gicd = g == null ? -1 : g.gicdBase();
        long gicr = g == null ? -1 : g.gicrBase();
        long stride = g == null ? GICR_SIZE : g.gicrStride();
        int count = cfg.vcpus().cpus().size();
        String path = g == null ? CONFIG : "phandle " + g.phandle();
        gicd = place(gicd, GICD_SIZE, GICD_SIZE, path, "GICD");
        long total = stride * count;
        gicr = place(gicr, total, stride, path, "GICR");
        lines.add("vgic: gicd=0x" + Long.toHexString(gicd) + " gicr=0x" + Long.toHexString(gicr) + " stride=0x"
                + Long.toHexString(stride) + " x" + count);
        // no usable GIC node: the RM places the vGIC and would patch a node it cannot find (vgic_vm_config_add)
        vgic = g == null
                ? new VgicPlacement(VgicPlacement.NO_PHANDLE, gicd, gicr, stride, count, true, 2, 2)
                : new VgicPlacement(
                        g.phandle(), gicd, gicr, stride, count, g.patchDt(), g.addressCells(), g.sizeCells());
    }

    private long place(long at, long size, long align, String path, String what) {
        if (at != -1) {
            if (Long.compareUnsigned(at + size - 1, at) < 0) {
                throw refuse(path, "reg", "vgic_vm_config_add", what + " base overflows");
            }
            if (at % 0x1_0000L != 0) {
                throw refuse(
                        path,
                        "reg",
                        "vgic_vm_config_add",
                        what + " base 0x" + Long.toHexString(at) + " not 64 KiB aligned");
            }
        }
        try {
            // a PLATFORM_VDEVICE: granted unrecorded inside the device range (is_device_mapping)
            VmIpaSpace.Placed p = self.space.alloc(MemUse.PLATFORM_VDEVICE, at, VmIpaSpace.ANY, size, align);
            self.space = p.space();
            return p.base();
        } catch (IpaRefused e) {
            throw refuse(
                    path,
                    "reg",
                    "vgic_vm_config_add",
                    what
                            + (at == -1
                                    ? ": no room in the IPA space"
                                    : " at 0x" + Long.toHexString(at)
                                            + " overlaps another mapping or leaves the IPA space"));
        }
    }
}
