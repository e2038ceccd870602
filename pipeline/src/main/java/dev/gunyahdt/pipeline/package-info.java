/**
 * The stages joined into the calls the verbs print: {@link dev.gunyahdt.pipeline.Build#run} turns a board and its
 * {@code vms.yaml} into the bootable config (compile under dtc's checks, lint against the built-in bindings,
 * partition, lint every emitted tree, judge every secondary by the real RM's rules, write) and returns a
 * {@link dev.gunyahdt.pipeline.Build.Result}: built, or the stage that refused with its findings;
 * {@link dev.gunyahdt.pipeline.TreeLint} is what {@code gunyah-dt lint} finds in one file. Findings of every stage
 * are {@link dev.gunyahdt.dt.diag.Finding}s. The {@code partition}, {@code build}, {@code boot} and {@code lint}
 * verbs (module {@code cli}) print these results; nothing here prints.
 */
package dev.gunyahdt.pipeline;
