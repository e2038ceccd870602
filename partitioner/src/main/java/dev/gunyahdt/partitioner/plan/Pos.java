package dev.gunyahdt.partitioner.plan;

/** A place in a plan file, 1-based line and column, shown as {@code file:line:col}. */
public record Pos(String file, int line, int column) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
