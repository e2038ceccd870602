package dev.gunyahdt.dt.compile;

import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.dtb.DtbOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything one dtc-style compilation needs to know, one field per dtc flag.
 *
 * @param inFormat     {@code -I}: null to guess from the file (magic, then extension)
 * @param outFormat    {@code -O}: null to guess from the output name, else dtb for source input and dts for blob input
 * @param dtb          {@code -V -R -S -p -a}
 * @param bootCpu      {@code -b}, or -1 to keep the input's (0 for source)
 * @param force        {@code -f}: write output even when checks found errors
 * @param includeDirs  {@code -i}/{@code -I}: searched by {@code #include}, {@code /include/} and {@code /incbin/}
 * @param sort         {@code -s}
 * @param phandles     {@code -H}
 * @param checkFlags   {@code -W}/{@code -E} in command-line order
 * @param symbols      {@code -@}
 * @param autoAlias    {@code -A}
 * @param localFixups  {@code -L}: fixup nodes for a non-plugin tree too (later dtc; not in 1.6.1)
 * @param cpp          run the C preprocessor over source input (the default)
 * @param defines      {@code -D}: macro name to replacement ({@code __DTS__} is always defined)
 */
public record CompileOptions(
        Format inFormat,
        Format outFormat,
        DtbOptions dtb,
        long bootCpu,
        boolean force,
        List<Path> includeDirs,
        boolean sort,
        PhandleFormat phandles,
        List<CheckFlag> checkFlags,
        boolean symbols,
        boolean autoAlias,
        boolean localFixups,
        boolean cpp,
        Map<String, String> defines) {

    public CompileOptions {
        includeDirs = List.copyOf(includeDirs);
        checkFlags = List.copyOf(checkFlags);
        defines = Map.copyOf(defines);
    }

    /** dtc's defaults with the preprocessor on. */
    public static CompileOptions defaults() {
        return new CompileOptions(
                null,
                null,
                DtbOptions.defaults(),
                -1,
                false,
                List.of(),
                false,
                PhandleFormat.EPAPR,
                List.of(),
                false,
                false,
                false,
                true,
                Map.of());
    }

    /** The formats dtc reads and writes; gunyah-dt supports dts and dtb. */
    public enum Format {
        DTS,
        DTB;

        /** dtc's name for a format (dts, dtb), or null for one gunyah-dt does not support. */
        public static Format parse(String name) {
            return switch (name) {
                case "dts" -> DTS;
                case "dtb" -> DTB;
                default -> null;
            };
        }
    }

    /** One {@code -W}/{@code -E} flag: a check name or {@code no-}name. */
    public record CheckFlag(String flag, boolean error) {}

    public CompileOptions withSymbols(boolean on) {
        return new CompileOptions(
                inFormat,
                outFormat,
                dtb,
                bootCpu,
                force,
                includeDirs,
                sort,
                phandles,
                checkFlags,
                on,
                autoAlias,
                localFixups,
                cpp,
                defines);
    }

    public CompileOptions withIncludeDirs(List<Path> dirs) {
        return new CompileOptions(
                inFormat,
                outFormat,
                dtb,
                bootCpu,
                force,
                dirs,
                sort,
                phandles,
                checkFlags,
                symbols,
                autoAlias,
                localFixups,
                cpp,
                defines);
    }

    public CompileOptions withCheckFlags(List<CheckFlag> flags) {
        return new CompileOptions(
                inFormat,
                outFormat,
                dtb,
                bootCpu,
                force,
                includeDirs,
                sort,
                phandles,
                flags,
                symbols,
                autoAlias,
                localFixups,
                cpp,
                defines);
    }

    public CompileOptions withFormats(Format in, Format out) {
        return new CompileOptions(
                in,
                out,
                dtb,
                bootCpu,
                force,
                includeDirs,
                sort,
                phandles,
                checkFlags,
                symbols,
                autoAlias,
                localFixups,
                cpp,
                defines);
    }
}
