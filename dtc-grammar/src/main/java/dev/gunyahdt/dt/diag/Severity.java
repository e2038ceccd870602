package dev.gunyahdt.dt.diag;

import java.util.Locale;

/** How bad a finding is. */
public enum Severity {
    WARNING, ERROR;

    /** {@code warning} or {@code error}, as findings print it. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
