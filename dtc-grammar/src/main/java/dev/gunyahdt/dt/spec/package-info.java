/**
 * Devicetree-specification lookups, in one place, over the immutable tree model: big-endian cell
 * readers ({@link dev.gunyahdt.dt.spec.Cells}), {@code #address-cells}/{@code #size-cells} with the
 * specification's defaults ({@link dev.gunyahdt.dt.spec.Addressing}), the interrupt parent and
 * {@code #interrupt-cells} ({@link dev.gunyahdt.dt.spec.Interrupts}), every {@code *-map} nexus
 * property through one reader ({@link dev.gunyahdt.dt.spec.NexusMap}) and {@code ranges} translation
 * ({@link dev.gunyahdt.dt.spec.Ranges}).
 *
 * <p>The rules are the specification's (v0.4 §2.3.5 address and size cells, §2.3.8 ranges, §2.4
 * interrupt mapping, §2.5 nexus nodes) and, where it is silent, Linux's ({@code of_irq_find_parent},
 * {@code of_n_addr_cells}, {@code of_irq_parse_raw}). A malformed value is a positioned
 * {@link dev.gunyahdt.dt.diag.DtException}; a lenient caller (a printer that only annotates) catches
 * it. Another tool's own quirks do not live here: dtc's checks read cells as dtc does
 * ({@code dt.checks}), dt-validate's row cutting stays in {@code bindings.instance}, the RM's
 * libfdt-style reading in {@code hypervisor.rm.config}.
 */
package dev.gunyahdt.dt.spec;
