package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.hypervisor.guest.GuestReport;
import dev.gunyahdt.hypervisor.rm.RmEvent;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The boot log's closing lines say FAILED for a guest with a failed check or one that did not finish. */
class BootReportLinesTest {

    private static GuestReport report(String vm, boolean done, List<String> problems) {
        return new GuestReport(vm, "linux-probe", done, true, true, 1, 1, 0, 0, problems, List.of(), 0, 0, 1, 1);
    }

    @Test
    void aGuestWithAFailedCheckOrUnfinishedIsFailed() {
        Map<String, GuestReport> guests = new LinkedHashMap<>();
        guests.put("svm1", report("svm1", true, List.of("/q: message 1 fails its check: checksum mismatch")));
        guests.put("svm2", report("vmid 0x81", false, List.of()));
        guests.put("svm3", report("svm3", true, List.of()));
        String log = BootCommand.render(new Simulation.Result(
                List.of(new RmEvent(1000, "svm1", RmEvent.Kind.NOTE, "FAILED: /q: message 1 fails its check")),
                guests,
                null,
                Optional.empty(),
                true,
                2000));
        assertEquals(
                List.of(
                        "[    0.000001] svm1: FAILED: /q: message 1 fails its check",
                        "svm1 (linux-probe): console open, hyp resources match, 1/1 queue pairs, 0/0 doorbells, FAILED: 1"
                                + " check(s) failed",
                        "svm2 (linux-probe): console open, hyp resources match, 1/1 queue pairs, 0/0 doorbells, FAILED: did"
                                + " not finish its program",
                        "svm3 (linux-probe): console open, hyp resources match, 1/1 queue pairs, 0/0 doorbells, OK"),
                log.lines().toList());
    }
}
