package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.guest.GuestReport;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A primary with a PL011 passed through (MMIO 0x9000000, SPI 1 = INTID 33): the RM maps its iomemory-ranges as
 * device memory and binds its gic-irq-ranges' hwirqs (vm_config.c handle_iomem_ranges, irq_manager.c
 * irq_manager_vm_hwirq_map_internal), and refuses what the real RM refuses.
 */
class RmPassthroughTest {
    static final String UART = "uart: pl011@9000000 { compatible = \"arm,pl011\", \"arm,primecell\";"
            + " reg = <0x0 0x9000000 0x0 0x1000>; interrupts = <0 1 4>; };";
    static final String RANGE = "iomemory-ranges = <0x0 0x9000000 0x0 0x9000000 0x0 0x1000 0x0>;";
    static final String IRQS = "gic-irq-ranges = <33 33>;";
    static final String MMIO = "passthrough-mmio = <0x0 0x9000000 0x0 0x1000>;";

    /** A primary-only boot whose config carries {@code passthrough}; {@code mmio}: system.dtb's device memory. */
    static Simulation.Result boot(String passthrough, String mmio) {
        String dts = Configs.vm(
                        "hlos",
                        0x40000000L,
                        0x40000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        "",
                        UART)
                .replace("image-name = \"hlos\";", "image-name = \"hlos\"; " + passthrough);
        String entry =
                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L).replace("primary;", "primary; " + mmio);
        return Simulation.run(Simulation.Config.of(
                Configs.compile(Configs.system(entry)), Map.of("hlos", Configs.compile(dts)), Map.of(), 3));
    }

    static List<String> notes(Simulation.Result r) {
        return r.events().stream()
                .filter(e -> e.kind() == RmEvent.Kind.NOTE && e.vm().equals("hlos"))
                .map(RmEvent::text)
                .toList();
    }

    @Test
    void theGuestReadsItsUartThroughItsMappingAndTakesItsSpi() {
        Simulation.Result r = boot(RANGE + IRQS, MMIO);
        assertEquals(java.util.Optional.empty(), r.bootFailure());
        GuestReport g = r.guests().get("hlos");
        assertTrue(g.ok(), g.problems().toString());
        List<String> notes = notes(r);
        assertTrue(
                notes.contains("/pl011@9000000: MMIO read at 0x9000fe0 through my mapping: PrimeCell ID 0xb105f00d,"
                        + " part 0x11 (PL011)"),
                notes.toString());
        assertTrue(
                notes.contains("/pl011@9000000: SPI 33 taken (UARTMIS 0x20, transmit done), cleared"),
                notes.toString());
    }

    @Test
    void withoutTheIrqRangeTheUartIsReadButItsSpiNeverComes() {
        Simulation.Result r = boot(RANGE, MMIO);
        List<String> notes = notes(r);
        assertTrue(notes.stream().anyMatch(n -> n.contains("MMIO read at 0x9000fe0")), notes.toString());
        assertTrue(notes.stream().noneMatch(n -> n.contains("SPI 33 taken")), notes.toString());
        assertTrue(!r.guests().get("hlos").done());
    }

    @Test
    void withoutTheIomemRangeTheUartIsNotReachable() {
        Simulation.Result r = boot(IRQS, MMIO);
        GuestReport g = r.guests().get("hlos");
        assertEquals(
                List.of("/pl011@9000000 at 0x9000000: not reachable through my mapping"), g.problems(), g.toString());
    }

    @Test
    void anIpaOtherThanThePhysicalAddressIsDenied() {
        Simulation.Result r = boot("iomemory-ranges = <0x0 0x9000000 0x0 0xa000000 0x0 0x1000 0x0>;", MMIO);
        assertTrue(
                r.bootFailure().orElseThrow().contains("the IPA must equal the physical address"),
                r.bootFailure().toString());
    }

    @Test
    void deviceMemoryTheRootWasNotGivenIsNotMapped() {
        Simulation.Result r = boot(RANGE.replace("0x9000000", "0x9100000"), MMIO);
        assertTrue(
                r.bootFailure().orElseThrow().contains("MEMDB_NOT_OWNER"),
                r.bootFailure().toString());
    }

    @Test
    void aRangeTwiceFindsItsPagesAlreadyTaken() {
        Simulation.Result r = boot(
                "iomemory-ranges = <0x0 0x9000000 0x0 0x9000000 0x0 0x1000 0x0"
                        + " 0x0 0x9000000 0x0 0x9000000 0x0 0x1000 0x0>;",
                MMIO);
        assertTrue(
                r.bootFailure().orElseThrow().contains("MEMDB_NOT_OWNER"),
                r.bootFailure().toString());
    }

    @Test
    void aHardwareIrqMappedTwiceIsBusyAndANonSpiIsInvalid() {
        Simulation.Result twice = boot(RANGE + "gic-irq-ranges = <33 33 33 34>;", MMIO);
        assertTrue(
                twice.bootFailure().orElseThrow().contains("already mapped to VIRQ 33"),
                twice.bootFailure().toString());
        // irq_numbers_compatible: a PPI with an SPI is refused; a PPI pair passes it, but the platform has no
        // PPI hwirq objects (NORESOURCE)
        Simulation.Result mixed = boot(RANGE + "gic-irq-ranges = <27 33>;", MMIO);
        assertTrue(
                mixed.bootFailure().orElseThrow().contains("not both SPIs or both PPIs"),
                mixed.bootFailure().toString());
        Simulation.Result ppi = boot(RANGE + "gic-irq-ranges = <27 27>;", MMIO);
        assertTrue(
                ppi.bootFailure().orElseThrow().contains("no such hardware IRQ"),
                ppi.bootFailure().toString());
    }
}
