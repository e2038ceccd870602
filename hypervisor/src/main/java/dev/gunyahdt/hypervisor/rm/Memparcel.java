package dev.gunyahdt.hypervisor.rm;

import java.util.List;

/**
 * A memparcel (reference §7.2) as the RM holds it now: memory a VM lends, shares or donates to others, and which
 * of them accepted (mapped) it. A snapshot: the RM's {@link Memparcels} keeps the live state.
 *
 * @param transaction 0 DONATE, 1 LEND, 2 SHARE
 * @param memType     0 normal memory, 1 IO (device memory)
 * @param acl         {vmid, rights} pairs (rights R 4, RX 5, RW 6, RWX 7)
 * @param sgl         {IPA, size} in the owner's IPA space, page aligned, one per region
 * @param accepted    the VMIDs of the ACL that accepted it
 */
public record Memparcel(
        int handle,
        int owner,
        int transaction,
        int memType,
        long label,
        List<int[]> acl,
        List<long[]> sgl,
        List<Integer> accepted) {
    public Memparcel {
        acl = List.copyOf(acl);
        sgl = List.copyOf(sgl);
        accepted = List.copyOf(accepted);
    }

    public long size() {
        return sgl.stream().mapToLong(e -> e[1]).sum();
    }

    public boolean grants(int vmid) {
        return acl.stream().anyMatch(e -> e[0] == vmid);
    }
}
