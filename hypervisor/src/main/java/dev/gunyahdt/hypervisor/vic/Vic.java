package dev.gunyahdt.hypervisor.vic;

import dev.gunyahdt.hypervisor.hypercall.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.virq.VirqEvent;
import dev.gunyahdt.hypervisor.virq.VirqTarget;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * A placeholder virtual interrupt controller: enough of a VIC object to be configured, to own SPIs that
 * sources bind to (§3.5, §6.1), and to record every assertion as a {@link VirqEvent}. It does not deliver
 * anything to vCPUs: the vGIC (priorities, edge/level configuration, acknowledge) is not built yet.
 */
public final class Vic extends KernelObject implements VirqTarget {
    /** PLATFORM_MAX_CORES on the QEMU reference build (§6.2). */
    public static final int MAX_VCPUS = 8;
    /** SPIs 32..1019 (§6.1). */
    public static final int MAX_VIRQS = 988;
    static final int SPI_BASE = 32;

    private int maxVcpus;
    private int maxVirqs;
    private long options;
    private final TreeSet<Integer> claimed = new TreeSet<>();
    private final TreeSet<Integer> pending = new TreeSet<>();
    private final List<VirqEvent> events = new ArrayList<>();

    public Vic(long serial) {
        super(ObjectType.VIC, serial);
    }

    void configure(int vcpus, int virqs, long opts) {
        maxVcpus = vcpus;
        maxVirqs = virqs;
        options = opts;
    }

    /** A shared source must use an SPI below the configured count (§6.1). */
    @Override
    public HypError claim(int virq) {
        if (virq < SPI_BASE || virq - SPI_BASE >= maxVirqs) {
            return HypError.ARGUMENT_INVALID;
        }
        return claimed.add(virq) ? HypError.OK : HypError.BUSY;
    }

    @Override
    public void release(int virq) {
        claimed.remove(virq);
    }

    @Override
    public void assertVirq(int virq, boolean edgeOnly) {
        events.add(new VirqEvent(virq, edgeOnly ? VirqEvent.Kind.ASSERT_EDGE_ONLY : VirqEvent.Kind.ASSERT));
        if (!edgeOnly) {
            pending.add(virq);
        }
    }

    @Override
    public void clearVirq(int virq) {
        events.add(new VirqEvent(virq, VirqEvent.Kind.CLEAR));
        pending.remove(virq);
    }

    /** Every assertion and clear so far, oldest first. */
    public List<VirqEvent> events() {
        return Collections.unmodifiableList(events);
    }

    /** Whether a level assertion of {@code virq} is outstanding. */
    public boolean isPending(int virq) {
        return pending.contains(virq);
    }

    @Override
    protected String describeState() {
        return " vcpus=" + maxVcpus + " virqs=" + maxVirqs + " opts=" + options + " claimed=" + claimed
                + " pending=" + pending + " events=" + events;
    }
}
