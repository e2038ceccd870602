package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.spec.Addressing;
import dev.gunyahdt.dt.spec.Cells;
import dev.gunyahdt.hypervisor.call.HvcArgs;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import dev.gunyahdt.hypervisor.vic.Vic;
import dev.gunyahdt.hypervisor.vpm.Psci;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a Linux guest brings up its other CPUs (arm64 {@code smp_init} with the {@code psci} enable-method): every
 * enabled {@code /cpus} node whose {@code reg} (its MPIDR) is not the boot vCPU's own is started with PSCI CPU_ON
 * (SMC64) at the image's secondary entry point — or, on a node the RM gave a {@code qcom,gunyah-capability} (a VM
 * without PSCI), with vcpu_poweron on that POWER cap — with the CPU's logical number as context id (Linux passes 0;
 * the model passes the number so the secondary can check what it received). Each secondary, on its own vCPU, checks
 * its PC, X0 and MPIDR, reports itself online and sends the boot vCPU an IPI ({@link #IPI}, by an ICC_SGI1R_EL1
 * write naming the boot vCPU's MPIDR). The boot vCPU does not busy-wait ({@code __cpu_up} sleeps on a completion;
 * the secondary's {@code complete()} wakes it with that IPI): it takes the SGIs, and on each of its own turns looks
 * whether all started secondaries arrived; once they have (or after {@link #PATIENCE} turns) it confirms each with
 * AFFINITY_INFO, logs {@code N/N vCPUs online}, and checks that their SGI came.
 *
 * <p>Every vCPU sets its GIC CPU interface up as Linux's {@code gic_cpu_sys_reg_init} does (ICC_PMR_EL1 0xf0);
 * the boot vCPU enables the IPI's SGI (GICR_ISENABLER0) before it starts anyone.
 */
final class SecondaryCpus {
    /** Where the secondaries enter, past the boot entry point (the model image's {@code secondary_entry}). */
    static final long SECONDARY_ENTRY = 0x100;
    /** Turns of the boot vCPU after which it reports who came up, arrived or not. */
    static final int PATIENCE = 200;
    /** The SGI a secondary sends the boot vCPU when it is up: arm64 Linux's IPI_RESCHEDULE (SGI 0). */
    static final int IPI = 0;

    /**
     * A CPU node of the DT: its path, MPIDR, logical number (DT order, the boot CPU is 0) and the POWER cap the RM
     * wrote on it ({@code qcom,gunyah-capability}: a VM without PSCI; a CapID is any 64-bit value, so
     * {@code hasCap} says whether there is one).
     */
    private record Cpu(String path, long mpidr, int logical, boolean hasCap, long cap) {}

    private final GuestContext ctx;
    private final ProbeLog log;
    private final String program;
    private final List<Cpu> started = new ArrayList<>();
    private final List<Integer> arrived = new ArrayList<>();
    private int total = 1;
    private int online = 1;
    private int waited;
    private int ipis;
    private boolean reported;

    private SecondaryCpus(GuestContext ctx, ProbeLog log, String program) {
        this.ctx = ctx;
        this.log = log;
        this.program = program;
    }

    /** Reads {@code dt}'s {@code /cpus} and CPU_ONs every secondary; a refusal is a problem with PSCI's code. */
    static SecondaryCpus bringUp(GuestContext ctx, ProbeLog log, String program, DeviceTree dt) {
        SecondaryCpus cpus = new SecondaryCpus(ctx, log, program);
        cpus.startAll(dt);
        return cpus;
    }

    private void startAll(DeviceTree dt) {
        Vcpu boot = ctx.boot();
        Vic vic = boot.vic();
        vic.setPriorityMask(boot.vicIndex(), ActionLoop.PRIORITY_MASK);
        vic.setPriority(boot.vicIndex(), IPI, ActionLoop.DEFAULT_PRIORITY);
        vic.enable(boot.vicIndex(), IPI, true);
        Optional<NodeCursor> cpus = dt.find("/cpus");
        if (cpus.isEmpty()) {
            return;
        }
        int ac = Addressing.addressCells(cpus.get());
        List<Cpu> nodes = new ArrayList<>();
        for (NodeCursor c : cpus.get().children()) {
            String type = c.node()
                    .property("device_type")
                    .map(p -> p.value().asString())
                    .orElse("");
            String status =
                    c.node().property("status").map(p -> p.value().asString()).orElse("okay");
            if (type.equals("cpu") && (status.equals("okay") || status.equals("ok"))) {
                long[] reg = GuestDtReader.cells(c, "reg");
                long[] cap = GuestDtReader.cells(c, "qcom,gunyah-capability");
                nodes.add(new Cpu(
                        c.path(),
                        reg.length >= ac ? Cells.join(reg, 0, ac) : -1,
                        -1,
                        cap.length == 2,
                        cap.length == 2 ? Cells.join(cap, 0, 2) : 0));
            }
        }
        total = Math.max(1, nodes.size());
        if (nodes.stream().noneMatch(n -> n.mpidr() == boot.mpidr())) {
            log.problem("no /cpus node has my MPIDR 0x" + Long.toHexString(boot.mpidr()));
        }
        int logical = 1;
        for (Cpu n : nodes) {
            if (n.mpidr() == boot.mpidr()) {
                continue;
            }
            Cpu cpu = new Cpu(n.path(), n.mpidr(), logical++, n.hasCap(), n.cap());
            long entry = boot.pc() + SECONDARY_ENTRY;
            if (cpu.hasCap()) {
                // no PSCI: the RM gave me a POWER cap to this vCPU on its node (patch_cpus_nodes)
                HvcResult r = ctx.call(VcpuCalls.POWERON, cpu.cap(), entry, cpu.logical(), 0);
                if (r.isOk()) {
                    started.add(cpu);
                } else {
                    log.problem("vcpu_poweron " + cpu.path() + " (cap 0x" + Long.toHexString(cpu.cap()) + ") -> "
                            + r.error());
                }
                continue;
            }
            long ret = psci(Psci.CPU_ON, cpu.mpidr(), entry, cpu.logical());
            if (ret == Psci.SUCCESS) {
                started.add(cpu);
            } else {
                log.problem("PSCI CPU_ON " + cpu.path() + " (MPIDR 0x" + Long.toHexString(cpu.mpidr()) + ") -> " + ret);
            }
        }
    }

    /** One turn of a secondary vCPU: on its first, it checks what CPU_ON gave it and reports; then it idles. */
    void secondaryStep(Vcpu self) {
        if (!arrived.contains((int) self.x(0)) && self.pc() == ctx.boot().pc() + SECONDARY_ENTRY) {
            Cpu cpu = started.stream()
                    .filter(c -> c.logical() == self.x(0))
                    .findFirst()
                    .orElse(null);
            if (cpu == null || cpu.mpidr() != self.mpidr()) {
                log.problem("a secondary vCPU (MPIDR 0x" + Long.toHexString(self.mpidr()) + ") arrived with context "
                        + self.x(0) + ", which names no CPU I started with that MPIDR");
            } else {
                arrived.add(cpu.logical());
                log.note(program + ": CPU" + cpu.logical() + " (" + cpu.path() + ", MPIDR 0x"
                        + Long.toHexString(cpu.mpidr()) + ") online"
                        + (cpu.hasCap() ? " (vcpu_poweron with its qcom,gunyah-capability)" : ""));
                self.vic().setPriorityMask(self.vicIndex(), ActionLoop.PRIORITY_MASK);
                self.vic().generateSgi(self.vicIndex(), sgi1r(IPI, ctx.boot().mpidr()));
            }
        }
        if (!self.waitForInterrupt()) {
            // nothing is routed to a secondary; should something be, it is taken and ended, not left to spin on
            Vic vic = self.vic();
            for (int i = vic.acknowledge(self.vicIndex()); i != Vic.SPURIOUS; i = vic.acknowledge(self.vicIndex())) {
                vic.endOfInterrupt(self.vicIndex(), i);
            }
        }
    }

    /**
     * On the boot vCPU each turn: once every started secondary arrived (or its patience ran out) it confirms each
     * with AFFINITY_INFO and logs the count, once.
     */
    void checkSecondaries() {
        if (reported || (arrived.size() < started.size() && waited++ < PATIENCE)) {
            return;
        }
        reported = true;
        for (Cpu cpu : started) {
            // PSCI's view when it started the CPU; without PSCI, its arrival is all there is to see
            long info = cpu.hasCap() ? Psci.AFFINITY_ON : psci(Psci.AFFINITY_INFO, cpu.mpidr(), 0, 0);
            if (arrived.contains(cpu.logical()) && info == Psci.AFFINITY_ON) {
                online++;
            } else {
                log.problem("CPU" + cpu.logical() + " (" + cpu.path() + ") did not come online (AFFINITY_INFO " + info
                        + ")");
            }
        }
        log.note(program + ": " + online + "/" + total + " vCPUs online");
        if (!arrived.isEmpty()) {
            // GICv3 with affinity routing keeps one pending bit per SGI, not one per sender: SGIs sent while one
            // is pending are taken once
            if (ipis > 0) {
                log.note(program + ": CPU0 took SGI " + IPI + " (IPI) " + ipis + " time(s), sent by its "
                        + arrived.size() + " secondaries (ICC_SGI1R_EL1)");
            } else {
                log.problem("CPU0 took no SGI " + IPI + " from its " + arrived.size() + " secondaries");
            }
        }
    }

    /** A VIRQ the boot vCPU took: the secondaries' IPI is counted. */
    void onVirq(int intid) {
        ipis += intid == IPI ? 1 : 0;
    }

    /**
     * ICC_SGI1R_EL1 for SGI {@code intid} to the one CPU with {@code mpidr}: TargetList bit Aff0 % 16, RS Aff0 / 16,
     * Aff1..3 in their fields, IRM 0 (as Linux's gic_send_sgi builds it).
     */
    static long sgi1r(int intid, long mpidr) {
        long aff0 = mpidr & 0xFF;
        return 1L << (aff0 % 16)
                | (mpidr >>> 8 & 0xFF) << 16
                | (long) intid << 24
                | (mpidr >>> 16 & 0xFF) << 32
                | (aff0 / 16) << 44
                | (mpidr >>> 32 & 0xFF) << 48;
    }

    int total() {
        return total;
    }

    int online() {
        return online;
    }

    /** A PSCI SMC64 call from the boot vCPU; X0 as the signed PSCI code. */
    private long psci(int fn, long a1, long a2, long a3) {
        long fid = (Psci.FN64 | fn) & 0xFFFF_FFFFL;
        return ctx.hv().smc(ctx.caller(), HvcArgs.of(fid, a1, a2, a3)).x0();
    }
}
