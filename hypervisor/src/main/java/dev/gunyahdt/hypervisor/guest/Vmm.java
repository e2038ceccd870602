package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.guest.GuestDt.Line;
import dev.gunyahdt.hypervisor.guest.HypResources.Resource;
import dev.gunyahdt.hypervisor.rm.ResourceManager;
import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The primary's VMM role, crosvm's part: for each secondary VM_ALLOCATE, MEM_LEND of its memory (the DT in it),
 * of its iomem devices' memory and MEM_SHARE of its shm buffers (by label),
 * VM_CONFIG_IMAGE, VM_INIT (then my greeting in my half of each shm buffer), VM_LOOKUP_NAME (it finds the VM),
 * VM_GET_HYP_RESOURCES (its vCPUs, and my halves of its vdevices, §10.5), VM_CONSOLE_OPEN of the owner side; then
 * VM_START for each, and the lending of the SPIs of the devices it passes to it
 * ({@link LentIrqs}). Proxy-scheduled vCPUs are run through vcpu_run, as crosvm's vCPU
 * threads do.
 */
final class Vmm {

    /** An shm region I share with a VM I launched, from its config: I write my half before VM_START. */
    private record OwnedShm(String vm, String path, long ipa, int vmid) {}

    /** A proxy-scheduled vCPU of a VM this primary launched. */
    private static final class Proxied {
        final String vm;
        final long cap;
        final int wakeupVirq;
        /** The register file I emulate for its VM (the VM's, shared by its vCPUs). */
        final VmmRegs regs;
        /** vcpu_run's first resume word for the next call: the value of the VMMIO read it stopped at. */
        long resume;

        boolean started;
        boolean runnable;
        int runs;

        Proxied(String vm, long cap, int wakeupVirq, VmmRegs regs) {
            this.vm = vm;
            this.cap = cap;
            this.wakeupVirq = wakeupVirq;
            this.regs = regs;
        }
    }

    private final GuestContext ctx;
    private final ProbeLog log;
    private final ActionLoop loop;
    private final HypResources resources;
    private final IntSupplier me;
    private final List<Proxied> proxied = new ArrayList<>();
    private final LentIrqs lender;
    private final List<OwnedShm> owned = new ArrayList<>();
    /** The register file I emulate for each proxy-scheduled VM, by name. */
    private final java.util.Map<String, VmmRegs> emulated = new java.util.HashMap<>();

    private int vcpusChecked;

    Vmm(GuestContext ctx, ProbeLog log, ActionLoop loop, HypResources resources, IntSupplier me) {
        this.ctx = ctx;
        this.log = log;
        this.loop = loop;
        this.resources = resources;
        this.lender = LentIrqs.owner(log, loop);
        this.me = me;
    }

    int vcpusChecked() {
        return vcpusChecked;
    }

    int proxyRuns() {
        return proxied.stream().mapToInt(v -> v.runs).sum();
    }

    /** Queues the launch of every VM the plan gives this primary. */
    void launchSecondaries() {
        List<GuestContext.Launch> launches = ctx.launches();
        int[] vmids = new int[launches.size()];
        for (int i = 0; i < launches.size(); i++) {
            launch(launches.get(i), i, vmids);
        }
        for (int i = 0; i < launches.size(); i++) {
            int index = i;
            String n = launches.get(i).name();
            loop.add(loop.callLater(
                    MessageId.VM_START,
                    () -> Wire.writer().u16(vmids[index]).u16(0).build(),
                    r -> {
                        loop.expectOk(r, "VM_START " + n);
                        if (ActionLoop.error(r) == 0) {
                            for (Proxied v : proxied) {
                                if (v.vm.equals(n)) {
                                    v.started = true;
                                    v.runnable = true;
                                }
                            }
                        }
                    }));
            // the SPIs of the devices it passes to the VM are mine until I lend them (VM_IRQ_LEND)
            try {
                lender.lendAll(
                        n, () -> vmids[index], DtbReader.read(launches.get(i).dtb(), "vm/" + n + ".dtb"));
            } catch (DtException e) {
                log.problem(n + "'s DT does not read: " + e.getMessage());
            }
        }
    }

    private void launch(GuestContext.Launch l, int index, int[] vmids) {
        int want = l.vmid() < 64 ? l.vmid() : 0;
        loop.add(loop.call(MessageId.VM_ALLOCATE, Wire.writer().u16(want).u16(0).build(), r -> {
            vmids[index] = want != 0 ? want : r.payloadLength() >= 8 ? (int) new Wire.Reader(r.replyData()).u32() : 0;
            if (ActionLoop.error(r) != 0) {
                log.problem("VM_ALLOCATE for " + l.name() + " -> " + ActionLoop.error(r));
            } else if (vmids[index] != l.vmid()) {
                log.problem("VM_ALLOCATE gave " + l.name() + " vmid 0x" + Integer.toHexString(vmids[index])
                        + ", the plan says 0x" + Integer.toHexString(l.vmid()));
            }
        }));
        // crosvm's part (§7.2): the VM's memory is memory I hold, lent whole (its DT inside it) and accepted by the
        // RM at VM_START; each iomem vdevice's device memory lent with its label; each shm buffer shared with its
        // label, offered to the VM once it is READY (MEM_NOTIFY), when the RM accepts it by label
        long dtAt = l.memoryBase() + ResourceManager.DT_OFFSET;
        byte[] dtb = withMyDevices(l);
        int[] ram = {-1};
        loop.run(() -> {
            if (l.memorySize() <= ResourceManager.DT_OFFSET + dtb.length
                    || !ctx.memory().write(dtAt, dtb)) {
                log.problem("cannot write " + l.name() + "'s DT into the memory I hold for it at 0x"
                        + Long.toHexString(l.memoryBase()));
            }
        });
        loop.add(lend(
                MessageId.MEM_LEND,
                0,
                vmids,
                index,
                0,
                List.of(new long[] {l.memoryBase(), l.memorySize()}),
                "RAM of " + l.name(),
                h -> ram[0] = h));
        for (LendPlan.Lend io : LendPlan.of(l.dtb(), "vm/" + l.name() + ".dtb")) {
            loop.add(lend(
                    MessageId.MEM_LEND,
                    1,
                    vmids,
                    index,
                    io.label(),
                    io.sgl(),
                    "device memory of " + io.device() + " (label 0x" + Long.toHexString(io.label()) + ") to "
                            + l.name(),
                    h -> {}));
        }
        List<int[]> shared = new ArrayList<>();
        List<Long> wanted = LendPlan.shmLabels(l.dtb(), "vm/" + l.name() + ".dtb");
        List<long[]> shms = l.shm().stream().filter(x -> wanted.contains(x[0])).toList();
        for (long[] shm : shms) {
            loop.add(lend(
                    MessageId.MEM_SHARE,
                    0,
                    vmids,
                    index,
                    shm[0],
                    List.of(new long[] {shm[1], shm[2]}),
                    "shm label " + shm[0] + " with " + l.name(),
                    h -> shared.add(new int[] {h})));
        }
        loop.add(loop.callLater(
                MessageId.VM_CONFIG_IMAGE,
                () -> Wire.writer()
                        .u16(vmids[index])
                        .u16(0)
                        .u32(ram[0])
                        .u64(ResourceManager.ENTRY_OFFSET)
                        .u64(0)
                        .u64(ResourceManager.DT_OFFSET)
                        .u64(dtb.length)
                        .build(),
                r -> loop.expectOk(r, "VM_CONFIG_IMAGE " + l.name())));
        loop.add(loop.callLater(
                MessageId.VM_INIT, () -> Wire.writer().u16(vmids[index]).u16(0).build(), r -> {
                    loop.expectOk(r, "VM_INIT " + l.name());
                    if (ActionLoop.error(r) == 0) {
                        writeSharedMemory(l, vmids[index]);
                    }
                }));
        for (int k = 0; k < shms.size(); k++) {
            int n = k;
            loop.add(loop.callLater(
                    MessageId.MEM_NOTIFY,
                    () -> Wire.writer()
                            .u32(shared.get(n)[0])
                            .u8(1) // MEM_NOTIFY_FLAG_SHARED
                            .u8(0)
                            .u16(0)
                            .u32(0)
                            .u16(1)
                            .u16(0)
                            .u16(vmids[index])
                            .u16(0)
                            .build(),
                    r -> loop.expectOk(r, "MEM_NOTIFY(SHARED) of shm label " + shms.get(n)[0] + " to " + l.name())));
        }
        byte[] lookupName = l.name().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        loop.add(loop.call(
                MessageId.VM_LOOKUP_NAME,
                Wire.writer()
                        .u16(lookupName.length)
                        .u16(0)
                        .bytes(lookupName)
                        .pad4()
                        .build(),
                r -> {
                    // its config's image-name is its name from VM_INIT on: the lookup finds it, and only it
                    List<Integer> found = ActionLoop.error(r) == 0 ? VmIds.vmids(r.replyData()) : List.of();
                    if (!found.equals(List.of(vmids[index]))) {
                        log.problem("VM_LOOKUP_NAME " + l.name() + " -> "
                                + (ActionLoop.error(r) == 0 ? found : "RM error " + ActionLoop.error(r))
                                + ", expected [" + vmids[index] + "]");
                    }
                }));
        loop.add(loop.callLater(
                MessageId.VM_GET_HYP_RESOURCES,
                () -> Wire.writer().u16(vmids[index]).u16(0).build(),
                r -> {
                    // §10.5: my DT carries only the RM-RPC node, so my halves of this VM's vdevices come from here
                    // (§8.7), with its vCPUs
                    List<Resource> entries = resources.parse(r, "VM_GET_HYP_RESOURCES " + l.name());
                    if (entries != null) {
                        checkVcpus(
                                l, entries.stream().filter(e -> e.type() == 4).toList());
                        resources.adopt(entries, l.name());
                    }
                }));
        loop.add(loop.callLater(
                MessageId.VM_CONSOLE_OPEN,
                () -> Wire.writer().u16(vmids[index]).u16(0).build(),
                r -> log.note("console of " + l.name() + ": "
                        + (ActionLoop.error(r) == 0 ? "opened (owner side)" : "none (" + ActionLoop.error(r) + ")"))));
    }

    /**
     * The DT I give the VM: its image DT, and for a VM whose vCPUs I run (proxy) the node of the register file I
     * emulate for it ({@link VmmRegs}), as crosvm writes its devices into the DT it makes.
     */
    private byte[] withMyDevices(GuestContext.Launch l) {
        try {
            DeviceTree dt = DtbReader.read(l.dtb(), "vm/" + l.name() + ".dtb");
            if (!proxyScheduled(dt)) {
                return l.dtb();
            }
            emulated.put(l.name(), new VmmRegs());
            log.note(l.name() + ": my register file at 0x" + Long.toHexString(VmmRegs.BASE) + " (" + VmmRegs.COMPATIBLE
                    + ") in the DT I give it: I emulate it in vcpu_run");
            return VmmRegs.addNode(dt);
        } catch (DtException e) {
            return l.dtb(); // checkVcpus says so
        }
    }

    private static boolean proxyScheduled(DeviceTree dt) {
        return dt.find("/qcom,vm-config/vcpus")
                .flatMap(c -> c.node().property("affinity"))
                .map(p -> p.value().asString())
                .filter("proxy"::equals)
                .isPresent();
    }

    /**
     * MEM_LEND / MEM_SHARE of {@code sgl} (in my IPA space) to the launched VM — read-write-execute for its RAM,
     * read-write for device memory and shared buffers, where I keep read-write too (the owner is in a SHARE's
     * ACL) — with {@code label}; {@code then} gets the handle.
     */
    private java.util.function.BooleanSupplier lend(
            MessageId how,
            int memType,
            int[] vmids,
            int index,
            long label,
            List<long[]> sgl,
            String what,
            java.util.function.IntConsumer then) {
        return loop.callLater(
                how,
                () -> {
                    boolean share = how == MessageId.MEM_SHARE;
                    Wire.Writer w = Wire.writer()
                            .u8(memType)
                            .u8(0)
                            .u8(0)
                            .u8(0)
                            .u32(label)
                            .u16(share ? 2 : 1)
                            .u16(0);
                    if (share) {
                        w.u16(me.getAsInt()).u8(6).u8(0);
                    }
                    w.u16(vmids[index]).u8(memType == 0 && !share ? 7 : 6).u8(0);
                    w.u16(sgl.size()).u16(0);
                    sgl.forEach(e -> w.u64(e[0]).u64(e[1]));
                    return w.u16(0).u16(0).build();
                },
                r -> {
                    if (ActionLoop.error(r) != 0) {
                        log.problem(how + " of " + what + " -> " + ActionLoop.error(r));
                    } else {
                        int h = (int) new Wire.Reader(r.replyData()).u32();
                        log.note(how + " " + what + ": memparcel " + h);
                        then.accept(h);
                    }
                });
    }

    /**
     * §8.7 as the owner sees it: one VIRTUAL_CPU entry per enabled CPU of the launched VM's /cpus, labelled with
     * its affinity-map entry (proxy: its index) and carrying the wakeup VIRQ only when proxy-scheduled. Proxy
     * vCPUs are kept to be run through vcpu_run; their wakeup VIRQs are configured edge here.
     */
    private void checkVcpus(GuestContext.Launch l, List<Resource> vcpus) {
        DeviceTree dt;
        try {
            dt = DtbReader.read(l.dtb(), "vm/" + l.name() + ".dtb");
        } catch (DtException e) {
            log.problem(l.name() + "'s DT does not read: " + e.getMessage());
            return;
        }
        Optional<NodeCursor> vc = dt.find("/qcom,vm-config/vcpus");
        String cpusPath = vc.flatMap(c -> c.node().property("config"))
                .map(p -> p.value().asString())
                .orElse("/cpus");
        boolean proxy = proxyScheduled(dt);
        long[] map = vc.map(c -> GuestDtReader.cells(c, "affinity-map")).orElse(new long[0]);
        int cpus = 0;
        for (NodeCursor c : dt.find(cpusPath).map(NodeCursor::children).orElse(List.of())) {
            List<String> status =
                    c.node().property("status").map(p -> p.value().asStrings()).orElse(List.of());
            boolean cpu = c.node()
                    .property("device_type")
                    .map(p -> p.value().asStrings())
                    .orElse(List.of())
                    .contains("cpu");
            if (cpu && (status.isEmpty() || status.get(0).startsWith("ok"))) {
                cpus++;
            }
        }
        int before = log.problemCount();
        if (vcpus.size() != cpus) {
            log.problem(l.name() + ": VM_GET_HYP_RESOURCES lists " + vcpus.size() + " VIRTUAL_CPU entries, its "
                    + cpusPath + " has " + cpus + " CPUs");
        }
        for (int i = 0; i < vcpus.size(); i++) {
            Resource e = vcpus.get(i);
            long label = proxy ? i : i < map.length ? map[i] : -1;
            boolean virqOk = proxy ? e.virq() >= 960 && e.virq() <= 1019 : e.virq() == 0xFFFF_FFFFL;
            if (e.label() != label || e.cap() == 0 || !virqOk) {
                log.problem(l.name() + ": VIRTUAL_CPU entry " + i + " (label " + e.label() + ", VIRQ 0x"
                        + Long.toHexString(e.virq()) + ") does not match " + cpusPath
                        + (proxy ? " (proxy)" : " and affinity-map"));
            } else if (proxy) {
                proxied.add(new Proxied(l.name(), e.cap(), (int) e.virq(), emulated.get(l.name())));
                ActionLoop.configure(ctx, new Line((int) e.virq(), true));
            }
        }
        if (log.problemCount() == before) {
            vcpusChecked += vcpus.size();
            log.note(l.name() + ": " + vcpus.size() + " vCPU(s) as its " + cpusPath + " says"
                    + (proxy ? ", proxy-scheduled: run through vcpu_run" : ""));
        }
    }

    /**
     * After VM_INIT: my greeting into my half of each shm (or shm-doorbell) region the launched VM's config shares with its owner
     * ({@code peer-default}): the buffer I share under its label, which I keep mapped at my address (a SHARE).
     */
    private void writeSharedMemory(GuestContext.Launch l, int vmid) {
        DeviceTree dt;
        try {
            dt = DtbReader.read(l.dtb(), "vm/" + l.name() + ".dtb");
        } catch (DtException e) {
            return; // checkVcpus says so
        }
        for (NodeCursor v :
                dt.find("/qcom,vm-config/vdevices").map(NodeCursor::children).orElse(List.of())) {
            boolean shm = v.node()
                    .property("vdevice-type")
                    .map(p -> p.value().asString())
                    .filter(t -> t.equals("shm") || t.equals("shm-doorbell"))
                    .isPresent();
            Optional<Long> label =
                    v.node().property("qcom,label").map(p -> p.value().asCell());
            if (!shm || !v.node().hasProperty("peer-default") || label.isEmpty()) {
                continue;
            }
            Optional<long[]> mine =
                    l.shm().stream().filter(x -> x[0] == label.get()).findFirst();
            if (mine.isEmpty()) {
                log.problem(l.name() + ": " + v.path() + ": label " + label.get() + " is no buffer I share with it");
                continue;
            }
            long ipa = mine.get()[1];
            long at = GuestDt.SharedMemory.slot(ipa, me.getAsInt(), vmid);
            if (!ctx.memory().write(at, new Greeting("shm", me.getAsInt(), vmid, 0, 1).inMemory())) {
                log.problem(l.name() + ": " + v.path() + ": my buffer at 0x" + Long.toHexString(ipa)
                        + " is not mapped for me after VM_INIT");
                continue;
            }
            owned.add(new OwnedShm(l.name(), v.path(), ipa, vmid));
        }
    }

    /**
     * Waits for each launched VM's half of the shm regions I share with it and checks it: done when every one
     * came. A VM that never writes leaves me waiting, and so unfinished.
     */
    boolean awaitSharedMemory() {
        for (java.util.Iterator<OwnedShm> it = owned.iterator(); it.hasNext(); ) {
            OwnedShm s = it.next();
            int vmid = s.vmid();
            Greeting want = new Greeting("shm", vmid, me.getAsInt(), 0, 1);
            long at = GuestDt.SharedMemory.slot(s.ipa(), vmid, me.getAsInt());
            byte[] got = ctx.memory().read(at, want.inMemory().length);
            if (got != null && allZero(got)) {
                continue; // not written yet
            }
            Optional<String> wrong = got == null ? Optional.of("no longer readable") : Greeting.check(got, want);
            if (wrong.isPresent()) {
                log.problem(s.vm() + ": " + s.path() + " at 0x" + Long.toHexString(s.ipa()) + ": " + wrong.get());
            } else {
                log.note(s.vm() + ": " + s.path() + " at 0x" + Long.toHexString(s.ipa()) + ": read its \"" + want.text()
                        + "\": checked");
            }
            it.remove();
        }
        return owned.isEmpty();
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** A VIRQ was taken: a proxied vCPU's wakeup line makes it runnable again. */
    void onVirq(int intid) {
        for (Proxied v : proxied) {
            v.runnable |= v.started && intid == v.wakeupVirq;
        }
    }

    /**
     * vcpu_run on each proxied vCPU that is runnable: READY keeps it runnable (and this vCPU busy); an
     * ADDRSPACE_VMMIO_READ / _WRITE is emulated here and keeps it runnable (the next vcpu_run resumes it, a read
     * with the value in its first resume word); EXPECTS_WAKEUP or POWERED_OFF parks it until its wakeup VIRQ fires.
     */
    boolean runProxied() {
        boolean ran = false;
        for (Proxied v : proxied) {
            if (!v.runnable) {
                continue;
            }
            HvcResult r = ctx.call(VcpuCalls.RUN, v.cap, v.resume, 0, 0);
            v.resume = 0;
            if (!r.isOk()) {
                log.problem("vcpu_run of " + v.vm + " -> " + r.error());
                v.runnable = false;
                continue;
            }
            v.runs++;
            ran = true;
            long state = r.x1();
            if (state == VcpuCalls.RUN_ADDRSPACE_VMMIO_READ || state == VcpuCalls.RUN_ADDRSPACE_VMMIO_WRITE) {
                v.resume = emulate(v, state == VcpuCalls.RUN_ADDRSPACE_VMMIO_WRITE, r.x2(), (int) r.x3(), r.x4());
            }
            v.runnable = state == VcpuCalls.RUN_READY
                    || state == VcpuCalls.RUN_ADDRSPACE_VMMIO_READ
                    || state == VcpuCalls.RUN_ADDRSPACE_VMMIO_WRITE;
        }
        return ran;
    }

    /**
     * One VMMIO access of {@code v}'s VM, as vcpu_run's state data gives it: my register file's when it is there
     * (logged), else nothing of mine answers: a read gets 0 and a write is dropped, as crosvm treats an MMIO access
     * no device of its claims (noted). Returns the value to resume a read with.
     */
    private long emulate(Proxied v, boolean write, long ipa, int size, long value) {
        String state = write ? "ADDRSPACE_VMMIO_WRITE" : "ADDRSPACE_VMMIO_READ";
        String access = v.vm + ": vcpu_run -> " + state + " at 0x" + Long.toHexString(ipa) + ", " + size + " byte(s)";
        if (v.regs == null || !VmmRegs.holds(ipa, size)) {
            log.note(access + (write ? " of 0x" + Long.toHexString(value) : "")
                    + ": no device of mine there (reads 0, writes dropped), resumed");
            return 0;
        }
        int offset = (int) (ipa - VmmRegs.BASE);
        if (write) {
            v.regs.write(offset, size, value);
            log.note(access + " of 0x" + Long.toHexString(value) + ": my register 0x" + Integer.toHexString(offset)
                    + " (emulated), resumed");
            return 0;
        }
        long read = v.regs.read(offset, size);
        log.note(access + ": my register 0x" + Integer.toHexString(offset) + " = 0x" + Long.toHexString(read)
                + ", resumed with it");
        return read;
    }
}
