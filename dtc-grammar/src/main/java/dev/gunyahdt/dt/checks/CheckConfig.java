package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.PhandleFormat;
import java.util.List;

/**
 * Which of dtc's checks are warnings, errors or off, as set by {@code -W}/{@code -E} flags, plus
 * the two compile options the checks depend on ({@code -H}, {@code -@}). Mutable while flags are
 * applied; {@link Checker#run} takes a snapshot.
 */
public final class CheckConfig {

    private final boolean[] warn;
    private final boolean[] error;
    private PhandleFormat phandleFormat = PhandleFormat.EPAPR;
    private boolean generateSymbols;

    private CheckConfig(boolean[] warn, boolean[] error) {
        this.warn = warn;
        this.error = error;
    }

    /** Every check at its default level. */
    public static CheckConfig defaults() {
        List<CheckDef> table = CheckTable.TABLE;
        boolean[] w = new boolean[table.size()];
        boolean[] e = new boolean[table.size()];
        for (CheckDef d : table) {
            w[d.index()] = d.defaultWarn();
            e[d.index()] = d.defaultError();
        }
        return new CheckConfig(w, e);
    }

    /**
     * Applies one {@code -W} ({@code error=false}) or {@code -E} ({@code error=true}) flag:
     * {@code name} raises the check (and, recursively, its prerequisites) to that level;
     * {@code no-name} lowers it (and, recursively, every check that needs it, but only where
     * the check had that level, as dtc does).
     *
     * @throws IllegalArgumentException for an unknown check name, with dtc's message
     */
    public void apply(String flag, boolean error) {
        boolean enable = true;
        String name = flag;
        if (name.startsWith("no-")) {
            enable = false;
            name = name.substring(3);
        }
        CheckDef d = CheckTable.byName(name);
        if (d == null) {
            throw new IllegalArgumentException("Unrecognized check name \"" + name + "\"");
        }
        if (enable) {
            raise(d, !error, error);
        } else {
            lower(d, !error, error);
        }
    }

    private void raise(CheckDef d, boolean w, boolean e) {
        for (CheckDef p : d.prereqs()) {
            raise(p, w, e);
        }
        warn[d.index()] |= w;
        error[d.index()] |= e;
    }

    private void lower(CheckDef d, boolean w, boolean e) {
        if ((w && warn[d.index()]) || (e && error[d.index()])) {
            for (CheckDef dep : CheckTable.TABLE) {
                if (dep.prereqs().contains(d)) {
                    lower(dep, w, e);
                }
            }
        }
        warn[d.index()] &= !w;
        error[d.index()] &= !e;
    }

    /** dtc's {@code -H}: which properties carry a phandle the compiler assigns. */
    public CheckConfig phandleFormat(PhandleFormat f) {
        this.phandleFormat = f;
        return this;
    }

    /** dtc's {@code -@}: labelled {@code /omit-if-no-ref/} nodes are then kept. */
    public CheckConfig generateSymbols(boolean on) {
        this.generateSymbols = on;
        return this;
    }

    public PhandleFormat phandleFormat() {
        return phandleFormat;
    }

    public boolean generateSymbols() {
        return generateSymbols;
    }

    /** True when the check reports as a warning (and not as an error). */
    public boolean isWarning(String name) {
        CheckDef d = CheckTable.byName(name);
        return d != null && warn[d.index()] && !error[d.index()];
    }

    public boolean isError(String name) {
        CheckDef d = CheckTable.byName(name);
        return d != null && error[d.index()];
    }

    public boolean isEnabled(String name) {
        CheckDef d = CheckTable.byName(name);
        return d != null && (warn[d.index()] || error[d.index()]);
    }

    /** Every check name in dtc's table order. */
    public static List<String> checkNames() {
        return CheckTable.TABLE.stream().map(CheckDef::name).toList();
    }

    boolean warn(int i) {
        return warn[i];
    }

    boolean error(int i) {
        return error[i];
    }

    CheckConfig copy() {
        CheckConfig c = new CheckConfig(warn.clone(), error.clone());
        c.phandleFormat = phandleFormat;
        c.generateSymbols = generateSymbols;
        return c;
    }
}
