// SPDX-License-Identifier: MIT
/* hu_oracles: the oracle registry, and the set of armed oracles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_core.h"
#include "hu_oracles.h"

const struct hu_oracle_ops *const hu_oracles[] = {
	&hu_oracle_kmsg,
	&hu_oracle_taint,
	&hu_oracle_modref,
	&hu_oracle_iommu,
	&hu_oracle_dma_debug,
	NULL,
};

const struct hu_oracle_ops *hu_oracle_find(const char *name)
{
	for (int i = 0; hu_oracles[i]; i++)
		if (!strcmp(hu_oracles[i]->name, name))
			return hu_oracles[i];
	return NULL;
}

const char *hu_oracle_unsupported(const struct hu_oracle_ops *o,
				  const struct hu_device *dev)
{
	const char *why = hu_need_unmet(o->needs, NULL, dev);

	if (!why && o->unsupported)
		why = o->unsupported(dev);
	return why;
}

void hu_oracle_set_arm(struct hu_oracle_set *s,
		       const struct hu_oracle_ops *const *ops, int n,
		       const struct hu_octx *ctx)
{
	if (!n) {
		ops = hu_oracles;
		while (ops[n])
			n++;
	}
	memset(s, 0, sizeof(*s));
	s->ctx = *ctx;
	for (int i = 0; i < n && s->n < HU_MAX_ORACLES; i++) {
		const struct hu_oracle_ops *o = ops[i];
		const char *why = hu_oracle_unsupported(o, ctx->dev);
		void *priv;
		int err;

		if (why) {
			hu_info("oracle %s not armed: %s\n", o->name, why);
			continue;
		}
		priv = calloc(1, o->priv_size ? o->priv_size : 1);
		hu_assert(priv);
		err = o->arm(&s->ctx, priv);
		if (err) {
			hu_info("oracle %s not armed: %s\n", o->name,
				strerror(-err));
			free(priv);
			continue;
		}
		s->ops[s->n] = o;
		s->priv[s->n] = priv;
		s->verdict[s->n] = HU_PASS;
		s->n++;
	}
}

enum hu_verdict hu_oracle_set_at(struct hu_oracle_set *s, enum hu_stage stage)
{
	enum hu_verdict worst = HU_PASS;

	for (int i = 0; i < s->n; i++) {
		enum hu_verdict v;

		if (!s->ops[i]->at)
			continue;
		v = s->ops[i]->at(&s->ctx, s->priv[i], stage);
		if (v > s->verdict[i])
			s->verdict[i] = v;
		if (v > worst)
			worst = v;
	}
	return worst;
}

enum hu_verdict hu_oracle_set_fold(const struct hu_oracle_set *s,
				   char *failed, size_t len)
{
	enum hu_verdict worst = HU_PASS;
	char line[256] = "";
	size_t off = 0, used = 0;

	if (len)
		failed[0] = '\0';
	for (int i = 0; i < s->n; i++) {
		enum hu_verdict v = s->verdict[i];

		off += snprintf(line + off, off < sizeof(line) ?
				sizeof(line) - off : 0, "%s%s %s",
				i ? ", " : "", s->ops[i]->name,
				hu_verdict_name(v));
		if (v == HU_FAIL && used < len)
			used += snprintf(failed + used, len - used, "%s%s",
					 used ? ", " : "", s->ops[i]->name);
		if (v > worst)
			worst = v;
	}
	/* the findings were printed by the oracles: this is the summary */
	hu_info("oracles: %s\n", s->n ? line : "none armed");
	return worst;
}

void hu_oracle_set_free(struct hu_oracle_set *s)
{
	for (int i = 0; i < s->n; i++) {
		s->ops[i]->free(s->priv[i]);
		free(s->priv[i]);
	}
	s->n = 0;
}
