/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt specifier constants for the ARM GIC's three-cell binding
 * (<type number flags>), as the devicetree binding for arm,gic-v3 defines them.
 */
#ifndef GUNYAH_DT_ARM_GIC_H
#define GUNYAH_DT_ARM_GIC_H

#define GIC_SPI 0
#define GIC_PPI 1

#define IRQ_TYPE_NONE         0
#define IRQ_TYPE_EDGE_RISING  1
#define IRQ_TYPE_EDGE_FALLING 2
#define IRQ_TYPE_EDGE_BOTH    (IRQ_TYPE_EDGE_FALLING | IRQ_TYPE_EDGE_RISING)
#define IRQ_TYPE_LEVEL_HIGH   4
#define IRQ_TYPE_LEVEL_LOW    8

#endif
