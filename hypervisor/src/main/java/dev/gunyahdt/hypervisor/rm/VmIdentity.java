package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiPredicate;

/**
 * Who a VM is, as the RM answers it (vm_mgnt.c): VM_GET_ID (its GUID, name, URI and signing authority),
 * VM_LOOKUP_URI / _GUID / _NAME (the VMIDs the caller may see that match), and the crash message a VM leaves for
 * its owner (VM_SET_CRASH_MSG, VM_GET_CRASH_MSG). A VM's name, URI and GUID are what its config gave at VM_INIT
 * ({@code handle_ids}); the primary is "HLOS" ({@code vm_mgnt_init}); VM_RESET clears them and the crash message
 * ({@code vm_reset_handle_cleanup}).
 */
final class VmIdentity {
    /** VM_GUID_LEN, VM_MAX_NAME_LEN, VM_MAX_URI_LEN (rm_types.h), VM_MAX_CRASH_MSG_LEN (vm_mgnt.h). */
    static final int GUID_LEN = 16;

    static final int MAX_NAME_LEN = 80;
    static final int MAX_URI_LEN = 80;
    static final int MAX_CRASH_MSG_LEN = 192;

    /** VM_ID_TYPE_* (rm_types.h). */
    static final int ID_GUID = 0;

    static final int ID_URI = 1;
    static final int ID_NAME = 2;
    static final int ID_SIGN_AUTH = 3;

    /**
     * The QEMU platform's signing authority of an image nobody authenticated ({@code VM_SIGN_INIT}, which every
     * VM keeps: VM_AUTH_IMAGE is not built): {@code platform_get_sign_authority_string}.
     */
    static final String SIGN_AUTHORITY = "N/A";

    private final RmContext ctx;

    VmIdentity(RmContext ctx) {
        this.ctx = ctx;
    }

    /** What VM_INIT takes from the config ({@code handle_ids}): strings cut to the RM's buffers, less the NUL. */
    static void takeIds(RmVm vm, String name, String uri, byte[] guid) {
        vm.idName = cut(name, MAX_NAME_LEN - 1);
        vm.idUri = cut(uri, MAX_URI_LEN - 1);
        vm.idGuid = Arrays.copyOf(guid, GUID_LEN);
    }

    /** {@code vm_reset_handle_cleanup}: name, URI, GUID and crash message gone. */
    static void clear(RmVm vm) {
        vm.idName = "";
        vm.idUri = "";
        vm.idGuid = new byte[GUID_LEN];
        vm.crashMsg = new byte[0];
    }

    private static String cut(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return b.length <= max ? s : new String(b, 0, max, StandardCharsets.ISO_8859_1);
    }

    /** {@code is_vm_query_allowed}: the VM itself, its owner, or one of its peers. */
    private static boolean mayQuery(RmVm vm, RmVm client) {
        return client.vmid == vm.vmid || client.vmid == vm.owner || vm.peers.contains(client.vmid);
    }

    /** {@code vm_mgnt_handle_get_id}. */
    byte[] getId(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int id = in.u16();
        RmVm vm = ctx.vms.get(id == 0 ? caller.vmid : id);
        if (vm == null) {
            throw new RmFailure(RmError.NORESOURCE, "no VM " + id);
        }
        if (vm.state != VmState.READY && vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        if (!mayQuery(vm, caller)) {
            throw new RmFailure(RmError.NORESOURCE, caller + " may not query " + vm);
        }
        byte[] name = vm.idName.getBytes(StandardCharsets.ISO_8859_1);
        byte[] uri = vm.idUri.getBytes(StandardCharsets.ISO_8859_1);
        byte[] auth = SIGN_AUTHORITY.getBytes(StandardCharsets.US_ASCII);
        int entries = 2 + (name.length > 0 ? 1 : 0) + (uri.length > 0 ? 1 : 0);
        Wire.Writer w = Wire.writer().u32(entries);
        entry(w, ID_GUID, vm.idGuid); // the GUID always, zeros when the config gave none
        if (name.length > 0) {
            entry(w, ID_NAME, name);
        }
        if (uri.length > 0) {
            entry(w, ID_URI, uri);
        }
        entry(w, ID_SIGN_AUTH, auth);
        return w.build();
    }

    /** One id entry: u8 type, u8 reserved, u16 size, the bytes padded to 4. */
    private static void entry(Wire.Writer w, int type, byte[] value) {
        w.u8(type).u8(0).u16(value.length).bytes(value).pad4();
    }

    /** {@code vm_mgnt_handle_lookup_uri}: u16 length, u16 reserved, the URI padded with zeros to 4. */
    byte[] lookupUri(RmVm caller, Wire.Reader in) {
        byte[] uri = lengthAndString(in, MAX_URI_LEN);
        return lookup(caller, (vm, x) -> Arrays.equals(vm.idUri.getBytes(StandardCharsets.ISO_8859_1), x), uri);
    }

    /** {@code vm_mgnt_handle_lookup_name}. */
    byte[] lookupName(RmVm caller, Wire.Reader in) {
        byte[] name = lengthAndString(in, MAX_NAME_LEN);
        return lookup(caller, (vm, x) -> Arrays.equals(vm.idName.getBytes(StandardCharsets.ISO_8859_1), x), name);
    }

    /** {@code vm_mgnt_handle_lookup_guid}: exactly the 16 GUID bytes. */
    byte[] lookupGuid(RmVm caller, Wire.Reader in) {
        noBuffer(in);
        in.exactly(GUID_LEN);
        return lookup(caller, (vm, x) -> Arrays.equals(vm.idGuid, x), in.bytes(GUID_LEN));
    }

    /**
     * An empty request reaches the lookups with no buffer at all (rm-rpc allocates none for 0 bytes), which they
     * refuse with ARGUMENT_INVALID before any length check.
     */
    private static void noBuffer(Wire.Reader in) {
        if (in.remaining() == 0) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "no payload");
        }
    }

    private static byte[] lengthAndString(Wire.Reader in, int max) {
        noBuffer(in);
        in.atLeast(4);
        int len = in.u16();
        in.u16();
        if (len > max - 1) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "length " + len + " over " + (max - 1));
        }
        int aligned = (len + 3) & ~3;
        if (in.remaining() != aligned) {
            throw new RmFailure(RmError.MSG_INVALID, in.remaining() + " bytes after the header, expected " + aligned);
        }
        byte[] s = in.bytes(len);
        for (byte pad : in.bytes(aligned - len)) {
            if (pad != 0) {
                throw new RmFailure(RmError.MSG_INVALID, "padding is not zero");
            }
        }
        return s;
    }

    /** {@code vm_mgnt_lookup_by_id}: u32 count, then each matching VMID the caller may see, as u32, by VMID. */
    private byte[] lookup(RmVm caller, BiPredicate<RmVm, byte[]> matches, byte[] key) {
        var found = ctx.vms.values().stream()
                .filter(vm -> mayQuery(vm, caller) && matches.test(vm, key))
                .mapToInt(vm -> vm.vmid)
                .sorted()
                .toArray();
        Wire.Writer w = Wire.writer().u32(found.length);
        for (int v : found) {
            w.u32(v);
        }
        return w.build();
    }

    /**
     * {@code vm_mgnt_handle_set_crash_msg}: u16 length, u16 reserved, the message padded with zeros to 4; a
     * longer message than 192 bytes is cut, not refused.
     */
    byte[] setCrashMsg(RmVm caller, Wire.Reader in) {
        in.atLeast(4);
        int len = in.u16();
        in.u16();
        int aligned = (len + 3) & ~3;
        if (in.remaining() != aligned) {
            throw new RmFailure(RmError.MSG_INVALID, in.remaining() + " bytes after the header, expected " + aligned);
        }
        byte[] msg = in.bytes(len);
        for (byte pad : in.bytes(aligned - len)) {
            if (pad != 0) {
                throw new RmFailure(RmError.MSG_INVALID, "padding is not zero");
            }
        }
        caller.crashMsg = Arrays.copyOf(msg, Math.min(len, MAX_CRASH_MSG_LEN));
        return new byte[0];
    }

    /**
     * {@code vm_mgnt_handle_get_crash_msg}: only the VM's owner may read it (VMID_INVALID otherwise, as for an
     * unknown VM); u16 length, u16 zero, the message padded to 4.
     */
    byte[] getCrashMsg(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int id = in.u16();
        RmVm vm = ctx.vms.get(id);
        if (vm == null || caller.vmid != vm.owner) {
            throw new RmFailure(RmError.VMID_INVALID, caller + " does not own VM " + id);
        }
        return Wire.writer()
                .u16(vm.crashMsg.length)
                .u16(0)
                .bytes(vm.crashMsg)
                .pad4()
                .build();
    }
}
