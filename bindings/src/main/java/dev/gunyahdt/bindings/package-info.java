/**
 * Binding validation (dt-schema compatible), first slice of issue 3: {@link dev.gunyahdt.bindings.BindingSet}
 * loads and fixes up binding documents, {@link dev.gunyahdt.bindings.Validator} checks a DeviceTree against
 * them and returns {@link dev.gunyahdt.bindings.Finding}s. See README.md for what is not built yet.
 */
package dev.gunyahdt.bindings;
