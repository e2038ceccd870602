package dev.gunyahdt.hypervisor.rm;

import java.util.List;

/**
 * A memparcel (reference §7.2): memory a VM lends, shares or donates to others through the RM. The model keeps
 * the descriptor and checks it; it does not remap memory (no stage-2 model yet), so a LEND does not take the
 * owner's access away.
 *
 * @param transaction 0 DONATE, 1 LEND, 2 SHARE
 * @param acl         {vmid, rights} pairs (rights R 4, RX 5, RW 6, RWX 7)
 * @param sgl         {IPA, size} in the owner's IPA space, page aligned
 */
public record Memparcel(
        int handle, int owner, int transaction, int memType, long label, List<int[]> acl, List<long[]> sgl) {
    public Memparcel {
        acl = List.copyOf(acl);
        sgl = List.copyOf(sgl);
    }

    public long size() {
        return sgl.stream().mapToLong(e -> e[1]).sum();
    }

    public boolean grants(int vmid) {
        return acl.stream().anyMatch(e -> e[0] == vmid);
    }
}
