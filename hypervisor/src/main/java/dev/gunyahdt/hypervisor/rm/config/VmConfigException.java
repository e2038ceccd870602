package dev.gunyahdt.hypervisor.rm.config;

import dev.gunyahdt.dt.diag.DtException;

/**
 * A VM config the RM refuses, positioned at the blob, node and property it is about:
 * {@code vm/svm1.dtb: /qcom,vm-config/vdevices/x: peer: …}.
 */
public final class VmConfigException extends DtException {
    private final String where;

    public VmConfigException(String blob, String nodePath, String property, String message) {
        super(blob + ": " + nodePath + (property == null ? "" : ": " + property) + ": " + message);
        this.where = nodePath + (property == null ? "" : ":" + property);
    }

    /** The node path (and property) the problem is at. */
    public String where() {
        return where;
    }
}
