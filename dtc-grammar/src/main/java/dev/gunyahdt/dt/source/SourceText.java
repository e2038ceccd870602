package dev.gunyahdt.dt.source;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Escapes in DTS string and character literals, as dtc's get_escape_char reads them:
 * {@code \a \b \t \n \v \f \r \\ \" \'}, {@code \xHH} and {@code \ooo} (strtol over the
 * next two or three characters, so {@code "\x-1"} is 0xff; {@code \x} without a digit is an
 * error); any other escaped character stands for itself. Text is handled as ISO-8859-1 so bytes pass through.
 */
final class SourceText {

    private SourceText() {}

    /** The bytes a literal body (without its quotes) stands for. */
    static byte[] unescapeBytes(String body) {
        int first = body.indexOf('\\');
        if (first < 0) {
            return body.getBytes(StandardCharsets.ISO_8859_1); // most literals: nothing to unescape
        }
        // an escape never stands for more bytes than its own characters
        byte[] out = Arrays.copyOf(body.substring(0, first).getBytes(StandardCharsets.ISO_8859_1), body.length());
        int o = first;
        int i = first;
        while (i < body.length()) {
            char c = body.charAt(i++);
            if (c != '\\' || i >= body.length()) {
                out[o++] = (byte) c;
                continue;
            }
            char e = body.charAt(i++);
            switch (e) {
                case 'a' -> out[o++] = 7;
                case 'b' -> out[o++] = 8;
                case 't' -> out[o++] = 9;
                case 'n' -> out[o++] = 10;
                case 'v' -> out[o++] = 11;
                case 'f' -> out[o++] = 12;
                case 'r' -> out[o++] = 13;
                case 'x' -> {
                    // get_hex_char: strtol over the next two characters
                    int[] r = strtol(body, i, 2, 16);
                    if (r == null) {
                        throw new IllegalArgumentException("\\x used with no following hex digits");
                    }
                    out[o++] = (byte) r[0];
                    i = r[1];
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int[] r = strtol(body, i - 1, 3, 8); // get_oct_char: the next three
                        out[o++] = (byte) r[0];
                        i = r[1];
                    } else {
                        out[o++] = (byte) e;
                    }
                }
            }
        }
        return Arrays.copyOf(out, o);
    }

    /**
     * C's strtol over at most {@code width} characters from {@code from} (dtc copies that many
     * into a buffer first): leading white space and a sign are allowed. Returns the value and
     * the index after the last digit, or null when there is no digit.
     */
    private static int[] strtol(String body, int from, int width, int radix) {
        int end = Math.min(body.length(), from + width);
        int i = from;
        while (i < end && " \t\n\u000b\f\r".indexOf(body.charAt(i)) >= 0) {
            i++;
        }
        boolean negative = false;
        if (i < end && (body.charAt(i) == '+' || body.charAt(i) == '-')) {
            negative = body.charAt(i) == '-';
            i++;
        }
        int v = 0;
        int digits = 0;
        while (i < end && Character.digit(body.charAt(i), radix) >= 0 && body.charAt(i) < 128) {
            v = v * radix + Character.digit(body.charAt(i++), radix);
            digits++;
        }
        return digits == 0 ? null : new int[] {negative ? -v : v, i};
    }

    /** A name as a message shows it: control characters (a NUL above all) escaped as C writes them. */
    static String printable(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) {
                sb.append("\\0");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A file name or other literal body as text. */
    static String unescape(String body) {
        return new String(unescapeBytes(body), StandardCharsets.ISO_8859_1);
    }
}
