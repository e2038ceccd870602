package dev.gunyahdt.dt.cpp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One String per distinct token text (and run of blanks) of a file: the lexed tokens of every
 * header stay cached for a whole batch, and a String per token made that cache most of the live
 * heap. Open addressing keyed on the bytes (positions in the file's bytes), so a text seen
 * before costs no allocation; the table is reused by the files lexed on one thread, a slot being
 * in use when its gen is the current file's. Not thread-safe: one per thread. (One table for
 * every file, which would share "compatible" between headers too, cost more time than it saved:
 * it does not stay in the processor's caches.)
 */
final class Texts {

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

    /** Lets the file's bytes go (the table keeps only positions in them). */
    void endFile() {
        file = null;
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
                String str = new String(b, from, len, StandardCharsets.ISO_8859_1);
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
}
