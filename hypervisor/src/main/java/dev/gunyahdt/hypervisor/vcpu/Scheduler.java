package dev.gunyahdt.hypervisor.vcpu;

import java.util.ArrayDeque;

/**
 * The FPRR scheduler (§5.1) in virtual time: per physical CPU, one FIFO run queue per priority 0..63; the
 * highest-priority ready vCPU runs; equal priorities rotate when a timeslice runs out. No threads, no clock:
 * a simulation loop drives it.
 *
 * <pre>
 *   Vcpu v = sched.next(cpu);   // who runs on cpu now (null: idle)
 *   ...run one step of v...     // or let runRound do both
 *   sched.tick(ns);             // virtual time passes; expired timeslices rotate
 * </pre>
 *
 * Blocking and waking are state changes of the vCPU (power, WFI, kill, affinity, proxy binding); each one
 * calls {@link #update}, which puts the vCPU on or takes it off its queue. Model choices, the reference being
 * silent: a vCPU preempted by a higher priority goes back to the head of its queue with what is left of its
 * timeslice; a yield sends it to the tail with a fresh one; a vCPU without affinity (CPU_INDEX_INVALID) is
 * not runnable unless proxy-scheduled (then it runs in its owner's {@code vcpu_run}).
 */
public final class Scheduler {
    public static final int CPU_INDEX_INVALID = 0xFFFF;
    static final int PRIORITIES = 64;
    static final int DEFAULT_PRIORITY = 32;
    /** VCPU_MAX_PRIORITY: higher → DENIED (§0). */
    static final int MAX_VCPU_PRIORITY = 62;
    /** Code: 100 µs minimum (the doc says 1 ms, §0), 5 ms default, 100 ms maximum. */
    public static final long TIMESLICE_MIN = 100_000;
    public static final long TIMESLICE_DEFAULT = 5_000_000;
    static final long TIMESLICE_MAX = 100_000_000;

    private final int cpus;
    private final ArrayDeque<Vcpu>[][] ready;
    private final Vcpu[] current;
    private long now;

    @SuppressWarnings("unchecked")
    public Scheduler(int cpus) {
        this.cpus = cpus;
        this.ready = new ArrayDeque[cpus][PRIORITIES];
        for (int c = 0; c < cpus; c++) {
            for (int p = 0; p < PRIORITIES; p++) {
                ready[c][p] = new ArrayDeque<>();
            }
        }
        this.current = new Vcpu[cpus];
    }

    /** Physical CPUs (8 on the QEMU build). */
    public int cpus() {
        return cpus;
    }

    /** Virtual time in nanoseconds since boot. */
    public long now() {
        return now;
    }

    /** The vCPU chosen on {@code cpu} by the last {@link #next}, if still runnable; else null. */
    public Vcpu current(int cpu) {
        return current[cpu];
    }

    /**
     * Who runs on {@code cpu} now: the current vCPU unless a higher-priority one is ready (then the current
     * one goes back to the head of its queue); if none is current, the head of the highest non-empty queue.
     * Null when the CPU is idle.
     */
    public Vcpu next(int cpu) {
        int best = highestReady(cpu);
        Vcpu cur = current[cpu];
        if (cur != null && (best < 0 || best <= cur.priority())) {
            return cur;
        }
        if (best < 0) {
            return null;
        }
        if (cur != null) {
            ready[cpu][cur.priority()].addFirst(cur);
            mark(cur, cpu, cur.priority());
        }
        Vcpu v = ready[cpu][best].pollFirst();
        mark(v, -1, -1);
        if (v.sliceLeft <= 0) {
            v.sliceLeft = v.timeslice();
        }
        current[cpu] = v;
        return v;
    }

    /** {@code ns} of virtual time pass: each CPU's current vCPU uses them; one whose timeslice ran out goes to the tail. */
    public void tick(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("time does not run backwards: " + ns);
        }
        now += ns;
        for (int c = 0; c < cpus; c++) {
            Vcpu v = current[c];
            if (v != null) {
                v.sliceLeft -= ns;
                if (v.sliceLeft <= 0) {
                    v.sliceLeft = v.timeslice();
                    current[c] = null;
                    enqueueTail(v, c);
                }
            }
        }
    }

    /**
     * One round of the simulation: on every CPU in order, the vCPU {@link #next} chooses runs one step of its
     * program; then {@code quantum} ns pass. Returns how many vCPUs ran (0: every CPU idle).
     */
    public int runRound(long quantum) {
        int ran = 0;
        for (int c = 0; c < cpus; c++) {
            Vcpu v = next(c);
            if (v != null) {
                ran++;
                if (v.program() != null) {
                    v.program().step(v);
                }
            }
        }
        tick(quantum);
        return ran;
    }

    /** scheduler_yield: the vCPU goes to the tail of its queue with a fresh timeslice. */
    void yield(Vcpu v) {
        if (v.queuedCpu < 0 && isCurrent(v) >= 0) {
            int c = isCurrent(v);
            current[c] = null;
            v.sliceLeft = v.timeslice();
            enqueueTail(v, c);
        }
    }

    /** Directed yield: {@code from} yields and {@code to}, if it is ready, moves to the head of its queue. */
    void yieldTo(Vcpu from, Vcpu to) {
        this.yield(from);
        if (to.queuedCpu >= 0) {
            ready[to.queuedCpu][to.queuedPriority].remove(to);
            ready[to.queuedCpu][to.queuedPriority].addFirst(to);
        }
    }

    /** Re-evaluates where {@code v} belongs after any change of its state, priority or affinity. */
    void update(Vcpu v) {
        int cur = isCurrent(v);
        if (!v.runnable()) {
            remove(v);
            return;
        }
        if (cur >= 0 && cur == v.affinity()) {
            return;
        }
        if (v.queuedCpu == v.affinity() && v.queuedPriority == v.priority()) {
            return;
        }
        remove(v);
        enqueueTail(v, v.affinity());
    }

    /** Takes {@code v} off every queue and CPU. */
    void remove(Vcpu v) {
        int cur = isCurrent(v);
        if (cur >= 0) {
            current[cur] = null;
        }
        if (v.queuedCpu >= 0) {
            ready[v.queuedCpu][v.queuedPriority].remove(v);
            mark(v, -1, -1);
        }
    }

    private void enqueueTail(Vcpu v, int cpu) {
        ready[cpu][v.priority()].addLast(v);
        mark(v, cpu, v.priority());
    }

    private static void mark(Vcpu v, int cpu, int prio) {
        v.queuedCpu = cpu;
        v.queuedPriority = prio;
    }

    private int isCurrent(Vcpu v) {
        for (int c = 0; c < cpus; c++) {
            if (current[c] == v) {
                return c;
            }
        }
        return -1;
    }

    private int highestReady(int cpu) {
        for (int p = PRIORITIES - 1; p >= 0; p--) {
            if (!ready[cpu][p].isEmpty()) {
                return p;
            }
        }
        return -1;
    }

    /** One line: virtual time, each CPU's current vCPU and its non-empty queues. */
    public String snapshot() {
        StringBuilder sb = new StringBuilder("scheduler now=").append(now);
        for (int c = 0; c < cpus; c++) {
            sb.append(" cpu").append(c).append('=').append(current[c]);
            for (int p = PRIORITIES - 1; p >= 0; p--) {
                if (!ready[c][p].isEmpty()) {
                    sb.append(" p").append(p).append(ready[c][p]);
                }
            }
        }
        return sb.toString();
    }
}
