package dev.gunyahdt.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.util.List;

/** Parsing a verb's arguments: a malformed command line is a usage error (exit 2). */
final class CommandLines {

    private CommandLines() {
    }

    static CommandLine parse(Options options, List<String> args) throws UsageException {
        try {
            return new DefaultParser().parse(options, args.toArray(String[]::new));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
