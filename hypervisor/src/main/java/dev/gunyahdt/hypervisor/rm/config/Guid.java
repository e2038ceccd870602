package dev.gunyahdt.hypervisor.rm.config;

/**
 * A VM GUID read as the RM reads it ({@code parse_vm_info}, {@code parse_guid}): C's
 * {@code sscanf("%04x%04x-%04x-%04x-%04x-%04x%04x%04x")}, eight fields of at most four characters each, so
 * {@code "6e0a2f-1b2d-…"} reads too; trailing text is ignored. Returns the 16 bytes, or null when fewer than
 * eight fields convert.
 */
final class Guid {
    private static final String SHAPE = "xx-x-x-x-xxx";

    private Guid() {}

    static byte[] parse(String s) {
        byte[] out = new byte[16];
        int pos = 0;
        int field = 0;
        for (int k = 0; k < SHAPE.length(); k++) {
            char d = SHAPE.charAt(k);
            if (d == '-') {
                if (pos >= s.length() || s.charAt(pos) != '-') {
                    return null;
                }
                pos++;
                continue;
            }
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++; // %x skips leading white space
            }
            int width = 4;
            int start = pos;
            boolean negative = false;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                negative = s.charAt(pos) == '-';
                pos++;
                width--;
            }
            if (width >= 2
                    && pos + 1 < s.length()
                    && s.charAt(pos) == '0'
                    && (s.charAt(pos + 1) == 'x' || s.charAt(pos + 1) == 'X')
                    && pos + 2 < s.length()
                    && Character.digit(s.charAt(pos + 2), 16) >= 0
                    && width > 2) {
                pos += 2;
                width -= 2;
            }
            long v = 0;
            int digits = 0;
            while (width > 0 && pos < s.length() && Character.digit(s.charAt(pos), 16) >= 0 && s.charAt(pos) < 128) {
                v = v * 16 + Character.digit(s.charAt(pos), 16);
                pos++;
                width--;
                digits++;
            }
            if (digits == 0) {
                pos = start;
                return null;
            }
            if (negative) {
                v = -v;
            }
            out[field * 2] = (byte) (v >> 8);
            out[field * 2 + 1] = (byte) v;
            field++;
        }
        return out;
    }
}
