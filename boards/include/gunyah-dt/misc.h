/* SPDX-License-Identifier: BSD-3-Clause */
/* GPIO flags and input event codes used by the boards here (values from their bindings). */
#ifndef GUNYAH_DT_MISC_H
#define GUNYAH_DT_MISC_H

#define GPIO_ACTIVE_HIGH 0
#define GPIO_ACTIVE_LOW  1

#define KEY_POWER 116

#endif
