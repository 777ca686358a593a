/* SPDX-License-Identifier: GPL-2.0 */
/* Random capmodel operations (gen.c). */
#ifndef CAPMODEL_GEN_H
#define CAPMODEL_GEN_H

#include <stdint.h>

#include "model.h"

uint64_t cm_rand(uint64_t *state);
/* A random operation that makes sense (or is wrong on purpose) in @m. */
void cm_gen(const struct cm_model *m, uint64_t *state, struct cm_op *op);

#endif
