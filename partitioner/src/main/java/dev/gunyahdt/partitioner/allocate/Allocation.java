package dev.gunyahdt.partitioner.allocate;

import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.plan.VmPlan;
import dev.gunyahdt.partitioner.plan.VmPlan.DeviceRef;
import dev.gunyahdt.partitioner.plan.VmPlan.VDevice;
import dev.gunyahdt.partitioner.plan.VmPlan.Vm;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the allocator gave each VM, before the rules have judged it. Something the allocator
 * could not do (no room, an unknown CPU or device) is left empty for a rule to report.
 */
public record Allocation(
        VmPlan plan, BoardView board, Optional<Range> hypervisor, List<VmAllocation> vms, List<SharedRegion> shared) {

    public Allocation {
        vms = List.copyOf(vms);
        shared = List.copyOf(shared);
    }

    public Optional<VmAllocation> vm(String name) {
        return vms.stream().filter(v -> v.vm().name().equals(name)).findFirst();
    }

    /**
     * One VM's share. {@code cpus} has one physical CPU index per vCPU (-1 when its CPU could not
     * be found or none was free), empty for a proxy-scheduled VM (the owner runs it).
     * {@code spis} are the SPI numbers (not INTIDs) of its passthrough devices.
     */
    public record VmAllocation(
            Vm vm,
            int vmid,
            Optional<Range> memory,
            List<Integer> cpus,
            List<PassedDevice> devices,
            SortedSet<Long> spis,
            List<Virq> virqs) {

        public VmAllocation {
            cpus = List.copyOf(cpus);
            devices = List.copyOf(devices);
            spis = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(spis));
            virqs = List.copyOf(virqs);
        }
    }

    /** A device a VM takes, as the plan named it; {@code device} is empty when the board has no such device. */
    public record PassedDevice(DeviceRef ref, Optional<Device> device) {}

    /** A VIRQ the RM will allocate in a VM's VIC (INTID 960 upwards), and what it is for. */
    public record Virq(int intid, String purpose) {}

    /** A {@code shm} vdevice's memory, shared between exactly {@code sharers}. */
    public record SharedRegion(String declaredBy, VDevice vdevice, Optional<Range> range, Set<String> sharers) {

        public SharedRegion {
            sharers = Set.copyOf(sharers);
        }
    }
}
