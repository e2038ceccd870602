package dev.gunyahdt.dt.inspect;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Test helpers: DTS text through the project's compile pipeline (dtc 1.6.1's bytes), no preprocessor. */
final class Dts {

    private Dts() {}

    private static CompileOptions options(boolean symbols) {
        CompileOptions d = CompileOptions.defaults();
        return new CompileOptions(
                CompileOptions.Format.DTS,
                CompileOptions.Format.DTB,
                d.dtb(),
                -1,
                false,
                List.of(),
                false,
                d.phandles(),
                List.of(),
                symbols,
                false,
                false,
                false,
                Map.of());
    }

    private static Compilation compile(String dts, boolean symbols) {
        Compilation c =
                new Compiler(options(symbols)).compile(Path.of("-"), dts.getBytes(StandardCharsets.ISO_8859_1), "-");
        if (c.failed()) {
            throw new AssertionError("test source does not compile: " + c.messages());
        }
        return c;
    }

    /** The blob dtc would write (with {@code -@} when {@code symbols}). */
    static byte[] blob(String dts, boolean symbols) {
        return compile(dts, symbols).output();
    }

    /** The blob, read back as a tree (no markers, no labels: what inspect sees of a .dtb). */
    static DeviceTree blobTree(String dts, boolean symbols) {
        return DtbReader.read(blob(dts, symbols), "test.dtb");
    }

    /** The compiled tree itself, with the source's labels and reference markers. */
    static DeviceTree sourceTree(String dts) {
        return compile(dts, false).tree();
    }

    /** The GIC board snippet most tests share. */
    static final String BOARD = """
            /dts-v1/;
            / {
            	#address-cells = <2>;
            	#size-cells = <2>;
            	interrupt-parent = <&gic>;
            	compatible = "test,board";
            	gic: interrupt-controller@8000000 {
            		compatible = "arm,gic-v3";
            		#interrupt-cells = <3>;
            		interrupt-controller;
            		reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>;
            		#address-cells = <2>;
            		#size-cells = <2>;
            	};
            	clk: clock {
            		compatible = "fixed-clock";
            		#clock-cells = <0>;
            		clock-frequency = <24000000>;
            	};
            	rst: reset-controller {
            		#reset-cells = <1>;
            	};
            	soc {
            		compatible = "simple-bus";
            		#address-cells = <1>;
            		#size-cells = <1>;
            		ranges = <0x0 0x0 0x0 0x40000000>;
            		uart0: serial@9000000 {
            			compatible = "arm,pl011", "arm,primecell";
            			reg = <0x9000000 0x1000>;
            			interrupts = <0 1 4>;
            			clocks = <&clk>, <&clk>;
            			resets = <&rst 3>, <&rst 4>;
            			clock-names = "uartclk", "apb_pclk";
            		};
            		timer {
            			interrupts = <1 13 0xf08>, <1 14 2>;
            		};
            		dma@1000 {
            			reg = <0x1000 0x100>;
            			interrupts-extended = <&gic 0 7 4>, <&gic 1 9 8>;
            		};
            	};
            	pcie {
            		#interrupt-cells = <1>;
            		#address-cells = <3>;
            		interrupt-map-mask = <0x1800 0 0 7>;
            		interrupt-map = <0 0 0 1 &gic 0 0 0 3 4>, <0 0 0 2 &gic 0 0 0 4 1>;
            	};
            };
            """;
}
