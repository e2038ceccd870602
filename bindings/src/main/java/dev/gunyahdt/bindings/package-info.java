/**
 * Binding validation, dt-schema 2022.08 compatible. {@link dev.gunyahdt.bindings.BindingSet} loads binding documents
 * (the built-in Gunyah and core bindings, {@code --bindings DIR}s, or an installed dt-schema's via
 * {@link dev.gunyahdt.bindings.DtSchema}), checks their references and fixes them up as dt-mk-schema does
 * ({@code .schema}); {@link dev.gunyahdt.bindings.Validator} checks a DeviceTree (from DTS or DTB, {@code .instance})
 * against them and returns {@link dev.gunyahdt.bindings.Finding}s shaped as dt-validate reports them.
 * {@link dev.gunyahdt.bindings.MetaChecks}, {@link dev.gunyahdt.bindings.MetaSchemaCheck} and
 * {@link dev.gunyahdt.bindings.Examples} judge binding documents themselves, as dt-doc-validate and
 * {@code make dt_binding_check} do; {@code .yaml} loads YAML 1.2 with positions and limits.
 *
 * <p>Section numbers in this module's comments: "toolchain-anchors.md §N" is docs/toolchain.md §N,
 * "gunyah-model.md §N" is docs/gunyah-model.md §N. What is measured against dt-validate: docs/conformance.md.
 */
package dev.gunyahdt.bindings;
