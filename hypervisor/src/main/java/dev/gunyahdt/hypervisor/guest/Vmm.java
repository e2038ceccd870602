package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.guest.GuestDt.Line;
import dev.gunyahdt.hypervisor.guest.HypResources.Resource;
import dev.gunyahdt.hypervisor.rm.Wire;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The primary's VMM role, crosvm's part: for each secondary VM_ALLOCATE, MEM_LEND of the image DT,
 * VM_CONFIG_IMAGE, VM_INIT, VM_GET_HYP_RESOURCES (its vCPUs, and my halves of its vdevices, §10.5), VM_CONSOLE_OPEN
 * of the owner side; then VM_START for each, and the lending of the SPIs of the devices it passes to it
 * ({@link LentIrqs}). Proxy-scheduled vCPUs are run through vcpu_run, as crosvm's vCPU
 * threads do.
 */
final class Vmm {

    private static final long IMAGE_AREA = 0x1000_0000L;

    /** A proxy-scheduled vCPU of a VM this primary launched. */
    private static final class Proxied {
        final String vm;
        final long cap;
        final int wakeupVirq;
        boolean started;
        boolean runnable;
        int runs;

        Proxied(String vm, long cap, int wakeupVirq) {
            this.vm = vm;
            this.cap = cap;
            this.wakeupVirq = wakeupVirq;
        }
    }

    private final GuestContext ctx;
    private final ProbeLog log;
    private final ActionLoop loop;
    private final HypResources resources;
    private final List<Proxied> proxied = new ArrayList<>();
    private final LentIrqs lender;
    private int vcpusChecked;

    Vmm(GuestContext ctx, ProbeLog log, ActionLoop loop, HypResources resources) {
        this.ctx = ctx;
        this.log = log;
        this.loop = loop;
        this.resources = resources;
        this.lender = LentIrqs.owner(log, loop);
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
        long ipa = ctx.seat().ramBase() + IMAGE_AREA + (long) index * 0x10_0000;
        byte[] dtb = l.dtb();
        long size = (dtb.length + 0xFFFL) & ~0xFFFL;
        int[] handle = {-1};
        loop.run(() -> {
            if (!ctx.seat().memory().write(ipa, dtb)) {
                log.problem("no room for " + l.name() + "'s image");
            }
        });
        loop.add(loop.callLater(
                MessageId.MEM_LEND,
                () -> Wire.writer()
                        .u8(0)
                        .u8(0)
                        .u8(0)
                        .u8(0)
                        .u32(0)
                        .u16(1)
                        .u16(0)
                        .u16(vmids[index])
                        .u8(6)
                        .u8(0)
                        .u16(1)
                        .u16(0)
                        .u64(ipa)
                        .u64(size)
                        .u16(0)
                        .u16(0)
                        .build(),
                r -> {
                    if (ActionLoop.error(r) != 0) {
                        log.problem("MEM_LEND of " + l.name() + "'s image -> " + ActionLoop.error(r));
                    } else {
                        handle[0] = (int) new Wire.Reader(r.replyData()).u32();
                    }
                }));
        loop.add(loop.callLater(
                MessageId.VM_CONFIG_IMAGE,
                () -> Wire.writer()
                        .u16(vmids[index])
                        .u16(0)
                        .u32(handle[0])
                        .u64(0)
                        .u64(0)
                        .u64(0)
                        .u64(dtb.length)
                        .build(),
                r -> loop.expectOk(r, "VM_CONFIG_IMAGE " + l.name())));
        loop.add(loop.callLater(
                MessageId.VM_INIT,
                () -> Wire.writer().u16(vmids[index]).u16(0).build(),
                r -> loop.expectOk(r, "VM_INIT " + l.name())));
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
        boolean proxy = vc.flatMap(c -> c.node().property("affinity"))
                .map(p -> p.value().asString())
                .filter("proxy"::equals)
                .isPresent();
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
                proxied.add(new Proxied(l.name(), e.cap(), (int) e.virq()));
                ActionLoop.configure(ctx, new Line((int) e.virq(), true));
            }
        }
        if (log.problemCount() == before) {
            vcpusChecked += vcpus.size();
            log.note(l.name() + ": " + vcpus.size() + " vCPU(s) as its " + cpusPath + " says"
                    + (proxy ? ", proxy-scheduled: run through vcpu_run" : ""));
        }
    }

    /** A VIRQ was taken: a proxied vCPU's wakeup line makes it runnable again. */
    void onVirq(int intid) {
        for (Proxied v : proxied) {
            v.runnable |= v.started && intid == v.wakeupVirq;
        }
    }

    /**
     * vcpu_run on each proxied vCPU that is runnable: READY keeps it runnable (and this vCPU busy); EXPECTS_WAKEUP
     * or POWERED_OFF parks it until its wakeup VIRQ fires here.
     */
    boolean runProxied() {
        boolean ran = false;
        for (Proxied v : proxied) {
            if (!v.runnable) {
                continue;
            }
            HvcResult r = ctx.call(VcpuCalls.RUN, v.cap, 0, 0, 0);
            if (!r.isOk()) {
                log.problem("vcpu_run of " + v.vm + " -> " + r.error());
                v.runnable = false;
                continue;
            }
            v.runs++;
            ran = true;
            v.runnable = r.x1() == VcpuCalls.RUN_READY;
        }
        return ran;
    }
}
