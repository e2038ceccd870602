package dev.gunyahdt.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The verbs stay thin: no method in {@code cli/src/main} is longer than {@value #MAX_LINES} lines (declaration to
 * closing brace); a longer one is split into named steps, and pipeline work goes to the library modules.
 */
class MethodLengthTest {

    static final int MAX_LINES = 80;

    private static final Pattern DECLARATION = Pattern.compile(
            "^(\\s+)(?:(?:public|private|protected|static|final|synchronized|abstract|default)\\s+)*"
                    + "(?:<[^>]+>\\s+)?[\\w.<>\\[\\],?]+\\s+(\\w+)\\s*\\(");
    private static final Set<String> NOT_A_TYPE = Set.of("return", "new", "else", "throw", "case", "if", "for",
            "while", "switch", "catch", "try", "do");

    /** {@code name (lines)} of every method of {@code source} longer than {@code max} lines. */
    static List<String> longMethods(String source, int max) {
        String[] lines = source.split("\n", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = DECLARATION.matcher(lines[i]);
            String head = lines[i].split("\\(", 2)[0];
            if (!m.find() || NOT_A_TYPE.contains(lines[i].strip().split("\\s+")[0]) || head.contains("=")
                    || head.matches(".*\\b(class|record|enum|interface)\\b.*")) {
                continue;
            }
            int open = i;
            while (open < lines.length && !lines[open].stripTrailing().endsWith("{")
                    && !lines[open].stripTrailing().endsWith(";")) {
                open++;
            }
            if (open == lines.length || lines[open].stripTrailing().endsWith(";")) {
                continue; // abstract or interface method
            }
            String close = m.group(1) + "}";
            int end = open + 1;
            while (end < lines.length && !lines[end].equals(close)) {
                end++;
            }
            if (end - i + 1 > max) {
                out.add(m.group(2) + " (" + (end - i + 1) + " lines)");
            }
        }
        return out;
    }

    @Test
    void noMethodOfTheCliIsLongerThanTheLimit() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                longMethods(Files.readString(f), MAX_LINES).forEach(m -> found.add(f.getFileName() + ": " + m));
            }
        }
        assertEquals(List.of(), found);
    }

    /** The scan finds what it should: a long method, not a short one, a field or a nested type. */
    @Test
    void theScanSeesMethods() {
        String body = "        x();\n".repeat(5);
        String source = "final class A {\n    private static final int N = f(1);\n"
                + "    static int run(List<String> args,\n            Io io) throws Exception {\n" + body + "    }\n\n"
                + "    record R(int a) {\n        int twice() {\n" + body + body + "        }\n    }\n"
                + "    void shortOne() {\n        y();\n    }\n}\n";
        assertEquals(List.of("run (8 lines)", "twice (12 lines)"), longMethods(source, 6));
        assertEquals(List.of("twice (12 lines)"), longMethods(source, 8));
        assertEquals(List.of(), longMethods(source, 12));
    }
}
