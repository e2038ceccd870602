package dev.gunyahdt.bindings;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

class SmokeTest {
    @Test
    void smoke() throws Exception {
        BindingSet set = BindingSet.builtin();
        set.findings().forEach(f -> System.out.println("LOAD " + f.render()));
        Validator v = new Validator(set);
        v.compileFindings().forEach(f -> System.out.println("COMPILE " + f.render()));
        String base = Files.readString(Trees.resource("dts/svm-hypervisor.dts"));
        Path dir = Files.createTempDirectory("smoke");
        String[][] muts = {
            {"qcom,vmid = <45>;", "qcom,vmid = \"45\";"},
            {"#size-cells = <0>;", "#size-cells = <1>;"},
            {"interrupts = <0 928 1>, <0 929 1>;", "interrupts = <0 928 1>, <0 929 1>, <0 930 1>;"},
            {"qcom,vmid = <45>;", ""},
            {"qcom,image-name = \"svm\";", "qcom,image-name = \"svm\"; qcom,bogus = <1>;"},
            {"qcom,vdevice-handle = <0>;", "qcom,vdevice-handle = <0>; #foo-cells = <1>;"},
            {"\"qcom,resource-manager\", \"qcom,resource-manager-1-0\"", "\"qcom,resource-manager-1-0\", \"qcom,resource-manager\""},
        };
        for (String[] m : muts) {
            Path p = Trees.write(dir, "x.dts", base.replace(m[0], m[1]));
            System.out.println("== " + m[1]);
            Trees.validate(v, p).forEach(f -> System.out.println("FIND " + f.render()));
        }
    }
}
