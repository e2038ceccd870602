package dev.gunyahdt.partitioner.plan;

import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes and addresses as a plan writes them: {@code 0x10000000}, {@code 268435456}, {@code 256MiB}. */
public final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(0[xX][0-9a-fA-F]+|[0-9]+)\\s*(KiB|MiB|GiB|TiB)?");

    private Sizes() {}

    /**
     * The number of bytes {@code text} says, as an unsigned 64-bit value.
     *
     * @throws IllegalArgumentException with a sentence saying why when it is not a size or does not fit
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (write 256MiB, 0x10000000 or 268435456)");
        }
        String digits = m.group(1);
        BigInteger n = digits.length() > 1 && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X')
                ? new BigInteger(digits.substring(2), 16)
                : new BigInteger(digits);
        if (m.group(2) != null && digits.startsWith("0x")) {
            throw new IllegalArgumentException("'" + text + "': a unit goes with a decimal number only");
        }
        int shift = m.group(2) == null
                ? 0
                : switch (m.group(2)) {
                    case "KiB" -> 10;
                    case "MiB" -> 20;
                    case "GiB" -> 30;
                    default -> 40;
                };
        n = n.shiftLeft(shift);
        if (n.bitLength() > 64) {
            throw new IllegalArgumentException("'" + text + "' does not fit in 64 bits");
        }
        return n.longValue();
    }

    /** A size the way people read it: {@code 256MiB} when whole, else hex. */
    public static String format(long bytes) {
        for (String[] u : new String[][] {{"40", "TiB"}, {"30", "GiB"}, {"20", "MiB"}, {"10", "KiB"}}) {
            int s = Integer.parseInt(u[0]);
            if (bytes != 0 && bytes > 0 && (bytes & ((1L << s) - 1)) == 0) {
                return (bytes >>> s) + u[1];
            }
        }
        return "0x" + Long.toHexString(bytes);
    }
}
