package dev.gunyahdt.dt.source;

import java.util.ArrayList;
import java.util.List;

/**
 * The C preprocessor's line markers ({@code # 12 "board.dtsi" 1}) in a source text: where
 * each physical line really came from. The markers are taken out of the text before lexing
 * (their lines left empty, so line numbers stay put) — the grammar never sees them — and each
 * token is stamped with the file and line the last marker before it says.
 */
final class LineMap {

    /** From physical line {@code line} on, original line = physical line + {@code offset}. */
    private record Entry(int line, String file, int offset) {}

    private final List<Entry> entries;
    private final String text;

    private LineMap(List<Entry> entries, String text) {
        this.entries = entries;
        this.text = text;
    }

    /** The text without its markers. */
    String text() {
        return text;
    }

    /** Reads the markers out of {@code source}, named {@code fileName} until a marker says otherwise. */
    static LineMap of(String source, String fileName) {
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(1, fileName, 0));
        StringBuilder out = null;
        int line = 1;
        int start = 0;
        int copied = 0;
        int n = source.length();
        while (start < n) {
            int end = source.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            Entry marker = marker(source, start, end, line);
            if (marker != null) {
                entries.add(marker);
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(source, copied, start);
                copied = end; // drop the marker's characters, keep its newline
            }
            start = end + 1;
            line++;
        }
        String text = out == null ? source : out.append(source, copied, n).toString();
        return new LineMap(entries, text);
    }

    /** The marker on physical line {@code line} ({@code [from, to)} of {@code s}), or null. */
    private static Entry marker(String s, int from, int to, int line) {
        int i = skipBlanks(s, from, to);
        if (i >= to || s.charAt(i) != '#') {
            return null;
        }
        i = skipBlanks(s, i + 1, to);
        if (s.startsWith("line", i)) {
            int j = skipBlanks(s, i + 4, to);
            if (j == i + 4) {
                return null;
            }
            i = j;
        }
        int digits = i;
        long number = 0;
        while (i < to && Character.isDigit(s.charAt(i)) && number < Integer.MAX_VALUE) {
            number = number * 10 + (s.charAt(i++) - '0');
        }
        if (i == digits || number >= Integer.MAX_VALUE) {
            return null;
        }
        int afterDigits = i;
        i = skipBlanks(s, i, to);
        if (i == afterDigits || i >= to || s.charAt(i) != '"') {
            return null;
        }
        int close = i + 1;
        while (close < to && s.charAt(close) != '"') {
            close += s.charAt(close) == '\\' ? 2 : 1;
        }
        if (close >= to) {
            return null;
        }
        String file = SourceText.unescape(s.substring(i + 1, close));
        // The marker names the line that follows it.
        return new Entry(line + 1, file, (int) number - (line + 1));
    }

    private static int skipBlanks(String s, int i, int to) {
        while (i < to && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
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
        private Entry at(int line) {
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
