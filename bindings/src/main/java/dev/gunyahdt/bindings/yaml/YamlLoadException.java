package dev.gunyahdt.bindings.yaml;

/** A YAML document that could not be loaded: a finding about that file, with its position. */
public final class YamlLoadException extends Exception {

    private final String file;
    private final int line;
    private final int column;

    public YamlLoadException(String file, int line, int column, String message) {
        super(message);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** {@code file:line:col: message}. */
    public String render() {
        return file + ":" + line + ":" + column + ": " + getMessage();
    }
}
