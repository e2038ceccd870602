package dev.gunyahdt.partitioner.rules;

import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.partitioner.allocate.Allocation;

import java.util.List;
import java.util.function.Function;

/**
 * A named check over an allocation: {@code name} is what a failure is reported under,
 * {@code summary} says in one line what the rule demands, and {@code check} returns one finding
 * per violation, at its place in {@code vms.yaml}, its message naming the other side of the conflict
 * (another plan position or, where the board is involved, the board node's {@code file:line}).
 */
public record Rule(String name, String summary, Function<Allocation, List<Finding>> check) {
}
