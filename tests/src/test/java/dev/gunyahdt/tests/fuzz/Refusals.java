package dev.gunyahdt.tests.fuzz;

import dev.gunyahdt.dt.diag.DtException;

/**
 * The oracle of every fuzz test: a call either returns or ends in one of the project's own
 * refusal types (whose message must render); anything else — a JDK exception, an
 * {@code AssertionError}, a stack overflow, out of memory — escapes, and Jazzer records it as a
 * finding with the input that caused it.
 */
final class Refusals {

    interface Call {
        void run() throws Exception;
    }

    private Refusals() {}

    /** Runs {@code call}; returns false when it was refused with one of {@code allowed}. */
    @SafeVarargs
    static boolean run(Call call, Class<? extends Exception>... allowed) throws Exception {
        try {
            call.run();
            return true;
        } catch (Exception e) {
            for (Class<? extends Exception> a : allowed) {
                if (a.isInstance(e)) {
                    String text = e instanceof DtException d ? d.render() : e.getMessage();
                    if (text == null || text.isBlank()) {
                        throw new AssertionError("a refusal without a message", e);
                    }
                    return false;
                }
            }
            throw e;
        }
    }

    /** Splits {@code data} into parts, each a big-endian u16 length then that many bytes (the last part takes the rest; missing parts are empty). */
    static java.util.List<byte[]> parts(byte[] data, int count) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        int at = 0;
        for (int i = 0; i < count - 1; i++) {
            if (at + 2 > data.length) {
                out.add(new byte[0]);
                continue;
            }
            int len = Math.min(((data[at] & 0xff) << 8) | (data[at + 1] & 0xff), data.length - at - 2);
            out.add(java.util.Arrays.copyOfRange(data, at + 2, at + 2 + len));
            at += 2 + len;
        }
        out.add(java.util.Arrays.copyOfRange(data, Math.min(at, data.length), data.length));
        return out;
    }
}
