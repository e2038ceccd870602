package dev.gunyahdt.dt.source;

import java.io.ByteArrayOutputStream;

/**
 * Escapes in DTS string and character literals: {@code \a \b \t \n \v \f \r \\ \" \'},
 * {@code \xHH} (one or two hex digits) and {@code \ooo} (one to three octal digits); any other
 * escaped character stands for itself. Text is handled as ISO-8859-1 so bytes pass through.
 */
final class SourceText {

    private SourceText() {
    }

    /** The bytes a literal body (without its quotes) stands for. */
    static byte[] unescapeBytes(String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i++);
            if (c != '\\' || i >= body.length()) {
                out.write(c);
                continue;
            }
            char e = body.charAt(i++);
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 't' -> out.write(9);
                case 'n' -> out.write(10);
                case 'v' -> out.write(11);
                case 'f' -> out.write(12);
                case 'r' -> out.write(13);
                case 'x' -> {
                    int v = 0;
                    int n = 0;
                    while (n < 2 && i < body.length() && Character.digit(body.charAt(i), 16) >= 0) {
                        v = v * 16 + Character.digit(body.charAt(i++), 16);
                        n++;
                    }
                    out.write(n == 0 ? 'x' : v);
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        int n = 1;
                        while (n < 3 && i < body.length() && body.charAt(i) >= '0' && body.charAt(i) <= '7') {
                            v = v * 8 + (body.charAt(i++) - '0');
                            n++;
                        }
                        out.write(v & 0xff);
                    } else {
                        out.write(e);
                    }
                }
            }
        }
        return out.toByteArray();
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
        return new String(unescapeBytes(body), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
