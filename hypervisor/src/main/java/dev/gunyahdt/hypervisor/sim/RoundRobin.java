package dev.gunyahdt.hypervisor.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Every vCPU once per round, in the order they were powered on (the RM first). A stand-in for FPRR with all
 * vCPUs at one priority on one CPU; it will give way to the hypervisor's scheduler when vCPUs are modelled.
 */
public final class RoundRobin implements Scheduler {
    private final List<Vcpu> vcpus = new ArrayList<>();

    @Override
    public void add(Vcpu v) {
        vcpus.add(v);
    }

    @Override
    public void remove(Vcpu v) {
        vcpus.remove(v);
    }

    @Override
    public List<Vcpu> round() {
        return List.copyOf(vcpus);
    }
}
