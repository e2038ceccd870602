package dev.gunyahdt.hypervisor.rm;

/**
 * One line of the boot log: at virtual time {@code time} (ns), about VM {@code vm} (its name, or "rm").
 * STATE: a VM state change ({@code text} = "FROM -> TO"); CONSOLE: characters a VM wrote to its console, as the
 * console's reader received them; FAILURE: an RM refusal that ends a VM's bring-up (the cause); NOTE: anything
 * else worth a line.
 */
public record RmEvent(long time, String vm, Kind kind, String text) {
    public enum Kind {
        STATE,
        CONSOLE,
        FAILURE,
        NOTE
    }
}
