// SPDX-License-Identifier: MIT
/*
 * Device filter parsing (--device, IGT_DEVICE), in IGT's syntax. Pure
 * string work: matching against sysfs is hu_device's job.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hu_filter.h"

static const struct {
	const char *name;
	int id;
} vendor_alias[] = {
	{ "intel", 0x8086 },
	{ "amd", 0x1002 },
	{ "nvidia", 0x10de },
	{ "virtio", 0x1af4 },
	{ "redhat", 0x1af4 },
	{ "qxl", 0x1b36 },
	{ "bochs", 0x1234 },
	{ "cirrus", 0x1013 },
	{ "vmware", 0x15ad },
};

__attribute__((format(printf, 3, 4)))
static int fail(char *err, int errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Parses 1-@maxdigits hex digits (optional 0x) into *@out. */
static bool parse_hex(const char *s, size_t len, int maxdigits, int *out)
{
	int v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (!len || len > (size_t)maxdigits)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v * 16 + d;
	}
	*out = v;
	return true;
}

static bool parse_dec(const char *s, size_t len, int *out)
{
	long v = 0;

	if (!len || len > 6)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = (int)v;
	return true;
}

/* Parses a hex field [s, e) of 1..@maxdigits digits, no 0x. */
static bool bdf_field(const char *s, const char *e, int maxdigits, int *out)
{
	if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return false;
	return parse_hex(s, e - s, maxdigits, out);
}

bool hu_bdf_normalise(const char *in, char out[32])
{
	const char *dot, *c1, *c2;
	int dom = 0, bus, dev, fn;

	/* [domain:]bus:dev.fn, hex; the function is one digit 0-7. */
	dot = strrchr(in, '.');
	if (!dot || dot[1] < '0' || dot[1] > '7' || dot[2])
		return false;
	fn = dot[1] - '0';
	c2 = memrchr(in, ':', dot - in);
	if (!c2)
		return false;
	c1 = memrchr(in, ':', c2 - in);
	if (c1) {
		if (memchr(in, ':', c1 - in) || !bdf_field(in, c1, 4, &dom))
			return false;
	}
	if (!bdf_field(c1 ? c1 + 1 : in, c2, 2, &bus) ||
	    !bdf_field(c2 + 1, dot, 2, &dev) || dev > 0x1f)
		return false;
	snprintf(out, 32, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return true;
}

static int parse_vendor(const char *v, size_t len, int *out)
{
	for (size_t i = 0; i < sizeof(vendor_alias) / sizeof(vendor_alias[0]); i++) {
		if (strlen(vendor_alias[i].name) == len &&
		    !strncasecmp(v, vendor_alias[i].name, len)) {
			*out = vendor_alias[i].id;
			return 0;
		}
	}
	return parse_hex(v, len, 4, out) ? 0 : -EINVAL;
}

static int parse_pci(const char *s, struct hu_filter *f, char *err, int errlen)
{
	int seen_vendor = 0, seen_device = 0, seen_card = 0;

	while (*s) {
		const char *end = strchr(s, ',');
		const char *eq;
		size_t klen, vlen;
		const char *val;

		if (!end)
			end = s + strlen(s);
		eq = memchr(s, '=', end - s);
		if (!eq)
			return fail(err, errlen, "pci: expected key=value, got '%.*s'",
				    (int)(end - s), s);
		klen = eq - s;
		val = eq + 1;
		vlen = end - val;

		if (klen == 6 && !strncmp(s, "vendor", 6)) {
			if (seen_vendor++)
				return fail(err, errlen, "pci: vendor given twice");
			if (parse_vendor(val, vlen, &f->vendor))
				return fail(err, errlen, "bad vendor id '%.*s' (hex or one of intel, amd, nvidia, virtio, redhat, qxl, bochs, cirrus, vmware)",
					    (int)vlen, val);
		} else if (klen == 6 && !strncmp(s, "device", 6)) {
			if (seen_device++)
				return fail(err, errlen, "pci: device given twice");
			if (!parse_hex(val, vlen, 4, &f->device))
				return fail(err, errlen, "bad device id '%.*s' (4 hex digits)",
					    (int)vlen, val);
		} else if (klen == 4 && !strncmp(s, "card", 4)) {
			if (seen_card++)
				return fail(err, errlen, "pci: card given twice");
			if ((vlen == 3 && !strncmp(val, "all", 3)) ||
			    (vlen == 1 && *val == '*'))
				f->card = HU_FILTER_CARD_ALL;
			else if (!parse_dec(val, vlen, &f->card))
				return fail(err, errlen, "bad card '%.*s' (a number, 'all' or '*')",
					    (int)vlen, val);
		} else if (klen == 4 && !strncmp(s, "slot", 4)) {
			char bdf[64];

			if (f->slot[0])
				return fail(err, errlen, "pci: slot given twice");
			if (vlen >= sizeof(bdf) ||
			    (snprintf(bdf, sizeof(bdf), "%.*s", (int)vlen, val),
			     !hu_bdf_normalise(bdf, f->slot)))
				return fail(err, errlen, "bad PCI slot '%.*s' (expected DDDD:BB:DD.F)",
					    (int)vlen, val);
		} else {
			return fail(err, errlen, "pci: unknown key '%.*s' (vendor, device, card or slot)",
				    (int)klen, s);
		}
		if (!*end)
			break;
		s = end + 1;
		if (!*s)
			return fail(err, errlen, "pci: trailing ','");
	}
	return 0;
}

int hu_filter_parse(const char *str, struct hu_filter *f, char *err, int errlen)
{
	const char *colon;
	size_t tlen;

	memset(f, 0, sizeof(*f));
	f->vendor = f->device = f->card = HU_FILTER_ANY;
	if (err && errlen > 0)
		err[0] = '\0';
	if (!str || !*str)
		return fail(err, errlen, "empty device filter");

	colon = strchr(str, ':');
	if (!colon)
		return fail(err, errlen, "filter '%s' has no type (sys:, drm: or pci:)", str);
	tlen = colon - str;

	if ((tlen == 3 && !strncmp(str, "sys", 3)) ||
	    (tlen == 3 && !strncmp(str, "drm", 3))) {
		const char *path = colon + 1;

		f->type = str[0] == 's' ? HU_FILTER_SYS : HU_FILTER_DRM;
		if (path[0] != '/')
			return fail(err, errlen, "%.3s: needs an absolute path, got '%s'",
				    str, path);
		if (strlen(path) >= sizeof(f->path))
			return fail(err, errlen, "%.3s: path too long", str);
		strcpy(f->path, path);
		return 0;
	}
	if (tlen == 3 && !strncmp(str, "pci", 3)) {
		f->type = HU_FILTER_PCI;
		return parse_pci(colon + 1, f, err, errlen);
	}
	return fail(err, errlen, "unknown filter type '%.*s' (sys:, drm: or pci:)",
		    (int)tlen, str);
}

int hu_filter_parse_list(const char *str, struct hu_filter *f, int max,
			 char *err, int errlen)
{
	int n = 0;

	if (!str || !*str)
		return fail(err, errlen, "empty device filter");
	for (;;) {
		const char *end = strchr(str, ';');
		size_t len = end ? (size_t)(end - str) : strlen(str);
		char one[512];
		int ret;

		if (!len)
			return fail(err, errlen, "empty filter in ';' list");
		if (n >= max)
			return fail(err, errlen, "too many filters (at most %d)", max);
		if (len >= sizeof(one))
			return fail(err, errlen, "filter too long");
		memcpy(one, str, len);
		one[len] = '\0';
		ret = hu_filter_parse(one, &f[n], err, errlen);
		if (ret)
			return ret;
		n++;
		if (!end)
			return n;
		str = end + 1;
	}
}
