/**
 * The Java model of the Gunyah hypervisor and its Resource Manager. Not built yet: see issue 5 and README.md.
 */
package dev.gunyahdt.hypervisor;
