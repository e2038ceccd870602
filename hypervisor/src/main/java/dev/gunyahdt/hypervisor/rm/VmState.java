package dev.gunyahdt.hypervisor.rm;

import java.util.EnumSet;
import java.util.Set;

/** The RM's {@code vm_state_t} (reference §11.2), with the transitions it allows. */
public enum VmState {
    NONE(0),
    INIT(1),
    READY(2),
    RUNNING(3),
    PAUSED(4),
    LOAD(5),
    AUTH(6),
    INIT_FAILED(8),
    EXITED(9),
    RESETTING(10),
    RESET(11);

    public final int code;

    VmState(int code) {
        this.code = code;
    }

    /** The states a VM may come from to enter this one (§11.2's table). */
    public Set<VmState> allowedFrom() {
        return switch (this) {
            case LOAD -> EnumSet.of(NONE);
            case AUTH -> EnumSet.of(LOAD, RESET);
            case INIT -> EnumSet.of(LOAD, AUTH, RESET);
            case READY -> EnumSet.of(INIT);
            case RUNNING -> EnumSet.of(READY, PAUSED);
            case PAUSED -> EnumSet.of(RUNNING);
            case INIT_FAILED -> EnumSet.of(INIT, READY, LOAD, AUTH, RESET);
            case EXITED -> EnumSet.of(RUNNING, PAUSED);
            case RESETTING -> EnumSet.of(EXITED, READY, INIT_FAILED);
            case RESET -> EnumSet.of(RESETTING);
            case NONE -> EnumSet.of(RESET);
        };
    }
}
