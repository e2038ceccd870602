package dev.gunyahdt.partitioner.plan;

/**
 * One thing wrong with a plan: the name of the check that found it ({@code yaml}, {@code schema},
 * {@code unknown-key}, or a rule name such as {@code spi-exclusive}) and a message that names
 * every position involved.
 */
public record Problem(String rule, String message) {

    @Override
    public String toString() {
        return rule + ": " + message;
    }
}
