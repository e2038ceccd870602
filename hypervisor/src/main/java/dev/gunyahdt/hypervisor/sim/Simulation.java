package dev.gunyahdt.hypervisor.sim;

import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.guest.GuestContext;
import dev.gunyahdt.hypervisor.guest.GuestProgram;
import dev.gunyahdt.hypervisor.guest.GuestPrograms;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayStyle;
import dev.gunyahdt.hypervisor.guest.GuestReport;
import dev.gunyahdt.hypervisor.rm.GuestSeat;
import dev.gunyahdt.hypervisor.rm.Platform;
import dev.gunyahdt.hypervisor.rm.ResourceManager;
import dev.gunyahdt.hypervisor.rm.RmEvent;
import dev.gunyahdt.hypervisor.rm.RmFailure;
import dev.gunyahdt.hypervisor.rm.SystemConfig;
import dev.gunyahdt.hypervisor.rm.VcpuHost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole boot in virtual time (DESIGN.md §1 "boot"; reference §14): the hypervisor, the RM booting from
 * {@code system.dtb}, and each VM's guest program from the moment the RM powers its vCPU on. One seed (the
 * hypervisor's CapID scrambling) and a deterministic scheduler: the same inputs give the same run, event for
 * event. Each vCPU slice costs {@link #SLICE_NS} of virtual time.
 *
 * <p>The run ends when every guest has finished its program and a whole round passes with nothing happening,
 * or at {@link #LIMIT_NS} (then {@link Result#settled()} is false).
 */
public final class Simulation implements VcpuHost {
    /** FPRR's minimum timeslice (§5.1), used as the length of one slice. */
    public static final long SLICE_NS = 100_000;
    public static final long LIMIT_NS = 10_000_000_000L;

    /** What to boot: system.dtb, the vm/&lt;name&gt;.dtb beside it, each VM's program (default linux-probe). */
    public record Config(byte[] systemDtb, Map<String, byte[]> vmDtbs, Map<String, String> programs, long seed,
                         boolean plainCapIds, Platform platform, OverlayStyle overlayStyle) {
        public Config {
            vmDtbs = Map.copyOf(vmDtbs);
            programs = Map.copyOf(programs);
        }

        /** The RM's own overlay style. */
        public Config(byte[] systemDtb, Map<String, byte[]> vmDtbs, Map<String, String> programs, long seed,
                      boolean plainCapIds, Platform platform) {
            this(systemDtb, vmDtbs, programs, seed, plainCapIds, platform, OverlayStyle.RM);
        }

        public Config withOverlayStyle(OverlayStyle style) {
            return new Config(systemDtb, vmDtbs, programs, seed, plainCapIds, platform, style);
        }

        /** The QEMU platform, scrambled CapIDs. */
        public static Config of(byte[] systemDtb, Map<String, byte[]> vmDtbs, Map<String, String> programs, long seed) {
            return new Config(systemDtb, vmDtbs, programs, seed, false, Platform.QEMU);
        }
    }

    /** The run: events in time order, each guest's report, and the RM (null when it did not boot). */
    public record Result(List<RmEvent> events, Map<String, GuestReport> guests, ResourceManager rm,
                         Optional<String> bootFailure, boolean settled, long endTime) {
    }

    private final Hypervisor hv;
    private final Scheduler scheduler = new RoundRobin();
    private final Config config;
    private final SystemConfig system;
    private final List<RmEvent> guestEvents = new ArrayList<>();
    private final Map<String, GuestVcpu> guests = new LinkedHashMap<>();
    private final Map<Integer, GuestVcpu> byVmid = new LinkedHashMap<>();
    private ResourceManager rm;
    private long now;

    private Simulation(Config config, SystemConfig system) {
        this.config = config;
        this.system = system;
        this.hv = new Hypervisor(config.seed());
        if (config.plainCapIds()) {
            hv.plainCapIds();
        }
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
        try {
            rm = ResourceManager.boot(hv, system, config.platform(), config.vmDtbs().get(primary.name()), this, () -> now,
                    config.overlayStyle());
        } catch (RmFailure | DtException e) {
            return new Result(List.of(new RmEvent(now, primary.name(), RmEvent.Kind.FAILURE, e.getMessage())),
                    Map.of(), null, Optional.of(primary.name() + ": " + e.getMessage()), true, now);
        }
        scheduler.add(new RmVcpu());
        // the RM's vCPU may be re-added nowhere else; guests join through powerOn
        boolean quietRound = false;
        while (now < LIMIT_NS) {
            boolean progress = false;
            for (Vcpu v : scheduler.round()) {
                progress |= v.run(now);
                now += SLICE_NS;
            }
            boolean allSettled = scheduler.round().stream().allMatch(Vcpu::settled);
            if (!progress && allSettled) {
                if (quietRound) {
                    break;
                }
                quietRound = true;
            } else {
                quietRound = false;
            }
        }
        List<RmEvent> events = new ArrayList<>(rm.events());
        events.addAll(guestEvents);
        events.sort(Comparator.comparingLong(RmEvent::time)); // stable: RM lines first within a slice
        Map<String, GuestReport> reports = new LinkedHashMap<>();
        guests.forEach((n, g) -> reports.put(n, g.program.report()));
        return new Result(events, reports, rm, Optional.empty(), now < LIMIT_NS, now);
    }

    private final class RmVcpu implements Vcpu {
        @Override
        public String name() {
            return "rm";
        }

        @Override
        public boolean run(long t) {
            return rm.step();
        }

        @Override
        public boolean settled() {
            return true;
        }
    }

    private final class GuestVcpu implements Vcpu {
        final GuestSeat seat;
        final GuestProgram program;
        final GuestContext ctx;
        boolean started;

        GuestVcpu(GuestSeat seat, GuestProgram program, List<GuestContext.Launch> launches) {
            this.seat = seat;
            this.program = program;
            this.ctx = new GuestContext(hv, seat, launches,
                    text -> guestEvents.add(new RmEvent(now, seat.name(), RmEvent.Kind.NOTE, text)));
        }

        @Override
        public String name() {
            return seat.name();
        }

        @Override
        public boolean run(long t) {
            if (!started) {
                started = true;
                program.start(ctx);
                return true;
            }
            return program.step(ctx);
        }

        @Override
        public boolean settled() {
            return started && program.done();
        }
    }

    // ---- VcpuHost: where the RM's vcpu_poweron / kill land --------------------------------------------

    @Override
    public void powerOn(GuestSeat seat) {
        String p = config.programs().getOrDefault(seat.name(), GuestPrograms.DEFAULT);
        GuestProgram program = GuestPrograms.create(p).orElseThrow();
        List<GuestContext.Launch> launches = new ArrayList<>();
        if (seat.primary()) {
            for (SystemConfig.VmEntry e : system.vms()) {
                if (!e.primary() && e.owner().map(o -> o.equals(seat.name())).orElse(true)) {
                    launches.add(new GuestContext.Launch(e.name(), e.vmid(), config.vmDtbs().get(e.name())));
                }
            }
        }
        GuestVcpu v = new GuestVcpu(seat, program, launches);
        GuestVcpu old = byVmid.put(seat.vmid(), v);
        if (old != null) {
            scheduler.remove(old);
        }
        guests.put(seat.name(), v);
        scheduler.add(v);
    }

    @Override
    public void powerOff(int vmid) {
        GuestVcpu v = byVmid.remove(vmid);
        if (v != null) {
            scheduler.remove(v);
        }
    }
}
