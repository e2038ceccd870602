package dev.gunyahdt.hypervisor.vpm;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vcpu.PowerGroup;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vic.MpidrMapping;
import dev.gunyahdt.hypervisor.virq.VirqSource;
import dev.gunyahdt.hypervisor.virq.VirqTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * A VPM group (§5.2): the vCPUs of one VM that PSCI manages together, by group index, plus the VIRQ that tells
 * the owner the VM suspended. Its operations follow [HYP] {@code hyp/vm/psci/src/psci_common.c}
 * ({@code vpm_group_configure}, {@code vpm_attach}, {@code psci_handle_object_activate_thread},
 * {@code psci_get_thread_by_mpidr}, {@code vpm_bind_virq}) and {@code hyp/vm/psci_pc/src/psci_pc.c}
 * ({@code vpm_get_state}); {@link VpmCalls} and {@link Psci} only decode, look up and encode.
 */
public final class VpmGroup extends KernelObject implements PowerGroup {
    /** vpm_group_option_flags: bit 0 no_aggregation; any other bit → UNIMPLEMENTED (the call checks). */
    static final long OPTION_NO_AGGREGATION = 1;
    /** vpm_state. */
    static final long STATE_RUNNING = 1;

    static final long STATE_CPUS_SUSPENDED = 2;

    private long options;
    /** [HYP] {@code psci_cpus[]}: a member takes its slot when it is activated. */
    private final Vcpu[] cpus;
    /** The system-suspend VIRQ ([HYP] {@code psci_system_suspend_virq}); nothing asserts it while SYSTEM_SUSPEND is unserved. */
    private final VirqSource suspendVirq = new VirqSource();

    VpmGroup(long serial, int maxCpus) {
        super(ObjectType.VPM_GROUP, serial);
        this.cpus = new Vcpu[maxCpus];
    }

    /** vpm_group_configure: INIT only. */
    HypError configure(long flags) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        options = flags;
        return HypError.OK;
    }

    /** vpm_bind_virq → vic_bind_shared. */
    HypError bind(VirqTarget target, int virq) {
        return suspendVirq.bind(target, virq);
    }

    /** vpm_unbind_virq (unbinding an unbound group is OK). */
    void unbind() {
        suspendVirq.unbind();
    }

    /**
     * vpm_get_state: RUNNING while any member is awake (powered on, not waiting for an interrupt — the model
     * counts WFI and CPU_SUSPEND alike), else CPUS_SUSPENDED (members start in the deepest state).
     */
    long vpmState() {
        for (Vcpu v : cpus) {
            if (v != null && v.poweredOn() && !v.waiting()) {
                return STATE_RUNNING;
            }
        }
        return STATE_CPUS_SUSPENDED;
    }

    /** PLATFORM_MAX_CORES: the physical CPUs, the length of {@code psci_cpus[]}. */
    int maxCores() {
        return cpus.length;
    }

    /** psci_get_thread_by_mpidr: the member whose virtual MPIDR has these Aff0..Aff3, or null. */
    Vcpu byMpidr(long mpidr) {
        long aff = mpidr & MpidrMapping.AFFINITY;
        for (Vcpu v : cpus) {
            if (v != null && (v.mpidr() & MpidrMapping.AFFINITY) == aff) {
                return v;
            }
        }
        return null;
    }

    /** The activated members, by index. */
    List<Vcpu> members() {
        List<Vcpu> out = new ArrayList<>();
        for (Vcpu v : cpus) {
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /** psci_handle_object_activate_thread: its index's slot must be free, else DENIED. */
    @Override
    public HypError activate(Vcpu vcpu, int index) {
        if (index < 0 || index >= cpus.length) {
            return HypError.OBJECT_CONFIG;
        }
        if (cpus[index] != null) {
            return HypError.DENIED;
        }
        cpus[index] = vcpu;
        return HypError.OK;
    }

    @Override
    public void leave(Vcpu vcpu) {
        for (int i = 0; i < cpus.length; i++) {
            if (cpus[i] == vcpu) {
                cpus[i] = null;
            }
        }
    }

    @Override
    public int online() {
        int n = 0;
        for (Vcpu v : cpus) {
            if (v != null && v.poweredOn()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean aggregates() {
        return (options & OPTION_NO_AGGREGATION) == 0;
    }

    @Override
    protected void onDestroy() {
        suspendVirq.unbind();
    }

    @Override
    protected String describeState() {
        StringBuilder sb =
                new StringBuilder(" options=").append(Long.toHexString(options)).append(" cpus=[");
        for (Vcpu v : cpus) {
            sb.append(v == null ? "-" : "#" + v.serial()).append(' ');
        }
        return sb.append("] virq=").append(suspendVirq).toString();
    }
}
