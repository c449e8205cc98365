// SPDX-License-Identifier: MIT
/*
 * hu_holder_prime: PRIME offload across two real GPUs. The device under test
 * exports a dumb BO; a second GPU (another DRM card on PCI, never vgem)
 * imports it, maps it and scans it out, as a laptop's iGPU shows what its
 * eGPU rendered. The exporter goes; the importer stays and must keep
 * showing and mapping the buffer. The importer is never a target: it is
 * chosen on another module and outside the exporter's port, and its
 * identity is re-read at every probe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_holder.h"

/* a mode every QEMU display and most monitors list; the BO is this big */
#define PRIME_W 640
#define PRIME_H 480
#define MAX_CARDS 16

struct prime_priv {
	struct hu_device imp;	/* the importer, as found at acquire */
	int card, dmabuf, ifd;	/* exporter card, its dma-buf, importer card */
	int redmabuf;		/* the importer's re-export of the import */
	struct hu_bo bo;	/* on the exporter */
	uint32_t ihandle;	/* the import, on the importer */
	void *map, *imap;	/* exporter's CPU mmap, mmap of the re-export */
	uint32_t fb, crtc, conn;
	drmModeModeInfo mode;
};

static const char *module_of(const struct hu_device *d)
{
	return d->module[0] ? d->module : d->driver;
}

/* The PCI port above @pci, or "" if it sits on a root bus. */
static void port_of(const char *pci, char *out, size_t len)
{
	const char *slash = strrchr(pci, '/');
	const char *base;

	hu_fmt(out, len, "%.*s", slash ? (int)(slash - pci) : 0, pci);
	base = strrchr(out, '/');
	if (!base || !strncmp(base + 1, "pci", 3))
		out[0] = '\0';
}

/*
 * The importer: the first other DRM card on PCI whose driver module is not
 * the exporter's (an unload takes every device of a module) and which is
 * not below the exporter's port (a slot power-off takes the port). Returns
 * NULL, or why there is none.
 */
static const char *find_importer(const struct hu_device *dev,
				 struct hu_device *imp)
{
	static char why[256];
	struct hu_device *all = calloc(MAX_CARDS, sizeof(*all));
	char port[HU_PATH_MAX], err[128];
	int n, others = 0;
	size_t plen;

	hu_assert(all);
	n = hu_device_scan("/sys", NULL, all, MAX_CARDS, err, sizeof(err));
	port_of(dev->pci_path, port, sizeof(port));
	plen = strlen(port);
	for (int i = 0; i < n; i++) {
		const struct hu_device *d = &all[i];

		if (!strcmp(d->pci_path, dev->pci_path))
			continue;
		others++;
		if (!strcmp(module_of(d), module_of(dev)))
			continue;
		if (plen && !strncmp(d->pci_path, port, plen) &&
		    d->pci_path[plen] == '/')
			continue;
		*imp = *d;
		free(all);
		return NULL;
	}
	free(all);
	hu_fmt(why, sizeof(why), "needs a second GPU on PCI to import into, "
	       "on another driver than %s and outside its port: %d other "
	       "card%s, none fits", module_of(dev), others,
	       others == 1 ? "" : "s");
	return why;
}

/* An import error before any trigger: the pair cannot share buffers. */
static bool cannot_import(int err)
{
	/*
	 * ENODEV: virtio-gpu without blobs (virtgpu_gem_prime_import_sg_table);
	 * EINVAL: no gem_prime_import_sg_table (VRAM helpers, bochs on 6.12,
	 * drm_gem_prime_import_dev); ENOSYS/EOPNOTSUPP: the exporter's BOs
	 * cannot be attached (VRAM BOs have no sg table).
	 */
	return err == -ENODEV || err == -EINVAL || err == -ENOSYS ||
	       err == -EOPNOTSUPP;
}

/* A connected connector with a PRIME_W x PRIME_H mode, and a CRTC for it. */
static bool find_output(int fd, struct prime_priv *s)
{
	drmModeRes *res = drmModeGetResources(fd);
	bool found = false;

	if (!res)
		return false;
	for (int i = 0; i < res->count_connectors && !found; i++) {
		drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);

		for (int m = 0; c && c->connection == DRM_MODE_CONNECTED &&
		     m < c->count_modes && !found; m++) {
			drmModeEncoder *e;

			if (c->modes[m].hdisplay != PRIME_W ||
			    c->modes[m].vdisplay != PRIME_H || !c->count_encoders)
				continue;
			e = drmModeGetEncoder(fd, c->encoders[0]);
			for (int k = 0; e && k < res->count_crtcs; k++) {
				if (!(e->possible_crtcs & (1u << k)))
					continue;
				s->crtc = res->crtcs[k];
				s->conn = c->connector_id;
				s->mode = c->modes[m];
				found = true;
				break;
			}
			drmModeFreeEncoder(e);
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	return found;
}

/*
 * A framebuffer of the import on the importer, shown on its CRTC if we are
 * its DRM master (never on a display someone else drives). The importer
 * then reads the buffer itself. Replaces the previous one. 0 or -errno.
 */
static int show(struct prime_priv *s)
{
	uint32_t handles[4] = { s->ihandle }, pitches[4] = { s->bo.pitch };
	uint32_t offsets[4] = { 0 }, fb;
	int err;

	err = drmModeAddFB2(s->ifd, PRIME_W, PRIME_H, DRM_FORMAT_XRGB8888,
			    handles, pitches, offsets, &fb, 0);
	if (err)
		return err < 0 ? err : -errno;
	if (s->crtc) {
		err = drmModeSetCrtc(s->ifd, s->crtc, fb, 0, 0, &s->conn, 1,
				     &s->mode);
		if (err) {
			err = err < 0 ? err : -errno;
			drmModeRmFB(s->ifd, fb);
			return err;
		}
	}
	if (s->fb)
		drmModeRmFB(s->ifd, s->fb);
	s->fb = fb;
	return 0;
}

static void prime_acquire(struct hu_ctx *ctx, void *p)
{
	struct prime_priv *s = p;
	char line[256];
	const char *why;
	int err;

	s->card = s->dmabuf = s->ifd = s->redmabuf = -1;
	why = find_importer(ctx->dev, &s->imp);
	hu_require_f(!why, "%s\n", why);
	hu_info("importer: %s\n", hu_device_str(&s->imp, line, sizeof(line)));

	hu_pattern_bo(ctx->dev, PRIME_W, PRIME_H, ctx->seed, &s->card, &s->bo,
		      &s->map);
	err = hu_drm_prime_export(s->card, s->bo.handle, &s->dmabuf);
	hu_require_f(!err, "PRIME export: %s\n", strerror(-err));

	s->ifd = hu_drm_open(s->imp.card);
	hu_assert_f(s->ifd >= 0, "open the importer %s: %s\n", s->imp.card,
		    strerror(-s->ifd));
	err = hu_drm_prime_import(s->ifd, s->dmabuf, &s->ihandle);
	hu_require_f(!cannot_import(err), "%s cannot import %s's dma-buf: "
		     "%s\n", s->imp.driver, ctx->dev->driver, strerror(-err));
	hu_assert_f(!err, "import into %s: %s\n", s->imp.driver,
		    strerror(-err));
	/* drm_gem_dumb_map_offset() refuses imports: map what it hands on */
	err = hu_drm_prime_export(s->ifd, s->ihandle, &s->redmabuf);
	hu_assert_f(!err, "%s cannot re-export the import: %s\n",
		    s->imp.driver, strerror(-err));
	s->imap = mmap(NULL, s->bo.size, PROT_READ, MAP_SHARED, s->redmabuf, 0);
	hu_assert_f(s->imap != MAP_FAILED, "mmap of the importer's re-export: "
		    "%s\n", strerror(errno));
	hu_assert_f(hu_check_pattern(s->imap, s->bo.size, ctx->seed),
		    "the importer's mapping does not show the exporter's data\n");

	if (drmIsMaster(s->ifd) && !find_output(s->ifd, s))
		hu_info("importer: no %dx%d output, framebuffer only\n",
			PRIME_W, PRIME_H);
	else if (!s->crtc)
		hu_info("importer: another DRM master drives it, framebuffer "
			"only\n");
	err = show(s);
	hu_assert_f(!err, "%s: the import as a framebuffer%s: %s\n",
		    s->imp.driver, s->crtc ? " on its CRTC" : "",
		    strerror(-err));
	hu_info("importer: the import is %s\n",
		s->crtc ? "scanned out" : "a framebuffer");
}

/* The importer is where and what it was, with its driver bound. */
static void check_importer(struct prime_priv *s, enum hu_stage stage)
{
	struct hu_identity now;
	char why[256] = "its card node is gone";

	hu_assert_f(hu_device_present(&s->imp) &&
		    !hu_identity_read(s->imp.pci_path, &now) &&
		    hu_identity_check(&s->imp.pci_id, &now, HU_ID_BOUND, why,
				      sizeof(why)),
		    "the importer %s changed (%s): %s\n", s->imp.card,
		    hu_stage_name(stage), why);
}

static void prime_probe(struct hu_ctx *ctx, void *p)
{
	struct prime_priv *s = p;
	int err, fd;

	check_importer(s, ctx->stage);
	hu_probe_fd(s->card, true, ctx->gone, "exporter card fd");
	hu_probe_fd(s->ifd, true, false, "importer card fd");
	/* the importer holds an attachment: the pages cannot go */
	hu_probe_map(s->imap, s->bo.size, ctx->seed, true,
		     "mmap of the importer's re-export");
	hu_probe_map(s->map, s->bo.size, ctx->seed, !ctx->gone,
		     "exporter's CPU mmap");

	err = show(s);
	hu_info("importer: a new framebuffer of the import%s: %s\n",
		s->crtc ? " on its CRTC" : "", err ? strerror(-err) : "works");
	hu_assert_f(!err, "the importer cannot use the import (%s): %s\n",
		    hu_stage_name(ctx->stage), strerror(-err));

	/* the importer hands the buffer on: its own dma-buf, still whole */
	err = hu_drm_prime_export(s->ifd, s->ihandle, &fd);
	hu_info("importer: re-export of the import %s\n",
		err ? strerror(-err) : "works");
	hu_assert_f(!err, "the importer cannot re-export the import (%s): "
		    "%s\n", hu_stage_name(ctx->stage), strerror(-err));
	hu_probe_new_map(fd, s->bo.size, ctx->seed, "importer's re-export");
	close(fd);
}

static int prime_release(struct hu_ctx *ctx, void *p)
{
	struct prime_priv *s = p;
	int err = 0;

	if (s->fb && drmModeRmFB(s->ifd, s->fb) && !err)
		err = -errno;
	s->fb = 0;
	hu_unmap(&s->imap, s->bo.size);
	hu_unmap(&s->map, s->bo.size);
	s->ihandle = 0;		/* closing the importer's fd drops it */
	hu_close(&s->redmabuf, &err);
	hu_close(&s->ifd, &err);
	hu_close(&s->dmabuf, &err);
	hu_close(&s->card, &err);
	return err;
}

/* A real export and import of a small BO, before anything is held. */
static const char *prime_unsupported(const struct hu_device *dev)
{
	static char why[256];
	struct hu_device imp;
	const char *none = find_importer(dev, &imp);
	int ifd, err, cerr = 0;

	if (none)
		return none;
	ifd = hu_drm_open(imp.card);
	err = ifd < 0 ? ifd : hu_try_import(dev, ifd);
	hu_close(&ifd, &cerr);
	if (!cannot_import(err))
		return NULL;
	hu_fmt(why, sizeof(why), "%s (%s) cannot import %s's dma-buf: %s",
	       imp.driver, imp.card, dev->driver, strerror(-err));
	return why;
}

const struct hu_holder_ops hu_holder_prime = {
	.name = "prime-import",
	.desc = "a dumb BO exported to a second real GPU (another DRM card on "
		"PCI, not vgem), imported, mapped and scanned out there; the "
		"importer must keep it through the unplug and after",
	.priv_size = sizeof(struct prime_priv),
	.needs = HU_NEED_PCI,
	.unsupported = prime_unsupported,
	.acquire = prime_acquire,
	.probe = prime_probe,
	.release = prime_release,
};
