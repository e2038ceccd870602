package dev.gunyahdt.dt.compile;

import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One source compiled by {@code /usr/bin/dtc} and by gunyah-dt's {@link Compiler} (no
 * preprocessor, as dtc has none) with the same flags, and the two outcomes compared: the same
 * verdict (output written or refused) and, when both wrote, the same bytes. Shared by the dtc
 * test-suite run and the fuzzer.
 */
final class DtcDifferential {

    static final Path DTC = Path.of("/usr/bin/dtc");

    /** The flag sets compared: a blob and {@code -O dts}, each plain and with {@code -@}. */
    enum Mode {
        DTB(List.of("-O", "dtb")),
        DTB_SYMBOLS(List.of("-O", "dtb", "-@")),
        DTS(List.of("-O", "dts")),
        DTS_SYMBOLS(List.of("-O", "dts", "-@"));

        final List<String> flags;

        Mode(List<String> flags) {
            this.flags = flags;
        }
    }

    /** What one compiler made of a source: its output (null when refused) and its messages. */
    record Outcome(byte[] output, String messages, boolean crashed) {
        boolean accepted() {
            return output != null;
        }
    }

    /** Both outcomes; {@link #agree()} is the verdict-and-bytes rule. */
    record Result(Path source, Mode mode, Outcome dtc, Outcome ours) {
        boolean agree() {
            return dtc.accepted() == ours.accepted() && (!dtc.accepted() || Arrays.equals(dtc.output, ours.output));
        }

        String describe() {
            return source + " [" + mode + "]: dtc " + verdict(dtc) + ", gunyah-dt " + verdict(ours)
                    + (dtc.accepted() && ours.accepted() ? " (outputs differ)" : "")
                    + "\n  dtc: " + dtc.messages.strip().replace("\n", "\n       ")
                    + "\n  ours: " + ours.messages.strip().replace("\n", "\n        ");
        }

        private static String verdict(Outcome o) {
            return o.crashed ? "crashed" : o.accepted() ? "accepted" : "refused";
        }
    }

    private DtcDifferential() {}

    static boolean dtcInstalled() {
        return Files.isExecutable(DTC);
    }

    static Result compare(Path source, Mode mode, Path scratch) throws IOException, InterruptedException {
        return compare(source, mode, scratch, null);
    }

    /** As {@link #compare(Path, Mode, Path)}, running dtc through {@code server} when not null. */
    static Result compare(Path source, Mode mode, Path scratch, DtcServer server)
            throws IOException, InterruptedException {
        return new Result(source, mode, dtc(source, mode, scratch, server), ours(source, mode));
    }

    /** dtc writing to a scratch file; exit 0 with the file is acceptance, a signal a crash. */
    static Outcome dtc(Path source, Mode mode, Path scratch, DtcServer server)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-I", "dts"));
        args.addAll(mode.flags);
        args.addAll(List.of("-o", scratch.toString(), source.toString()));
        Files.deleteIfExists(scratch);
        int rc;
        String err;
        if (server != null) {
            Path errFile = Path.of(scratch + ".err");
            rc = server.run(args, errFile);
            err = Files.readString(errFile, java.nio.charset.StandardCharsets.ISO_8859_1);
        } else {
            List<String> cmd = new ArrayList<>(List.of(DTC.toString()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            rc = p.waitFor();
        }
        boolean written = rc == 0 && Files.exists(scratch);
        return new Outcome(written ? Files.readAllBytes(scratch) : null, err, rc > 2);
    }

    static Outcome ours(Path source, Mode mode) {
        CompileOptions o = new CompileOptions(
                CompileOptions.Format.DTS,
                mode == Mode.DTS || mode == Mode.DTS_SYMBOLS ? CompileOptions.Format.DTS : CompileOptions.Format.DTB,
                DtbOptions.defaults(),
                -1,
                false,
                List.of(),
                false,
                PhandleFormat.EPAPR,
                List.of(),
                mode == Mode.DTB_SYMBOLS || mode == Mode.DTS_SYMBOLS,
                false,
                false,
                false,
                Map.of());
        try {
            Compilation c = new Compiler(o).compile(source, null, "out");
            StringBuilder msgs = new StringBuilder();
            c.messages().forEach(m -> msgs.append(m.text()).append('\n'));
            return new Outcome(c.output(), msgs.toString(), false);
        } catch (DtException e) {
            return new Outcome(null, e.getMessage(), false);
        } catch (RuntimeException | StackOverflowError e) {
            return new Outcome(null, "CRASH " + e, true);
        }
    }
}
