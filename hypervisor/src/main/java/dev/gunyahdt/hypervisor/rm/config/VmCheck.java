package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.dt.DeviceTree;
import java.util.ArrayList;
import java.util.List;

/**
 * The real RM's verdict on a sequence of VM devicetrees: each is created, in order, as the next secondary VM
 * (VMIDs 0x80, 0x81, …) owned by HLOS on the QEMU platform, and goes through VM_CONFIG_IMAGE's DT parse and
 * VM_INIT's checks ({@link VmDtParser}, {@link VmInit}). Accepted VMs stay, so later ones can name them as
 * peers; refused ones are hidden, as a VMM would reset them.
 */
public final class VmCheck {
    public static final int FIRST_VMID = 0x80;

    /** One file's verdict. {@code refusal} is null when accepted. */
    public record Verdict(String name, int vmid, RmCheckFailure refusal, List<String> built, List<String> warnings) {
        public Verdict {
            built = List.copyOf(built);
            warnings = List.copyOf(warnings);
        }

        public boolean accepted() {
            return refusal == null;
        }
    }

    private final RmVmTable table = new RmVmTable();
    private final boolean trusted;
    private int next = FIRST_VMID;

    /** @param trusted check as a platform that authenticates configs would ({@code trusted_config}) */
    public VmCheck(boolean trusted) {
        this.trusted = trusted;
    }

    /** Creates the next VM from {@code tree} and runs its VM_INIT. */
    public Verdict check(String name, DeviceTree tree) {
        int vmid = next++;
        RmVmConfig cfg;
        try {
            cfg = VmDtParser.parse(tree);
        } catch (RmCheckFailure f) {
            return new Verdict(name, vmid, f, List.of(), List.of());
        }
        List<String> warnings = new ArrayList<>(cfg.warnings());
        try {
            VmInit.Built built = VmInit.run(table, cfg, trusted, vmid);
            warnings.addAll(built.unresolvedPeers());
            List<String> lines = new ArrayList<>();
            lines.add("name=" + cfg.name() + (cfg.uri().isEmpty() ? "" : " uri=" + cfg.uri()));
            lines.addAll(built.lines());
            return new Verdict(name, vmid, null, lines, warnings);
        } catch (RmCheckFailure f) {
            return new Verdict(name, vmid, f, List.of(), warnings);
        }
    }
}
