package dev.gunyahdt.dt;

/** Which property names carry a node's phandle when a tool assigns one (dtc's {@code -H}). */
public enum PhandleFormat {
    /** {@code linux,phandle} only */
    LEGACY,
    /** {@code phandle} only (dtc's default) */
    EPAPR,
    /** both */
    BOTH;

    public boolean writesLegacy() {
        return this != EPAPR;
    }

    public boolean writesEpapr() {
        return this != LEGACY;
    }
}
