package dev.gunyahdt.hypervisor.rm.overlay;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The shape of the {@code /hypervisor} node the RM writes (issue 5's simple-bus tension).
 *
 * <ul>
 * <li>{@link #RM} (the default): what the real RM writes (reference §10): "simple-bus" among the
 *     {@code /hypervisor} compatibles, {@code qcom,gunyah-vm}, one node per vdevice. dt-schema's own
 *     simple-bus.yaml rejects it (node name, {@code #size-cells = <0>}, no {@code ranges}, child without
 *     {@code reg}) and dt-core.yaml rejects the u32 {@code label}s.</li>
 * <li>{@link #DTSCHEMA}: the shape of the Linux binding posted upstream for Gunyah
 *     (Documentation/devicetree/bindings/firmware/gunyah-hypervisor.yaml; Linux 6.1 has none):
 *     {@code /hypervisor} with compatible "gunyah-hypervisor" only, {@code #address-cells = <2>},
 *     {@code #size-cells = <0>}, and one child {@code gunyah-resource-mgr@<TX CapID>} with compatible
 *     "gunyah-resource-manager", {@code reg = <TX RX>}, {@code interrupts = <TX>, <RX>} — nothing else, since that
 *     binding allows nothing else. A guest learns its VMID (VM_GET_VMID) and its vdevices (VM_GET_HYP_RESOURCES)
 *     over RPC, as the upstream Linux driver does.</li>
 * </ul>
 */
public enum OverlayStyle {
    RM,
    DTSCHEMA;

    /** The option word ({@code rm}, {@code dtschema}). */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<OverlayStyle> of(String word) {
        return Arrays.stream(values()).filter(s -> s.word().equals(word)).findFirst();
    }
}
