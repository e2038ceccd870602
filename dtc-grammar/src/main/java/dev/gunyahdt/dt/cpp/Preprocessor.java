package dev.gunyahdt.dt.cpp;

import dev.gunyahdt.dt.diag.DtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * gunyah-dt's C preprocessor for devicetree sources: behaves like the kernel's
 * {@code cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp} (GCC 12). Lines that start with
 * {@code #} but are no directive ({@code #address-cells = <1>;}) pass through as text, with
 * macros expanded as GCC does. The output carries GCC-style linemarkers
 * ({@code # 1 "inc.h" 1}, {@code # 12 "file.dts" 2}) so every token maps back to its file and
 * line; lines without macros keep their original blanks, hence their columns.
 *
 * <p>One instance may run many files: included files are read and tokenized once and reused
 * (files must not change meanwhile). Runs may happen on several threads at once.
 */
public final class Preprocessor {

    private static final Map<String, String> PREDEFINED =
            Map.of("__STDC__", "1", "__STDC_HOSTED__", "1", "__ASSEMBLER__", "1");
    private static final List<String> BUILTINS = List.of(
            "__FILE__",
            "__LINE__",
            "__INCLUDE_LEVEL__",
            "__BASE_FILE__",
            "__COUNTER__",
            "__DATE__",
            "__TIME__",
            "_Pragma");

    private final List<Path> includeDirs;
    private final Map<String, Macro> initial;
    private final ConcurrentHashMap<Path, SourceFile> files;
    private final ConcurrentHashMap<Path, Optional<Path>> realPaths;
    private final ThreadLocal<Engine.Buffers> buffers;
    private final ThreadLocal<Texts> texts;

    /** What a successful include lookup found. */
    record Found(SourceFile source, Path opened, Path real, String display, int dirIndex) {}

    /**
     * @param includeDirs searched for {@code #include "…"} (after the including file's dir) and {@code <…>}
     * @param defines     name (or {@code NAME(args)}) to replacement text ("1" for a plain -DNAME);
     *                    {@code __DTS__} is not implied, the caller passes it
     */
    public Preprocessor(List<Path> includeDirs, Map<String, String> defines) {
        this.includeDirs = List.copyOf(includeDirs);
        Map<String, Macro> m = new HashMap<>();
        for (String b : BUILTINS) m.put(b, Macro.builtin(b));
        Map<String, String> all = new LinkedHashMap<>(PREDEFINED);
        all.putAll(defines);
        for (Map.Entry<String, String> e : all.entrySet()) {
            Token[] t = Lexer.lexLine("#define " + e.getKey() + " " + e.getValue());
            if (t == null) throw new DtException("<command-line>: invalid definition of " + e.getKey());
            try {
                Macro mac = parseDefine(t, 2);
                m.put(mac.name(), mac);
            } catch (Expr.Failure f) {
                throw new DtException("<command-line>: " + f.getMessage());
            }
        }
        this.initial = Map.copyOf(m);
        this.files = new ConcurrentHashMap<>();
        this.realPaths = new ConcurrentHashMap<>();
        this.buffers = ThreadLocal.withInitial(Engine.Buffers::new);
        this.texts = ThreadLocal.withInitial(Texts::new);
    }

    private Preprocessor(Preprocessor base, List<Path> includeDirs) {
        this.includeDirs = List.copyOf(includeDirs);
        this.initial = base.initial;
        this.files = base.files;
        this.realPaths = base.realPaths;
        this.buffers = base.buffers;
        this.texts = base.texts;
    }

    /**
     * The same preprocessor (same defines) searching other include dirs, sharing this one's
     * cache of read files: for a corpus whose files each add their own directory.
     */
    public Preprocessor withIncludeDirs(List<Path> includeDirs) {
        return new Preprocessor(this, includeDirs);
    }

    /** The preprocessed text and every file read. */
    public record Result(String text, List<Path> dependencies) {}

    /**
     * Preprocesses one file.
     *
     * @throws DtException with the position (original file, line, column) for #error, a missing
     *                     include, an unterminated #if or comment, bad directive syntax, too deep
     *                     include nesting or a macro expansion that grows too large
     */
    public Result run(Path file) {
        try {
            return new Engine(this, initial, buffers.get()).run(file);
        } catch (DtException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw new DtException(file + ": macro expansion nested too deeply");
        } catch (RuntimeException e) {
            throw new DtException(file + ": internal preprocessor error: " + e);
        }
    }

    // ---------------------------------------------------------------- files

    Found openMain(Path file) {
        Path real = realPath(file);
        if (real == null) throw new DtException(file + ": " + (Files.exists(file) ? NOT_REGULAR : NO_SUCH_FILE));
        SourceFile sf = files.get(real);
        if (sf == null) sf = read(real); // main files are not kept: only headers are shared
        return new Found(sf, file, real, file.toString(), -1);
    }

    /** Looks a header up: the includer's dir (quoted form), then the include dirs from startDir. */
    Found find(String name, boolean angled, int startDir, Path includer) {
        for (Candidate c : candidates(name, angled, startDir, includer)) {
            Path real = realPath(c.path());
            if (real != null) return found(c.path(), real, c.dirIndex());
        }
        return null;
    }

    /** Why {@link #find} found nothing: the words that follow the name in the error. */
    String whyNotFound(String name, boolean angled, int startDir, Path includer) {
        if (name.indexOf('\0') >= 0) return "file name contains a NUL character";
        for (Candidate c : candidates(name, angled, startDir, includer)) {
            // only regular files are opened: /dev/zero or a directory would never end
            if (Files.exists(c.path())) return NOT_REGULAR;
        }
        return NO_SUCH_FILE;
    }

    private static final String NOT_REGULAR = "not a regular file";
    private static final String NO_SUCH_FILE = "No such file or directory";

    private record Candidate(Path path, int dirIndex) {}

    /** The paths a header name may be at, in search order (none for a name no path can hold). */
    private List<Candidate> candidates(String name, boolean angled, int startDir, Path includer) {
        if (name.indexOf('\0') >= 0) return List.of();
        List<Candidate> out = new ArrayList<>();
        Path named = Path.of(name);
        if (named.isAbsolute()) return List.of(new Candidate(named, -1));
        if (!angled && startDir == 0) {
            Path parent = includer.getParent();
            out.add(new Candidate(parent == null ? named : parent.resolve(name), -1));
        }
        for (int i = startDir; i < includeDirs.size(); i++) {
            out.add(new Candidate(includeDirs.get(i).resolve(name), i));
        }
        return out;
    }

    private Found found(Path opened, Path real, int dirIndex) {
        return new Found(files.computeIfAbsent(real, this::read), opened, real, opened.toString(), dirIndex);
    }

    private Path realPath(Path p) {
        Path key = p.toAbsolutePath();
        Optional<Path> r = realPaths.get(key);
        if (r == null) {
            Path real = null;
            try {
                if (Files.isRegularFile(key)) real = key.toRealPath();
            } catch (IOException | SecurityException e) {
                real = null;
            }
            r = Optional.ofNullable(real);
            realPaths.putIfAbsent(key, r);
        }
        return r.orElse(null);
    }

    private SourceFile read(Path real) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(real);
        } catch (IOException e) {
            throw new DtException(real + ": " + e.getMessage());
        }
        // one char per byte (ISO-8859-1): the parser turns string literals back into bytes the
        // same way, so UTF-8 (or any other) text in a source reaches the blob byte for byte
        return Lexer.lex(real, bytes, texts.get());
    }

    // ---------------------------------------------------------------- #define

    /** Parses "#define NAME[(params)] body" whose name is token {@code at}. */
    static Macro parseDefine(Token[] t, int at) {
        if (t.length <= at) throw new Expr.Failure(null, "no macro name given in #define directive");
        Token n = t[at];
        if (n.kind != Token.IDENT) throw new Expr.Failure(n, "macro names must be identifiers");
        if (n.text.equals("defined") || n.text.equals("__has_include") || n.text.equals("__has_include_next")) {
            throw new Expr.Failure(n, "\"" + n.text + "\" cannot be used as a macro name");
        }
        int i = at + 1;
        boolean fun = i < t.length && t[i].is("(") && !t[i].has(Token.PREV_WHITE);
        List<String> params = new ArrayList<>();
        boolean variadic = false;
        if (fun) {
            i++;
            boolean done = false;
            if (i < t.length && t[i].is(")")) {
                i++;
                done = true;
            }
            while (!done) {
                if (i >= t.length) throw new Expr.Failure(n, "missing ')' in macro parameter list");
                Token p = t[i++];
                if (p.is("...")) {
                    params.add("__VA_ARGS__");
                    variadic = true;
                    if (i >= t.length || !t[i].is(")")) throw new Expr.Failure(p, "missing ')' after \"...\"");
                    i++;
                    break;
                }
                if (p.kind != Token.IDENT)
                    throw new Expr.Failure(p, "expected parameter name, found \"" + p.text + "\"");
                if (params.contains(p.text)) throw new Expr.Failure(p, "duplicate macro parameter \"" + p.text + "\"");
                params.add(p.text);
                if (i >= t.length) throw new Expr.Failure(p, "missing ')' in macro parameter list");
                Token q = t[i++];
                if (q.is("...")) {
                    variadic = true;
                    if (i >= t.length || !t[i].is(")")) throw new Expr.Failure(q, "missing ')' after \"...\"");
                    i++;
                    break;
                }
                if (q.is(")")) break;
                if (!q.is(",")) throw new Expr.Failure(q, "expected ',' or ')', found \"" + q.text + "\"");
            }
        }
        List<Token> body = new ArrayList<>();
        for (int j = i; j < t.length; j++) {
            Token b = t[j];
            int pi = fun && b.kind == Token.IDENT ? params.indexOf(b.text) : -1;
            if (pi >= 0) {
                body.add(new Token.Param(b.text, b.flags, b.line, b.col, b.lead, pi));
            } else if (fun
                    && b.is("#")
                    && j + 1 < t.length
                    && t[j + 1].kind == Token.IDENT
                    && params.contains(t[j + 1].text)) {
                Token a = t[++j];
                int flags = Token.STRINGIFY | (b.flags & Token.PREV_WHITE);
                body.add(new Token.Param(a.text, flags, a.line, a.col, b.lead, params.indexOf(a.text)));
            } else if (b.is("##")) {
                if (body.isEmpty() || j == t.length - 1) {
                    throw new Expr.Failure(b, "'##' cannot appear at either end of a macro expansion");
                }
                Token last = body.remove(body.size() - 1);
                body.add(last.withFlags(last.flags | Token.PASTE_LEFT));
            } else {
                body.add(b); // in assembler mode a '#' not before a parameter is kept as is
            }
        }
        if (!body.isEmpty()) body.set(0, body.get(0).withFlags(body.get(0).flags & ~Token.PREV_WHITE));
        return new Macro(n.text, fun, params.toArray(new String[0]), variadic, body.toArray(new Token[0]), null);
    }
}
