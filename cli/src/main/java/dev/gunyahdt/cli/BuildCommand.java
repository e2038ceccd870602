package dev.gunyahdt.cli;

import java.util.List;

/**
 * {@code gunyah-dt build BOARD_DIR [-o DIR]}: compile + dtc checks + partition + lint of every
 * emitted DTB (dtc checks + built-in bindings) + write.
 */
final class BuildCommand {

    private BuildCommand() {}

    static int run(List<String> args, Io io) throws Exception {
        return PartitionCommand.run("build", args, io, true);
    }
}
