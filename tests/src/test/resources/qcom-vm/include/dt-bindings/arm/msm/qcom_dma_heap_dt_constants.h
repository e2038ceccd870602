/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2020-2021, The Linux Foundation. All rights reserved.
 * Copyright (c) 2022-2023 Qualcomm Innovation Center, Inc. All rights reserved.
 */
#ifndef _QCOM_DMA_HEAP_DT_CONSTATS_H
#define _QCOM_DMA_HEAP_DT_CONSTATS_H

#define HEAP_TYPE_SECURE_CARVEOUT 0
#define HEAP_TYPE_CARVEOUT 1
#define HEAP_TYPE_CMA 2
#define HEAP_TYPE_TUI_CARVEOUT 3
#define HEAP_TYPE_TVM_CARVEOUT 3

#endif /* _QCOM_DMA_HEAP_DT_CONSTATS_H */
