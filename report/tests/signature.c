// SPDX-License-Identifier: MIT
/*
 * The signature function on recorded and written splats: each file of
 * report/tests/data says what it must give ("# expect SIGNATURE", "# taint
 * FLAGS", "# err" for a test's stderr, "# flagged" for a row igt_runner
 * gave dmesg-warn), the library's recorded samples are
 * listed below. Offsets, addresses, PIDs, CPUs and timestamps changed must
 * give the same signatures; another WARN site must give another.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "report.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

/* Splits a sample into its text (comments out) and its expectations. */
struct sample {
	char *text;
	char expect[8][HR_SIG_LEN];
	int nexpect;
	char taint[32];
	bool taint_given, err, flagged;
};

static void parse(char *raw, struct sample *s)
{
	char *out = raw, *l = raw;

	memset(s, 0, sizeof(*s));
	while (*l) {
		size_t n = strcspn(l, "\n");
		char *next = l + n + (l[n] == '\n');

		if (l[0] == '#') {
			l[n] = '\0';
			if (!strncmp(l, "# expect ", 9) && s->nexpect < 8)
				snprintf(s->expect[s->nexpect++], HR_SIG_LEN, "%s", l + 9);
			else if (!strncmp(l, "# taint", 7)) {
				s->taint_given = true;
				snprintf(s->taint, sizeof(s->taint), "%s",
					 l[7] == ' ' ? l + 8 : "");
			} else if (!strcmp(l, "# err"))
				s->err = true;
			else if (!strcmp(l, "# flagged"))
				s->flagged = true;
		} else {
			memmove(out, l, next - l);
			out += next - l;
		}
		l = next;
	}
	*out = '\0';
	s->text = raw;
}

static int sigs(const struct sample *s, const char *text, struct hr_sig *out)
{
	return hr_signatures(s->err ? NULL : text, s->err ? text : NULL,
			     s->flagged, out, 8);
}

static bool same(struct hr_sig *a, int na, struct hr_sig *b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (strcmp(a[i].sig, b[i].sig))
			return false;
	return true;
}

/*
 * The same splat from another boot: every timestamp, PID, CPU number,
 * function offset and address changed, nothing else.
 */
static char *mutate(const char *in)
{
	char *out = malloc(strlen(in) * 2 + 64), *o = out;

	while (*in) {
		if (in[0] == '[' && (isdigit((unsigned char)in[1]) || in[1] == ' ') &&
		    strchr(in, ']') && strspn(in + 1, " 0123456789.") ==
		    (size_t)(strchr(in, ']') - in - 1)) {
			o += sprintf(o, "[%s]", "1234.567890");
			in = strchr(in, ']') + 1;
		} else if (!strncmp(in, "PID: ", 5) || !strncmp(in, "CPU: ", 5)) {
			o += sprintf(o, "%.5s%d", in, in[0] == 'P' ? 4711 : 3);
			in += 5 + strspn(in + 5, "0123456789");
		} else if (!strncmp(in, "+0x", 3)) {
			o += sprintf(o, "+0x%x/0x%x", 0x99, 0x1ff);
			in += 3 + strspn(in + 3, "0123456789abcdef/x");
		} else if (strspn(in, "0123456789abcdef") >= 12) {
			size_t n = strspn(in, "0123456789abcdef");

			memset(o, 'e', n);
			o += n;
			in += n;
		} else {
			*o++ = *in++;
		}
	}
	*o = '\0';
	return out;
}

static void sample(const char *path)
{
	char *raw = slurp(path), *m;
	struct hr_sig got[8], again[8];
	struct sample s;
	int n, nm;

	if (!check(raw != NULL, "read %s", path))
		return;
	parse(raw, &s);
	n = sigs(&s, s.text, got);
	check(n == s.nexpect, "%s: %d signature(s), expected %d", path, n, s.nexpect);
	for (int i = 0; i < n && i < s.nexpect; i++)
		check_streq(got[i].sig, s.expect[i], "%s: signature %d", path, i + 1);
	if (s.taint_given && n)
		check_streq(got[0].taint, s.taint, "%s: taint", path);
	m = mutate(s.text);
	check(strcmp(m, s.text) != 0, "%s: the mutation changed the text", path);
	nm = sigs(&s, m, again);
	check(same(got, n, again, nm), "%s: same signatures with other "
	      "offsets, addresses, PIDs, CPUs and timestamps", path);
	free(m);
	free(raw);
}

/* The library's recorded samples, and what they must give. */
static const struct {
	const char *file;
	const char *expect[3];
} lib_samples[] = {
	{ "dma-debug-6.12-intel-remove-idle.txt", {
		"WARNING drivers/gpu/drm/drm_mm.c:964 drm_mm_takedown",
		"DMA-API: pci: device driver has pending DMA allocations while "
		"released from device" } },
	{ "kmsg-virtio-gpu-takedown.txt", {
		"WARNING drivers/gpu/drm/drm_mm.c:965 drm_mm_takedown" } },
	{ "kmsg-two-warnings.txt", {
		"WARNING drivers/gpu/drm/drm_drv.c:881 drm_dev_unplug",
		"DMA-API: virtio-pci: device driver has pending DMA allocations "
		"while released from device" } },
	{ "kmsg-null-deref.txt", {
		"BUG: kernel NULL pointer dereference in virtio_gpu_cmd_submit" } },
	{ "kmsg-refcount.txt", { "refcount_t: underflow in drm_dev_put" } },
	{ "kmsg-kasan-uaf.txt", {
		"KASAN: slab-use-after-free in drm_gem_object_release" } },
	{ "kmsg-ubsan-hung.txt", {
		"UBSAN: array-index-out-of-bounds in drivers/gpu/drm/drm_syncobj.c:1312",
		"hung task in drm_hotunplug" } },
	{ "kmsg-benign.txt", { NULL } },
};

static void lib_sample(const char *dir, int i)
{
	char path[4096], *raw;
	struct hr_sig got[8];
	struct sample s;
	int n, want = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, lib_samples[i].file);
	raw = slurp(path);
	if (!check(raw != NULL, "read %s", path))
		return;
	parse(raw, &s);	/* their "# expect" lines are the kmsg oracle's */
	s.nexpect = 0;
	n = hr_signatures(s.text, NULL, false, got, 8);
	while (want < 3 && lib_samples[i].expect[want])
		want++;
	check(n == want, "%s: %d signature(s), expected %d", path, n, want);
	for (int k = 0; k < n && k < want; k++)
		check_streq(got[k].sig, lib_samples[i].expect[k], "%s: %d",
			    lib_samples[i].file, k + 1);
	free(raw);
}

/* Console lines end in CR over a serial line: same signature, no hang. */
static void crlf(void)
{
	const char *bug =
		"[   31.402113] BUG: kernel NULL pointer dereference, address: 0000000000000030\r\n"
		"[   31.404500] RIP: 0010:qxl_irq_handler+0x2e/0xd0 [qxl]\r\n";
	const char *err =
		"[   32.000000] virtio_gpu virtio0: [drm] *ERROR* fence wait timed out\r\n";
	struct hr_sig s[8];
	int n = hr_signatures(bug, NULL, false, s, 8);

	check(n == 1 && !strcmp(s[0].sig, "BUG: kernel NULL pointer dereference in "
				 "qxl_irq_handler"), "CR LF lines: %s", n ? s[0].sig : "-");
	n = hr_signatures(err, NULL, false, s, 8);
	check(n == 1 && !strcmp(s[0].sig, "virtio_gpu virtioN: [drm] *ERROR* fence "
				 "wait timed out"), "CR LF, a drm error: %s", n ? s[0].sig : "-");
}

/* Two WARN sites never merge, even in one function or one file. */
static void sites(const char *dir)
{
	char path[4096], *raw, *other;
	struct hr_sig a[8], b[8];
	struct sample s;
	int na, nb;

	snprintf(path, sizeof(path), "%s/kmsg-virtio-gpu-takedown.txt", dir);
	raw = slurp(path);
	if (!check(raw != NULL, "read %s", path))
		return;
	parse(raw, &s);
	other = strdup(s.text);
	/* the same splat from the next WARN_ON() of the file */
	for (char *p = strstr(other, "drm_mm.c:965"); p; p = strstr(p, "drm_mm.c:965"))
		memcpy(p, "drm_mm.c:972", 12);
	na = hr_signatures(s.text, NULL, false, a, 8);
	nb = hr_signatures(other, NULL, false, b, 8);
	check(na == 1 && nb == 1 && strcmp(a[0].sig, b[0].sig),
	      "another line of drm_mm.c: another finding (%s / %s)",
	      na ? a[0].sig : "-", nb ? b[0].sig : "-");
	free(other);
	free(raw);
}

int main(int argc, char **argv)
{
	const char *data = getenv("HR_DATA"), *libdata = getenv("HU_LIB_DATA");
	struct dirent **names;
	int n;

	if (!data || !libdata) {
		fprintf(stderr, "HR_DATA and HU_LIB_DATA must name the data dirs\n");
		return 1;
	}
	n = scandir(data, &names, NULL, alphasort);
	check(n > 2, "samples in %s", data);
	for (int i = 0; i < n; i++) {
		char path[4096];

		if (strstr(names[i]->d_name, ".txt")) {
			snprintf(path, sizeof(path), "%s/%s", data, names[i]->d_name);
			sample(path);
		}
		free(names[i]);
	}
	free(names);
	for (size_t i = 0; i < sizeof(lib_samples) / sizeof(*lib_samples); i++)
		lib_sample(libdata, (int)i);
	sites(libdata);
	crlf();
	return check_done();
}
