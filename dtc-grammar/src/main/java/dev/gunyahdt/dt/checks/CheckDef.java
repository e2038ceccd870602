package dev.gunyahdt.dt.checks;

import java.util.List;

/**
 * One entry of the check table: its name, default level, the checks it needs to have passed,
 * and what it does. {@code perNode} runs on every node in pre-order; {@code whole} runs once
 * (the fixups, which rewrite the tree). Exactly one of them is set.
 */
final class CheckDef {

    interface PerNode {
        void check(CheckRun run, NodeInfo node);
    }

    interface Whole {
        void check(CheckRun run);
    }

    private final int index;
    private final String name;
    private final boolean defaultWarn;
    private final boolean defaultError;
    private final List<String> prereqNames;
    private final PerNode perNode;
    private final Whole whole;
    private final String onlyWith;
    private List<CheckDef> prereqs;

    /**
     * @param onlyWith for a per-node check that has nothing to say about a node without this
     *                 property: the run then visits only the nodes that have it (still in
     *                 pre-order), which keeps the 88 passes cheap; null to visit every node
     */
    CheckDef(
            int index,
            String name,
            boolean defaultWarn,
            boolean defaultError,
            List<String> prereqNames,
            PerNode perNode,
            Whole whole,
            String onlyWith) {
        this.index = index;
        this.name = name;
        this.defaultWarn = defaultWarn;
        this.defaultError = defaultError;
        this.prereqNames = List.copyOf(prereqNames);
        this.perNode = perNode;
        this.whole = whole;
        this.onlyWith = onlyWith;
    }

    String onlyWith() {
        return onlyWith;
    }

    int index() {
        return index;
    }

    String name() {
        return name;
    }

    boolean defaultWarn() {
        return defaultWarn;
    }

    boolean defaultError() {
        return defaultError;
    }

    List<String> prereqNames() {
        return prereqNames;
    }

    List<CheckDef> prereqs() {
        return prereqs;
    }

    void resolve(List<CheckDef> resolved) {
        this.prereqs = List.copyOf(resolved);
    }

    PerNode perNode() {
        return perNode;
    }

    Whole whole() {
        return whole;
    }

    @Override
    public String toString() {
        return name;
    }
}
