package dev.gunyahdt.dt.cpp;

import java.util.Arrays;
import java.util.Map;

/**
 * The macros defined in one run, by name. Open addressing (linear probing, deletion by moving
 * entries back): a run over a devicetree defines thousands of macros from its headers, and a
 * HashMap made a node for each of them on every run. A table is reused by the runs on one thread.
 */
final class MacroTable {

    private String[] names;
    private int[] hashes; // names' hash codes: a probe compares them before the names
    private Macro[] macros;
    private int size;

    MacroTable() {
        names = new String[256];
        hashes = new int[256];
        macros = new Macro[256];
    }

    /** Empties the table (keeping its size: the next run defines about as many) and puts initial in. */
    void reset(Map<String, Macro> initial) {
        Arrays.fill(names, null);
        Arrays.fill(macros, null);
        size = 0;
        for (Macro m : initial.values()) put(m.name(), m);
    }

    private static int home(int hash, int mask) {
        return (hash ^ (hash >>> 16)) & mask;
    }

    /** The slot holding name, or the empty slot where it would go. */
    private int slot(String name) {
        int h = name.hashCode();
        int mask = names.length - 1;
        for (int i = home(h, mask); ; i = (i + 1) & mask) {
            String k = names[i];
            if (k == null || k == name || (hashes[i] == h && k.equals(name))) return i;
        }
    }

    Macro get(String name) {
        return macros[slot(name)];
    }

    boolean contains(String name) {
        return names[slot(name)] != null;
    }

    void put(String name, Macro m) {
        int i = slot(name);
        if (names[i] == null) {
            if (2 * (size + 1) > names.length) {
                grow();
                i = slot(name);
            }
            names[i] = name;
            hashes[i] = name.hashCode();
            size++;
        }
        macros[i] = m;
    }

    void remove(String name) {
        int i = slot(name);
        if (names[i] == null) return;
        int mask = names.length - 1;
        // move later entries of the probe run back into the hole when their home allows it
        for (int j = (i + 1) & mask; names[j] != null; j = (j + 1) & mask) {
            int h = home(hashes[j], mask);
            boolean stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (!stays) {
                names[i] = names[j];
                hashes[i] = hashes[j];
                macros[i] = macros[j];
                i = j;
            }
        }
        names[i] = null;
        macros[i] = null;
        size--;
    }

    private void grow() {
        String[] oldNames = names;
        int[] oldHashes = hashes;
        Macro[] oldMacros = macros;
        names = new String[oldNames.length * 2];
        hashes = new int[oldNames.length * 2];
        macros = new Macro[oldNames.length * 2];
        for (int i = 0; i < oldNames.length; i++) {
            if (oldNames[i] != null) {
                int j = slot(oldNames[i]);
                names[j] = oldNames[i];
                hashes[j] = oldHashes[i];
                macros[j] = oldMacros[i];
            }
        }
    }
}
