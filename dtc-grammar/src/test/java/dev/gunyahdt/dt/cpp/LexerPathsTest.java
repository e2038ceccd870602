package dev.gunyahdt.dt.cpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gunyahdt.dt.diag.DtException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lexer's less common paths: a file with CR or CRLF line ends or backslash-newlines is
 * copied and spliced (others are read in place), and a -D value with a char above 0xff is lexed
 * from chars. Expectations are the output of the lexer before it read bytes, reviewed.
 */
class LexerPathsTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, text.getBytes(StandardCharsets.ISO_8859_1));
        return p;
    }

    private String run(String name, String text, Map<String, String> defines) throws IOException {
        Path f = write(name, text);
        return new Preprocessor(List.of(), defines).run(f).text().replace(f.toString(), "F");
    }

    @Test
    void crAndCrlfLineEndsReadLikeNewlines() throws IOException {
        String lf = "a\nb \\\n c\n#define F(x) [x]\nF(1)\n";
        String expected = "# 1 \"F\"\na\nb\n c\n\n[1]\n";
        assertEquals(expected, run("lf.dts", lf, Map.of()));
        assertEquals(expected, run("crlf.dts", lf.replace("\n", "\r\n"), Map.of()));
        assertEquals(expected, run("cr.dts", lf.replace("\n", "\r"), Map.of()));
    }

    @Test
    void splicesKeepPhysicalLinesAndColumns() throws IOException {
        assertEquals(
                "# 1 \"F\"\nc = <1\n2>;\n  x\n\n  y\n",
                run("splice.dts", "c = <1 \\  \t\n2>;\n  x \\\n\\\n  y\n", Map.of()));
        DtException e =
                assertThrows(DtException.class, () -> run("err.dts", "a \\\n b\n  #error  x \\\n y\n", Map.of()));
        assertEquals("#error x y", e.getMessage());
        assertEquals(3, e.span().firstLine());
        assertEquals(4, e.span().firstColumn());
        e = assertThrows(DtException.class, () -> run("errcrlf.dts", "a\r\n\r\n#if 1\r\n", Map.of()));
        assertEquals(3, e.span().firstLine());
        assertEquals(2, e.span().firstColumn());
    }

    @Test
    void aDefineWithCharsAboveLatin1KeepsThem() throws IOException {
        String src =
                "X\n#define S(a) #a\n#define T(a) S(a)\nS(X) T(X)\n#define C(a,b) a##b\nC(X,)\nn = \"caf\u00e9\";\n";
        assertEquals(
                "# 1 \"F\"\n\"\u4e2d\u00e9\"\n\n\n\"X\" \"\\\"\u4e2d\u00e9\\\"\"\n\n\"\u4e2d\u00e9\"\nn = \"caf\u00e9\";\n",
                run("wide.dts", src, Map.of("X", "\"\u4e2d\u00e9\"")));
    }
}
