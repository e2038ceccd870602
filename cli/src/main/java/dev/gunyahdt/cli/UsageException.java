package dev.gunyahdt.cli;

/** A command line that cannot be run as given (exit status 2). */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
