package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dtc check cases under src/test/resources/checks/cases: each NAME.dts with NAME.stderr, all that
 * dtc 1.6.1 prints for it (make-golden.sh). gunyah-dt's compiler must print the same lines; when
 * dtc is installed, the script is re-run into a temp dir and must give the committed files.
 */
class CheckCasesTest {

    static final Path DIR = Paths.get("src/test/resources/checks");
    static final Path CASES = DIR.resolve("cases");

    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.list(CASES)) {
            return s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
    }

    /** NAME of cases/NAME.dts. */
    static String name(Path src) {
        String f = src.getFileName().toString();
        return f.substring(0, f.length() - ".dts".length());
    }

    /** The check a case is about: NAME up to its first dot. */
    static String check(Path src) {
        return name(src).split("\\.", 2)[0];
    }

    static String expected(Path src) throws IOException {
        return Files.readString(CASES.resolve(name(src) + ".stderr"), StandardCharsets.ISO_8859_1);
    }

    /** The {@code -W}/{@code -E} flags on the case's first line ("// flags: -W x -E no-y"), in order. */
    static List<CompileOptions.CheckFlag> flags(String source) {
        String first = source.lines().findFirst().orElse("");
        List<CompileOptions.CheckFlag> flags = new ArrayList<>();
        if (first.startsWith("// flags: ")) {
            String[] f = first.substring("// flags: ".length()).trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i += 2) {
                flags.add(new CompileOptions.CheckFlag(f[i + 1], f[i].equals("-E")));
            }
        }
        return flags;
    }

    /** What gunyah-dt prints for {@code dtc -I dts -O dtb -o out.dtb FLAGS - < src}: each message, then a newline. */
    static String ours(Path src) throws IOException {
        byte[] input = Files.readAllBytes(src);
        CompileOptions options = CompileOptions.defaults()
                .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB)
                .withCheckFlags(flags(new String(input, StandardCharsets.ISO_8859_1)));
        // input null: read from stdin as dtc did, so no preprocessor and messages name "<stdin>"
        Compilation c = new Compiler(options).compile(null, input, "out.dtb");
        StringBuilder sb = new StringBuilder();
        for (Compilation.Message m : c.messages()) {
            sb.append(m.text()).append('\n');
        }
        return sb.toString();
    }

    @TestFactory
    Stream<DynamicTest> printsWhatDtcPrinted() throws IOException {
        return cases().stream().map(src -> DynamicTest.dynamicTest(name(src),
                () -> assertEquals(expected(src), ours(src), Files.readString(src))));
    }

    @Test
    void everyCheckHasACaseThatFiresIt() throws IOException {
        Set<String> firing = new TreeSet<>();
        for (Path src : cases()) {
            if (name(src).equals(check(src))) {
                firing.add(check(src));
            }
        }
        assertEquals(new TreeSet<>(CheckConfig.checkNames()), firing);
    }

    @Test
    void everyCheckButAlwaysFailHasACleanCase() throws IOException {
        Set<String> clean = new TreeSet<>();
        for (Path src : cases()) {
            if (name(src).equals(check(src) + ".clean")) {
                clean.add(check(src));
            }
        }
        Set<String> wanted = new TreeSet<>(CheckConfig.checkNames());
        wanted.remove("always_fail"); // fires on every node by design
        assertEquals(wanted, clean);
    }

    @Test
    void everyCaseNamesAKnownCheckAndHasItsStderr() throws IOException {
        Set<String> known = Set.copyOf(CheckConfig.checkNames());
        for (Path src : cases()) {
            assertEquals(true, known.contains(check(src)), "no check " + check(src) + " for " + src);
            assertEquals(true, Files.exists(CASES.resolve(name(src) + ".stderr")), "no stderr for " + src);
        }
    }

    /** A clean case is a near miss: dtc prints nothing from its check (other checks may speak). */
    @TestFactory
    Stream<DynamicTest> cleanCasesDoNotFireTheirCheck() throws IOException {
        return cases().stream().filter(src -> name(src).endsWith(".clean")).map(src -> DynamicTest.dynamicTest(
                name(src), () -> assertFalse(expected(src).contains("(" + check(src) + ")"), expected(src))));
    }

    /** When dtc is installed: make-golden.sh, run now, gives the committed .stderr files. */
    @TestFactory
    Stream<DynamicTest> goldensMatchInstalledDtc() throws Exception {
        assumeTrue(Files.isExecutable(Paths.get("/usr/bin/dtc")), "dtc not installed");
        Path tmp = Files.createTempDirectory("checkcases");
        try {
            ProcessBuilder pb = new ProcessBuilder("sh", DIR.resolve("make-golden.sh").toString(), tmp.toString())
                    .redirectErrorStream(true);
            pb.environment().put("DTC", "/usr/bin/dtc");
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), log);
            List<DynamicTest> tests = new ArrayList<>();
            for (Path src : cases()) {
                String now = Files.readString(tmp.resolve(name(src) + ".stderr"), StandardCharsets.ISO_8859_1);
                tests.add(DynamicTest.dynamicTest(name(src), () -> assertEquals(expected(src), now)));
            }
            return tests.stream();
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
            }
        }
    }
}
