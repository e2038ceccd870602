package dev.gunyahdt.cli;

/** A one-line counter on a terminal; silent when stderr is not a terminal. */
final class Progress {

    private final Io io;
    private final int total;
    private final boolean on;
    private int done;

    Progress(Io io, int total) {
        this.io = io;
        this.total = total;
        this.on = io.interactive() && total > 1;
    }

    void step() {
        done++;
        if (on) {
            io.err().print("\r" + done + "/" + total);
            io.err().flush();
        }
    }

    void done() {
        if (on) {
            io.err().print("\r\033[K");
            io.err().flush();
        }
    }
}
