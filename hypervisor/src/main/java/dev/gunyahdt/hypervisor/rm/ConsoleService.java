package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.nio.charset.StandardCharsets;

/** The RM console (§11.1): VM_CONSOLE_OPEN/CLOSE/WRITE/FLUSH, each VM with its owner on the other side. */
final class ConsoleService {
    private final RmContext ctx;

    ConsoleService(RmContext ctx) {
        this.ctx = ctx;
    }

    /** op 0 open, 1 close, 2 write, 3 flush. */
    byte[] console(RmVm caller, Wire.Reader in, int op) {
        in.atLeast(4);
        int target = in.u16();
        int count = in.u16();
        if (op != 2) {
            in.exactly(4);
        }
        RmVm vm = target == 0 ? caller : ctx.vms.get(target);
        if (vm == null) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "no VM " + target);
        }
        if (target != 0 && vm.owner != caller.vmid) {
            throw new RmFailure(RmError.DENIED, caller + " does not own " + vm);
        }
        if (!vm.hasConsole) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, vm + " has no console (no console-dev)");
        }
        boolean self = target == 0;
        switch (op) {
            case 0 -> {
                if (self) {
                    vm.selfOpened = true;
                } else {
                    vm.ownerOpened = true;
                }
            }
            case 1 -> {
                if (self) {
                    vm.selfOpened = false;
                } else {
                    vm.ownerOpened = false;
                }
            }
            case 2 -> {
                if (in.remaining() != count) {
                    throw new RmFailure(
                            RmError.MSG_INVALID, "VM_CONSOLE_WRITE of " + count + " bytes carries " + in.remaining());
                }
                byte[] chars = in.bytes(count);
                if (!(self ? vm.selfOpened : vm.ownerOpened)) {
                    throw new RmFailure(RmError.DENIED, "console of " + vm + " is not open on that side");
                }
                deliverConsole(vm, self, chars);
            }
            default -> {
                if (!(self ? vm.selfOpened : vm.ownerOpened)) {
                    throw new RmFailure(RmError.DENIED, "console of " + vm + " is not open on that side");
                }
            }
        }
        return new byte[0];
    }

    private void deliverConsole(RmVm vm, boolean fromSelf, byte[] chars) {
        String text = new String(chars, StandardCharsets.ISO_8859_1);
        if (fromSelf && vm.primary) {
            // the primary's owner is the RM itself: its console goes to the RM's own log (the platform UART)
            ctx.event(vm.name, RmEvent.Kind.CONSOLE, text);
            return;
        }
        if (!(fromSelf ? vm.ownerOpened : vm.selfOpened)) {
            return; // the other side is not open: dropped, and the writer still gets OK
        }
        RmVm to = fromSelf ? ctx.vms.get(vm.owner) : vm;
        if (to == null || to.link == null) {
            return;
        }
        to.link.notify(
                MessageId.NOTIFY_VM_CONSOLE_CHARS,
                Wire.writer()
                        .u16(fromSelf ? vm.vmid : 0)
                        .u16(chars.length)
                        .bytes(chars)
                        .build());
        if (fromSelf) {
            ctx.event(vm.name, RmEvent.Kind.CONSOLE, text);
        }
    }
}
