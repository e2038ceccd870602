package dev.gunyahdt.hypervisor.guest;

import java.util.List;
import java.util.Optional;

/**
 * The guest programs a VM plan can name ({@code program:} in vms.yaml). {@code linux-probe} is the default;
 * {@code linux}, {@code echo-client} and {@code echo-server} (the names boards/qemu-virt uses) run it too, with
 * the echo roles answering / checking what comes over their message-queue pairs.
 */
public final class GuestPrograms {
    public static final String DEFAULT = "linux-probe";
    public static final List<String> NAMES = List.of("linux-probe", "linux", "echo-client", "echo-server");

    private GuestPrograms() {
    }

    public static Optional<GuestProgram> create(String name) {
        return switch (name) {
            case "linux-probe", "linux" -> Optional.of(new LinuxProbe(name, LinuxProbe.Role.PROBE));
            case "echo-client" -> Optional.of(new LinuxProbe(name, LinuxProbe.Role.ECHO_CLIENT));
            case "echo-server" -> Optional.of(new LinuxProbe(name, LinuxProbe.Role.ECHO_SERVER));
            default -> Optional.empty();
        };
    }
}
