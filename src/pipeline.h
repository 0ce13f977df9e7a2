/* pipeline.h: the request pipeline (see pipeline.c). */
#ifndef LK_PIPELINE_H
#define LK_PIPELINE_H

#include "ctx.h"

/* Runs the whole pipeline for a request whose envp/body are in c->r and
 * leaves the answer (status, headers, body) in c. */
void pipeline_run(struct ctx *c);

#endif
