package dev.gunyahdt.hypervisor.sim;

import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.cspace.CapIdNumbering;
import dev.gunyahdt.hypervisor.guest.GuestContext;
import dev.gunyahdt.hypervisor.guest.GuestProgram;
import dev.gunyahdt.hypervisor.guest.GuestPrograms;
import dev.gunyahdt.hypervisor.guest.GuestReport;
import dev.gunyahdt.hypervisor.rm.GuestSeat;
import dev.gunyahdt.hypervisor.rm.Platform;
import dev.gunyahdt.hypervisor.rm.ResourceManager;
import dev.gunyahdt.hypervisor.rm.RmEvent;
import dev.gunyahdt.hypervisor.rm.RmFailure;
import dev.gunyahdt.hypervisor.rm.SystemConfig;
import dev.gunyahdt.hypervisor.rm.VcpuHost;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayStyle;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole boot in virtual time (DESIGN.md §1 "boot"; reference §14): the hypervisor, the RM booting from
 * {@code system.dtb}, and each VM's guest program on its boot vCPU from the moment the RM powers it on. The
 * hypervisor's own FPRR scheduler decides who runs: each round, every physical CPU runs one step of the vCPU
 * {@code hv.scheduler()} picks, then {@link #SLICE_NS} of virtual time pass. vCPUs waiting for an interrupt
 * (WFI) are not picked; proxy-scheduled ones run only inside their owner's {@code vcpu_run}. One seed (CapID
 * scrambling) and no other source of choice: the same inputs give the same run, event for event.
 *
 * <p>The run ends when a round finds every CPU idle (every vCPU waits for an interrupt that nothing can raise
 * any more: there are no timers), or at {@link #LIMIT_NS} (then {@link Result#settled()} is false).
 */
public final class Simulation implements VcpuHost {
    /** FPRR's minimum timeslice (§5.1), used as the length of one round. */
    public static final long SLICE_NS = 100_000;

    public static final long LIMIT_NS = 10_000_000_000L;

    /** What to boot: system.dtb, the vm/&lt;name&gt;.dtb beside it, each VM's program (default linux-probe). */
    public record Config(
            byte[] systemDtb,
            Map<String, byte[]> vmDtbs,
            Map<String, String> programs,
            long seed,
            CapIdNumbering capIds,
            Platform platform,
            OverlayStyle overlayStyle) {
        public Config {
            vmDtbs = Map.copyOf(vmDtbs);
            programs = Map.copyOf(programs);
        }

        /** The RM's own overlay style. */
        public Config(
                byte[] systemDtb,
                Map<String, byte[]> vmDtbs,
                Map<String, String> programs,
                long seed,
                CapIdNumbering capIds,
                Platform platform) {
            this(systemDtb, vmDtbs, programs, seed, capIds, platform, OverlayStyle.RM);
        }

        public Config withOverlayStyle(OverlayStyle style) {
            return new Config(systemDtb, vmDtbs, programs, seed, capIds, platform, style);
        }

        public Config withCapIds(CapIdNumbering numbering) {
            return new Config(systemDtb, vmDtbs, programs, seed, numbering, platform, overlayStyle);
        }

        /** The QEMU platform, scrambled CapIDs. */
        public static Config of(byte[] systemDtb, Map<String, byte[]> vmDtbs, Map<String, String> programs, long seed) {
            return new Config(systemDtb, vmDtbs, programs, seed, CapIdNumbering.SCRAMBLED, Platform.QEMU);
        }
    }

    /** The run: events in time order, each guest's report, and the RM (null when it did not boot). */
    public record Result(
            List<RmEvent> events,
            Map<String, GuestReport> guests,
            ResourceManager rm,
            Optional<String> bootFailure,
            boolean settled,
            long endTime) {}

    private final Hypervisor hv;
    private final Config config;
    private final SystemConfig system;
    private final List<RmEvent> guestEvents = new ArrayList<>();
    private final Map<String, GuestProgram> guests = new LinkedHashMap<>();
    private ResourceManager rm;

    private Simulation(Config config, SystemConfig system) {
        this.config = config;
        this.system = system;
        this.hv = new Hypervisor(config.seed());
        hv.capIds(config.capIds());
    }

    /**
     * Boots and runs to the end.
     *
     * @throws DtException when system.dtb is malformed, or a VM's program is unknown (named)
     */
    public static Result run(Config config) {
        SystemConfig system = SystemConfig.read("system.dtb", DtbReader.read(config.systemDtb(), "system.dtb"));
        for (SystemConfig.VmEntry e : system.vms()) {
            String p = config.programs().getOrDefault(e.name(), GuestPrograms.DEFAULT);
            if (GuestPrograms.create(p).isEmpty()) {
                throw new DtException("VM " + e.name() + ": unknown guest program '" + p + "' (known: "
                        + String.join(", ", GuestPrograms.NAMES) + ")");
            }
            if (!config.vmDtbs().containsKey(e.name())) {
                throw new DtException("VM " + e.name() + ": no vm/" + e.name() + ".dtb beside system.dtb");
            }
        }
        return new Simulation(config, system).go();
    }

    private Result go() {
        SystemConfig.VmEntry primary = system.primary().orElseThrow();
        Scheduler scheduler = hv.scheduler();
        try {
            for (SystemConfig.Range r : system.ram()) {
                hv.addRam(r.base(), r.size()); // the board's RAM beyond the QEMU DDR, as its boot environment says
            }
            List<dev.gunyahdt.dt.DeviceTree> trees = new ArrayList<>();
            for (SystemConfig.VmEntry e : system.vms()) {
                trees.add(DtbReader.read(config.vmDtbs().get(e.name()), "vm/" + e.name() + ".dtb"));
            }
            BoardDevices.attach(hv, DtbReader.read(config.systemDtb(), "system.dtb"), trees);
            rm = ResourceManager.boot(
                    hv,
                    system,
                    config.platform(),
                    config.vmDtbs().get(primary.name()),
                    this,
                    scheduler::now,
                    config.overlayStyle());
        } catch (RmFailure | DtException | IllegalArgumentException e) {
            return new Result(
                    List.of(new RmEvent(scheduler.now(), primary.name(), RmEvent.Kind.FAILURE, e.getMessage())),
                    Map.of(),
                    null,
                    Optional.of(primary.name() + ": " + e.getMessage()),
                    true,
                    scheduler.now());
        }
        while (scheduler.now() < LIMIT_NS && scheduler.runRound(SLICE_NS) > 0) {
            // every CPU runs its vCPU's next step; virtual time passes
        }
        long end = scheduler.now();
        List<RmEvent> events = new ArrayList<>(rm.events());
        events.addAll(guestEvents);
        events.sort(Comparator.comparingLong(RmEvent::time)); // stable: RM lines first within a round
        Map<String, GuestReport> reports = new LinkedHashMap<>();
        guests.forEach((n, g) -> reports.put(n, g.report()));
        return new Result(events, reports, rm, Optional.empty(), end < LIMIT_NS, end);
    }

    // ---- VcpuHost: where the RM's vcpu_poweron / kill land --------------------------------------------

    /** The RM is about to power on a VM's boot vCPU: its image is the VM's guest program. */
    @Override
    public void powerOn(GuestSeat seat) {
        String p = config.programs().getOrDefault(seat.name(), GuestPrograms.DEFAULT);
        GuestProgram program = GuestPrograms.create(p).orElseThrow();
        List<GuestContext.Launch> launches = new ArrayList<>();
        if (seat.primary()) {
            for (SystemConfig.VmEntry e : system.vms()) {
                if (!e.primary() && e.owner().map(o -> o.equals(seat.name())).orElse(true)) {
                    List<long[]> shm = system.shared().stream()
                            .filter(r -> r.sharers().contains(seat.name())
                                    && r.sharers().contains(e.name()))
                            .map(r -> new long[] {r.label(), r.base(), r.size()})
                            .toList();
                    launches.add(new GuestContext.Launch(
                            e.name(), e.vmid(), config.vmDtbs().get(e.name()), e.memoryBase(), e.memorySize(), shm));
                }
            }
        }
        GuestContext ctx = new GuestContext(
                hv,
                seat.vcpu(),
                launches,
                text -> guestEvents.add(new RmEvent(hv.scheduler().now(), seat.name(), RmEvent.Kind.NOTE, text)));
        boolean[] started = {false};
        seat.vcpu().program(self -> {
            if (!started[0]) {
                started[0] = true;
                program.start(ctx);
            }
            program.step(ctx);
        });
        for (Vcpu secondary : seat.secondaries()) {
            secondary.program(self -> program.secondaryStep(ctx, self));
        }
        guests.put(seat.name(), program);
    }

    /** The RM killed the VM's vCPUs: they are never scheduled again; the program's report stays. */
    @Override
    public void powerOff(int vmid) {}
}
