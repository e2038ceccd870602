package dev.gunyahdt.cli;

import java.util.List;

/**
 * {@code gunyah-dt build BOARD_DIR [-o DIR]}: compile + dtc checks + partition + emit. The
 * bindings lint the design adds to this is not run yet (the help says so).
 */
final class BuildCommand {

    private BuildCommand() {
    }

    static int run(List<String> args, Io io) throws Exception {
        return PartitionCommand.run("build", args, io, true);
    }
}
