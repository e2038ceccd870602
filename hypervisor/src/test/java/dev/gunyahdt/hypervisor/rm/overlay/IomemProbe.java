package dev.gunyahdt.hypervisor.rm.overlay;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.rm.Configs;
import java.util.List;
import java.util.Optional;

/**
 * A secondary's overlay with one iomem node whose parcel (two regions) names both the VM and its peer, with
 * attributes for both — the case in which create_iomem_nodes writes {@code qcom,rm-acl} and
 * {@code qcom,rm-attributes}, which the simulated owners (they only LEND) never make.
 */
public final class IomemProbe {
    static final Vdevice.Iomem IOMEM = new Vdevice.Iomem(
            "/hypervisor/io",
            List.of("qcom,io"),
            List.of(new long[] {0x1_0900_0000L, 0x1000}, new long[] {0x9002000L, 0x2000}),
            3,
            12,
            List.of(6L, 4L),
            List.of(1L, 1L),
            0x1000);

    private static final String BASE = """
            /dts-v1/;
            / {
            	#address-cells = <2>;
            	#size-cells = <2>;
            	memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x8000000>; };
            };
            """;

    private IomemProbe() {}

    /** The overlay of VM 0x80 (owner 3) with {@link #IOMEM} on a bare base, in {@code style}. */
    public static DeviceTree overlay(OverlayStyle style) {
        GuestLayout layout = GuestLayout.of(
                DtbReader.read(Configs.compile(BASE), "base"),
                1,
                List.of(new GuestLayout.Region(0x8000_0000L, 0x800_0000L)),
                List.of());
        return OverlayGenerator.generate(
                new VmOverlayInfo(
                        0x80,
                        3,
                        "svm",
                        Optional.empty(),
                        Optional.empty(),
                        false,
                        "/hypervisor/rm",
                        List.of(),
                        QueuePair.withDefaults(0x1, 0x2, Virq.edge(960), Virq.edge(961)),
                        List.of(IOMEM),
                        Optional.of(layout)),
                style);
    }
}
