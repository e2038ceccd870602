package dev.gunyahdt.partitioner.plan;

import java.util.List;
import java.util.stream.Collectors;

/** A plan that cannot be loaded or allocated; {@link #problems()} lists every reason found. */
public final class PlanException extends RuntimeException {

    private final List<Problem> problems;

    public PlanException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a PlanException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public PlanException(String rule, String message) {
        this(List.of(new Problem(rule, message)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
