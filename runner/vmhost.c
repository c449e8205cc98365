// SPDX-License-Identifier: MIT
/*
 * Host side of the guest's requests for host-driven unplug (protocol in
 * lib/hu_vmhost.h and docs/vm-lane.md). The guest writes one request
 * line on the virtio-serial port "hu.vmhost" and reads one answer line; we
 * answer as soon as QEMU has answered the QMP command, and never wait on
 * the guest. The removal itself is the guest's to observe (pciehp gets
 * the attention button and removes the device 5 s later).
 *
 * QEMU 7.2 accepts device_del for bochs-display and qxl and takes the
 * device off its root port once the guest powered the slot off, but never
 * finalizes it (no DEVICE_DELETED; QEMU 11.1 sends it): its RAMBlock stays
 * registered under the port's PCI path, so a new device of the same kind
 * on that port aborts QEMU ("RAMBlock ... already registered", measured).
 * A re-add therefore goes to a port nobody used yet, or whose device QEMU
 * did delete, under the old id if that was freed and a new one otherwise.
 * VM_MAX_PORTS bounds the re-adds per boot.
 *
 * A kind behind_bridge (cirrus-vga) is removed with its bridge (device_del
 * brN; DEVICE_DELETED then names the bridge) and cannot be re-added in the
 * same boot: the answer to the add is HU-OK NEXT-BOOT, the guest's test
 * then ends its run (exit 112 after its verdict) and the lane boots again
 * with the GPU on the command line (hotunplug-vm.c, run_boots()).
 */
#include <stdio.h>
#include <string.h>

#include "vm.h"

void vm_host_init(struct vm_host *h, struct vm_opts *o, struct vm_qmp *q,
		  struct vm_chan *req, const char *ctl)
{
	memset(h, 0, sizeof(*h));
	h->o = o;
	h->qmp = q;
	h->req = req;
	vm_fmt(h->devfile, sizeof(h->devfile), "%s/vm-devices", ctl);
}

/* ctl/vm-devices: "<id> <qemu-driver> <port> <port-bdf> <present>" */
int vm_host_write_devices(const struct vm_host *h)
{
	char text[4096] = "", line[160], bdf[32];

	for (int i = 0; i < h->o->ngpus; i++) {
		const struct vm_gpu *g = &h->o->gpus[i];
		char port[16] = "-";

		if (g->retired)
			continue;
		if (g->port >= 0)
			snprintf(port, sizeof(port), "rp%d", g->port);
		vm_port_bdf(g->port, bdf, sizeof(bdf));
		snprintf(line, sizeof(line), "%s %s %s %s %d\n", g->id, g->kind->qdev,
			 port, bdf, g->present);
		strncat(text, line, sizeof(text) - strlen(text) - 1);
	}
	return vm_write_file(h->devfile, text);
}

static struct vm_gpu *find_gpu(struct vm_host *h, const char *id)
{
	for (int i = 0; i < h->o->ngpus; i++)
		if (!h->o->gpus[i].retired && !strcmp(h->o->gpus[i].id, id))
			return &h->o->gpus[i];
	return NULL;
}

static void answer(struct vm_host *h, const char *fmt, const char *id,
		   const char *detail)
{
	char buf[512];

	snprintf(buf, sizeof(buf), fmt, id, detail);
	vm_msg("vmhost: -> %s", buf);
	strncat(buf, "\n", sizeof(buf) - strlen(buf) - 1);
	vm_chan_write(h->req, buf);
}

/* What device_del names for @g: its bridge if it sits behind one. */
static const char *del_target(const struct vm_gpu *g, char *buf, size_t len)
{
	if (!vm_gpu_on_bridge(g))
		return g->id;
	snprintf(buf, len, "br%d", g->port);
	return buf;
}

static void do_remove(struct vm_host *h, const char *id)
{
	struct vm_gpu *g = find_gpu(h, id);
	char cmd[256], reply[1024], desc[256] = "", bridge[16] = "";

	if (!g || !g->present) {
		answer(h, "HU-ERR %s %s", id, g ? "not present" : "no such device");
		return;
	}
	vm_qmp_command(cmd, sizeof(cmd), "device_del", "id",
		       del_target(g, bridge, sizeof(bridge)));
	switch (vm_qmp_cmd(h->qmp, cmd, reply, sizeof(reply), 5000)) {
	case 0:
		break;
	case 1:
		/* e.g. virtio-gpu-pci: "does not support hotplugging" */
		vm_json_str(reply, "desc", desc, sizeof(desc));
		h->refused++;
		answer(h, "HU-ERR %s refused: %s", id, desc);
		return;
	default:
		answer(h, "HU-ERR %s %s", id, "no answer from QMP");
		return;
	}
	g->present = false;
	h->removed++;
	vm_host_write_devices(h);
	answer(h, "HU-OK REMOVING %s%s", id, "");
}

/* A root port without a device QEMU still holds. */
static int free_port(struct vm_host *h)
{
	bool used[VM_MAX_PORTS] = { false };

	for (int i = 0; i < h->o->ngpus; i++) {
		const struct vm_gpu *g = &h->o->gpus[i];

		if (g->port >= 0 && !g->deleted)
			used[g->port] = true;
	}
	for (int p = 0; p < h->o->nports; p++)
		if (!used[p])
			return p;
	return -1;
}

/*
 * The entry for a GPU re-added while QEMU still holds the old one: a
 * retired entry whose device QEMU deleted, or a new one at the end. Entry
 * i always has the id gpu<i>, which is free in QEMU in both cases. -1: none.
 */
static int spare_entry(const struct vm_host *h)
{
	for (int i = 0; i < h->o->ngpus; i++)
		if (h->o->gpus[i].retired && h->o->gpus[i].deleted)
			return i;
	return h->o->ngpus < VM_MAX_GPUS ? h->o->ngpus : -1;
}

static void do_add(struct vm_host *h, const char *id)
{
	struct vm_gpu *g = find_gpu(h, id), *n;
	char cmd[1024], reply[1024], desc[256] = "", rest[64], bdf[32], nid[16];
	int p, e;

	if (!g || g->present || g->port < 0) {
		answer(h, "HU-ERR %s %s", id, !g ? "no such device" :
		       g->present ? "still present" : "not on a root port");
		return;
	}
	if (g->kind->behind_bridge) {
		/* QEMU: "Parameter 'driver' expects a pluggable device type" */
		if (!g->next_boot)
			h->next_boot++;
		g->next_boot = true;
		answer(h, "HU-OK NEXT-BOOT %s%s", id, "");
		return;
	}
	p = free_port(h);
	/* QEMU still holds the old one: another entry, another id */
	e = g->deleted ? (int)(g - h->o->gpus) : spare_entry(h);
	if (p < 0 || e < 0) {
		answer(h, "HU-ERR %s %s", id, p < 0 ?
		       "no free root port left in this boot" :
		       "too many GPUs QEMU still holds");
		return;
	}
	snprintf(nid, sizeof(nid), "gpu%d", e);
	vm_gpu_device_add(h->o, g, nid, p, cmd, sizeof(cmd));
	switch (vm_qmp_cmd(h->qmp, cmd, reply, sizeof(reply), 5000)) {
	case 0:
		break;
	case 1:
		vm_json_str(reply, "desc", desc, sizeof(desc));
		answer(h, "HU-ERR %s refused: %s", id, desc);
		return;
	default:
		answer(h, "HU-ERR %s %s", id, "no answer from QMP");
		return;
	}
	n = &h->o->gpus[e];
	if (n != g) {
		*n = *g;
		snprintf(n->id, sizeof(n->id), "%s", nid);
		n->retired = false;
		g->retired = true;
		if (e == h->o->ngpus)
			h->o->ngpus++;
	}
	n->port = p;
	n->present = true;
	n->deleted = false;
	h->added++;
	vm_host_write_devices(h);
	vm_port_bdf(p, bdf, sizeof(bdf));
	snprintf(rest, sizeof(rest), "%s rp%d %s", n->id, p, bdf);
	answer(h, "HU-OK ADDED %s%s", rest, "");
}

/* line callback of the request channel */
void vm_host_request(void *data, const char *line)
{
	struct vm_host *h = data;
	char verb[64], id[32] = "";

	if (sscanf(line, "%63s %31s", verb, id) < 1)
		return;
	vm_msg("vmhost: <- %s", line);
	if (!strcmp(verb, "HU-PING"))
		answer(h, "HU-PONG%s%s", "", "");
	else if (!strcmp(verb, "HU-EXTERNAL-REMOVE"))
		do_remove(h, id);
	else if (!strcmp(verb, "HU-EXTERNAL-ADD"))
		do_add(h, id);
	else
		answer(h, "HU-ERR %s unknown request: %s", "-", verb);
}

/* QMP event callback: DEVICE_DELETED frees the id and the port */
void vm_host_event(void *data, const char *line)
{
	struct vm_host *h = data;
	char ev[64], dev[64];

	if (vm_json_str(line, "event", ev, sizeof(ev)) || strcmp(ev, "DEVICE_DELETED"))
		return;
	/* virtio devices also report their backend child by path only */
	if (vm_json_str(line, "device", dev, sizeof(dev)))
		return;
	for (int i = 0; i < h->o->ngpus; i++) {
		struct vm_gpu *g = &h->o->gpus[i];
		char bridge[16];

		/* may come after the re-add retired it: its port is free now */
		if (!g->present && !g->deleted &&
		    !strcmp(del_target(g, bridge, sizeof(bridge)), dev)) {
			g->deleted = true;
			h->deleted++;
			vm_msg("vmhost: QEMU deleted %s", dev);
		}
	}
}
