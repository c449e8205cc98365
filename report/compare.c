// SPDX-License-Identifier: MIT
/*
 * Two sets of results, A (--base) and B: the findings B has and A has not
 * (new), the ones A had and B has not (gone), and the rows whose verdict
 * changed. A row of B is matched with the row of A of the same name in the
 * configuration of the same label, else in one that differs only by the
 * kernel (kernel A vs kernel B on the same GPU, IOMMU and fbdev).
 */
#include <string.h>

#include <json-c/json.h>

#include "report.h"

static int find_sig(const struct hr_report *r, const char *sig)
{
	for (int k = 0; k < r->nfindings; k++)
		if (!strcmp(r->findings[k].sig, sig))
			return k;
	return -1;
}

static bool same_but_kernel(const struct hr_config *a, const struct hr_config *b)
{
	return !strcmp(a->gpu, b->gpu) && !strcmp(a->iommu, b->iommu) &&
	       !strcmp(a->fbdev, b->fbdev);
}

/* The row of @a that row @i of @b compares with, -1: none. */
static int match(const struct hr_report *a, const struct hr_report *b, int i)
{
	const struct hr_row *row = &b->rows[i];
	const struct hr_config *bc = &b->configs[row->config];
	int loose = -1;

	for (int j = 0; j < a->nrows; j++) {
		const struct hr_config *ac = &a->configs[a->rows[j].config];

		if (strcmp(a->rows[j].name, row->name))
			continue;
		if (!strcmp(ac->label, bc->label))
			return j;
		if (loose < 0 && same_but_kernel(ac, bc))
			loose = j;
	}
	return loose;
}

static void list_findings(const struct hr_report *x, const struct hr_report *other,
			  struct json_object *arr, FILE *text, const char *what)
{
	for (int k = 0; k < x->nfindings; k++) {
		const struct hr_finding *f = &x->findings[k];
		struct json_object *o;

		if (find_sig(other, f->sig) >= 0)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "signature", json_object_new_string(f->sig));
		json_object_object_add(o, "kind", json_object_new_string(f->kind));
		json_object_object_add(o, "count", json_object_new_int(f->nrows));
		json_object_array_add(arr, o);
		fprintf(text, "%s finding (%d rows): %s\n", what, f->nrows, f->sig);
	}
}

int hr_write_compare(const struct hr_report *a, const struct hr_report *b,
		     FILE *json, FILE *text)
{
	struct json_object *top = json_object_new_object();
	struct json_object *nw = json_object_new_array();
	struct json_object *gone = json_object_new_array();
	struct json_object *changed = json_object_new_array();

	list_findings(b, a, nw, text, "new");
	list_findings(a, b, gone, text, "gone");
	for (int i = 0; i < b->nrows; i++) {
		int j = match(a, b, i);
		struct json_object *o;

		if (j < 0 || !strcmp(a->rows[j].result, b->rows[i].result))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(b->rows[i].name));
		json_object_object_add(o, "a_configuration", json_object_new_string(
			a->configs[a->rows[j].config].label));
		json_object_object_add(o, "b_configuration", json_object_new_string(
			b->configs[b->rows[i].config].label));
		json_object_object_add(o, "a", json_object_new_string(a->rows[j].result));
		json_object_object_add(o, "b", json_object_new_string(b->rows[i].result));
		json_object_array_add(changed, o);
		fprintf(text, "changed: %s [%s]: %s -> %s\n", b->rows[i].name,
			b->configs[b->rows[i].config].label, a->rows[j].result,
			b->rows[i].result);
	}
	fprintf(text, "%zu new, %zu gone, %zu changed\n", json_object_array_length(nw),
		json_object_array_length(gone), json_object_array_length(changed));
	json_object_object_add(top, "new_findings", nw);
	json_object_object_add(top, "gone_findings", gone);
	json_object_object_add(top, "changed_rows", changed);
	return hr_put_json(top, json);
}
