package dev.gunyahdt.hypervisor.vic;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;

/** A VIC with vCPUs attached at the indexes the tests ask for, powered on, all on one cspace and addrspace. */
abstract class VicFixture {
    final Fixture f = new Fixture(3);
    final long vicCap = f.newVic();
    final Vic vic = f.root.cspace().lookup(vicCap, ObjectType.VIC, 0, false).as(Vic.class);
    final long cs = f.newCSpace(16);
    final long as = Builders.addrspace(f, 50);

    /** A vCPU attached to the VIC at {@code index} (affinity CPU {@code index}), powered on. */
    Vcpu vcpu(int index) {
        long t = Builders.vcpu(f, cs, as, vicCap, index, index, 32, 0);
        f.ok(VcpuCalls.POWERON, t, 0, 0, 0);
        return f.hv.vcpu(f.root, t);
    }
}
