package dev.gunyahdt.dt.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.Test;

/**
 * The hand-written scanner must produce exactly the token stream of the ANTLR lexer grammar
 * (DtsLexer.g4), which stays the definition of the token language.
 */
class DtsTokenizerTest {

    /** "TYPE 'text' line:col" for every token up to EOF. */
    private static List<String> antlr(String text) {
        DtsLexer lexer = new DtsLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        List<String> out = new ArrayList<>();
        for (Token t = lexer.nextToken(); ; t = lexer.nextToken()) {
            out.add(describe(t));
            if (t.getType() == Token.EOF) {
                return out;
            }
        }
    }

    private static List<String> ours(String text) {
        PositionedToken.Factory f = new PositionedToken.Factory(LineMap.of(text, "t"));
        DtsTokenizer tok = new DtsTokenizer(text.getBytes(StandardCharsets.ISO_8859_1), "t", f, null);
        List<String> out = new ArrayList<>();
        for (Token t = tok.next(); ; t = tok.next()) {
            out.add(describe(t));
            if (t.getType() == Token.EOF) {
                return out;
            }
        }
    }

    private static String describe(Token t) {
        String name = t.getType() == Token.EOF ? "EOF" : DtsLexer.VOCABULARY.getSymbolicName(t.getType());
        String text = t.getType() == Token.EOF ? "" : t.getText();
        return name + " '" + text + "' " + t.getLine() + ":" + t.getCharPositionInLine();
    }

    private static void same(String text) {
        assertEquals(antlr(text), ours(text), () -> "token streams differ for:\n" + text);
    }

    @Test
    void tricky() {
        for (String s : List.of(
                "/dts-v1/;\n/ { a = <1 2>, <&x 0x10>, /bits/ 8 <1>; b = [01 02 l: 03]; c = \"s\\\"t\"; };",
                "/ { n@1,2 { #address-cells = <1>; l1: l2: p = l3: <(1 < 2 > 0) (3<<1) (4>=2) 'a' '\\n'>; }; };",
                "&{/a/b@1} { /delete-property/ x; /delete-node/ y; }; /delete-node/ &z; /omit-if-no-ref/ &q;",
                "/memreserve/ 0x1000 0x2000; /plugin/; /include/ \"f.dtsi\" /incbin/(\"b\", 1, 2)",
                "/ { a = <0x>; b = <08>; c = <1LUL>; d = < >; e = <>; f = <1 /* c */ 2>; g = < 1\n 2 >; };",
                "/ { x = \"unterminated; y = 'ab'; z = '\\'; && || ! != == = ~ ^ % ? : };",
                "/ { a: ; bad$name { }; &&x; &{x}; &{/x; [0g 0] [abc:]; }; /* open comment",
                "/ {\n\t// line comment\n\tn { }; /* multi\nline */ m { };\n};\n\"multi\nline string\"",
                "label_only_no_colon abc 1abc: _x: #x ?y *z +w -v .u ,t @s")) {
            same(s);
        }
    }

    @Test
    void randomSoupsOfSignificantCharacters() {
        String alphabet = " \t\n/*&{}[]<>()=;,:\"'\\#@-_.+?!|^~%0123456789abcdefxXlLuU";
        String[] words = {
            "/dts-v1/",
            "/plugin/",
            "/bits/",
            "/delete-node/",
            "/delete-property/",
            "/incbin/",
            "/memreserve/",
            "/omit-if-no-ref/",
            "/include/",
            "label:",
            "&ref",
            "&{/p/q}",
            "<0x1 2>",
            "0x1f"
        };
        Random r = new Random(42);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(60);
            for (int j = 0; j < len; j++) {
                if (r.nextInt(6) == 0) {
                    sb.append(words[r.nextInt(words.length)]);
                } else {
                    sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            same(sb.toString());
        }
    }

    @Test
    void everyTestSource() throws IOException {
        Path resources = Path.of("src/test/resources");
        assumeTrue(Files.isDirectory(resources));
        try (Stream<Path> files = Files.walk(resources)) {
            for (Path p : files.filter(
                            f -> f.toString().endsWith(".dts") || f.toString().endsWith(".dtsi"))
                    .toList()) {
                same(Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** Hand-run over the kernel tree: -Dcorpus.pp=DIR of preprocessed sources. */
    @Test
    void corpus() throws IOException {
        String dir = System.getProperty("corpus.pp");
        assumeTrue(dir != null, "set -Dcorpus.pp=DIR to compare over preprocessed sources");
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            for (Path p : files.sorted().toList()) {
                same(new String(
                        LineMap.of(Files.readString(p, StandardCharsets.ISO_8859_1), "x")
                                .text(),
                        StandardCharsets.ISO_8859_1));
            }
        }
    }
}
