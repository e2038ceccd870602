package dev.gunyahdt.partitioner.plan;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A loaded {@code vms.yaml} (DESIGN.md §4.1): the board file it partitions, the hypervisor's
 * carve-out and the VMs, each field with the position it was written at. Immutable.
 */
public record VmPlan(String board, Pos boardPos, Hypervisor hypervisor, List<Vm> vms, List<BoardMemory> boardMemory) {

    public VmPlan {
        vms = List.copyOf(vms);
        boardMemory = List.copyOf(boardMemory);
    }

    public VmPlan(String board, Pos boardPos, Hypervisor hypervisor, List<Vm> vms) {
        this(board, boardPos, hypervisor, vms, List.of());
    }

    /**
     * One range of {@code board-memory}: the RAM the board really has where its {@code .dts} leaves
     * the size to the bootloader (many qcom boards write {@code reg = <0 0x80000000 0 0>}). When the
     * plan has any, they replace the {@code reg} of the board's memory nodes.
     */
    public record BoardMemory(long base, long size, Pos pos) {}

    public Optional<Vm> vm(String name) {
        return vms.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /** The hypervisor's own memory: a size, and a base when the plan fixes one. */
    public record Hypervisor(long size, OptionalLong base, Pos pos) {}

    /** How a VM's vCPUs are scheduled: the RM's {@code affinity} values (gunyah-model.md §9.3). */
    public enum Scheduling {
        STATIC,
        PINNED,
        PROXY,
        STICKY;

        public String yaml() {
            return name().toLowerCase();
        }
    }

    /**
     * One VM. {@code owner} is empty for the primary and for a secondary that leaves it to default
     * to the primary. {@code memory.size} is 0 only when the plan gave none (the schema requires it).
     */
    public record Vm(
            String name,
            Pos pos,
            OptionalInt vmid,
            Pos vmidPos,
            boolean primary,
            Optional<String> owner,
            Pos ownerPos,
            Memory memory,
            int vcpus,
            Pos vcpusPos,
            Affinity affinity,
            Scheduling scheduling,
            Pos schedulingPos,
            List<DeviceRef> devices,
            boolean console,
            Optional<String> bootargs,
            List<VDevice> vdevices,
            Optional<String> program) {

        public Vm {
            devices = List.copyOf(devices);
            vdevices = List.copyOf(vdevices);
        }
    }

    /** A VM's memory: its size, and a physical base when the plan places it explicitly. */
    public record Memory(long size, OptionalLong base, Pos pos) {}

    /** {@code any}, or one physical CPU per vCPU. */
    public record Affinity(boolean any, List<CpuRef> cpus, Pos pos) {

        public Affinity {
            cpus = List.copyOf(cpus);
        }
    }

    /** A physical CPU named by its index in {@code /cpus} or by its MPIDR. */
    public record CpuRef(boolean byMpidr, long value, Pos pos) {

        @Override
        public String toString() {
            return byMpidr ? "mpidr 0x" + Long.toHexString(value) : "cpu " + value;
        }
    }

    /** A passed-through device as the plan names it: a label, an alias, or a path (starts with '/'). */
    public record DeviceRef(String ref, Pos pos) {}

    /** The vdevice kinds a plan can declare. */
    public enum VDeviceType {
        MESSAGE_QUEUE_PAIR("message-queue-pair"),
        MESSAGE_QUEUE("message-queue"),
        DOORBELL("doorbell"),
        SHM("shm"),
        /** The declaring VM drives a virtio-mmio device its owner (the primary, the RM's HLOS) serves. */
        VIRTIO_MMIO("virtio-mmio");

        private final String yaml;

        VDeviceType(String yaml) {
            this.yaml = yaml;
        }

        public String yaml() {
            return yaml;
        }

        /** Whether it has a memory region shared with the peer ({@code size}/{@code base}): shm, virtio-mmio's DMA pool. */
        public boolean sharesMemory() {
            return this == SHM || this == VIRTIO_MMIO;
        }

        public static Optional<VDeviceType> of(String yaml) {
            for (VDeviceType t : values()) {
                if (t.yaml.equals(yaml)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A vdevice between the VM that declares it and {@code peer}. For {@code message-queue} and
     * {@code doorbell} the declaring VM sends and the peer receives. {@code queueDepth} and
     * {@code messageSize} default to the RM's 8 and 240; {@code size}/{@code base} are for shm and for
     * virtio-mmio's DMA pool.
     */
    public record VDevice(
            VDeviceType type,
            Pos pos,
            String peer,
            Pos peerPos,
            long label,
            int queueDepth,
            Pos queueDepthPos,
            int messageSize,
            Pos messageSizePos,
            long size,
            OptionalLong base,
            Pos sizePos) {}
}
