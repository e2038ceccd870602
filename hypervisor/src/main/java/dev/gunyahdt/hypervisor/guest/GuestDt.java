package dev.gunyahdt.hypervisor.guest;

import java.util.List;
import java.util.Optional;

/**
 * What a Linux guest's devicetree says about Gunyah, read once ({@link GuestDtReader}): the VM node's identity,
 * the RM link, the vdevices under {@code /hypervisor}, the memory nodes, and the VIRQ lines to configure.
 * Immutable; the probe keeps its progress beside it.
 *
 * @param imageName {@code qcom,image-name} of {@code qcom,gunyah-vm}, when there is one
 * @param vmid      {@code qcom,vmid}; 0 without a VM node (the dt-schema overlay style: ask the RM)
 * @param rm        the RM link; empty when the DT has none usable ({@code problems} says why)
 * @param memory    every {@code device_type = "memory"} range
 * @param reserved  every {@code /reserved-memory} child's {@code reg} range
 * @param problems  what the reading found wrong, in DT order
 */
record GuestDt(
        Optional<String> imageName,
        int vmid,
        Optional<RmLink> rm,
        List<Queue> queues,
        List<Doorbell> doorbells,
        List<Range> memory,
        List<Range> reserved,
        List<SharedMemory> shms,
        List<Line> lines,
        List<String> problems) {

    GuestDt {
        queues = List.copyOf(queues);
        doorbells = List.copyOf(doorbells);
        memory = List.copyOf(memory);
        reserved = List.copyOf(reserved);
        shms = List.copyOf(shms);
        lines = List.copyOf(lines);
        problems = List.copyOf(problems);
    }

    /** Whether the DT lists vdevices; if not (the primary, §10.5; the dt-schema style) the RM's answers are them. */
    boolean listsVdevices() {
        return !queues.isEmpty() || !doorbells.isEmpty();
    }

    /** The RM node: {@code reg = <TX RX>} CapIDs, {@code interrupts} = the TX and RX VIRQs (-1 when not two). */
    record RmLink(String path, long txCap, long rxCap, int txVirq, int rxVirq) {}

    /**
     * A message-queue pair, or one direction of a one-way queue: the caps and VIRQs of this VM's side (CapIDs
     * are any 64-bit value), from the DT or from a VM_GET_HYP_RESOURCES answer; {@code peer} the other side's VMID
     * ({@code qcom,peer-vmid}, the entry's partner), -1 when not given.
     */
    record Queue(
            String path,
            long label,
            long peer,
            boolean hasTx,
            long tx,
            int txVirq,
            boolean hasRx,
            long rx,
            int rxVirq) {}

    /** A doorbell: the source side rings it, the other takes it (its VIRQ 0 when it has none). */
    record Doorbell(String path, long label, boolean source, long cap, int virq) {}

    /** A {@code device_type = "memory"} range. */
    record Range(long base, long size) {
        boolean covers(long at, long length) {
            return base <= at && at + length <= base + size;
        }
    }

    /**
     * A shared region ({@code /reserved-memory} child with {@code qcom,shared-memory}): its range and the VMIDs
     * of its {@code peers}; {@code problem} is what is wrong with it (null when nothing).
     */
    record SharedMemory(String path, long ipa, long size, List<Long> peers, String problem) {
        SharedMemory {
            peers = List.copyOf(peers);
        }

        /** Where a sharer writes its greeting: the lower VMID at the start, the higher one {@link #SLOT} in. */
        static long slot(long ipa, long writerVmid, long otherVmid) {
            return writerVmid < otherVmid ? ipa : ipa + SLOT;
        }

        /** The second writer's offset: within the first page, so a one-page region holds both. */
        static final long SLOT = 0x800;
    }

    /** A VIRQ of a 3-cell specifier the guest configures in its vGIC: edge (flags 1) or level (§6.4). */
    record Line(int intid, boolean edge) {}
}
