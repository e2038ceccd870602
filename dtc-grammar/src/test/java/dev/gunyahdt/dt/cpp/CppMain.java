package dev.gunyahdt.dt.cpp;

import dev.gunyahdt.dt.diag.DtException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-run driver: {@code CppMain [-I dir]… [-D name[=value]]… file} prints the output. */
public final class CppMain {
    public static void main(String[] args) {
        List<Path> dirs = new ArrayList<>();
        Map<String, String> defs = new LinkedHashMap<>();
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-I")) dirs.add(Path.of(args[++i]));
            else if (args[i].equals("-D")) {
                String d = args[++i];
                int eq = d.indexOf('=');
                defs.put(eq < 0 ? d : d.substring(0, eq), eq < 0 ? "1" : d.substring(eq + 1));
            } else file = Path.of(args[i]);
        }
        try {
            System.out.print(new Preprocessor(dirs, defs).run(file).text());
        } catch (DtException e) {
            System.out.flush();
            System.err.println(e.render());
            System.exit(1);
        }
    }
}
