package dev.gunyahdt.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.cli.Io;
import dev.gunyahdt.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, item 6: eight Linux 6.1 arm64 boards of six vendors (Qualcomm ×3, NXP, Rockchip, Arm, Amlogic, TI), each with a small plan in
 * {@code tests/real-boards/<board>/vms.yaml} (a primary of 512 MiB and 2 vCPUs, a guest of 128 MiB and
 * 1 vCPU with a message-queue pair to it; the qrb5165-rb5 guest also gets the debug UART), read from
 * the Linux tree at test time: {@code build --kernel-checks} exits 0, every DTB it writes lints clean and
 * gives dtc 1.6.1 no warning, every secondary passes {@code vm-check}, and {@code boot} runs them.
 * The tree is {@code -Dlinux.dir}, else {@code /tmp/linux-6.1}, else the needed parts of
 * {@code /usr/src/linux-source-6.1.tar.xz} extracted once into {@code target/}; skipped, saying
 * why, when none is there.
 */
class RealBoardsTest {

    static final Path PLANS = EmittedDtValidateTest.REPO.resolve("tests/real-boards");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sdm845-db845c",
                "qrb5165-rb5",
                "msm8916-longcheer-l8150",
                "imx8mq-evk",
                "rk3568-evb1-v10",
                "fvp-base-revc",
                "meson-g12b-odroid-n2",
                "k3-am654-base-board"
            })
    void buildsLintsChecksAndBoots(String name, @TempDir Path out) throws Exception {
        Path linux = linuxTree();
        Path plan = PLANS.resolve(name).resolve("vms.yaml");
        String board = Files.readAllLines(plan).stream()
                .filter(l -> l.startsWith("board: "))
                .findFirst()
                .orElseThrow()
                .substring("board: ".length())
                .trim();
        Path dts = linux.resolve("arch/arm64/boot/dts").resolve(board);
        Run b = run(
                "build",
                dts.toString(),
                plan.toString(),
                "-i",
                linux.resolve("scripts/dtc/include-prefixes").toString(),
                "--kernel-checks",
                "-o",
                out.toString());
        assertEquals(0, b.status(), name + ": build\n" + b.err());
        assertTrue(b.out().contains("wrote 9 files"), b.out());

        List<Path> dtbs = new ArrayList<>(List.of(out.resolve("system.dtb")));
        try (Stream<Path> s = Files.list(out.resolve("vm"))) {
            s.filter(p -> p.toString().endsWith(".dtb")).sorted().forEach(dtbs::add);
        }
        assertEquals(3, dtbs.size(), dtbs.toString());
        for (Path dtb : dtbs) {
            Run l = run("lint", dtb.toString());
            assertEquals(0, l.status(), name + ": lint " + dtb + "\n" + l.out() + l.err());
            String all = l.out() + l.err();
            assertTrue(!all.contains(": warning: ") && !all.contains(": error: "), name + ": lint " + dtb + "\n" + all);
            if (Files.isExecutable(Path.of("/usr/bin/dtc"))) {
                assertEquals("", dtcWarnings(dtb), name + ": dtc -I dtb -O dts " + dtb);
            }
        }
        Run v = run("vm-check", out.resolve("vm/guest.dtb").toString());
        assertEquals(0, v.status(), name + ": vm-check\n" + v.out() + v.err());
        assertTrue(v.out().contains("accepted"), v.out());

        Run boot = run("boot", out.toString(), "-o", out.resolve("boot").toString());
        assertEquals(0, boot.status(), name + ": boot\n" + boot.out() + boot.err());
        assertTrue(boot.out().contains("every VM RUNNING (2)"), boot.out());
        assertTrue(
                boot.out()
                        .contains("guest (linux-probe): console " + (name.equals("qrb5165-rb5") ? "open" : "none")
                                + ", hyp resources match, 1/1 queue pairs, 0/0 doorbells, OK"),
                boot.out());
    }

    /** The Linux 6.1 tree: -Dlinux.dir, /tmp/linux-6.1, or the needed parts of Debian's tarball in target/. */
    static synchronized Path linuxTree() throws IOException, InterruptedException {
        String prop = System.getProperty("linux.dir");
        for (Path p : prop == null ? List.of(Path.of("/tmp/linux-6.1")) : List.of(Path.of(prop))) {
            if (Files.isDirectory(p.resolve("arch/arm64/boot/dts"))) {
                return p;
            }
        }
        Path tarball = Path.of("/usr/src/linux-source-6.1.tar.xz");
        Assumptions.assumeTrue(
                Files.isRegularFile(tarball),
                "no Linux 6.1 tree (-Dlinux.dir, /tmp/linux-6.1) and no " + tarball
                        + " (apt-get install linux-source-6.1; .ci/run installs it)");
        Path target = Path.of("target/linux-6.1").toAbsolutePath();
        Path done = target.resolve(".extracted");
        if (!Files.exists(done)) {
            Files.createDirectories(target);
            Process p = new ProcessBuilder(
                            "tar",
                            "-C",
                            target.toString(),
                            "--strip-components=1",
                            "-xJf",
                            tarball.toString(),
                            "--wildcards",
                            "linux-source-6.1/arch/arm64/boot/dts",
                            "linux-source-6.1/arch/arm/boot/dts",
                            "linux-source-6.1/include",
                            "linux-source-6.1/scripts/dtc/include-prefixes")
                    .redirectErrorStream(true)
                    .start();
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0, "tar: " + msg);
            Files.createFile(done);
        }
        return target;
    }

    static String dtcWarnings(Path dtb) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/dtc", "-I", "dtb", "-O", "dts", "-o", "/dev/null", dtb.toString())
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(1, TimeUnit.MINUTES);
        return text;
    }

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(
                args,
                new Io(
                        new ByteArrayInputStream(new byte[0]),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
