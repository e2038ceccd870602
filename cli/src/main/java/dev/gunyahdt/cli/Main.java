package dev.gunyahdt.cli;

/** Entry point of the gunyah-dt command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("gunyah-dt: no verbs are wired yet");
        System.exit(2);
    }
}
