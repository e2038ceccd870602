package dev.gunyahdt.dt.source;

import java.nio.charset.StandardCharsets;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.IntStream;
import org.antlr.v4.runtime.misc.Interval;

/**
 * The source text as the CharStream ANTLR's tokens read their text from: the tokenizer's own
 * bytes, where {@code CharStreams.fromString} first copies the text into a code-point buffer.
 * Text is ISO-8859-1 (one char per byte), so bytes are code points. Only the hand-written
 * {@link DtsTokenizer} moves through it; tokens only read text back.
 */
final class ByteCharStream implements CharStream {

    private final byte[] s;
    private final String name;
    private int index;

    ByteCharStream(byte[] s, String name) {
        this.s = s;
        this.name = name;
    }

    /** The whole text, for a token to scan its own chars without copying them. */
    byte[] text() {
        return s;
    }

    @Override
    public String getText(Interval interval) {
        // CodePointCharStream's bounds: a stop past the end is clamped, a start past it is empty
        int start = interval.a;
        int stop = Math.min(interval.b, s.length - 1);
        return start >= s.length || stop < start
                ? ""
                : new String(s, start, stop + 1 - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void consume() {
        if (index >= s.length) {
            throw new IllegalStateException("cannot consume EOF");
        }
        index++;
    }

    @Override
    public int LA(int i) {
        if (i == 0) {
            return 0;
        }
        int at = i > 0 ? index + i - 1 : index + i;
        return at < 0 || at >= s.length ? IntStream.EOF : s[at] & 0xff;
    }

    @Override
    public int mark() {
        return -1;
    }

    @Override
    public void release(int marker) {}

    @Override
    public int index() {
        return index;
    }

    @Override
    public void seek(int index) {
        this.index = index;
    }

    @Override
    public int size() {
        return s.length;
    }

    @Override
    public String getSourceName() {
        return name == null || name.isEmpty() ? IntStream.UNKNOWN_SOURCE_NAME : name;
    }

    @Override
    public String toString() {
        return new String(s, StandardCharsets.ISO_8859_1);
    }
}
