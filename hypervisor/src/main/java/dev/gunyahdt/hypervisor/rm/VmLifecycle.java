package dev.gunyahdt.hypervisor.rm;

import static dev.gunyahdt.hypervisor.rm.ResourceManager.DT_OFFSET;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.ENTRY_OFFSET;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.FIRST_DYNAMIC_VMID;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.LAST_DYNAMIC_VMID;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_HLOS;
import static dev.gunyahdt.hypervisor.rm.ResourceManager.VMID_RM;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.rm.config.RmCheckFailure;
import dev.gunyahdt.hypervisor.rm.config.RmVmConfig;
import dev.gunyahdt.hypervisor.rm.config.VmConfigParser;
import dev.gunyahdt.hypervisor.rm.config.VmDtParser;
import dev.gunyahdt.hypervisor.rm.config.VmInit;
import dev.gunyahdt.hypervisor.rm.ipa.MemUse;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayGenerator;
import dev.gunyahdt.hypervisor.rm.overlay.OverlayRefusedException;
import dev.gunyahdt.hypervisor.rm.overlay.VmOverlayInfo;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import java.util.List;

/** VM lifecycle (§8.6, §11.2): the primary at boot, then VM_ALLOCATE .. VM_DEALLOCATE, VM_EXIT and the VM queries. */
final class VmLifecycle {
    private final RmContext ctx;
    private final Memparcels memparcels;
    private final VmSetup setup;
    private final Passthrough passthrough;
    private final OverlayInputs overlays;
    private final VmMemory memory;
    private final IrqManager irqs;
    private final VmFirmware firmware;

    VmLifecycle(
            RmContext ctx,
            Memparcels memparcels,
            VmSetup setup,
            OverlayInputs overlays,
            IrqManager irqs,
            VmFirmware firmware) {
        this.ctx = ctx;
        this.firmware = firmware;
        this.memparcels = memparcels;
        this.memory = new VmMemory(ctx, memparcels);
        this.setup = setup;
        this.irqs = irqs;
        this.passthrough = new Passthrough(ctx, irqs);
        this.overlays = overlays;
    }

    void startPrimary(byte[] dtb) {
        SystemConfig.VmEntry e = ctx.system.primary().orElseThrow();
        RmVm vm = new RmVm(VMID_HLOS, VMID_RM, true, e.name());
        vm.idName = "HLOS"; // vm_mgnt_init names it; it has no config to take ids from
        vm.blobName = "vm/" + e.name() + ".dtb";
        vm.baseDtb = dtb.clone();
        ctx.vms.put(vm.vmid, vm);
        try {
            // The primary's config may list vdevices (its halves of the secondaries' queues and doorbells). The
            // real RM has no DT config for HLOS: those halves belong to the secondaries' vdevices (§9.5 peer /
            // peer-default), the HLOS overlay carries only the RM-RPC node (§10.5) and HLOS learns of its halves by
            // VM_GET_HYP_RESOURCES about each secondary (§8.7), as crosvm does. So the RM makes them here (objects,
            // caps, VIRQs in the primary's VIC; the secondary joins at its VM_INIT) and never puts them in the
            // primary's overlay.
            DeviceTree tree = DtbReader.read(dtb, vm.blobName);
            vm.config = VmConfigParser.parsePrimary(vm.blobName, tree);
            vm.cspaceCap = ctx.hyp.cspace(1024);
            setup.setUp(vm);
            passthrough.setUp(vm, VmDtParser.parsePrimary(tree));
            memory.giveHostMemory(vm);
            VmOverlayInfo info = overlays.overlayInfo(vm);
            byte[] merged = OverlayGenerator.apply(dtb, info, overlays.style());
            vm.dtbo = OverlayGenerator.dtbo(info, overlays.style());
            powerOn(vm, merged);
        } catch (RmFailure | DtException f) {
            ctx.failure(vm, f.getMessage());
            throw f;
        }
    }

    byte[] vmAllocate(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int want = in.u16();
        in.u16();
        if (caller.vmid != VMID_HLOS) {
            throw new RmFailure(RmError.DENIED, "VM_ALLOCATE is for the primary VM only");
        }
        int vmid;
        if (want == 0) {
            vmid = FIRST_DYNAMIC_VMID;
            while (vmid <= LAST_DYNAMIC_VMID && ctx.vms.containsKey(vmid)) {
                vmid++;
            }
            if (vmid > LAST_DYNAMIC_VMID) {
                throw new RmFailure(RmError.NORESOURCE, "no free dynamic VMID");
            }
        } else if (want >= ctx.platform.firstSecondaryVmid()
                && want <= ctx.platform.lastSecondaryVmid()
                && !ctx.vms.containsKey(want)) {
            vmid = want; // the platform's secondary VMIDs (§8.4)
        } else {
            throw new RmFailure(RmError.NORESOURCE, "VMID " + want + " is not a free secondary VMID");
        }
        RmVm vm = new RmVm(vmid, caller.vmid, false, "vm 0x" + Integer.toHexString(vmid));
        ctx.vms.put(vmid, vm);
        vm.peers.add(caller.vmid);
        caller.peers.add(vmid);
        ctx.setState(vm, VmState.LOAD, false); // no status notification for allocation (§14 step 2)
        return want == 0 ? Wire.writer().u32(vmid).build() : new byte[0];
    }

    private RmVm owned(RmVm caller, int vmid, RmError notOwner) {
        RmVm vm = ctx.vms.get(vmid);
        // vm_lookup finds the RM's own vm_t (255) and HLOS too, both owned by the RM (vm_mgnt_init): no client owns
        // them, so they answer the "not the owner" error, not VMID_INVALID
        if (vm == null && vmid != VMID_RM) {
            throw new RmFailure(RmError.VMID_INVALID, "no VM 0x" + Integer.toHexString(vmid));
        }
        if (vm == null || vm.primary) {
            throw new RmFailure(
                    notOwner, caller.name + " does not own VM 0x" + Integer.toHexString(vmid) + " (the RM owns it)");
        }
        if (vm.owner != caller.vmid) {
            throw new RmFailure(notOwner, caller.name + " does not own " + vm);
        }
        return vm;
    }

    byte[] vmConfigImage(RmVm caller, Wire.Reader in) {
        in.exactly(40);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        int auth = in.u16();
        int handle = (int) in.u32();
        long imageOffset = in.u64();
        long imageSize = in.u64();
        long dtOffset = in.u64();
        long dtSize = in.u64();
        if (vm.state != VmState.LOAD && vm.state != VmState.RESET) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        if (auth > 2) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "auth type " + auth);
        }
        // vm_creation_config_image: the memparcel lent to this VM is its memory (mem_mp_handle, mem_size); the
        // image and DT lie in it
        Memparcel p = memory.imageParcel(vm, handle, imageOffset, imageSize, dtOffset, dtSize);
        vm.memParcel = handle;
        vm.memSize = p.size();
        vm.authType = auth;
        byte[] dt = memparcels.parcelBytes(p, dtOffset, (int) dtSize);
        vm.baseDtb = dt;
        try {
            DeviceTree t = DtbReader.read(dt, "image DT of " + vm);
            t.find("/qcom,vm-config")
                    .or(() -> t.find("/gunyah-vm-config"))
                    .flatMap(c -> c.node().property("image-name"))
                    .map(pr -> pr.value().asString())
                    .filter(n -> !n.isEmpty())
                    .ifPresent(n -> vm.name = n);
        } catch (DtException unreadable) {
            // VM_INIT reports it, with the position
        }
        vm.blobName = "vm/" + vm.name + ".dtb";
        if (vm.cspaceCap < 0) {
            vm.cspaceCap = ctx.hyp.cspace(1024);
            vm.masterCaps.add(vm.cspaceCap);
        }
        ctx.setState(vm, auth == VmFirmware.AUTH_PLATFORM ? VmState.AUTH : VmState.INIT, true);
        return new byte[0];
    }

    /**
     * vm_creation_handle_auth: target u16, count u16, then count {type u32, value u32} parameters; a PLATFORM VM left
     * in AUTH by VM_CONFIG_IMAGE goes to INIT when vm_creation_auth passes (INIT_FAILED when not), notified.
     */
    byte[] vmAuthImage(RmVm caller, Wire.Reader in) {
        if (caller.vmid != VMID_HLOS) {
            throw new RmFailure(RmError.DENIED, "VM_AUTH_IMAGE is for the primary VM only");
        }
        in.atLeast(4);
        int target = in.u16();
        int count = in.u16();
        in.exactly(4 + 8 * count);
        RmVm vm = owned(caller, target, RmError.DENIED);
        if (vm.state != VmState.AUTH) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        // vm_creation_auth: only PLATFORM images are checked, by platform_vm_auth, which on QEMU accepts any
        // parameters; the other auth types are ARGUMENT_INVALID (AUTH is reached only by PLATFORM ones)
        if (vm.authType != VmFirmware.AUTH_PLATFORM) {
            ctx.setState(vm, VmState.INIT_FAILED, true);
            throw new RmFailure(RmError.ARGUMENT_INVALID, vm + "'s auth type " + vm.authType + " is not checked");
        }
        ctx.note(vm.name, "VM_AUTH_IMAGE: " + count + " parameters, accepted (platform_vm_auth on QEMU)");
        ctx.setState(vm, VmState.INIT, true);
        return new byte[0];
    }

    byte[] vmInit(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        if (vm.state != VmState.INIT) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        try {
            DeviceTree tree = DtbReader.read(vm.baseDtb, vm.blobName);
            // the real RM's parse and VM_INIT rules decide acceptance (its peers, VIRQs, priorities); the model
            // then builds the VM from the same reading
            RmVmConfig read = VmDtParser.parse(tree);
            VmInit.Built built = VmInit.run(ctx.rmTable, read, false, vm.vmid);
            vm.virtioPlacements = built.virtio();
            vm.vgic = built.vgic();
            vm.config = VmConfigParser.adapt(vm.blobName, tree, read);
            vm.rmConfig = read;
            setup.setUp(vm);
            VmIdentity.takeIds(vm, read.name(), read.uri(), read.guid());
        } catch (RmCheckFailure f) {
            RmError e = switch (f.stage()) {
                case PARSE -> RmError.MEM_INVALID;
                case UPDATE -> RmError.ARGUMENT_INVALID;
                case VDEVICES -> RmError.NORESOURCE;
            };
            failInit(vm, e, "VM_INIT: the RM refuses " + f.describe());
        } catch (DtException e) {
            failInit(vm, RmError.ARGUMENT_INVALID, "VM_INIT: " + e.getMessage());
        } catch (RmFailure f) {
            failInit(vm, f.error(), "VM_INIT: " + f.getMessage());
        }
        ctx.setState(vm, VmState.READY, true);
        return new byte[0];
    }

    private void failInit(RmVm vm, RmError error, String cause) {
        ctx.failure(vm, cause);
        ctx.setState(vm, VmState.INIT_FAILED, true);
        throw new RmFailure(error, cause);
    }

    byte[] vmStart(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        if (vm.state != VmState.READY) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        try {
            // vm_creation_process_resource: process_memparcels before the overlay
            memory.acceptAtStart(vm);
        } catch (RmFailure f) {
            failInit(vm, RmError.NORESOURCE, "VM_START: memparcels: " + f.getMessage());
        }
        byte[] merged;
        try {
            VmOverlayInfo info = overlays.overlayInfo(vm);
            vm.dtbo = OverlayGenerator.dtbo(info, overlays.style());
            merged = OverlayGenerator.apply(vm.baseDtb, info, overlays.style());
        } catch (OverlayRefusedException e) {
            failInit(vm, e.error(), "VM_START: " + e.getMessage());
            return null;
        } catch (DtException | IllegalArgumentException e) {
            failInit(vm, RmError.NORESOURCE, "VM_START: overlay: " + e.getMessage());
            return null;
        } catch (RmFailure f) {
            // a range the RM meant to list in /memory is not mapped in the VM (addrspace_lookup refused)
            failInit(vm, f.error(), "VM_START: overlay: " + f.getMessage());
            return null;
        }
        if (merged.length > vm.ram.size() - DT_OFFSET) {
            failInit(vm, RmError.NORESOURCE, "VM_START: the merged DTB does not fit the VM's memory");
        }
        // vm_firmware_vm_start runs after vm_creation_process_resource (memparcels, the DT overlay)
        try {
            firmware.checkStart(vm);
        } catch (RmFailure f) {
            failInit(vm, f.error(), "VM_START: firmware: " + f.getMessage());
        }
        powerOn(vm, merged);
        return new byte[0];
    }

    /** §5.4 "VM start": the merged DTB into the VM's RAM (through the RM's mapping), boot vCPU on with X0 = its IPA. */
    private void powerOn(RmVm vm, byte[] merged) {
        long dtbIpa = vm.ram.ipa() + DT_OFFSET;
        if (!ctx.rmMemory.write(vm.ram.pa(dtbIpa), merged)) {
            throw new RmFailure(RmError.MEM_INVALID, "cannot write the DTB into the RAM of " + vm);
        }
        vm.guestDtb = merged;
        ctx.setState(vm, VmState.RUNNING, !vm.primary);
        RmVm.VcpuSlot boot = vm.vcpus.get(0);
        ctx.host.powerOn(new GuestSeat(
                vm.vmid,
                vm.name,
                vm.primary,
                ctx.hv.vcpu(ctx.hyp.rm(), boot.master()),
                vm.vcpus.stream()
                        .skip(1)
                        .map(v -> ctx.hv.vcpu(ctx.hyp.rm(), v.master()))
                        .toList(),
                vm.ram.ipa(),
                vm.ram.size(),
                dtbIpa));
        ctx.hyp.powerOn(boot.master(), vm.ram.ipa() + ENTRY_OFFSET, dtbIpa);
    }

    /** vcpu_kill on every vCPU of the VM (exit, stop, reset). */
    private void killVcpus(RmVm vm) {
        for (RmVm.VcpuSlot v : vm.vcpus) {
            ctx.hyp.kill(v.master());
        }
        ctx.host.powerOff(vm.vmid);
    }

    byte[] vmStop(RmVm caller, Wire.Reader in) {
        in.exactly(8);
        RmVm vm = owned(caller, in.u16(), RmError.VMID_INVALID);
        int flags = in.u8();
        in.u8();
        long reason = in.u32();
        if ((vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) || vm.config.hasAttr("no-shutdown")) {
            throw new RmFailure(RmError.VM_STATE, vm + " cannot be stopped from " + vm.state);
        }
        if ((flags & 1) != 0) {
            exit(vm, 7, 0, 0);
        } else {
            vm.link.notify(
                    MessageId.NOTIFY_VM_SHUTDOWN, Wire.writer().u32(reason).build());
        }
        return new byte[0];
    }

    byte[] vmExit(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int flags = in.u16();
        int code = in.u8();
        if (code != 0 && code != 1 && code != 3 && code != 4) {
            throw new RmFailure(RmError.MSG_INVALID, "exit code " + code);
        }
        if (caller.primary || (caller.config != null && caller.config.hasAttr("crash-fatal"))) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, caller + " may not exit");
        }
        if (caller.state != VmState.RUNNING && caller.state != VmState.PAUSED) {
            throw new RmFailure(RmError.VM_STATE, caller + " is " + caller.state);
        }
        exit(caller, 0, flags, code);
        return new byte[0];
    }

    /** {@code exit_type_t} and {@code exit_code_t} ([RM] vm_mgnt.h) the halt path uses. */
    static final int EXIT_TYPE_PLATFORM_OFF = 1,
            EXIT_TYPE_PLATFORM_RESET = 2,
            EXIT_TYPE_PSCI_SYSTEM_RESET2 = 3,
            EXIT_TYPE_SOFTWARE_ERROR = 5;

    static final int EXIT_CODE_NORMAL = 0, EXIT_CODE_SOFTWARE_ERROR = 1, EXIT_CODE_UNKNOWN_ERROR = 2;

    /** Kills the VM's vCPUs, EXITED, NOTIFY_VM_EXITED to the owner (§11.4). */
    private void exit(RmVm vm, int type, int flags, int code, int... extraReason) {
        killVcpus(vm);
        ctx.setState(vm, VmState.EXITED, true);
        RmVm owner = ctx.vms.get(vm.owner);
        if (owner != null && owner.link != null) {
            // vm_mgnt_send_exited: vmid, type, the reason's size, the common word (flags | code << 16), extra words
            Wire.Writer w = Wire.writer()
                    .u16(vm.vmid)
                    .u16(type)
                    .u32(4L * (extraReason.length + 1))
                    .u32((flags & 0xFFFF) | (long) code << 16);
            for (int x : extraReason) {
                w.u32(x & 0xFFFF_FFFFL);
            }
            owner.link.notify(MessageId.NOTIFY_VM_EXITED, w.build());
        }
    }

    /**
     * [RM] {@code vcpu_halt_callback}: a vCPU's HALT VIRQ fired (the hypervisor halts a vCPU on a forced poweroff —
     * PSCI SYSTEM_OFF / SYSTEM_RESET(2) — or a fault). A crash-fatal VM's halt is the RM's panic; a VM that has
     * already exited is left alone; otherwise {@code vcpu_run_check} says why, and the VM exits with that type.
     * The primary's critical vCPUs never get here on the real system (their SYSTEM_OFF/RESET go to firmware); the
     * model notes the platform's power-off instead.
     */
    void vcpuHalted(int haltVirq) {
        // called for every VIRQ the RM's vCPU takes (mostly its links'): look, without copying, then act
        for (RmVm vm : ctx.vms.values()) {
            for (RmVm.VcpuSlot slot : vm.vcpus) {
                if (slot.haltVirq() == haltVirq) {
                    vcpuHalted(vm, slot);
                    return;
                }
            }
        }
    }

    private void vcpuHalted(RmVm vm, RmVm.VcpuSlot slot) {
        if (vm.config != null && vm.config.hasAttr("crash-fatal")) {
            ctx.failure(vm, "VCPU halt: RM panic: unexpected exit from crash_fatal VM " + vm.vmid);
            return;
        }
        if (vm.state.code >= VmState.EXITED.code) {
            ctx.note(vm.name, "VCPU halt: VM " + vm.vmid + " has already exited");
            return;
        }
        if (vm.primary) {
            ctx.note(vm.name, "halted: its SYSTEM_OFF/RESET goes to the platform's firmware (not modelled)");
            return;
        }
        long[] r = ctx.hyp.runCheck(slot.master());
        int state = (int) r[0];
        int code = vm.crashMsg.length > 0 ? EXIT_CODE_SOFTWARE_ERROR : EXIT_CODE_NORMAL;
        if (state == VcpuCalls.RUN_POWERED_OFF) {
            exit(vm, EXIT_TYPE_PLATFORM_OFF, 0, code);
        } else if (state == VcpuCalls.RUN_PSCI_SYSTEM_RESET && (r[1] & 1L << 63) != 0) {
            exit(vm, EXIT_TYPE_PLATFORM_RESET, 0, code);
        } else if (state == VcpuCalls.RUN_PSCI_SYSTEM_RESET) {
            // SYSTEM_RESET2: the reset type, then the cookie (64-bit only from an SMC64 call, flag bit 15)
            boolean smc64 = (r[1] & 1L << 62) != 0;
            long cookie = smc64 ? r[2] : r[2] & 0xFFFF_FFFFL;
            exit(vm, EXIT_TYPE_PSCI_SYSTEM_RESET2, smc64 ? 1 << 15 : 0, code, (int) r[1], (int) cookie, (int)
                    (cookie >>> 32));
        } else if (state == VcpuCalls.RUN_FAULT) {
            exit(vm, EXIT_TYPE_SOFTWARE_ERROR, 0, code);
        } else {
            exit(vm, EXIT_TYPE_SOFTWARE_ERROR, 0, EXIT_CODE_UNKNOWN_ERROR); // "unexpected run_stated"
        }
    }

    byte[] vmReset(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.VMID_INVALID);
        if (vm.config != null && vm.config.hasAttr("no-reset")) {
            throw new RmFailure(RmError.DENIED, vm + " has no-reset");
        }
        if (vm.state != VmState.EXITED && vm.state != VmState.READY && vm.state != VmState.INIT_FAILED) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        ctx.setState(vm, VmState.RESETTING, true);
        teardown(vm);
        VmIdentity.clear(vm);
        ctx.setState(vm, VmState.RESET, true);
        return new byte[0];
    }

    /** The staged teardown of VM_RESET: vdevices, IRQs, the VM's objects, peers. */
    private void teardown(RmVm vm) {
        killVcpus(vm);
        irqs.releaseOnReset(vm);
        RmVm owner0 = ctx.vms.get(vm.owner);
        for (RmVm.VcpuSlot v : vm.vcpus) {
            if (v.ownerCap() != v.master() && owner0 != null) {
                ctx.hv.call(ctx.hyp.rm(), CSpaceCalls.DELETE_CAP_FROM, owner0.cspaceCap, v.ownerCap(), 0);
            }
            if (v.vmCap().isPresent()) { // the VM's own POWER cap (a VM without PSCI): vm_config teardown deletes it
                ctx.hv.call(
                        ctx.hyp.rm(),
                        CSpaceCalls.DELETE_CAP_FROM,
                        vm.cspaceCap,
                        v.vmCap().getAsLong(),
                        0);
            }
            if (v.wakeupVirq() >= 0 && owner0 != null) {
                owner0.virqs.release(v.wakeupVirq());
            }
            ctx.rmVirqs.release(v.haltVirq());
        }
        vm.vcpus.clear();
        for (Side s : vm.sides) {
            VirtioDevices.releaseBackend(ctx, s);
            if (s.peer != null) {
                s.peer.peer = null;
            }
            for (RmVm other : ctx.vms.values()) {
                other.sides.removeIf(o -> o.cfg == null && o.peer == s);
            }
        }
        vm.sides.clear();
        memparcels.releaseAll(vm); // vm_reset_handle_release_memparcels: the owner may reclaim them now
        for (VmInit.VirtioPlacement v : vm.virtioPlacements) {
            // the backend's (HLOS's) register page goes back to its virtio window (vm_config.c's virtio teardown)
            ctx.rmTable
                    .space(VMID_HLOS)
                    .ifPresent(
                            hlos -> ctx.rmTable.space(VMID_HLOS, hlos.free(MemUse.VDEVICE, v.backendIpa(), v.size())));
        }
        vm.virtioPlacements = List.of();
        vm.held.clear();
        vm.memParcel = -1;
        vm.rmConfig = null;
        deleteMasters(vm);
        vm.cspaceCap = -1;
        vm.vicCap = -1;
        vm.virqs = new VirqAllocator(VirqAllocator.VM_BASE);
        vm.link = null;
        vm.rmEndpoint = null;
        vm.rpcView = null;
        vm.addrspaceCap = -1;
        vm.ramExtent = -1;
        vm.ram = null;
        vm.selfOpened = false;
        vm.ownerOpened = false;
        for (int p : vm.peers) {
            RmVm other = ctx.vms.get(p);
            if (other != null) {
                other.peers.remove(vm.vmid);
            }
        }
        vm.peers.clear();
        vm.peers.add(vm.owner);
        RmVm owner = ctx.vms.get(vm.owner);
        if (owner != null) {
            owner.peers.add(vm.vmid);
        }
    }

    byte[] vmDeallocate(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        RmVm vm = owned(caller, in.u16(), RmError.DENIED);
        if (vm.state != VmState.LOAD && vm.state != VmState.RESET) {
            throw new RmFailure(RmError.VM_STATE, vm + " is " + vm.state);
        }
        if (vm.state == VmState.RESET) {
            ctx.setState(vm, VmState.NONE, false);
        } else {
            ctx.event(vm.name, RmEvent.Kind.STATE, vm.state + " -> " + VmState.NONE);
        }
        deleteMasters(vm);
        ctx.vms.remove(vm.vmid);
        caller.peers.remove(vm.vmid);
        return new byte[0];
    }

    /** Deletes the RM's caps for the VM's objects, newest first (vCPUs before the addrspace and cspace they use). */
    private void deleteMasters(RmVm vm) {
        for (int i = vm.masterCaps.size() - 1; i >= 0; i--) {
            ctx.hyp.delete(vm.masterCaps.get(i));
        }
        vm.masterCaps.clear();
    }

    byte[] vmGetPeers(RmVm caller, Wire.Reader in) {
        Wire.Writer w = Wire.writer().u32(caller.peers.size());
        caller.peers.forEach(w::u32);
        return w.build();
    }

    byte[] vmGetState(RmVm caller, Wire.Reader in) {
        in.exactly(4);
        int id = in.u16();
        RmVm vm = id == 0 ? caller : ctx.vms.get(id);
        if (vm == null) {
            throw new RmFailure(RmError.NORESOURCE, "no VM " + id); // vm_mgnt_handle_get_state
        }
        if (vm != caller && vm.owner != caller.vmid && !vm.peers.contains(caller.vmid)) {
            throw new RmFailure(RmError.DENIED, caller + " may not see " + vm);
        }
        return Wire.writer()
                .u32(vm.state.code | vm.osState << 8 | (long) vm.appStatus << 16)
                .build();
    }

    byte[] vmSetStatus(RmVm caller, Wire.Reader in) {
        // vm_mgnt_handle_set_state: only the static secondary VMIDs (below 64) may set a status, checked before
        // the length; dynamic VMIDs (0x80…) are refused like the primary
        if (caller.primary || caller.vmid >= 64) {
            throw new RmFailure(
                    RmError.DENIED, "VM_SET_STATUS is for static secondary VMIDs (below 64), not " + caller);
        }
        in.exactly(4);
        in.u8();
        int os = in.u8();
        int app = in.u16();
        if (os > 7) {
            throw new RmFailure(RmError.ARGUMENT_INVALID, "os state " + os);
        }
        if (os != 0) {
            caller.osState = os;
        }
        caller.appStatus = app;
        ctx.broadcastStatus(caller);
        return new byte[0];
    }
}
