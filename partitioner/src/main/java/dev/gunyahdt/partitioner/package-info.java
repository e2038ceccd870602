/**
 * The static partitioner. Only the board inventory ({@code .inventory}) is built so far; the VM
 * plan, allocation, rules and emission are not: see issue 4 and the module's README.md.
 */
package dev.gunyahdt.partitioner;
