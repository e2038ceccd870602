package dev.gunyahdt.hypervisor.guest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * What one guest writes for another to verify — on a message queue or into its half of a shared buffer: who
 * wrote it, for whom, on which label, its sequence number, and a CRC-32 of all that, so the reader can tell a
 * greeting meant for it from a stale, corrupted, misrouted or truncated one. ASCII, one line, NUL-terminated
 * when it lies in memory ({@link #inMemory}).
 */
record Greeting(String kind, long from, long to, long label, long seq) {

    private static final Pattern FORM = Pattern.compile(
            "(\\S+) from vmid 0x([0-9a-f]{1,4}) to vmid 0x([0-9a-f]{1,4}) label (\\d{1,10}) seq (\\d{1,10}) crc32 0x([0-9a-f]{8})");

    /** The text: the fields, then {@code crc32 0x…} over the text before it. */
    String text() {
        String body = String.format("%s from vmid 0x%x to vmid 0x%x label %d seq %d", kind, from, to, label, seq);
        return body + String.format(" crc32 0x%08x", crc(body));
    }

    byte[] bytes() {
        return text().getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes as written into shared memory: the text and a NUL. */
    byte[] inMemory() {
        return (text() + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * What is wrong with {@code got} as the greeting {@code want} (empty when it is exactly that): malformed, a bad
     * checksum, or the field that differs. {@code want.from() < 0} accepts any sender (the reader does not know its
     * peer's VMID).
     */
    static Optional<String> check(byte[] got, Greeting want) {
        String text = new String(got, StandardCharsets.ISO_8859_1);
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            text = text.substring(0, nul);
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.of("not a greeting: \"" + printable(text) + "\"");
        }
        String body = text.substring(0, text.lastIndexOf(" crc32 "));
        if (crc(body) != Long.parseLong(m.group(6), 16)) {
            return Optional.of("checksum mismatch in \"" + printable(text) + "\"");
        }
        Greeting seen = new Greeting(
                m.group(1),
                Long.parseUnsignedLong(m.group(2), 16),
                Long.parseUnsignedLong(m.group(3), 16),
                Long.parseUnsignedLong(m.group(4)),
                Long.parseUnsignedLong(m.group(5)));
        Greeting expected = want.from() < 0 ? new Greeting(want.kind, seen.from, want.to, want.label, want.seq) : want;
        return seen.equals(expected)
                ? Optional.empty()
                : Optional.of("got \"" + printable(text) + "\", expected \"" + expected.text() + "\"");
    }

    private static long crc(String body) {
        CRC32 c = new CRC32();
        c.update(body.getBytes(StandardCharsets.US_ASCII));
        return c.getValue();
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.length() > 120 ? b.substring(0, 120) + "…" : b.toString();
    }
}
