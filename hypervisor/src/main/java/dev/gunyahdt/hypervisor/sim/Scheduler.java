package dev.gunyahdt.hypervisor.sim;

import java.util.List;

/** Decides which vCPU runs next. Deterministic by contract: the same calls give the same order. */
public interface Scheduler {
    void add(Vcpu v);

    void remove(Vcpu v);

    /** The vCPUs of one round, in the order they run. */
    List<Vcpu> round();
}
