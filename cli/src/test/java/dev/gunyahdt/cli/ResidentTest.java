package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident process answers as a fresh process would (stdout, stderr and exit status), serves
 * only its own user's token, directory and verbs, refuses a directory others can enter, and exits
 * when idle. The C client is exercised by {@code tests/conformance/lint-per-file-speed.sh}, which
 * compares its answers with in-process runs.
 */
class ResidentTest {

    @TempDir
    Path tmp;

    /** What a client receives: stdout, stderr, exit status. */
    record Answer(String out, String err, int status) {}

    private Path privateDir() throws IOException {
        Path dir = tmp.resolve("resident");
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return dir;
    }

    private static CompletableFuture<Integer> start(Path dir, long idleSeconds) throws Exception {
        CompletableFuture<Integer> done = CompletableFuture.supplyAsync(() -> {
            try {
                return Resident.serve(dir, idleSeconds, new PrintStream(new ByteArrayOutputStream(), true));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 500 && !(Files.exists(dir.resolve("socket")) && Files.exists(dir.resolve("pid"))); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(dir.resolve("socket")), "the resident process is listening");
        return done;
    }

    private static Answer ask(Path dir, String token, String cwd, String... args) throws IOException {
        Bytes b = askBytes(dir, token, cwd, args);
        return new Answer(
                new String(b.out(), StandardCharsets.UTF_8), new String(b.err(), StandardCharsets.UTF_8), b.status());
    }

    /** An answer as bytes (a DTB on stdout). */
    record Bytes(byte[] out, byte[] err, int status) {}

    private static Bytes askBytes(Path dir, String token, String cwd, String... args) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("socket")));
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            List<String> all = new ArrayList<>(List.of(Resident.MAGIC, token, cwd, "0"));
            all.addAll(List.of(args));
            for (String s : all) {
                req.write(s.getBytes(StandardCharsets.UTF_8));
                req.write(0);
            }
            ch.write(ByteBuffer.wrap(req.toByteArray()));
            ch.shutdownOutput();
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            while (true) {
                int type = in.readByte();
                byte[] data = new byte[in.readInt()];
                in.readFully(data);
                if (type == 'x') {
                    return new Bytes(
                            out.toByteArray(),
                            err.toByteArray(),
                            ByteBuffer.wrap(data).getInt());
                }
                (type == '1' ? out : err).write(data);
            }
        } catch (EOFException e) {
            throw new IOException("the answer ended without an exit frame", e);
        }
    }

    /** The same command in this process, as a fresh {@code gunyah-dt} runs it. */
    private static Bytes inProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(
                args,
                new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true), new PrintStream(err, true)));
        return new Bytes(out.toByteArray(), err.toByteArray(), status);
    }

    private static void assertSame(Bytes fresh, Bytes served, String what) {
        assertEquals(fresh.status(), served.status(), what);
        assertArrayEquals(fresh.out(), served.out(), what + ": stdout");
        assertEquals(
                new String(fresh.err(), StandardCharsets.UTF_8),
                new String(served.err(), StandardCharsets.UTF_8),
                what);
    }

    /**
     * dtc and dt-extract-example (run once per board and per binding by make dtbs and
     * dt_binding_check) answer as in a fresh process, files written by -o and -d included; a
     * command that would read the caller's standard input or write its /dev/stdout is not served.
     */
    @Test
    void dtcAndExtractExampleAnswerAsAFreshProcess() throws Exception {
        Path dts = Files.writeString(tmp.resolve("small.dts"), """
                /dts-v1/;
                / {
                	#address-cells = <1>;
                	#size-cells = <1>;
                	model = "acme,small";
                	intc: interrupt-controller@1000 {
                		compatible = "acme,intc";
                		reg = <0x1000 0x100>;
                		interrupt-controller;
                		#interrupt-cells = <1>;
                	};
                	uart@2000 {
                		compatible = "acme,uart";
                		reg = <0x2000 0x100>;
                		interrupt-parent = <&intc>;
                		interrupts = <5>;
                	};
                };
                """);
        Path bad = Files.writeString(tmp.resolve("bad.dts"), "/dts-v1/;\n/ {\n\tfoo = <1 2;\n};\n");
        Path yaml = Files.writeString(tmp.resolve("acme-uart.yaml"), """
                %YAML 1.2
                ---
                $id: http://devicetree.org/schemas/serial/acme-uart.yaml#
                $schema: http://devicetree.org/meta-schemas/core.yaml#
                title: ACME UART
                maintainers:
                  - A <a@example.org>
                properties:
                  compatible:
                    const: acme,uart
                additionalProperties: true
                examples:
                  - |
                    uart@2000 {
                        compatible = "acme,uart";
                    };
                """);
        Path dtb = tmp.resolve("fresh/small.dtb");
        Path dep = tmp.resolve("fresh/small.d");
        Path servedDtb = tmp.resolve("served/small.dtb");
        Path servedDep = tmp.resolve("served/small.d");
        String[] toFile = {
            "dtc", "-I", "dts", "-O", "dtb", "-b", "0", "-o", dtb.toString(), "-d", dep.toString(), dts.toString()
        };
        String[] servedToFile = {
            "dtc",
            "-I",
            "dts",
            "-O",
            "dtb",
            "-b",
            "0",
            "-o",
            servedDtb.toString(),
            "-d",
            servedDep.toString(),
            dts.toString()
        };
        List<String[]> cases = List.of(
                new String[] {"dtc", "-I", "dtb", "-O", "dts", dtb.toString()},
                new String[] {"dtc", "-I", "dts", "-O", "dtb", bad.toString()},
                new String[] {"dtc", "-I", "dts", "-O", "dtb", "-o", "-", dts.toString()},
                new String[] {
                    "dtc", "-q", "-O", "dts", tmp.resolve("missing.dts").toString()
                },
                new String[] {"dt-extract-example", yaml.toString()});
        Bytes freshToFile = inProcess(toFile);
        assertEquals(0, freshToFile.status(), new String(freshToFile.err(), StandardCharsets.UTF_8));
        List<Bytes> fresh = new ArrayList<>();
        for (String[] args : cases) {
            fresh.add(inProcess(args));
        }
        assertEquals(1, fresh.get(1).status(), "the source with an error fails");
        assertTrue(fresh.get(2).out().length > 40 && fresh.get(2).out()[0] == (byte) 0xd0, "a DTB on stdout");
        assertTrue(new String(fresh.get(4).out(), StandardCharsets.UTF_8).contains("acme,uart"));

        Path dir = privateDir();
        CompletableFuture<Integer> done = start(dir, 2);
        String token = Files.readString(dir.resolve("token"));
        String cwd = Path.of("").toAbsolutePath().toString();
        Bytes served = askBytes(dir, token, cwd, servedToFile);
        assertSame(freshToFile, served, "dts to dtb with -o and -d");
        assertArrayEquals(Files.readAllBytes(dtb), Files.readAllBytes(servedDtb), "the DTB written");
        assertEquals(
                Files.readString(dep).replace(dtb.toString(), "OUT"),
                Files.readString(servedDep).replace(servedDtb.toString(), "OUT"),
                "the dependency file written");
        for (int i = 0; i < cases.size(); i++) {
            assertSame(fresh.get(i), askBytes(dir, token, cwd, cases.get(i)), String.join(" ", cases.get(i)));
        }
        // the caller's standard input or its own /dev/stdout: run by the caller
        Answer notServed = new Answer("", "", Resident.NOT_SERVED);
        assertEquals(notServed, ask(dir, token, cwd, "dtc", "-I", "dts", "-O", "dtb"));
        assertEquals(notServed, ask(dir, token, cwd, "dtc", "-I", "dts", "-O", "dtb", "-"));
        assertEquals(notServed, ask(dir, token, cwd, "dtc", "-O", "dts", "-o", "/dev/stdout", dts.toString()));
        assertEquals(notServed, ask(dir, token, cwd, "dtc", "-O", "dts", "-o/proc/self/fd/1", dts.toString()));
        Path link = Files.createSymbolicLink(tmp.resolve("out-link"), Path.of("/dev/stdout"));
        assertEquals(notServed, ask(dir, token, cwd, "dtc", "-O", "dts", "-o", link.toString(), dts.toString()));
        assertEquals(notServed, ask(dir, token, cwd, "lint", "-"));
        assertEquals(notServed, ask(dir, token, cwd, "dt-extract-example", "/dev/stdin"));
        assertEquals(0, done.get(30, TimeUnit.SECONDS));
    }

    @Test
    void answersAsAFreshProcessAndOnlyItsOwnCaller() throws Exception {
        Path board = Files.writeString(
                tmp.resolve("board.dts"), LintCommandTest.svm().replace("qcom,vmid", "qcom,vmid-x"));
        List<String[]> cases = List.of(
                new String[] {"lint", "-q", board.toString()},
                new String[] {"lint", "-q", "--format", "json", board.toString()},
                new String[] {"dt-validate", board.toString()},
                new String[] {"lint", tmp.resolve("missing.dts").toString()});
        // the fresh runs first: the resident process below stops after two idle seconds
        List<LintCommandTest.Run> fresh = new ArrayList<>();
        for (String[] args : cases) {
            fresh.add(LintCommandTest.run(args));
        }
        assertEquals(1, fresh.get(0).status(), "the board has findings");

        Path dir = privateDir();
        CompletableFuture<Integer> done = start(dir, 2);
        String token = Files.readString(dir.resolve("token"));
        String cwd = Path.of("").toAbsolutePath().toString();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("token"))));
        for (int i = 0; i < cases.size(); i++) {
            String[] args = cases.get(i);
            Answer a = ask(dir, token, cwd, args);
            assertEquals(fresh.get(i).status(), a.status(), String.join(" ", args));
            assertEquals(fresh.get(i).out(), a.out(), String.join(" ", args));
            // the summary line's time differs from run to run
            assertEquals(
                    fresh.get(i).err().replaceAll("in [0-9.]+ s", "in T s"),
                    a.err().replaceAll("in [0-9.]+ s", "in T s"));
        }

        Answer wrongToken = ask(dir, "0".repeat(token.length()), cwd, "lint", board.toString());
        assertEquals(new Answer("", "", Resident.NOT_SERVED), wrongToken);
        Answer otherDir = ask(dir, token, tmp.toString(), "lint", board.toString());
        assertEquals(new Answer("", "", Resident.NOT_SERVED), otherDir);
        Answer otherVerb = ask(dir, token, cwd, "partition", board.toString());
        assertEquals(new Answer("", "", Resident.NOT_SERVED), otherVerb);

        // idle for two seconds: it stops and takes its socket, token and pid with it
        assertEquals(0, done.get(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(dir.resolve("socket")));
        assertFalse(Files.exists(dir.resolve("token")));
    }

    /**
     * The resident process keeps the bindings it loaded and asks inotify whether any changed
     * (BindingCache.watchInputs): a binding edited, added or removed between two requests is
     * used by the second, however soon after the first it comes.
     */
    @Test
    void anEditedBindingIsUsedByTheNextRequest() throws Exception {
        Path bindings = Files.createDirectories(tmp.resolve("bindings/serial"));
        Path binding = bindings.resolve("acme-uart.yaml");
        String yaml = """
                %YAML 1.2
                ---
                $id: http://devicetree.org/schemas/serial/acme-uart.yaml#
                $schema: http://devicetree.org/meta-schemas/core.yaml#
                title: ACME UART
                maintainers:
                  - A <a@example.org>
                properties:
                  compatible:
                    const: acme,uart
                  reg:
                    maxItems: 1
                required:
                  - compatible
                  - reg
                  - REQUIRED
                additionalProperties: true
                """;
        Files.writeString(binding, yaml.replace("REQUIRED", "clocks"));
        Path board = Files.writeString(
                tmp.resolve("uart.dts"),
                LintCommandTest.svm()
                        .replace(
                                "\tgic: interrupt-controller@3000000 {",
                                "\tuart@9000000 {\n\t\tcompatible = \"acme,uart\";\n\t\treg = <0x0 0x9000000 0x0 0x1000>;\n\t};\n\n"
                                        + "\tgic: interrupt-controller@3000000 {"));
        String[] args = {
            "lint",
            "-q",
            "-W",
            "no-simple_bus_reg",
            "--bindings",
            tmp.resolve("bindings").toString(),
            "-p",
            tmp.resolve("bindings.cache").toString(),
            "--format",
            "json",
            board.toString()
        };
        Path dir = privateDir();
        CompletableFuture<Integer> done = start(dir, 2);
        String token = Files.readString(dir.resolve("token"));
        String cwd = Path.of("").toAbsolutePath().toString();
        Answer first = ask(dir, token, cwd, args);
        assertTrue(first.out().contains("\"clocks\""), first.out());
        assertEquals(first.out(), ask(dir, token, cwd, args).out(), "nothing changed: the same answer");
        // edited in place
        Files.writeString(binding, yaml.replace("REQUIRED", "interrupts"));
        Answer edited = ask(dir, token, cwd, args);
        assertTrue(edited.out().contains("\"interrupts\"") && !edited.out().contains("\"clocks\""), edited.out());
        assertEquals(LintCommandTest.run(args).out(), edited.out(), "as a fresh process answers");
        // removed: the compatible is matched by nothing
        Files.delete(binding);
        Answer removed = ask(dir, token, cwd, args);
        assertEquals(LintCommandTest.run(args).out(), removed.out());
        assertFalse(removed.out().contains("\"interrupts\""), removed.out());
        // added in a new folder
        Path other = Files.createDirectories(tmp.resolve("bindings/new"));
        Files.writeString(
                other.resolve("acme-uart.yaml"), yaml.replace("serial/", "new/").replace("REQUIRED", "dmas"));
        Answer added = ask(dir, token, cwd, args);
        assertTrue(added.out().contains("\"dmas\""), added.out());
        assertEquals(0, done.get(30, TimeUnit.SECONDS));
    }

    @Test
    void refusesADirectoryOthersCanEnter() throws Exception {
        Path dir = tmp.resolve("open");
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(2, Resident.serve(dir, 1, new PrintStream(new ByteArrayOutputStream(), true)));
        assertFalse(Files.exists(dir.resolve("socket")));
    }

    @Test
    void oneResidentPerDirectory() throws Exception {
        Path dir = privateDir();
        CompletableFuture<Integer> first = start(dir, 1);
        // a second one started at the same time (two make jobs' first calls) leaves at once
        assertEquals(0, Resident.serve(dir, 1, new PrintStream(new ByteArrayOutputStream(), true)));
        assertTrue(Files.exists(dir.resolve("socket")));
        assertEquals(0, first.get(30, TimeUnit.SECONDS));
    }
}
