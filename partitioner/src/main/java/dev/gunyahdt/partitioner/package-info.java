/**
 * The static partitioner. Not built yet: see issue 4 and README.md.
 */
package dev.gunyahdt.partitioner;
