package dev.gunyahdt.dt;

/**
 * Where something came from in a source file: a span of lines and columns, 1-based, with the
 * end column exclusive, as dtc reports it ({@code file:line.col-line.col}).
 */
public record SourceSpan(String file, int firstLine, int firstColumn, int lastLine, int lastColumn) {

    public static SourceSpan point(String file, int line, int column) {
        return new SourceSpan(file, line, column, line, column);
    }

    /** The span from the start of this one to the end of {@code end}. */
    public SourceSpan to(SourceSpan end) {
        return new SourceSpan(file, firstLine, firstColumn, end.lastLine, end.lastColumn);
    }

    /** dtc's rendering: {@code f:1.2-3.4}, {@code f:1.2-5} on one line, {@code f:1.2} when empty. */
    @Override
    public String toString() {
        if (firstLine != lastLine) {
            return file + ":" + firstLine + "." + firstColumn + "-" + lastLine + "." + lastColumn;
        }
        if (firstColumn != lastColumn) {
            return file + ":" + firstLine + "." + firstColumn + "-" + lastColumn;
        }
        return file + ":" + firstLine + "." + firstColumn;
    }

    /** The gcc-style {@code file:line:col} form used by gunyah-dt's own diagnostics. */
    public String toColonForm() {
        return file + ":" + firstLine + ":" + firstColumn;
    }
}
