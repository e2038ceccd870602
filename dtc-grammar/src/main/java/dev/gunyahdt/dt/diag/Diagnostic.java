package dev.gunyahdt.dt.diag;

import dev.gunyahdt.dt.SourceSpan;

/**
 * One finding about an input. {@code rendered} is the exact text a user sees (for dtc checks it
 * is dtc's own line format); the other fields are for machines.
 *
 * @param severity  warning or error
 * @param rule      a dtc check name, or a short name for parse/blob errors ("syntax", "dtb", …)
 * @param span      where in the source, or null (blob input)
 * @param nodePath  the node the finding is about, or null
 * @param property  the property, or null
 * @param message   the message without position or prefix
 * @param rendered  the full line(s) as printed
 */
public record Diagnostic(
        Severity severity,
        String rule,
        SourceSpan span,
        String nodePath,
        String property,
        String message,
        String rendered) {}
