package dev.gunyahdt.dt.cpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The open-addressing macro table against a HashMap, through growth, #undef and reuse. */
class MacroTableTest {

    @Test
    void behavesLikeAMapThroughPutsRemovesAndResets() {
        Random rnd = new Random(42);
        MacroTable table = new MacroTable();
        Map<String, Macro> initial = Map.of("__STDC__", Macro.builtin("__STDC__"));
        for (int run = 0; run < 3; run++) {
            table.reset(initial);
            Map<String, Macro> expected = new HashMap<>(initial);
            for (int op = 0; op < 20_000; op++) {
                // "Aa" and "BB" have the same hash code: colliding names share probe runs
                String name = (rnd.nextBoolean() ? "Aa" : "BB").repeat(rnd.nextInt(3)) + rnd.nextInt(3000);
                if (rnd.nextInt(3) == 0) {
                    table.remove(name);
                    expected.remove(name);
                } else {
                    Macro m = Macro.builtin(name);
                    table.put(name, m);
                    expected.put(name, m);
                }
                String probe = (rnd.nextBoolean() ? "Aa" : "BB").repeat(rnd.nextInt(3)) + rnd.nextInt(3000);
                assertEquals(expected.get(probe), table.get(new String(probe)), probe); // equal, not same, String
                assertEquals(expected.containsKey(probe), table.contains(probe), probe);
            }
            for (Map.Entry<String, Macro> e : expected.entrySet()) assertEquals(e.getValue(), table.get(e.getKey()));
        }
    }
}
