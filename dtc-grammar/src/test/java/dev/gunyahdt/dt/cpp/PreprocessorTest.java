package dev.gunyahdt.dt.cpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.SourceSpan;
import dev.gunyahdt.dt.diag.DtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour of the preprocessor. Where a test compares "normalized" text, the expected text is
 * what GCC 12's {@code cpp -nostdinc -undef -x assembler-with-cpp} printed for the same input,
 * with linemarkers dropped and whitespace runs made single spaces
 * ({@link CorpusCheckTest#normalize}); exact expectations are our own output, reviewed.
 */
class PreprocessorTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private Preprocessor.Result run(Path main, List<Path> incs, Map<String, String> defs) {
        return new Preprocessor(incs, defs).run(main);
    }

    private String text(String source) throws IOException {
        return run(write("main.dts", source), List.of(), Map.of("__DTS__", "1")).text();
    }

    private static String norm(String s) {
        return CorpusCheckTest.normalize(s);
    }

    private DtException error(String source) throws IOException {
        Path main = write("main.dts", source);
        return assertThrows(DtException.class, () -> run(main, List.of(), Map.of()));
    }

    private static void assertAt(DtException e, int line, int col, String message) {
        SourceSpan s = e.span();
        assertEquals(message, e.getMessage());
        assertEquals(line, s.firstLine(), "line of " + e.render());
        assertEquals(col, s.firstColumn(), "column of " + e.render());
    }

    // ------------------------------------------------------------- #-properties survive

    @Test
    void hashPropertiesSurviveInAMacroUsingFile() throws IOException {
        String out = text("""
                #define CELLS 2
                #define SIZE(x) <x>
                / {
                \t#address-cells = <CELLS>;
                \t#size-cells = SIZE(0);
                \t#interrupt-cells = <1>;
                };
                """);
        Path main = dir.resolve("main.dts");
        assertEquals(
                "# 1 \"" + main + "\"\n\n\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <0>;\n"
                        + "\t#interrupt-cells = <1>;\n};\n",
                out);
    }

    @Test
    void hashPropertiesSurviveInAnIncludedFile() throws IOException {
        write("inc/dt-bindings/foo.h", "#ifndef FOO_H\n#define FOO_H\n#define FOO 7\n#endif\n");
        write("sub/node.dtsi", "// a node\nn {\n\t#address-cells = <1>;\n\tval = <FOO>;\n};\n");
        Path main = write(
                "sub/main.dts",
                "#include <dt-bindings/foo.h>\n#include \"node.dtsi\"\n#include <dt-bindings/foo.h>\n/ { #size-cells = <0>; };\n");
        Preprocessor.Result r = run(main, List.of(dir.resolve("inc")), Map.of());
        String inc = dir.resolve("inc") + "/dt-bindings/foo.h";
        assertEquals(
                "# 1 \"" + main + "\"\n"
                        + "# 1 \"" + inc + "\" 1\n"
                        + "# 2 \"" + main + "\" 2\n"
                        + "# 1 \"" + dir.resolve("sub") + "/node.dtsi\" 1\n"
                        + "\nn {\n\t#address-cells = <1>;\n\tval = <7>;\n};\n"
                        + "# 3 \"" + main + "\" 2\n"
                        + "\n/ { #size-cells = <0>; };\n",
                r.text());
        // every file read, in first-read order; the guarded header counts once
        assertEquals(List.of(main, Path.of(inc), dir.resolve("sub/node.dtsi")), r.dependencies());
    }

    @Test
    void hashPropertiesSurviveInAConditionalBlock() throws IOException {
        String out = text("""
                #ifdef __DTS__
                \t#address-cells = <1>;
                #else
                \t#address-cells = <9>;
                #endif
                #if defined(NOPE) || 1
                  #size-cells = <0>;
                #endif
                """);
        assertEquals("#address-cells = <1>; #size-cells = <0>;", norm(out));
        assertTrue(out.contains("\n\t#address-cells = <1>;\n"), out);
        assertTrue(out.contains("\n  #size-cells = <0>;\n"), out);
    }

    @Test
    void hashLinesThatAreNoDirectivesExpandMacrosLikeGcc() throws IOException {
        // GCC: "#123 foo" and "# bar" pass through; "#" alone is the null directive
        String out = text("#define N 4\n#gpio-cells = <N>;\n#123 foo\n# bar N\n#\nend\n");
        assertEquals("#gpio-cells = <4>; #123 foo # bar 4 end", norm(out));
    }

    @Test
    void aDirectiveNameFollowedByADashIsStillThatDirective() throws IOException {
        // GCC reads "#include-cells" as #include with a bad operand
        DtException e = error("/ {\n\t#include-cells = <1>;\n};\n");
        assertAt(e, 2, 10, "#include expects \"FILENAME\" or <FILENAME>");
    }

    // ------------------------------------------------------------- lexing in assembler mode

    @Test
    void charLiteralsApostrophesAndUnterminatedQuotesPassThrough() throws IOException {
        String out = text("""
                #define a X
                #define e E
                c = 'a', 'b', '\\n';
                s = "don't a";
                x = don't a;
                u = "unterminated a
                m = ' e ' b a$b $a @a;
                """);
        // GCC: an unterminated quote takes the rest of its line unexpanded; '$' is no identifier char
        assertEquals(
                "c = 'a', 'b', '\\n'; s = \"don't a\"; x = don't a; u = \"unterminated a" + " m = ' e ' b X$b $X @X;",
                norm(out));
    }

    @Test
    void commentsAndBackslashNewlinesKeepTheLineCount() throws IOException {
        String out = text("a /* one\ntwo\nthree */ b // gone\nc = <1 \\\n2>;\n/* x */ d\n");
        assertEquals("# 1 \"" + dir.resolve("main.dts") + "\"\na\n\n         b\nc = <1\n2>;\n        d\n", out);
    }

    @Test
    void unterminatedCommentIsAnError() throws IOException {
        assertAt(error("a\n  /* never closed\n"), 2, 3, "unterminated comment");
    }

    // ------------------------------------------------------------- macros

    @Test
    void macroExpansionFollowsGcc() throws IOException {
        String src = """
                #define foo foo
                #define bar x bar
                #define f(x) x f
                #define g(x) g(x)
                a foo bar f(1) f(f)(2) g(g(1))
                #define EMPTY
                #define LPAREN (
                #define RPAREN )
                #define F(x, y) x + y
                #define ELLIP_FUNC(...) __VA_ARGS__
                b F EMPTY (1, 2) ELLIP_FUNC(F, LPAREN, 'a', 'b', RPAREN);
                #define str(s) # s
                #define xstr(s) str(s)
                #define debug(s, t) printf("x" # s "= %d, x" # t "= %s", \\
                 x ## s, x ## t)
                #define INCFILE(n) vers ## n
                #define glue(a, b) a ## b
                #define xglue(a, b) glue(a, b)
                #define HIGHLOW "hello"
                #define LOW LOW ", world"
                c debug(1, 2); fputs(str(strncmp("abc\\0d", "abc", '\\4') // this goes away
                 == 0) str(: @\\n), s);
                xstr(INCFILE(2).h)
                glue(HIGH, LOW);
                xglue(HIGH, LOW)
                #define t(x,y,z) x ## y ## z
                int j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,),
                 t(10,,), t(,11,), t(,,12), t(,,) };
                #define showlist(...) puts(#__VA_ARGS__)
                #define report(test, ...) ((test)?puts(#test):\\
                 printf(__VA_ARGS__))
                showlist(The first, second, and third items.);
                report(x>y, "x is %d but y is %d", x, y);
                #define named(args...) <args>
                named(1, 2) named()
                #define cat(a,...) a ## __VA_ARGS__
                cat(x, y) cat(x) cat(,y) cat(x,)
                #define e3(a, ...) f3(a, ## __VA_ARGS__)
                e3(1) e3(1,) e3(1, 2, 3) e3()
                #define fl(x) [x]
                fl(
                 1
                 ) fl((a,b)) fl(
                #if 1
                 yes
                #else
                 no
                #endif
                 )
                #define MINUS -
                e -MINUS-1 MINUS-MINUS- 1 .fl(.)x +fl(+)+ <fl(a)b> fl(1)fl(2) 0x fl(1)
                #define dot .
                1dot 1 dot 2 x dot y
                #define P(a,b) a ## b
                d P(1,2) P(x,) P(,y) P(-,>) P(+,-) P(,) <P( 1, 2 )>
                #define PASTER(x, y) x ## y
                #define EVALUATOR(x, y) PASTER(x, y)
                #define LABEL(name) EVALUATOR(cp0, EVALUATOR(_, name))
                LABEL(thermal_ic): node
                """;
        String gcc = "a foo x bar 1 f f f(2) g(g(1)) b F (1, 2) F, (, 'a', 'b', ); "
                + "c printf(\"x\" \"1\" \"= %d, x\" \"2\" \"= %s\", x1, x2); "
                + "fputs(\"strncmp(\\\"abc\\\\0d\\\", \\\"abc\\\", '\\\\4') == 0\" \": @\\n\", s); "
                + "\"vers2.h\" \"hello\"; \"hello\" \", world\" "
                + "int j[] = { 123, 45, 67, 89, 10, 11, 12, }; "
                + "puts(\"The first, second, and third items.\"); "
                + "((x>y)?puts(\"x>y\"): printf(\"x is %d but y is %d\", x, y)); "
                + "<1, 2> <> xy x y x f3(1) f3(1,) f3(1, 2, 3) f3() [1] [(a,b)] [yes] "
                + "e - - -1 - - - - 1 .[.]x +[+]+ <[a]b> [1][2] 0x [1] 1dot 1 . 2 x . y "
                + "d 12 x y -> +- <12> cp0_thermal_ic: node";
        assertEquals(gcc, norm(text(src)));
    }

    @Test
    void builtinMacros() throws IOException {
        String out = text(
                "a __LINE__ __INCLUDE_LEVEL__ __COUNTER__ __COUNTER__\n#line 100 \"renamed.dts\"\nb __LINE__ __FILE__\n");
        assertEquals("a 1 0 0 1 b 100 \"renamed.dts\"", norm(out));
        assertTrue(out.contains("# 100 \"renamed.dts\"\nb"), out);
    }

    @Test
    void predefinedMacrosAreGccsAssemblerSet() throws IOException {
        String out = text("""
                #if __ASSEMBLER__ && __STDC__ && __STDC_HOSTED__ && defined(__DTS__)
                ok
                #endif
                #if defined(linux) || defined(unix) || defined(__GNUC__) || defined(__linux__)
                bad
                #endif
                linux,phandle = <1>; unix
                """);
        assertEquals("ok linux,phandle = <1>; unix", norm(out));
    }

    @Test
    void commandLineDefines() throws IOException {
        Path main = write("main.dts", "A B F(3)\n");
        String out = run(main, List.of(), Map.of("A", "1", "B", "x y", "F(v)", "[v]"))
                .text();
        assertEquals("1 x y [3]", norm(out));
    }

    // ------------------------------------------------------------- conditionals

    @Test
    void ifExpressionsEvaluateLikeGcc() throws IOException {
        String out = text("""
                #define A 1
                #define B(x) ((x) * 2)
                #if defined A && defined(B) && !defined C
                r1
                #endif
                #if -1 > 0u
                r2
                #endif
                #if (1 >> 70) == 0 && (-8 >> 1) == -4 && (1u << 64) == 0 && (1 << -1) == 0
                r3
                #endif
                #if 'a' == 97 && '\\377' < 0 && 'ab' == 24930 && '\\n' == 10 && L'x' == 120
                r4
                #endif
                #if UNDEFINED == 0 && B(3) == 6 && (A ? 2 : 3) == 2 && 0 ? 1/0 : 1
                r5
                #endif
                #if 0 && (1/0)
                no
                #elif 1 || (1/0)
                r6
                #endif
                #if 0x10 == 16 && 010 == 8 && 0b101 == 5 && 10ULL == 10 && 18446744073709551615u == -1
                r7
                #endif
                #if 7 % 3 == 1 && -7 / 2 == -3 && (~0) == -1 && !0 == 1 && (3 ^ 5) == 6 && (3 | 4) == 7 && (6 & 3) == 2
                r8
                #endif
                #if 1 != 2 && 2 >= 2 && 2 <= 3 && 3 > 2 && (1, 2) == 2
                r9
                #endif
                #ifdef A
                r10
                #elifdef B
                no
                #else
                no
                #endif
                #ifndef A
                no
                #elifndef ZZ
                r11
                #endif
                #if 0
                #garbage ' unterminated
                #if 1/0
                #endif
                #else junk
                r12
                #endif
                #if 0
                #elif 0
                #elif 2
                r13
                #elif 1/0
                #endif
                """);
        assertEquals("r1 r2 r3 r4 r5 r6 r7 r8 r9 r10 r11 r12 r13", norm(out));
    }

    @Test
    void hasInclude() throws IOException {
        write("inc/there.h", "");
        Path main = write(
                "main.dts",
                "#if __has_include(<there.h>) && !__has_include(\"missing.h\") && __has_include(\"main.dts\")\nyes\n#endif\n");
        assertEquals(
                "yes", norm(run(main, List.of(dir.resolve("inc")), Map.of()).text()));
    }

    // ------------------------------------------------------------- includes

    @Test
    void includeSearchOrder() throws IOException {
        write("a/x.h", "from_a\n");
        write("b/x.h", "from_b\n");
        write("b/y.h", "y_from_b\n");
        write("main/x.h", "from_main_dir\n");
        Path main = write(
                "main/main.dts",
                "#include \"x.h\"\n#include <x.h>\n#include \"y.h\"\n#define HDR <y.h>\n#include HDR\n#define Q \"x.h\"\n#include Q\n");
        String out =
                run(main, List.of(dir.resolve("a"), dir.resolve("b")), Map.of()).text();
        assertEquals("from_main_dir from_a y_from_b y_from_b from_main_dir", norm(out));
    }

    @Test
    void includeNextContinuesAfterTheDirWhereTheFileWasFound() throws IOException {
        write("a/x.h", "in_a\n#include_next <x.h>\n");
        write("b/x.h", "in_b\n");
        Path main = write("main.dts", "#include <x.h>\n");
        assertEquals(
                "in_a in_b",
                norm(run(main, List.of(dir.resolve("a"), dir.resolve("b")), Map.of())
                        .text()));
    }

    @Test
    void missingIncludeIsAnErrorAtTheName() throws IOException {
        DtException e = error("/dts-v1/;\n#include \"nope.dtsi\"\n");
        assertAt(e, 2, 10, "nope.dtsi: No such file or directory");
        assertEquals(dir.resolve("main.dts").toString(), e.span().file());
    }

    @Test
    void errorsInsideIncludedFilesNameThatFile() throws IOException {
        write("bad.dtsi", "ok\n\n#error stop here\n");
        DtException e = error("#include \"bad.dtsi\"\n");
        assertAt(e, 3, 2, "#error stop here");
        assertEquals(dir + "/bad.dtsi", e.span().file());
    }

    @Test
    void includeRecursionStopsAtDepth200() throws IOException {
        write("self.h", "#include \"self.h\"\nx\n");
        DtException e = error("#include \"self.h\"\n");
        assertEquals(
                "#include nested depth 200 exceeds maximum of 200 (use -fmax-include-depth=DEPTH to increase the maximum)",
                e.getMessage());
    }

    @Test
    void pragmaOnceAndImport() throws IOException {
        write("o.h", "#pragma once\nonce\n");
        write("i.h", "imp\n");
        assertEquals("once imp", norm(text("#include \"o.h\"\n#include \"o.h\"\n#import \"i.h\"\n#import \"i.h\"\n")));
    }

    // ------------------------------------------------------------- line mapping

    @Test
    void longGapsGetAMarkerShortOnesBlankLines() throws IOException {
        String out = text("a\n\n\nb\n" + "\n".repeat(12) + "c\n#define X \\\n  1\nd X\n");
        Path main = dir.resolve("main.dts");
        assertEquals("# 1 \"" + main + "\"\na\n\n\nb\n# 17 \"" + main + "\"\nc\n\n\nd 1\n", out);
    }

    @Test
    void unexpandedLinesKeepTheirColumns() throws IOException {
        String src = "/ {\n\tnode@0 {\n\t\treg = <0x0 0x1000>;   /* c */ status = \"okay\";\n\t};\n};\n";
        String out = text(src);
        assertTrue(out.endsWith(src.replace("/* c */", "       ")), out);
    }

    @Test
    void directivesAndErrorsPointAtOriginalLines() throws IOException {
        assertAt(error("a\n\n#if 1\n"), 3, 2, "unterminated #if");
        assertAt(error("#ifdef X\n#else\n#else\n#endif\n"), 3, 2, "#else after #else");
        assertAt(error("#endif\n"), 1, 2, "#endif without #if");
        assertAt(error("#if 1\n#else\n#elif 1\n#endif\n"), 3, 2, "#elif after #else");
        assertAt(error("x\n  #error   foo  \"bar\"\n"), 2, 4, "#error foo \"bar\"");
        assertAt(error("#if 1/0\n#endif\n"), 1, 6, "division by zero in #if");
        assertAt(error("#if 1 2\n#endif\n"), 1, 7, "missing binary operator before token \"2\"");
        assertAt(error("#if 08\n#endif\n"), 1, 5, "invalid digit \"8\" in octal constant");
        assertAt(error("#define F(x,x) x\n"), 1, 13, "duplicate macro parameter \"x\"");
        assertAt(error("#define defined 1\n"), 1, 9, "\"defined\" cannot be used as a macro name");
        assertAt(error("#define F(x) x\n\nF(1,2)\n"), 3, 1, "macro \"F\" passed 2 arguments, but takes just 1");
        assertAt(error("#define G(x,y) x\nG(1)\n"), 2, 1, "macro \"G\" requires 2 arguments, but only 1 given");
        assertAt(error("#define F(x) x\nF(1\n"), 2, 1, "unterminated argument list invoking macro \"F\"");
    }

    // ------------------------------------------------------------- robustness and caching

    @Test
    void explodingExpansionIsBounded() throws IOException {
        StringBuilder sb = new StringBuilder("#define a0 x x\n");
        for (int i = 1; i <= 40; i++)
            sb.append("#define a")
                    .append(i)
                    .append(" a")
                    .append(i - 1)
                    .append(" a")
                    .append(i - 1)
                    .append('\n');
        sb.append("a40\n");
        DtException e = error(sb.toString());
        assertTrue(e.getMessage().contains("too much output"), e.getMessage());
    }

    @Test
    void exponentialIncludesAreBounded() throws IOException {
        for (int i = 0; i < 40; i++)
            write("h" + i + ".h", "#include \"h" + (i + 1) + ".h\"\n#include \"h" + (i + 1) + ".h\"\n");
        write("h40.h", "x\n");
        DtException e = error("#include \"h0.h\"\n");
        assertTrue(e.getMessage().contains("#include") || e.getMessage().contains("too much"), e.getMessage());
    }

    @Test
    void randomInputOnlyEverFailsWithDtException() throws IOException {
        String[] parts = {
            "#define ",
            "#if ",
            "#ifdef ",
            "#else\n",
            "#endif\n",
            "#include ",
            "#undef ",
            "F(",
            ")",
            "(",
            ",",
            " ## ",
            " # ",
            "__VA_ARGS__",
            "...",
            "\"",
            "'",
            "/*",
            "*/",
            "//",
            "\\\n",
            "\n",
            " ",
            "X",
            "F",
            "1",
            "0x",
            "#address-cells = <1>;\n",
            "defined",
            "<",
            ">",
            "+",
            "-",
            "/",
            "?",
            ":",
            "#line ",
            "__LINE__",
            "_Pragma"
        };
        Random rnd = new Random(42);
        Path main = dir.resolve("fuzz.dts");
        Preprocessor pp = new Preprocessor(List.of(), Map.of());
        for (int i = 0; i < 600; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(60);
            for (int k = 0; k < n; k++) sb.append(parts[rnd.nextInt(parts.length)]);
            Files.writeString(main, sb);
            try {
                pp.run(main);
            } catch (DtException expected) {
                assertTrue(
                        expected.getMessage() != null && !expected.getMessage().contains("internal"),
                        expected.getMessage());
            }
        }
    }

    @Test
    void oneInstanceGivesTheSameResultEveryRun() throws IOException {
        write("h.dtsi", "#define V 3\nv = <V>;\n");
        Path a = write("a.dts", "#include \"h.dtsi\"\na = <V>;\n");
        Path b = write("b.dts", "#ifdef V\nwrong\n#endif\n#include \"h.dtsi\"\nb;\n");
        Preprocessor pp = new Preprocessor(List.of(), Map.of());
        String first = pp.run(a).text();
        assertEquals("v = <3>; b;", norm(pp.run(b).text()));
        assertEquals(first, pp.run(a).text());
        assertEquals("v = <3>; a = <3>;", norm(first));
    }
}
