package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -D} in every form a Makefile writes it, attached ({@code -DNAME=VAL}) or not, as cpp reads them. */
class DtcDefineTest {

    @TempDir
    Path tmp;

    private String dts(String... args) throws Exception {
        Path src = Files.writeString(
                tmp.resolve("d.dts"), "/dts-v1/;\n/ { a = <VAL>; b = <F(3)>; c = <EMPTY 7>; d = <ONE>; };\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 3];
        all[0] = "dtc";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "-Odts";
        all[args.length + 2] = src.toString();
        int status = Main.run(
                all,
                new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final String EXPECTED = "a = <0x05>;\n\tb = <0x04>;\n\tc = <0x07>;\n\td = <0x01>;";

    @Test
    void attachedForms() throws Exception {
        assertTrue(dts("-DVAL=5", "-DF(x)=(x+1)", "-DEMPTY=", "-DONE").contains(EXPECTED));
    }

    @Test
    void separateAndLongForms() throws Exception {
        assertTrue(dts("-D", "VAL=5", "-D", "F(x)=(x+1)", "--define", "EMPTY=", "--define=ONE")
                .contains(EXPECTED));
    }

    @Test
    void anOptionValueThatLooksLikeAnOptionIsLeftAlone() {
        assertEquals(
                List.of("-o", "-Dx=1", "-D", "y=2"),
                CommandLines.detachValues(DtcCommand.options(), List.of("-o", "-Dx=1", "-Dy=2")));
    }
}
