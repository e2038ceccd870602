/**
 * The static partitioner: {@link dev.gunyahdt.partitioner.Partitioner#partition} shares a board's resources out
 * between the VMs of a plan and returns an {@code Allocation} or a {@code PlanException} naming each broken rule.
 * Its stages, one package each: {@code .inventory} (what the board offers), {@code .plan} ({@code vms.yaml} and its
 * JSON Schema), {@code .allocate} (deterministic placement of memory, CPUs, SPIs, VIRQs and shared regions),
 * {@code .rules} (the named rule catalogue) and {@code .emit} (the bootable config: {@code system.dtb},
 * {@code vm/<name>.dtb} with {@code /qcom,vm-config} as the real RM reads it, {@code plan.json}, the report).
 * Each problem is a {@code dev.gunyahdt.dt.diag.Finding} at its place in the plan. {@code pipeline.Build} drives
 * the stages for the {@code partition}, {@code build} and {@code boot} verbs.
 *
 * <p>Section numbers in this module's comments: "DESIGN.md §N" is docs/design.md §N, "gunyah-model.md §N"
 * docs/gunyah-model.md §N. The formats: docs/formats.md.
 */
package dev.gunyahdt.partitioner;
