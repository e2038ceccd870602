package dev.gunyahdt.dt.cpp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One String per distinct token text (and run of blanks) of the files lexed on one thread. The
 * lexed tokens of every header stay cached for a whole batch, and a String per token made that
 * cache most of the live heap; a String per text per file still repeated "compatible" or
 * "GPIO_ACTIVE_HIGH" in every header. Open addressing keyed on the bytes, whose copies sit in
 * one pool, so a text seen before costs no allocation. The table is too large to stay in the
 * processor's caches, so a small table of the current file's texts (positions in its bytes) is
 * asked first. Not thread-safe: one per thread.
 */
final class Texts {

    private int[] slots = new int[1 << 12]; // 1 + index into the entry arrays, 0 for empty
    private String[] strs = new String[1 << 11];
    private int[] at = new int[1 << 11]; // where its bytes start in pool
    private int[] hashes = new int[1 << 11];
    private int count;
    private byte[] pool = new byte[1 << 15];
    private int poolLen;

    private static final int MAX_TEXTS = 1 << 20; // a corpus of 766 devicetrees has 94k

    /** Whether the table is so large that a new one should take over (it grows for every new main file). */
    boolean full() {
        return count >= MAX_TEXTS;
    }

    // the current file's texts: a slot is in use when its gen is the file's
    private int[] fileGen = new int[1 << 10];
    private int[] fileHash = new int[1 << 10];
    private int[] fileAt = new int[1 << 10]; // where its bytes start in the file's bytes
    private int[] fileLen = new int[1 << 10];
    private String[] fileStr = new String[1 << 10];
    private int fileCount;
    private int gen;
    private byte[] file;

    /** Starts a file whose bytes (the lexer's, with splices removed) the next texts are taken from. */
    void startFile(byte[] bytes) {
        if (gen == Integer.MAX_VALUE) {
            Arrays.fill(fileGen, 0);
            gen = 0;
        }
        gen++;
        fileCount = 0;
        file = bytes;
    }

    /** The String for the bytes file[from, to) read as ISO-8859-1. */
    String of(int from, int to) {
        byte[] b = file;
        int len = to - from;
        int h = 0;
        for (int i = from; i < to; i++) h = 31 * h + b[i];
        int mask = fileGen.length - 1;
        for (int s = (h ^ (h >>> 16)) & mask; ; s = (s + 1) & mask) {
            if (fileGen[s] != gen) {
                String str = shared(b, from, len, h);
                fileGen[s] = gen;
                fileHash[s] = h;
                fileAt[s] = from;
                fileLen[s] = len;
                fileStr[s] = str;
                if (++fileCount * 2 > fileGen.length) growFileTable();
                return str;
            }
            if (fileHash[s] == h && fileLen[s] == len && sameBytes(b, fileAt[s], from, len)) return fileStr[s];
        }
    }

    private static boolean sameBytes(byte[] b, int x, int y, int len) {
        for (int i = 0; i < len; i++) if (b[x + i] != b[y + i]) return false;
        return true;
    }

    private void growFileTable() {
        int[] oldGen = fileGen, oldHash = fileHash, oldAt = fileAt, oldLen = fileLen;
        String[] oldStr = fileStr;
        int size = oldGen.length * 2;
        fileGen = new int[size];
        fileHash = new int[size];
        fileAt = new int[size];
        fileLen = new int[size];
        fileStr = new String[size];
        int mask = size - 1;
        for (int i = 0; i < oldGen.length; i++) {
            if (oldGen[i] != gen) continue;
            int h = oldHash[i];
            int s = (h ^ (h >>> 16)) & mask;
            while (fileGen[s] == gen) s = (s + 1) & mask;
            fileGen[s] = gen;
            fileHash[s] = h;
            fileAt[s] = oldAt[i];
            fileLen[s] = oldLen[i];
            fileStr[s] = oldStr[i];
        }
    }

    /** The one String of every file for b[from, from + len), whose hash is h. */
    private String shared(byte[] b, int from, int len, int h) {
        int to = from + len;
        int mask = slots.length - 1;
        for (int s = (h ^ (h >>> 16)) & mask; ; s = (s + 1) & mask) {
            int e = slots[s] - 1;
            if (e < 0) return add(b, from, len, h, s);
            if (hashes[e] == h && strs[e].length() == len && Arrays.equals(pool, at[e], at[e] + len, b, from, to)) {
                return strs[e];
            }
        }
    }

    private String add(byte[] b, int from, int len, int h, int slot) {
        String str = new String(b, from, len, StandardCharsets.ISO_8859_1);
        if (count == strs.length) {
            strs = Arrays.copyOf(strs, count * 2);
            at = Arrays.copyOf(at, count * 2);
            hashes = Arrays.copyOf(hashes, count * 2);
        }
        if (poolLen + len > pool.length) pool = Arrays.copyOf(pool, Math.max(pool.length * 2, poolLen + len));
        System.arraycopy(b, from, pool, poolLen, len);
        strs[count] = str;
        at[count] = poolLen;
        hashes[count] = h;
        poolLen += len;
        count++;
        if (count * 2 > slots.length) rehash();
        else slots[slot] = count;
        return str;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        int mask = slots.length - 1;
        for (int e = 0; e < count; e++) {
            int h = hashes[e];
            int s = (h ^ (h >>> 16)) & mask;
            while (slots[s] != 0) s = (s + 1) & mask;
            slots[s] = e + 1;
        }
    }
}
