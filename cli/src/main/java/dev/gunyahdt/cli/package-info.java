/**
 * The {@code gunyah-dt} command: {@link dev.gunyahdt.cli.Main} dispatches to one {@code *Command} per verb
 * ({@code dtc}, {@code lint}, {@code check-bindings}, {@code partition}, {@code build}, {@code vm-check}, {@code boot},
 * {@code inspect}, {@code overlay apply}, {@code diff}), each calling the library modules (the board pipeline is
 * {@code pipeline.Build}) and printing what they return; {@code FindingFormats} writes findings
 * ({@code dt.diag.Finding}) as text, JSON, SARIF 2.1.0 or JUnit, {@code OutputFiles} writes
 * atomically. Exit status 0 success, 1 errors in the input, 2 usage or I/O.
 *
 * <p>Section numbers in this package's comments: "DESIGN.md §N" is docs/design.md §N; "reference §N" and a bare
 * "§N" (the overlay and boot code) are docs/gunyah-model.md §N.
 */
package dev.gunyahdt.cli;
