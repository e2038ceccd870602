package dev.gunyahdt.dt.source;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The C preprocessor's line markers ({@code # 12 "board.dtsi" 1}) in a source text: where
 * each physical line really came from. The markers are taken out of the text before lexing
 * (their lines left empty, so line numbers stay put) — the grammar never sees them — and each
 * token is stamped with the file and line the last marker before it says.
 */
final class LineMap {

    /** From physical line {@code line} on, original line = physical line + {@code offset}. */
    record Entry(int line, String file, int offset) {}

    private final List<Entry> entries;
    private final byte[] text;

    private LineMap(List<Entry> entries, byte[] text) {
        this.entries = entries;
        this.text = text;
    }

    /** The text without its markers, one ISO-8859-1 byte per char. */
    byte[] text() {
        return text;
    }

    /** Reads the markers out of {@code source}, named {@code fileName} until a marker says otherwise. */
    static LineMap of(String source, String fileName) {
        byte[] text = source.getBytes(StandardCharsets.ISO_8859_1); // a fresh copy, compacted in place
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(1, fileName, 0));
        int written = 0; // never ahead of the scan: markers are only ever dropped
        int line = 1;
        int start = 0;
        int n = text.length;
        while (start < n) {
            int end = start;
            while (end < n && text[end] != '\n') {
                end++;
            }
            Entry marker = marker(text, start, end, line);
            if (marker != null) {
                entries.add(marker); // drop the marker's characters, keep its newline
            } else {
                if (written != start) {
                    System.arraycopy(text, start, text, written, end - start);
                }
                written += end - start;
            }
            if (end < n) {
                text[written++] = '\n';
            }
            start = end + 1;
            line++;
        }
        return new LineMap(entries, written == n ? text : Arrays.copyOf(text, written));
    }

    /** The marker on physical line {@code line} ({@code [from, to)} of {@code s}), or null. */
    private static Entry marker(byte[] s, int from, int to, int line) {
        int i = skipBlanks(s, from, to);
        if (i >= to || s[i] != '#') {
            return null;
        }
        i = skipBlanks(s, i + 1, to);
        if (i + 4 <= to && s[i] == 'l' && s[i + 1] == 'i' && s[i + 2] == 'n' && s[i + 3] == 'e') {
            int j = skipBlanks(s, i + 4, to);
            if (j == i + 4) {
                return null;
            }
            i = j;
        }
        int digits = i;
        long number = 0;
        while (i < to && s[i] >= '0' && s[i] <= '9' && number < Integer.MAX_VALUE) {
            number = number * 10 + (s[i++] - '0');
        }
        if (i == digits || number >= Integer.MAX_VALUE) {
            return null;
        }
        int afterDigits = i;
        i = skipBlanks(s, i, to);
        if (i == afterDigits || i >= to || s[i] != '"') {
            return null;
        }
        int close = i + 1;
        while (close < to && s[close] != '"') {
            close += s[close] == '\\' ? 2 : 1;
        }
        if (close >= to) {
            return null;
        }
        String file = SourceText.unescape(new String(s, i + 1, close - i - 1, StandardCharsets.ISO_8859_1));
        // The marker names the line that follows it.
        return new Entry(line + 1, file, (int) number - (line + 1));
    }

    private static int skipBlanks(byte[] s, int i, int to) {
        while (i < to && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** A cursor for a lexer: tokens arrive in line order, so lookups only move forward. */
    Cursor cursor() {
        return new Cursor();
    }

    final class Cursor {
        private int index;
        private int from = 1; // the entry at index covers [from, until)
        private int until = bound(0);

        private int bound(int i) {
            return i + 1 < entries.size() ? entries.get(i + 1).line : Integer.MAX_VALUE;
        }

        /** The entry in force at physical line {@code line}; O(1) while lines move forward. */
        Entry at(int line) {
            if (line < from || line >= until) {
                if (line < from) {
                    index = 0;
                }
                while (index + 1 < entries.size() && entries.get(index + 1).line <= line) {
                    index++;
                }
                from = entries.get(index).line;
                until = bound(index);
            }
            return entries.get(index);
        }

        String file(int line) {
            return at(line).file;
        }

        int offset(int line) {
            return at(line).offset;
        }
    }
}
