package dev.gunyahdt.hypervisor.rm.overlay;

import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;

/**
 * The RM refuses to apply a VM's overlay, with the RM error it would report (reference §10.1:
 * a secondary VM's base DTB that already has {@code /hypervisor} gives {@link RmError#DENIED}).
 */
public final class OverlayRefusedException extends DtException {

    private final RmError error;

    public OverlayRefusedException(RmError error, String message) {
        super(message);
        this.error = error;
    }

    public RmError error() {
        return error;
    }
}
