package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C client's {@code --fresh ROOT} (the launcher's per-file path) finds a stale jar by the rule
 * of the launcher's {@code stale()}: a pom.xml, or under a module's src/main a *.java, *.g4 or
 * anything in resources/, newer than the jar; nothing else. Run against find's answer with the
 * launcher's own expression, on the same tree. Needs cc (the launcher builds the client with it).
 */
class ClientFreshnessTest {

    @TempDir
    Path tmp;

    private static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

    /** The launcher's stale() expression, read from the launcher itself. */
    private static String launcherFind() throws Exception {
        String text = Files.readString(Path.of("..", "gunyah-dt"));
        int start = text.indexOf("\nstale() {");
        return text.substring(start, text.indexOf("\n}\n", start) + 3);
    }

    @Test
    void staleByTheLaunchersRule() throws Exception {
        Path client = tmp.resolve("client");
        assumeTrue(run(List.of("sh", "-c", "command -v cc")) == 0, "no cc: the launcher runs without the client too");
        assertEquals(0, run(List.of("cc", "-O2", "-o", client.toString(), "src/main/c/gunyah-dt-client.c")));
        Path root = tmp.resolve("checkout");
        for (String d : List.of(
                "out/x",
                "m/target",
                "m/src/main/resources/sub",
                "m/src/main/java/p",
                "m/src/main/antlr4",
                "m/src/test/java",
                ".hidden/src/main")) {
            Files.createDirectories(root.resolve(d));
        }
        Path jar = Files.writeString(root.resolve("m/target/app.jar"), "jar");
        String[] cases = {
            "README.md", "no",
            "out/x/A.java", "no",
            "m/target/A.java", "no",
            "m/src/test/java/T.java", "no",
            "m/src/main/java/p/notes.txt", "no",
            ".hidden/src/main/A.java", "no",
            "pom.xml", "yes",
            "m/pom.xml", "yes",
            "m/src/main/java/p/A.java", "yes",
            "m/src/main/antlr4/G.g4", "yes",
            "m/src/main/resources/sub/data.yaml", "yes",
        };
        String stale = launcherFind();
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        for (int i = 0; i < cases.length; i += 2) {
            // everything older than the jar, then the one file newer
            try (var all = Files.walk(root)) {
                for (Path p : all.toList()) {
                    Files.setLastModifiedTime(p, old);
                }
            }
            Path f = root.resolve(cases[i]);
            Files.writeString(f, "x");
            Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
            List<String> cmd = new ArrayList<>(List.of(
                    client.toString(),
                    "--fresh",
                    root.toString(),
                    tmp.resolve("no/such/base").toString(),
                    jar.toString(),
                    "1",
                    "java",
                    "--",
                    "lint",
                    "x"));
            int rc = run(cmd);
            int find = run(List.of(
                    "bash", "-c", "here=\"$1\"; jar=\"$2\"" + stale + "stale", "_", root.toString(), jar.toString()));
            String expected = cases[i + 1];
            assertEquals(expected.equals("yes") ? 201 : 200, rc, cases[i] + ": the client");
            assertEquals(expected.equals("yes") ? 0 : 1, find, cases[i] + ": the launcher's find");
            Files.delete(f);
        }
    }
}
