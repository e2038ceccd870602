/**
 * Binding validation (dt-schema compatible). Not built yet: see issue 3 and README.md.
 */
package dev.gunyahdt.bindings;
