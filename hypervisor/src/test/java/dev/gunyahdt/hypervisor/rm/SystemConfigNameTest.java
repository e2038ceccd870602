package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.config.VmConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 14: a VM name in system.dtb becomes file names under boot's output folder, so it must be one. */
class SystemConfigNameTest {

    private static SystemConfig read(String vmName) {
        String entry = "svm { vm-name = \"" + vmName
                + "\"; vmid = <45>; owner = \"hlos\"; memory-ranges = <0x0 0x80000000 0x0 0x100000>; };\n";
        byte[] blob =
                Configs.compile(Configs.system(Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L), entry));
        return SystemConfig.read("system.dtb", DtbReader.read(blob, "system.dtb"));
    }

    @Test
    void namesThatLeaveTheFolderAreRefused() {
        for (String bad : List.of("../escaped", "a/b", "..", ".hidden", "", "x".repeat(80), "tab\there")) {
            VmConfigException e = assertThrows(VmConfigException.class, () -> read(bad), bad);
            assertTrue(
                    e.getMessage().contains("vm-name") && e.getMessage().contains("is not a VM name"), e.getMessage());
        }
    }

    @Test
    void ordinaryNamesAreRead() {
        for (String ok : List.of("svm1", "net_0", "cam-2", "v1.2", "x".repeat(79))) {
            assertEquals(ok, read(ok).vms().get(1).name());
        }
    }
}
