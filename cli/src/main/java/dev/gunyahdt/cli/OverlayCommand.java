package dev.gunyahdt.cli;

import dev.gunyahdt.dt.overlay.OverlayApplier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code gunyah-dt overlay apply BASE.dtb OVERLAY.dtbo… -o OUT}: fdtoverlay 1.6.1. */
final class OverlayCommand {

    private OverlayCommand() {}

    static int run(List<String> args, Io io) throws Exception {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            io.out().println("Usage: gunyah-dt overlay apply BASE.dtb OVERLAY.dtbo... -o OUT.dtb");
            io.out()
                    .println(
                            "       (fdtoverlay's form also works: overlay apply -i BASE.dtb -o OUT.dtb OVERLAY.dtbo...)");
            io.out().println();
            io.out().println("Applies each overlay in order to the base blob with fdtoverlay 1.6.1's semantics:");
            io.out().println("overlay phandles renumbered above the base's, __fixups__ resolved through the base's");
            io.out().println("__symbols__ (so the base must be compiled with -@), fragments merged, __symbols__");
            io.out().println("updated. The output is byte-identical to fdtoverlay's and written only on success.");
            return args.isEmpty() ? 2 : 0;
        }
        if (!args.get(0).equals("apply")) {
            throw new UsageException("unknown overlay action '" + args.get(0) + "' (only 'apply' exists)");
        }
        String out = null;
        String base = null;
        List<String> overlays = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-o") || a.equals("--output") || a.equals("-i") || a.equals("--input")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(a + " needs a file name");
                }
                if (a.startsWith("-o") || a.equals("--output")) {
                    out = args.get(++i);
                } else {
                    base = args.get(++i);
                }
            } else if (base == null) {
                base = a;
            } else {
                overlays.add(a);
            }
        }
        if (base == null || out == null || overlays.isEmpty()) {
            throw new UsageException("need a base blob, at least one overlay and -o OUT");
        }
        byte[] baseBlob = read(base);
        List<byte[]> blobs = new ArrayList<>();
        for (String o : overlays) {
            blobs.add(read(o));
        }
        byte[] result = OverlayApplier.apply(baseBlob, blobs, overlays);
        OutputFiles.write(out, result, io.out());
        return 0;
    }

    private static byte[] read(String file) throws UsageException {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
