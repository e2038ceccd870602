package dev.gunyahdt.partitioner.plan;

import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.diag.Severity;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A plan that cannot be loaded or allocated; {@link #problems()} lists every reason found, each a
 * finding named by the check that found it ({@code yaml}, {@code schema}, {@code unknown-key}, or a
 * rule such as {@code spi-exclusive}), at its place in the plan.
 */
public final class PlanException extends RuntimeException {

    private final List<Finding> problems;

    public PlanException(List<Finding> problems) {
        super(problems.stream().map(PlanException::describe).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a PlanException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** One problem at {@code at} in the plan (or the board file {@code at} names). */
    public PlanException(String rule, Pos at, String message) {
        this(List.of(problem(rule, at, message)));
    }

    /** One problem with a whole file (it cannot be read), with no line or column. */
    public PlanException(String rule, String file, String message) {
        this(List.of(Finding.at(file, 0, 0, Severity.ERROR, rule, message)));
    }

    public List<Finding> problems() {
        return problems;
    }

    /** A problem at {@code at}, as the partitioner reports one. */
    public static Finding problem(String rule, Pos at, String message) {
        return Finding.at(at.file(), at.line(), at.column(), Severity.ERROR, rule, message);
    }

    /** {@code rule: file:line:col: message}, as {@code partition} prints a problem. */
    public static String describe(Finding problem) {
        return problem.rule() + ": " + problem.where() + ": " + problem.message();
    }
}
