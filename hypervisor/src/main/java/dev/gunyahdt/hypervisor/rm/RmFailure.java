package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.rpc.RmError;

/** A request the RM refuses: the error it answers and the cause it logs. */
public final class RmFailure extends RuntimeException {
    private final RmError error;

    public RmFailure(RmError error, String cause) {
        super(cause);
        this.error = error;
    }

    public RmError error() {
        return error;
    }
}
