package dev.gunyahdt.dt.diag;

/** How bad a finding is. */
public enum Severity {
    WARNING, ERROR
}
