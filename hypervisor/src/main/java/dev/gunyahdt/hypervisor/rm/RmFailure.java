package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.rpc.RmError;

/**
 * A request the RM refuses: the error it answers, the cause it logs and the data the reply carries after the error
 * word (empty for rm_standard_reply; some handlers answer with rm_reply_error and a hypervisor error code).
 */
public final class RmFailure extends RuntimeException {
    private final RmError error;
    private final byte[] data;

    public RmFailure(RmError error, String cause) {
        this(error, cause, new byte[0]);
    }

    private RmFailure(RmError error, String cause, byte[] data) {
        super(cause);
        this.error = error;
        this.data = data.clone();
    }

    public RmError error() {
        return error;
    }

    /** The reply data after the error word. */
    public byte[] data() {
        return data.clone();
    }

    /** The same refusal answered with {@code data} after the error word (rm_reply_error). */
    public RmFailure withData(byte[] data) {
        return new RmFailure(error, getMessage(), data);
    }
}
