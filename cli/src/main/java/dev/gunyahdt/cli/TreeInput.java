package dev.gunyahdt.cli;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a tree for the verbs that look at one (inspect, diff): a blob by its magic number,
 * anything else as DTS through the compile pipeline (preprocessor, parser, checks). Check
 * warnings are not shown (the dtc and lint verbs are for those); errors are.
 */
final class TreeInput {

    private TreeInput() {}

    /**
     * @throws UsageException when the file cannot be read (exit 2)
     * @throws DtException    when it is not a valid DTB or DTS (exit 1)
     */
    static DeviceTree load(String file, List<Path> includeDirs, Io io) throws UsageException {
        byte[] raw = read(file, io);
        boolean stdin = file.equals("-");
        String name = stdin ? "<stdin>" : file;
        if (raw.length >= 4
                && (raw[0] & 0xff) == 0xd0
                && (raw[1] & 0xff) == 0x0d
                && (raw[2] & 0xff) == 0xfe
                && (raw[3] & 0xff) == 0xed) {
            return DtbReader.read(raw, name);
        }
        CompileOptions opts = CompileOptions.defaults()
                .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB)
                .withIncludeDirs(includeDirs);
        Compilation c = new Compiler(opts).compile(Path.of(file), stdin ? raw : null, "-");
        if (c.failed() || c.tree() == null) {
            for (Compilation.Message m : c.messages()) {
                if (m.level() != Compilation.Level.WARNING) {
                    io.err().println(m.text());
                }
            }
            throw new DtException(name + ": the source has errors (run 'gunyah-dt dtc " + file + "' for details)");
        }
        return c.tree();
    }

    private static byte[] read(String file, Io io) throws UsageException {
        try {
            return file.equals("-") ? io.readStdin() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
